"""The dashboard in a real browser: load offline, step, set levers, play, reset, tabletop rounds and debrief.

Each test drives its own browser session against one server (see conftest.py); a
console error, an uncaught page error or a request leaving this machine fails it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytest.importorskip("solara", reason="the dashboard extra is not installed (pip install -e '.[dev,dashboard]')")

from docsec.analysis.dashboard.controls import lever_css_class as lever_class  # noqa: E402
from docsec.analysis.dashboard.headline import PANELS  # noqa: E402
from docsec.analysis.dashboard.levers import lever_by_path, levers  # noqa: E402
from docsec.analysis.dashboard.live import describe_changes  # noqa: E402

pytestmark = pytest.mark.browser

FREE = ".free-play"
TABLE = ".tabletop"


def test_dashboard_loads_offline_with_charts_offices_levers_and_feed(dash):
    dash.open()
    assert dash.day() == 0
    assert dash.text(f"{FREE} .day-counter").startswith("Day 0 of 365")
    charts = dash.charts(f"{FREE} .live-chart")
    assert [c["title"] for c in charts] == [title for title, _ in PANELS]
    assert all(t["points"] == 0 for c in charts for t in c["traces"])
    assert dash.page.locator(f"{FREE} [data-testid=office-card]").count() == 20
    for lever in levers():  # a control for every lever, showing the parameter's declared default
        control = dash.page.locator(f"{FREE} .{lever_class(lever.path)}")
        assert control.count() == 1, lever.path
        if lever.kind.value in ("integer", "number"):
            assert lever.show(lever.default) in control.inner_text()
    assert "Nothing notable yet" in dash.text(f"{FREE} [data-testid=event-feed]")


def test_step_advances_the_model_and_updates_charts_feed_and_offices(dash):
    dash.open()
    offices_before = dash.text(f"{FREE} .office-summary")
    assert dash.step() == 7
    dash.wait_points(f"{FREE} .live-chart", 7)
    expect(dash.page.locator(f"{FREE} [data-testid=event-feed] li").first).to_have_text(re.compile(r"^Day \d+ — "))
    expect(dash.page.locator(f"{FREE} .office-summary")).not_to_have_text(offices_before)
    dash.page.locator(f"{FREE} .speed-toggle button", has_text="30").click()
    expect(dash.page.locator(f"{FREE} .speed-toggle .v-btn--active")).to_have_text("30")
    assert dash.step() == 37
    charts = dash.wait_points(f"{FREE} .live-chart", 37)
    assert [c["title"] for c in charts] == [title for title, _ in PANELS]
    dash.screenshot("after-37-days")


def test_lever_changes_reach_the_model_from_the_next_day(dash):
    dash.open()
    switch = f"{FREE} .{lever_class('custody.key_sharing_permitted')}"
    dash.click(f"{switch} label")
    dash.page.wait_for_function("(s) => document.querySelector(s + ' input').getAttribute('aria-checked') === 'false'",
                                arg=switch)
    slider = f"{FREE} .{lever_class('external_channel.strength')}"
    strength = lever_by_path()["external_channel.strength"]
    dash.page.locator(f"{slider} [role=slider]").focus()
    dash.page.keyboard.press("ArrowRight")
    dash.page.keyboard.press("ArrowRight")
    target = strength.default + 2 * strength.step
    dash.wait_text(f"{slider} .lever-value", strength.show(target))
    wait_lever_in_force(dash, slider, target)  # the server holds both presses, not only the label
    dash.step()
    expected = describe_changes({"custody.key_sharing_permitted": False, "external_channel.strength": target})
    expect(dash.page.locator(f"{FREE} [data-testid=event-feed]")).to_contain_text(
        f"Day 1 — All offices: policy set in the dashboard: {expected}.")
    charts = dash.wait_points(f"{FREE} .live-chart", 7)
    markers = [t for t in charts[0]["traces"] if t["name"] == "policy changes"]
    assert markers and markers[0]["points"] == 1


def wait_lever_in_force(dash, control: str, value: float) -> None:
    """Wait until the server holds ``value`` for the slider in ``control`` with no change still on its way."""
    dash.page.wait_for_function(
        "([s, v]) => { const el = document.querySelector(s + ' .docsec-lever-slider'); return el && "
        "el.dataset.pending === 'no' && Math.abs(Number(el.dataset.value) - v) < 1e-9; }", arg=[control, value])


def test_a_step_clicked_straight_after_two_key_presses_uses_both(dash):
    dash.open()
    slider = f"{FREE} .{lever_class('external_channel.strength')}"
    strength = lever_by_path()["external_channel.strength"]
    dash.page.locator(f"{slider} [role=slider]").focus()
    dash.page.keyboard.press("ArrowRight")
    dash.page.keyboard.press("ArrowRight")
    dash.click(f"{FREE} .step-button")  # no wait: a teacher's press, press, Step
    target = strength.default + 2 * strength.step
    expected = describe_changes({"external_channel.strength": target})
    expect(dash.page.locator(f"{FREE} [data-testid=event-feed]")).to_contain_text(
        f"Day 1 — All offices: policy set in the dashboard: {expected}.")
    wait_lever_in_force(dash, slider, target)
    dash.wait_text(f"{slider} .lever-value", strength.show(target))


def _wait_day_past(dash, day: int) -> None:
    dash.page.wait_for_function(
        "(day) => Number(document.querySelector('.free-play .day-counter').innerText.match(/Day (\\d+)/)[1]) > day",
        arg=day)


def _pause_and_settle(dash) -> int:
    """Press Pause and return the day play stopped on; fails if play goes on."""
    dash.click(f"{FREE} .pause-button")
    # paused: Play and Step come back (had play run on to the end of the run, both would stay disabled)
    expect(dash.page.locator(f"{FREE} .play-button")).to_be_enabled()
    expect(dash.page.locator(f"{FREE} .step-button")).to_be_enabled()
    expect(dash.page.locator(f"{FREE} .pause-button")).to_be_disabled()
    # a step already under way when Pause was pressed may still land; after that the day stays put
    days = [dash.day()]
    for _ in range(10):
        dash.page.wait_for_timeout(1500)
        days.append(dash.day())
        if days[-1] == days[-2]:
            break
    assert days[-1] == days[-2], f"play went on after Pause: {days}"
    assert days[-1] - days[0] <= 7, f"play went on after Pause: {days}"
    assert days[-1] < 365 and "over" not in dash.text(f"{FREE} .day-counter"), days
    return days[-1]


def test_play_runs_until_paused(dash):
    dash.open()
    expect(dash.page.locator(f"{FREE} .pause-button")).to_be_disabled()
    dash.click(f"{FREE} .play-button")
    expect(dash.page.locator(f"{FREE} .step-button")).to_be_disabled()
    _wait_day_past(dash, 20)
    paused = _pause_and_settle(dash)
    assert paused >= 21
    dash.click(f"{FREE} .play-button")  # play resumes from where it stopped, and pauses again
    _wait_day_past(dash, paused)
    assert _pause_and_settle(dash) > paused


def test_choosing_a_scenario_or_seed_restarts_the_run(dash):
    dash.open()
    dash.step()
    dash.click(f"{FREE} .scenario-select")
    dash.page.get_by_role("option", name="strict", exact=True).click()
    dash.wait_text(f"{FREE} .day-counter", "^Day 0 of 365")
    expect(dash.page.locator(FREE)).to_contain_text("Strict custody")
    uncleared = f"{FREE} .{lever_class('custody.uncleared_may_handle')} input"
    expect(dash.page.locator(uncleared)).to_have_attribute("aria-checked", "false")
    dash.step()
    dash.page.locator(f"{FREE} .seed-input input").fill("5")
    dash.page.locator(f"{FREE} .seed-input input").press("Enter")
    dash.wait_text(f"{FREE} .day-counter", "^Day 0 of 365")
    expect(dash.page.locator(f"{FREE} .seed-input input")).to_have_value("5")
    dash.step()
    dash.click(f"{FREE} .reset-button")
    dash.wait_text(f"{FREE} .day-counter", "^Day 0 of 365")


def test_tabletop_rounds_and_debrief_against_the_unchanged_policy(dash):
    dash.open()
    dash.open_tabletop()
    dash.screenshot("setup")
    dash.click(f"{TABLE} .start-game")
    dash.wait_text(f"{TABLE} .round-status", "Round 1 of 6: days 1 to 30")
    dash.click(f"{TABLE} .play-round")
    dash.wait_text(f"{TABLE} .round-result", r"Round 1: what happened \(days 1 to 30\)")
    expect(dash.page.locator(f"{TABLE} [data-testid=round-table]")).to_contain_text("round 1")
    dash.page.wait_for_function("(n) => document.querySelectorAll('.tabletop .live-chart.js-plotly-plot').length === n",
                                arg=len(PANELS))
    dash.wait_points(f"{TABLE} .live-chart", 30)
    expect(dash.page.locator(f"{TABLE} .round-result [data-testid=event-feed] li").first).to_contain_text("Day ")
    # the room's decision for round 2: strict custody
    dash.click(f"{TABLE} .{lever_class('custody.uncleared_may_handle')} label")
    dash.wait_text(f"{TABLE} .{lever_class('custody.uncleared_may_handle')}", "changed for the next round")
    dash.click(f"{TABLE} .play-round")
    decision = describe_changes({"custody.uncleared_may_handle": False})
    dash.wait_text(f"{TABLE} .round-result", f"Decision before this round: {decision}")
    expect(dash.page.locator(f"{TABLE} .round-status")).to_contain_text("Round 3 of 6")
    dash.wait_points(f"{TABLE} .live-chart", 60)
    dash.click(f"{TABLE} .run-debrief")
    expect(dash.page.locator(f"{TABLE} [data-testid=debrief-totals] tbody tr")).to_have_count(8)
    expect(dash.page.locator(f"{TABLE} [data-testid=debrief-effects]")).to_be_visible()
    expect(dash.page.locator(f"{TABLE} [data-testid=debrief-rounds] tbody tr")).to_have_count(8)
    rounds = dash.page.evaluate("""() => Array.from(document.querySelectorAll(
        '.tabletop [data-testid=debrief-rounds] tbody tr')).map(tr => Array.from(tr.cells).map(td => td.innerText))""")
    assert all(row[1] == "0" for row in rounds), "round 1: same seed, same policy, no difference"
    assert any(row[2] != "0" for row in rounds), "round 2: the decision made a difference"
    assert f"Round 2 (from day 31): {decision}" in dash.text(f"{TABLE} [data-testid=debrief-effects]")
    dash.page.wait_for_function("() => document.querySelector('.tabletop .debrief-chart.js-plotly-plot')")
    paths = {t["name"] for t in dash.charts(f"{TABLE} .debrief-chart")[0]["traces"]}
    assert paths == {"room's choices", "policy unchanged"}


def test_each_browser_session_has_its_own_model(dash, other_dash):
    dash.open()
    assert dash.step() == 7
    other_dash.open()
    assert other_dash.day() == 0
    other_dash.step()
    assert other_dash.step() == 14
    dash.page.wait_for_timeout(500)
    assert dash.day() == 7
    assert dash.step() == 14 and other_dash.day() == 14
