"""The tabletop exercise in real browsers: a facilitator and participants on one server, joined by a code.

Each browser is its own context (its own cookies: its own Solara session), as separate
devices in a room are. A console error, an uncaught page error or a request leaving this
machine fails a test. Waits are for conditions on the page, never for a fixed time.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytest.importorskip("solara", reason="the dashboard extra is not installed (pip install -e '.[dev,dashboard]')")

from docsec.analysis.dashboard.controls import lever_css_class as lever_class  # noqa: E402
from docsec.analysis.dashboard.injects import inject_by_key  # noqa: E402
from docsec.analysis.dashboard.live import describe_changes  # noqa: E402

from .conftest import VIEWPORT, Dashboard, _test_name  # noqa: E402

pytestmark = pytest.mark.browser

EX = ".exercise"


@pytest.fixture
def room(browser, dashboard_url, request):
    """A facilitator and participants, each in their own browser context; checked for problems at the end."""
    boards = []

    def join(label: str, viewport=VIEWPORT) -> Dashboard:
        context = browser.new_context(viewport=viewport)
        board = Dashboard(context, dashboard_url, f"{_test_name(request)}-{label}")
        boards.append(board)
        return board

    yield join
    problems = []
    for board in boards:
        try:
            board.screenshot()
        finally:
            board.context.close()
        problems += [f"{board.name}: {p}" for p in board.problems]
    assert not problems, "\n".join(problems)


def open_exercise_tab(board: Dashboard) -> None:
    board.open()
    board.page.get_by_role("tab", name="Exercise").click()


def create_exercise(facilitator: Dashboard, rounds: int = 3) -> str:
    open_exercise_tab(facilitator)
    facilitator.page.locator(f"{EX} .exercise-rounds input").fill(str(rounds))
    facilitator.page.locator(f"{EX} .exercise-rounds input").press("Enter")
    facilitator.click(f"{EX} .create-exercise")
    code = facilitator.page.locator(f"{EX} [data-testid=join-code]")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{4}$"))
    return code.inner_text()


def join_exercise(board: Dashboard, code: str, seat: str, name: str = "") -> None:
    open_exercise_tab(board)
    board.page.locator(f"{EX} .join-code input").fill(code.lower())
    if name:
        board.page.locator(f"{EX} .join-name input").fill(name)
    board.click(f"{EX} .find-exercise")
    board.click(f"{EX} .seat-{seat}")
    expect(board.page.locator(f"{EX} .my-seat")).to_contain_text("You hold:")


def test_participants_join_by_code_take_seats_and_keep_them_through_a_reload(room):
    facilitator, ana, other = room("facilitator"), room("ana"), room("other")
    code = create_exercise(facilitator)
    join_exercise(ana, code, "office-1", name="Ana")
    expect(ana.page.locator(f"{EX} .my-seat")).to_contain_text(f"custodian of Office 1 (Ana) · exercise {code}")
    expect(facilitator.page.locator(f"{EX} [data-testid=seat-table]")).to_contain_text("Ana")
    # the taken seat is offered to nobody else
    open_exercise_tab(other)
    other.page.locator(f"{EX} .join-code input").fill(code)
    other.click(f"{EX} .find-exercise")
    expect(other.page.locator(f"{EX} .seat-office-1")).to_be_disabled()
    expect(other.page.locator(f"{EX} .seat-office-2")).to_be_enabled()
    # a reload (or a dropped connection) finds the seat again, on the Exercise tab
    ana.page.reload()
    expect(ana.page.locator(f"{EX} .my-seat")).to_contain_text("custodian of Office 1 (Ana)")
    facilitator.page.reload()
    expect(facilitator.page.locator(f"{EX} [data-testid=join-code]")).to_have_text(code)
    # a seat sees its own office, not the whole picture
    expect(ana.page.locator(f"{EX} [data-testid=my-office] [data-testid=office-card]")).to_have_count(1)
    expect(ana.page.locator(f"{EX} [data-testid=my-office]")).to_contain_text("Office 1")
    assert ana.page.locator(f"{EX} .live-chart").count() == 0
    # the facilitator hands a seat back (a participant whose device is gone): another browser takes it
    facilitator.click(f"{EX} .free-seat")
    expect(ana.page.locator(f"{EX} .seat-freed")).to_be_visible()
    expect(other.page.locator(f"{EX} .seat-office-1")).to_be_enabled()
    other.click(f"{EX} .seat-office-1")
    expect(other.page.locator(f"{EX} .my-seat")).to_contain_text("custodian of Office 1")


def test_a_round_played_by_two_participants_and_a_facilitator(room):
    facilitator, centre, office = room("facilitator"), room("centre"), room("office")
    code = create_exercise(facilitator)
    join_exercise(centre, code, "centre", name="Ben")
    join_exercise(office, code, "office-2")
    # the centre forbids sharing the key; the custodian of office 2 refuses to delegate
    centre.click(f"{EX} .{lever_class('custody.key_sharing_permitted')} label")
    expect(centre.page.locator(f"{EX} .{lever_class('custody.key_sharing_permitted')} .lever-changed")).to_have_text(
        "changed for the next round")
    office.page.locator(f"{EX} .choice-delegate button", has_text="refuse").click()
    expect(office.page.locator(f"{EX} .choice-delegate .v-btn--active")).to_have_text(re.compile("refuse", re.I))
    table = facilitator.page.locator(f"{EX} [data-testid=seat-table]")
    expect(table.locator("tr", has_text="the centre")).to_contain_text("decided")
    expect(table.locator("tr", has_text="Office 2")).to_contain_text("decided")
    facilitator.page.locator(f"{EX} .start-round").dblclick()  # a double click plays one round
    expect(facilitator.page.locator(f"{EX} .exercise-status")).to_contain_text("Round 2 of 3")
    decisions = facilitator.page.locator(f"{EX} .exercise-decisions")
    expect(decisions).to_contain_text(describe_changes({"custody.key_sharing_permitted": False}))
    expect(decisions).to_contain_text("refuses: delegate registration")
    expect(facilitator.page.locator(f"{EX} .start-round")).to_have_text(re.compile("Start round 2", re.I))
    facilitator.wait_points(f"{EX} .live-chart", 30)
    expect(facilitator.page.locator(f"{EX} [data-testid=exercise-rounds] thead th")).to_have_count(3)
    # both participants' pages move on by themselves
    expect(centre.page.locator(f"{EX} .my-seat")).to_contain_text("round 2 of 3")
    expect(office.page.locator(f"{EX} .my-seat")).to_contain_text("round 2 of 3")
    expect(centre.page.locator(f"{EX} [data-testid=centre-knows]")).to_contain_text("round 1")
    expect(office.page.locator(f"{EX} .my-shortcuts")).to_contain_text("delegate registration: 0 of")
    expect(office.page.locator(EX)).to_contain_text("Your choices from round 2 on")
    expect(centre.page.locator(EX)).to_contain_text("The centre's policy for round 2.")
    # the office's choice stays for the next round; the centre's change is in force
    expect(office.page.locator(f"{EX} .choice-delegate .v-btn--active")).to_have_text(re.compile("refuse", re.I))
    key = centre.page.locator(f"{EX} .{lever_class('custody.key_sharing_permitted')} input")
    expect(key).to_have_attribute("aria-checked", "false")


def test_an_inject_fired_by_the_facilitator_opens_the_next_round_for_everyone(room):
    facilitator, participant = room("facilitator"), room("participant")
    code = create_exercise(facilitator)
    join_exercise(participant, code, "office-1")
    inject = inject_by_key("phone-crackdown")
    facilitator.click(f"{EX} .inject-select")
    facilitator.page.get_by_role("option", name=inject.key, exact=True).click()
    facilitator.click(f"{EX} .fire-inject")
    expect(facilitator.page.locator(f"{EX} [data-testid=inject-card]")).to_contain_text(inject.title)
    expect(participant.page.locator(f"{EX} [data-testid=inject-card]")).to_contain_text(inject.title)
    facilitator.click(f"{EX} .start-round")
    expect(facilitator.page.locator(f"{EX} .exercise-round [data-testid=inject-card]")).to_contain_text(inject.title)
    charts = facilitator.wait_points(f"{EX} .live-chart", 30)
    markers = [t for t in charts[0]["traces"] if t["meta"] == "policy changes"]
    assert markers and markers[0]["points"] == 1  # the inject's day is marked on the charts
    expect(participant.page.locator(f"{EX} .my-seat")).to_contain_text("round 2 of 3")


def test_the_after_action_report_downloads_as_an_offline_page(room):
    facilitator, centre = room("facilitator"), room("centre")
    code = create_exercise(facilitator, rounds=2)
    join_exercise(centre, code, "centre", name="Chloé")
    centre.click(f"{EX} .{lever_class('custody.uncleared_may_handle')} label")
    expect(facilitator.page.locator(f"{EX} [data-testid=seat-table]")).to_contain_text("decided")
    facilitator.click(f"{EX} .start-round")
    expect(facilitator.page.locator(f"{EX} .start-round")).to_have_text(re.compile("Start round 2", re.I))
    facilitator.click(f"{EX} .start-round")
    expect(facilitator.page.locator(f"{EX} .exercise-status")).to_contain_text("All 2 rounds played")
    with facilitator.page.expect_download() as info:
        facilitator.page.get_by_role("button", name=re.compile("After-action report", re.I)).click()
    download = info.value
    assert download.suggested_filename == f"after-action-{code}.html"
    page = open(download.path(), encoding="utf-8").read()
    assert page.count('data-testid="aar-round"') == 2
    assert "the centre (policy) (Chloé)" in page
    assert describe_changes({"custody.uncleared_may_handle": False}) in page
    assert 'data-testid="aar-effects"' in page and 'data-testid="aar-paths"' in page
    assert "<script" not in page and not re.search(r"(src|href)=\"?https?:", page)
    # the report as a reader sees it: open it offline in the browser and print it
    viewer = room("reader")
    viewer.page.set_content(page)
    expect(viewer.page.locator("h1")).to_contain_text(f"After-action report: exercise {code}")
    expect(viewer.page.locator("[data-testid=aar-decisions]")).to_contain_text("Chloé")
    assert len(viewer.page.pdf()) > 1000  # Chromium prints it
