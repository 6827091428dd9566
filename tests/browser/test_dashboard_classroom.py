"""The dashboard's classroom fixes in a real browser: tabletop clicks and sliders, readouts, the previous run,
the CSV download, run to the end, a phone's screen, the debrief's colours and sweep-sized seeds.

Each test drives its own browser session against one server (see conftest.py); a console
error, an uncaught page error or a request leaving this machine fails it. Waits are for
conditions on the page, never for a fixed time.
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from playwright.sync_api import expect

pytest.importorskip("solara", reason="the dashboard extra is not installed (pip install -e '.[dev,dashboard]')")

from docsec.analysis.dashboard import catalog  # noqa: E402
from docsec.analysis.dashboard.controls import lever_css_class as lever_class  # noqa: E402
from docsec.analysis.dashboard.headline import BETTER, LABELS, READOUTS  # noqa: E402
from docsec.analysis.dashboard.levers import lever_by_path  # noqa: E402
from docsec.analysis.dashboard.live import describe_changes  # noqa: E402
from docsec.analysis.dashboard.tables import judgement  # noqa: E402
from docsec.sim.metrics import COUNTER_NAMES  # noqa: E402

pytestmark = pytest.mark.browser

FREE = ".free-play"
TABLE = ".tabletop"


def _readouts(dash, scope: str) -> dict[str, dict]:
    return dash.page.evaluate(
        """(scope) => Object.fromEntries(Array.from(document.querySelectorAll(scope + ' .readout')).map(el => [
             el.dataset.metric, {value: el.querySelector('.readout-value').innerText,
                                 previous: (el.querySelector('.readout-previous') || {}).innerText || null}]))""",
        scope)


def wait_lever_in_force(dash, control: str, value: float) -> None:
    """Wait until the server holds ``value`` for the slider in ``control`` with no change still on its way."""
    dash.page.wait_for_function(
        "([s, v]) => { const el = document.querySelector(s + ' .docsec-lever-slider'); return el && "
        "el.dataset.pending === 'no' && Math.abs(Number(el.dataset.value) - v) < 1e-9; }", arg=[control, value])


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _start_game(dash) -> None:
    dash.open()
    dash.open_tabletop()
    dash.click(f"{TABLE} .start-game")
    dash.wait_text(f"{TABLE} .round-status", "Round 1 of 6: days 1 to 30")


def test_a_double_click_on_play_round_plays_one_round(dash):
    _start_game(dash)
    dash.page.locator(f"{TABLE} .play-round").dblclick()
    dash.wait_text(f"{TABLE} .round-result", r"Round 1: what happened \(days 1 to 30\)")
    # the button comes back for round 2 only once round 1 is drawn; the second click played nothing
    expect(dash.page.locator(f"{TABLE} .play-round")).to_be_enabled()
    expect(dash.page.locator(f"{TABLE} .play-round")).to_have_text(re.compile("Play round 2", re.I))
    expect(dash.page.locator(f"{TABLE} .round-status")).to_contain_text("Round 2 of 6: days 31 to 60")
    dash.wait_points(f"{TABLE} .live-chart", 30)
    expect(dash.page.locator(f"{TABLE} [data-testid=round-table] thead th")).to_have_count(2)  # label + round 1


def test_play_round_shows_that_it_is_busy_while_the_round_runs(dash):
    _start_game(dash)
    # watch the button from inside the page, so a busy state shorter than a Playwright poll is still seen
    dash.page.evaluate("""() => { window.docsecBusySeen = false;
        new MutationObserver(() => { const b = document.querySelector('.tabletop .play-round');
          if (b && b.classList.contains('busy') && b.disabled) { window.docsecBusySeen = true; } })
        .observe(document.body, {subtree: true, childList: true, attributes: true}); }""")
    dash.click(f"{TABLE} .play-round")
    dash.wait_text(f"{TABLE} .round-result", "Round 1: what happened")
    dash.page.wait_for_function("() => window.docsecBusySeen === true")
    expect(dash.page.locator(f"{TABLE} .play-round")).to_be_enabled()


def test_arrow_keys_on_a_tabletop_slider_register_every_press(dash):
    _start_game(dash)
    path = "inspection.audits_per_inspector_per_month"
    lever = lever_by_path()[path]
    control = f"{TABLE} .{lever_class(path)}"
    dash.page.locator(f"{control} [role=slider]").focus()
    for presses in (1, 2, 3):  # each press counts, the first as much as the later ones
        dash.page.keyboard.press("ArrowRight")
        target = lever.coerce(lever.default + presses * lever.step)
        dash.wait_text(f"{control} .lever-value", re.escape(lever.show(target)))
        wait_lever_in_force(dash, control, target)  # the press reached the server, in order
        expect(dash.page.locator(f"{control} .lever-changed")).to_have_text("changed for the next round")
        # the slider kept keyboard focus through the change mark appearing
        assert dash.page.evaluate("(s) => document.activeElement.closest(s) !== null", control)
    dash.page.keyboard.press("ArrowRight")  # two quick presses land as two
    dash.page.keyboard.press("ArrowRight")
    target = lever.coerce(lever.default + 5 * lever.step)
    dash.wait_text(f"{control} .lever-value", re.escape(lever.show(target)))
    wait_lever_in_force(dash, control, target)
    dash.click(f"{TABLE} .play-round")
    dash.wait_text(f"{TABLE} .round-result", "Decision before this round: " + re.escape(describe_changes({path: target})))


def test_play_round_clicked_straight_after_two_key_presses_plays_both(dash):
    _start_game(dash)
    path = "inspection.audits_per_inspector_per_month"
    lever = lever_by_path()[path]
    control = f"{TABLE} .{lever_class(path)}"
    dash.page.locator(f"{control} [role=slider]").focus()
    dash.page.keyboard.press("ArrowRight")
    dash.page.keyboard.press("ArrowRight")
    dash.click(f"{TABLE} .play-round")  # no wait: the room's press, press, Play round
    target = lever.coerce(lever.default + 2 * lever.step)
    dash.wait_text(f"{TABLE} .round-result", "Decision before this round: " + re.escape(describe_changes({path: target})))


def test_a_value_can_be_typed_and_a_value_out_of_bounds_is_refused(dash):
    dash.open()
    path = "penalty.dismissal_severity"
    lever = lever_by_path()[path]
    control = f"{FREE} .{lever_class(path)}"
    box = dash.page.locator(f"{control} .lever-typed")
    box.fill("1234")
    box.press("Enter")
    dash.wait_text(f"{control} .lever-value", re.escape(lever.show(1234.0)))
    dash.step()
    expect(dash.page.locator(f"{FREE} [data-testid=event-feed]")).to_contain_text(describe_changes({path: 1234.0}))
    box.fill("-5")
    box.press("Enter")
    expect(dash.page.locator(f"{control} .lever-refused")).to_contain_text("allowed: a number from")
    expect(box).to_have_value("1234")
    dash.wait_text(f"{control} .lever-value", re.escape(lever.show(1234.0)))


def test_readouts_beside_the_charts_show_the_running_totals(dash):
    dash.open()
    assert set(_readouts(dash, FREE)) == set(READOUTS)
    assert all(r["value"] == "0" for r in _readouts(dash, FREE).values())
    dash.step()
    charts = dash.wait_points(f"{FREE} .live-chart", 7)
    lines = {t["name"]: t["last"] for c in charts for t in c["traces"] if not t["meta"]}
    readouts = _readouts(dash, FREE)
    for metric in READOUTS:
        if LABELS[metric] in lines and metric != "custody_workload_hours":  # counts: exact
            assert _number(readouts[metric]["value"]) == pytest.approx(lines[LABELS[metric]], abs=0.01), metric


def test_switching_scenario_keeps_the_previous_run_faded_on_one_scale(dash):
    dash.open()
    dash.page.locator(f"{FREE} .speed-toggle button", has_text="30").click()
    expect(dash.page.locator(f"{FREE} .speed-toggle .v-btn--active")).to_have_text("30")
    dash.step()
    charts = dash.wait_points(f"{FREE} .live-chart", 30)
    lax_lines = {t["name"]: t["last"] for c in charts for t in c["traces"] if not t["meta"]}
    dash.click(f"{FREE} .scenario-select")
    dash.page.get_by_role("option", name="strict", exact=True).click()
    dash.wait_text(f"{FREE} .day-counter", "^Day 0 of 365")
    dash.page.wait_for_function("() => Array.from(document.querySelectorAll('.free-play .live-chart')).every("
                                "el => (el._fullData || []).some(t => t.meta === 'previous run'))")
    dash.step()
    charts = dash.wait_points(f"{FREE} .live-chart", 30)
    for chart in charts:
        previous = [t for t in chart["traces"] if t["meta"] == "previous run"]
        assert previous and all(t["points"] == 30 for t in previous), chart["title"]
        assert all(t["name"].endswith("(previous: default, seed 0)") for t in previous)
        top = max(t["last"] for t in chart["traces"] if t["last"] is not None)
        assert chart["yrange"][1] >= top  # one scale holds both runs
        for t in previous:
            assert t["last"] == pytest.approx(lax_lines[t["name"].removesuffix(" (previous: default, seed 0)")])
    expect(dash.page.locator(f"{FREE} [data-testid=readouts]")).to_contain_text("previous: default, seed 0")
    assert all(r["previous"] for r in _readouts(dash, FREE).values())
    dash.click(f"{FREE} .show-previous label")  # the overlay can be hidden
    dash.page.wait_for_function("() => Array.from(document.querySelectorAll('.free-play .live-chart')).every("
                                "el => !(el._fullData || []).some(t => t.meta === 'previous run'))")


def test_the_daily_table_downloads_as_csv_with_its_provenance(dash):
    dash.open()
    dash.step()
    with dash.page.expect_download() as info:
        dash.page.get_by_role("button", name=re.compile("Download the daily table", re.I)).click()
    download = info.value
    assert download.suggested_filename == "docsec-default-seed-0-days-1-7.csv"
    table = pd.read_csv(io.StringIO(open(download.path(), encoding="utf-8").read()))
    assert list(table["day"]) == list(range(1, 8))
    assert set(COUNTER_NAMES) <= set(table.columns)
    assert set(table["scenario"]) == {"default"} and set(table["seed"]) == {0}
    assert set(table["spec_hash"]) == {catalog.scenario("default").params.spec_hash()}
    readouts = _readouts(dash, FREE)
    assert table["external_leaks"].sum() == _number(readouts["external_leaks"]["value"])


def test_run_to_the_end_plays_the_rest_of_the_year(dash):
    dash.open()
    dash.step()
    dash.click(f"{FREE} .run-to-end")
    dash.wait_text(f"{FREE} .day-counter", "Day 365 of 365 — the run is over")
    dash.wait_points(f"{FREE} .live-chart", 365)
    expect(dash.page.locator(f"{FREE} .run-to-end")).to_be_disabled()
    expect(dash.page.locator(f"{FREE} .step-button")).to_be_disabled()


def test_a_phone_screen_stacks_the_levers_above_the_charts(phone):
    phone.open()
    sizes = phone.page.evaluate("""() => {
        const box = (s) => document.querySelector(s).getBoundingClientRect();
        const title = document.querySelector('.docsec-title');
        return {page: document.documentElement.scrollWidth, side: box('.free-play .docsec-side').width,
                main: box('.free-play .docsec-main').width, sideBottom: box('.free-play .docsec-side').bottom,
                mainTop: box('.free-play .docsec-main').top,
                titleFits: title.scrollWidth <= title.clientWidth,
                charts: Array.from(document.querySelectorAll('.free-play .live-chart')).map(
                  el => el.getBoundingClientRect().right)}; }""")
    assert sizes["page"] <= 390, sizes  # nothing scrolls sideways
    assert sizes["side"] >= 330 and sizes["main"] >= 330, sizes  # the lever column takes the width
    assert sizes["mainTop"] >= sizes["sideBottom"] - 1, sizes  # stacked, not squeezed side by side
    assert sizes["titleFits"], sizes
    assert all(right <= 391 for right in sizes["charts"]), sizes
    assert phone.step() == 7  # and it still plays


def test_debrief_colours_each_difference_by_what_its_metric_means(dash):
    _start_game(dash)
    dash.click(f"{TABLE} .play-round")
    dash.wait_text(f"{TABLE} .round-status", "Round 2 of 6")
    dash.click(f"{TABLE} .{lever_class('custody.uncleared_may_handle')} label")
    dash.click(f"{TABLE} .{lever_class('custody.key_sharing_permitted')} label")
    dash.wait_text(f"{TABLE} .{lever_class('custody.key_sharing_permitted')}", "changed for the next round")
    dash.click(f"{TABLE} .play-round")
    dash.wait_text(f"{TABLE} .round-status", "Round 3 of 6")
    dash.click(f"{TABLE} .run-debrief")
    expect(dash.page.locator(f"{TABLE} [data-testid=debrief-totals] tbody tr")).to_have_count(8)
    rows = dash.page.evaluate("""() => Array.from(document.querySelectorAll(
        '.tabletop [data-testid=debrief-totals] tbody tr')).map(tr => [tr.cells[0].innerText,
          tr.cells[3].innerText, tr.cells[3].dataset.judgement, getComputedStyle(tr.cells[3]).color])""")
    by_label = {label: metric for metric, label in LABELS.items()}
    colours = {"better": "rgb(46, 125, 50)", "worse": "rgb(213, 94, 0)"}
    for label, text, verdict, colour in rows:
        metric = by_label[label]
        difference = _number(text.replace("+", "").replace("−", "-"))
        assert verdict == judgement(BETTER[metric].value, difference), (label, text, verdict)
        if verdict in colours:
            assert colour == colours[verdict], (label, colour)
    assert any(v == "better" for _, _, v, _ in rows) or any(v == "worse" for _, _, v, _ in rows)


def test_a_seed_from_a_sweep_replays_as_with_the_command_line(dash):
    from docsec.analysis.sweep.design import replicate_seeds
    from docsec.sim.run import run_simulation

    seed = int(replicate_seeds(2021, 2)[1])
    assert seed > 10**17
    dash.open()
    seed_box = dash.page.locator(f"{FREE} .seed-input input")
    seed_box.fill(str(seed))
    seed_box.press("Enter")
    expect(seed_box).to_have_value(str(seed))
    dash.step()
    dash.wait_points(f"{FREE} .live-chart", 7)
    assert not dash.page.locator(f"{FREE} .input-error").count()
    direct = run_simulation(catalog.scenario("default").params.with_overrides({"run.days": 7}), seed)
    readouts = _readouts(dash, FREE)
    for metric in ("external_leaks", "exposures", "violations_committed", "losses"):
        assert _number(readouts[metric]["value"]) == direct.summary[metric], metric


def test_a_slider_label_follows_a_drag_before_the_server_hears_of_it(dash):
    sent: list[str] = []
    dash.page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    dash.open()
    path = "external_channel.strength"
    lever = lever_by_path()[path]
    control = f"{FREE} .{lever_class(path)}"
    before = dash.text(f"{control} .lever-value")
    dash.page.locator(f"{control} .v-slider").scroll_into_view_if_needed()
    track = dash.page.locator(f"{control} .v-slider").bounding_box()
    thumb = dash.page.locator(f"{control} .v-slider__thumb").bounding_box()  # a drag starts on the thumb
    y = thumb["y"] + thumb["height"] / 2
    dash.page.mouse.move(thumb["x"] + thumb["width"] / 2, y)
    dash.page.mouse.down()
    held = len(sent)
    dash.page.mouse.move(track["x"] + track["width"] * 0.8, y, steps=8)
    # still held: the label already shows where the slider is, and no value has gone to the server
    dash.page.wait_for_function("([s, b]) => document.querySelector(s + ' .lever-value').innerText !== b",
                                arg=[control, before])
    moving = dash.text(f"{control} .lever-value")
    assert not any('"value"' in frame for frame in sent[held:]), sent[held:]
    dash.page.mouse.up()
    dash.step()
    expect(dash.page.locator(f"{FREE} [data-testid=event-feed]")).to_contain_text(
        f"{lever.section}: {lever.label.lower()} = ")
    assert moving.startswith(f"{lever.label}: ") and moving != before
    assert any('"value"' in frame for frame in sent[held:])  # sent on release: the check above could fail
