"""The dashboard without a browser: levers, live runs, sessions, tabletop and counterfactual, tables, figures, CLI."""

from __future__ import annotations

import ast
import base64
import io
import json
import re
import socket
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from docsec.analysis.cli import main
from docsec.analysis.dashboard import catalog, levers
from docsec.analysis.dashboard.charts import debrief_chart, round_bars
from docsec.analysis.dashboard.headline import BETTER, LABELS, Better, readouts
from docsec.analysis.dashboard.live_panels import PREVIOUS, as_figure, live_panel
from docsec.analysis.dashboard.feed import NOTABLE, Kind, feed_lines
from docsec.analysis.dashboard.levers import LeverKind, changeable_during_run, check_changes, lever_by_path, nice_step
from docsec.analysis.dashboard.live import LiveRun, counter_totals, daily_table, new_model
from docsec.analysis.dashboard.office_view import office_cards_html, office_summary
from docsec.analysis.dashboard.pacing import DrawPacer, play
from docsec.analysis.dashboard.session import DashboardSession
from docsec.analysis.dashboard.tables import html_table, round_matrix
from docsec.analysis.dashboard.tabletop import TabletopGame, check_setup
from docsec.sim.agents import Worker
from docsec.sim.documents import State
from docsec.sim.events import Action
from docsec.sim.metrics import COUNTER_NAMES
from docsec.sim.errors import InputError
from docsec.sim.parameters import ParameterError, spec_by_path

DASHBOARD = Path(__file__).resolve().parents[2] / "analysis" / "dashboard"


@pytest.fixture(scope="module")
def default():
    return catalog.scenario("default")


# -- levers: derived from the parameter specs ------------------------------------------------------
def test_every_lever_takes_kind_range_and_default_from_its_parameter_spec():
    specs = spec_by_path()
    assert len(levers.levers()) == sum(len(paths) for _, paths in levers.LEVER_SECTIONS)
    for lever in levers.levers():
        spec = specs[lever.path]
        assert lever.default == levers.plain(spec.default)
        assert lever.doc == spec.doc and lever.unit == spec.unit
        if spec.type is bool:
            assert lever.kind is LeverKind.SWITCH
        elif spec.choices:
            assert lever.kind is LeverKind.CHOICE
            assert lever.choices == tuple(c.value for c in spec.choices)
        else:
            assert lever.kind in (LeverKind.INTEGER, LeverKind.NUMBER)
            assert (lever.low, lever.high) == (spec.sweep_min, spec.sweep_max)
            assert (lever.hard_low, lever.hard_high) == (spec.min, spec.max)
            assert lever.low <= lever.default <= lever.high
            if lever.kind is LeverKind.INTEGER:
                assert lever.step == 1  # every whole value can be set
            else:
                assert 0 < lever.step <= (lever.high - lever.low) / 50


def test_levers_cover_custody_penalty_inspection_education_and_channel():
    groups = {path.split(".")[0] for path in lever_by_path()}
    assert groups == {"custody", "penalty", "inspection", "education", "external_channel"}


def test_no_lever_is_a_setting_fixed_when_the_run_starts():
    assert not changeable_during_run("inspection.inspectors")  # the model builds inspectors once
    assert not changeable_during_run("population.offices")
    assert not changeable_during_run("run.days")
    assert changeable_during_run("penalty.dismissal_severity")
    assert all(changeable_during_run(path) for path in lever_by_path())


def test_slider_widens_to_hold_a_value_beyond_the_plausible_range():
    lever = lever_by_path()["penalty.dismissal_severity"]
    assert lever.slider_range() == (lever.low, lever.high)
    assert lever.slider_range(5000.0) == (lever.low, 5000.0)


def test_nice_step_is_a_round_number_no_larger_than_a_hundredth():
    assert nice_step(1.0) == pytest.approx(0.01)
    assert nice_step(2000.0) == pytest.approx(20.0)
    assert nice_step(30.0) == pytest.approx(0.2)
    assert nice_step(0.0) == 1.0


def test_lever_shows_values_with_their_units():
    table = lever_by_path()
    assert table["penalty.dismissal_severity"].show(1000.0) == "1,000 utility"
    assert table["custody.key_sharing_permitted"].show(False) == "no"
    assert table["penalty.warnings_before_dismissal"].show(3) == "3 warnings"


def test_unknown_lever_is_rejected_naming_the_allowed_ones():
    with pytest.raises(ParameterError, match=r"^levers\.penalty\.nope: not a dashboard lever; allowed: "
                                             r"custody\.uncleared_may_handle, "):
        check_changes({"penalty.nope": 1})


def test_a_parameter_that_is_not_a_lever_is_rejected():
    with pytest.raises(ParameterError, match=r"^levers\.population\.offices: not a dashboard lever"):
        check_changes({"population.offices": 3})


def test_lever_value_out_of_range_is_rejected_with_the_allowed_range():
    with pytest.raises(ParameterError, match=r"^levers\.external_channel\.strength: must be a number from 0 to 1 "
                                             r"\(got 2\.0\)$"):
        check_changes({"external_channel.strength": 2})


def test_lever_choice_outside_its_options_is_rejected():
    with pytest.raises(ParameterError, match=r"^levers\.inspection\.targeting: must be one of random, scheduled, "
                                             r"risk \(got 'risky'\) \(did you mean 'risk'\?\)$"):
        check_changes({"inspection.targeting": "risky"})


# -- a live run: policy changes as next-day interventions ------------------------------------------------
def test_a_lever_change_takes_effect_the_next_day_and_is_logged(default):
    run = LiveRun(default, seed=1)
    run.advance(5)
    change = run.set_policy({"penalty.dismissal_severity": 800})
    assert change.day == 6
    assert run.model.params.penalty.dismissal_severity == 200.0  # today is unchanged
    assert run.policy()["penalty.dismissal_severity"] == 800.0  # tomorrow's value is shown
    run.advance(1)
    assert run.model.params.penalty.dismissal_severity == 800.0
    notes = [e.detail for e in run.model.events if e.action is Action.INTERVENTION]
    assert notes == ["policy set in the dashboard: Penalties: dismissal severity = 800 utility"]
    assert run.markers() == {6: notes[0]}


def test_settings_before_the_same_day_merge_into_one_change(default):
    run = LiveRun(default, seed=1)
    run.set_policy({"penalty.dismissal_severity": 500})
    run.set_policy({"penalty.dismissal_severity": 800, "penalty.publicised": False})
    assert len(run.changes) == 1
    assert dict(run.changes[0].changes) == {"penalty.dismissal_severity": 800.0, "penalty.publicised": False}
    assert len(run.model.timeline[1]) == 1
    assert run.set_policy({"penalty.dismissal_severity": 200.0, "penalty.publicised": True}) is None
    assert run.changes == [] and run.model.timeline[1] == []


def test_replaying_the_scenario_with_the_changes_as_a_timeline_gives_the_same_run(default):
    run = LiveRun(default, seed=4)
    run.advance(20)
    run.set_policy({"custody.key_sharing_permitted": False})
    run.advance(25)
    run.set_policy({"inspection.audits_per_inspector_per_month": 6.0, "penalty.scaling": "uniform"})
    run.advance(15)
    replay = new_model(default, 4, [c.intervention() for c in run.changes], record_events=False)
    replay.run_days(run.day)
    pd.testing.assert_frame_equal(daily_table(replay), run.daily())


def test_a_users_change_on_a_scenario_intervention_day_applies_after_it():
    crackdown = catalog.scenario("phone-crackdown")
    day = crackdown.timeline[0].day
    run = LiveRun(crackdown, seed=0)
    run.advance(day - 1)
    assert run.policy()["external_channel.strength"] == crackdown.timeline[0].set["external_channel.strength"]
    assert run.set_policy({"external_channel.strength": crackdown.timeline[0].set["external_channel.strength"]}) \
        is None  # what the scenario sets anyway is no change
    run.set_policy({"external_channel.strength": 0.05})
    run.advance(1)
    assert run.model.params.external_channel.strength == 0.05


def test_no_change_once_the_run_has_ended():
    run = LiveRun(catalog.scenario("railway-factory"), seed=0)
    run.advance(run.last_day + 10)
    assert run.finished and run.advance(5) == 0
    with pytest.raises(ParameterError, match=r"^levers: the run has ended on day 365; reset to start again$"):
        run.set_policy({"penalty.publicised": False})


def test_office_table_agrees_with_the_model(default):
    run = LiveRun(default, seed=2)
    run.advance(120)
    table = run.offices()
    counts = run.model.state_counts()
    assert len(table) == default.params.population.offices
    assert table["out_of_storage"].sum() == counts[State.HANDED_OUT.value]
    assert table["lost"].sum() == counts[State.LOST.value]
    assert table["in_storage"].sum() == counts[State.STORED.value]
    assert table["dismissed"].sum() == run.model.totals["dismissals"]
    assert list(table["key_with_worker"]) == [isinstance(o.key_holder, Worker) for o in run.model.offices]
    warned = sum(1 for o in run.model.offices for off in o.officials if off.warnings)
    assert table["warned"].sum() == warned


def test_office_table_uses_the_scenarios_names():
    run = LiveRun(catalog.scenario("railway-factory"), seed=0)
    run.advance(3)
    row = run.offices().iloc[0]
    assert row["office"] == "Railway Factory"
    assert row["custodian"].startswith("vice secretary O-")


# -- the feed ------------------------------------------------------------------------------------------
def test_feed_is_newest_first_of_the_kinds_asked_and_narrated(default):
    run = LiveRun(default, seed=0)
    run.advance(60)
    lines = run.feed(limit=25)
    assert 0 < len(lines) <= 25
    assert [line.day for line in lines] == sorted((line.day for line in lines), reverse=True)
    assert all(line.kind in NOTABLE for line in lines)
    assert all(re.match(r"^Day \d+ — ", line.text) for line in lines)
    everything = feed_lines(run.model.events, limit=10_000, kinds=set(Kind))
    assert any(line.kind is Kind.READING for line in everything)
    assert all(line.day >= 40 for line in run.feed(limit=10_000, since_day=40))


# -- free-play session ------------------------------------------------------------------------------------
def test_session_steps_by_its_speed_and_resets(default):
    session = DashboardSession(seed=3)
    assert session.step() == 7
    session.set_speed(30)
    session.step()
    view = session.view()
    assert view.day == 37 and len(view.daily) == 37
    session.reset(scenario="strict", seed=9)
    view = session.view()
    assert (view.day, view.scenario, view.seed) == (0, "strict", 9)
    assert view.policy["custody.uncleared_may_handle"] is False


def test_each_session_owns_its_model():
    first, second = DashboardSession(), DashboardSession()
    first.step(30)
    assert first.run.model is not second.run.model
    assert (first.view().day, second.view().day) == (30, 0)


def test_bad_seed_is_rejected():
    with pytest.raises(ParameterError, match=r"^seed: must be a whole number from 0 to 9223372036854775807 "
                                             r"\(got -1\)$"):
        DashboardSession(seed=-1)
    with pytest.raises(ParameterError, match=r"^seed: must be a whole number"):
        DashboardSession(seed=2**63)


def test_a_sweep_seed_replays_as_with_the_command_line():
    from docsec.analysis.sweep.design import replicate_seeds
    from docsec.sim.run import run_simulation

    seed = int(replicate_seeds(2021, 3)[2])  # a seed a sweep gives its runs: near 10**18
    assert seed > 2**32
    session = DashboardSession(scenario="default", seed=seed)
    session.step(20)
    direct = run_simulation(catalog.scenario("default").params.with_overrides({"run.days": 20}), seed)
    assert session.view().seed == seed
    for name in ("external_leaks", "exposures", "violations_committed"):
        assert session.view().daily[name].sum() == direct.summary[name]


def test_bad_speed_is_rejected():
    with pytest.raises(ParameterError, match=r"^speed: must be one of 1, 7, 14, 30 days \(got 3\)$"):
        DashboardSession().set_speed(3)


def test_unknown_scenario_is_rejected_naming_the_shipped_ones():
    with pytest.raises(InputError, match=r"'lax-ish' is not a shipped scenario; allowed: default, lax, strict"):
        DashboardSession().reset(scenario="lax-ish")


@pytest.mark.parametrize("name", ["/etc/hostname", "../scenarios/lax.toml", "lax.toml", "scenarios/strict", 3])
def test_a_path_from_the_browser_is_refused_and_no_file_is_opened(name, monkeypatch):
    opened = []
    monkeypatch.setattr("docsec.scenarios.loader.read_text_file", lambda *a, **k: opened.append(a) or "")
    with pytest.raises(InputError, match=r"is not a shipped scenario; allowed: default, lax, strict"):
        DashboardSession().reset(scenario=name)
    with pytest.raises(InputError, match=r"is not a shipped scenario"):
        TabletopGame(name)
    assert opened == []


def test_run_to_end_reaches_the_last_day_and_the_run_is_over():
    session = DashboardSession(scenario="default")
    session.step(7)
    assert session.run_to_end() == 365 - 7
    assert session.finished and session.view().day == 365 and session.run_to_end() == 0


def test_switching_the_run_keeps_the_previous_one_for_the_overlay():
    session = DashboardSession(scenario="lax", seed=3)
    session.reset(scenario="strict")
    assert session.view().previous is None  # a run that never started leaves nothing to compare
    session.step(30)
    session.reset(scenario="lax")
    previous = session.view().previous
    assert previous.label == "previous: strict, seed 3" and len(previous.daily) == 30
    session.step(7)
    rows = {r["metric"]: r for r in readouts(session.view().daily, previous.daily)}
    assert rows["exposures"]["previous"] == previous.daily["exposures"].head(7).sum()
    assert rows["exposures"]["value"] == session.view().daily["exposures"].sum()
    session.forget_previous()
    assert session.view().previous is None


def test_the_daily_table_download_carries_provenance_and_the_policy_changes():
    session = DashboardSession(scenario="strict", seed=11)
    session.step(3)
    session.set_levers({"external_channel.strength": 0.02})
    session.step(4)
    table = pd.read_csv(io.StringIO(session.daily_csv()))
    assert list(table["day"]) == list(range(1, 8))
    assert set(COUNTER_NAMES) <= set(table.columns)
    assert set(table["scenario"]) == {"strict"} and set(table["seed"]) == {11}
    assert set(table["spec_hash"]) == {catalog.scenario("strict").params.spec_hash()}
    assert set(table["policy_changes"]) == {"day 4: external_channel.strength = 0.02"}
    assert {"docsec_version", "git_revision", "scenario_hash"} <= set(table.columns)


# -- free play's pace: each step drawn before the next (so the page reads Pause) ---------------------------------
class _Player:
    """Play driven by hand: counts steps, lets the test pause it and draw the page."""

    def __init__(self, steps_to_end: int = 1000):
        self.pacer = DrawPacer()
        self.cancel = threading.Event()
        self.playing = True
        self.steps = 0
        self.steps_to_end = steps_to_end
        self.stepped = threading.Semaphore(0)
        self.thread = threading.Thread(target=play, daemon=True, args=(
            self.advance, lambda: self.playing, self.pacer.ask, self.pacer, self.cancel), kwargs={"tick_seconds": 0})

    def advance(self) -> bool:
        self.steps += 1
        self.stepped.release()
        return self.steps < self.steps_to_end

    def wait_step(self) -> None:
        assert self.stepped.acquire(timeout=10), "play did not step"

    def stop(self) -> None:
        self.cancel.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


def test_play_waits_for_the_page_to_draw_a_step_before_the_next():
    player = _Player()
    player.thread.start()
    player.wait_step()
    assert not player.stepped.acquire(timeout=0.3)  # step 1 not drawn yet: no step 2
    assert player.steps == 1
    player.pacer.drawn(1)
    player.wait_step()
    assert player.steps == 2
    player.stop()


def test_pause_stops_play_after_the_step_under_way():
    player = _Player()
    player.thread.start()
    player.wait_step()
    player.playing = False
    player.pacer.drawn(1)
    player.thread.join(timeout=10)
    assert not player.thread.is_alive() and player.steps == 1


def test_play_stops_when_the_run_is_over():
    player = _Player(steps_to_end=3)
    player.thread.start()
    for drawn in (1, 2):
        player.wait_step()
        player.pacer.drawn(drawn)
    player.thread.join(timeout=10)
    assert not player.thread.is_alive() and player.steps == 3


def test_cancel_ends_a_wait_for_a_draw():
    player = _Player()
    player.thread.start()
    player.wait_step()
    player.stop()  # the page went away: nothing will ever draw step 1
    assert player.steps == 1


def test_redraws_asked_from_several_threads_get_distinct_increasing_numbers():
    pacer = DrawPacer()
    numbers: list[int] = []
    threads = [threading.Thread(target=lambda: numbers.extend(pacer.ask() for _ in range(200))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == list(range(1, 801))
    pacer.drawn(5)
    pacer.drawn(3)  # a late effect of an older render does not take the count back
    assert pacer.last_drawn == 5
    assert pacer.wait_drawn(4, threading.Event(), timeout=0) and not pacer.wait_drawn(6, threading.Event(), timeout=0)


# -- tabletop: rounds, counterfactual, debrief -------------------------------------------------------------------
def test_round_without_a_decision_matches_the_unchanged_policy_exactly(default):
    game = TabletopGame(default, seed=5, round_days=30, rounds=3)
    result = game.play_round({})
    assert result.decision is None and (result.first_day, result.last_day) == (1, 30)
    assert result.totals == counter_totals(game.unchanged_daily())


def test_a_round_asked_for_twice_is_played_once(default):
    game = TabletopGame(default, seed=5, round_days=30, rounds=3)
    assert game.play_round({}, number=1) is not None
    assert game.play_round({"custody.uncleared_may_handle": False}, number=1) is None  # a double click
    assert len(game.results) == 1 and game.days_played == 30 and game.decisions == []
    game.playing = True  # a round under way on another thread
    assert game.play_round({}, number=2) is None and len(game.results) == 1
    game.playing = False
    assert game.play_round({}, number=2).round == 2


def test_two_threads_asking_for_the_same_round_play_it_once(default):
    game = TabletopGame(default, seed=5, round_days=30, rounds=3)
    results = []
    threads = [threading.Thread(target=lambda: results.append(game.play_round({}, number=1))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1 and game.days_played == 30


def test_decisions_change_the_rooms_path_from_their_round_on(default):
    game = TabletopGame(default, seed=5, round_days=30, rounds=3)
    game.play_round({})
    second = game.play_round({"custody.uncleared_may_handle": False, "custody.key_sharing_permitted": False})
    assert second.decision.day == 31 and second.decision.round == 2
    assert second.decision.before["custody.uncleared_may_handle"] is True
    game.play_round({"penalty.dismissal_severity": 1500})
    assert game.finished and game.days_played == 90
    debrief = game.debrief()
    first = debrief.rounds[debrief.rounds["round"] == 1]
    assert (first["difference"] == 0).all()  # same seed, same policy: no difference from chance
    later = debrief.rounds[debrief.rounds["round"] == 2].set_index("metric")
    assert later.loc["custody_workload_hours", "difference"] > 0  # officials now keep custody themselves
    assert set(debrief.markers) == {31, 61}
    assert set(debrief.daily["path"]) == {TabletopGame.ROOM, TabletopGame.UNCHANGED}
    assert debrief.daily["day"].max() == 90


def test_a_single_decisions_effect_is_the_whole_difference(default):
    game = TabletopGame(default, seed=8, round_days=30, rounds=2)
    game.play_round({"external_channel.strength": 0.02})
    game.play_round({})
    debrief = game.debrief()
    effects = debrief.effects.set_index("metric")["effect"]
    totals = debrief.totals.set_index("metric")["difference"]
    pd.testing.assert_series_equal(effects, totals, check_names=False)
    assert totals["external_leaks"] < 0


def test_replaying_every_decision_reproduces_the_rooms_path(default):
    game = TabletopGame(default, seed=2, round_days=14, rounds=3)
    game.play_round({"penalty.publicised": False})
    game.play_round({"inspection.thoroughness": 0.95})
    game.play_round({})
    assert game.replay_totals(game.decisions) == counter_totals(game.room.daily())
    assert game.replay_totals([]) == counter_totals(game.unchanged_daily())


def test_no_round_after_the_last():
    game = TabletopGame("default", seed=0, round_days=7, rounds=1)
    game.play_round()
    with pytest.raises(ParameterError, match=r"^tabletop\.round: the game had 1 rounds and all are played"):
        game.play_round()


def test_round_length_must_fit_the_run():
    with pytest.raises(ParameterError, match=r"^tabletop\.round_days: must be a whole number of days from 1 to "
                                             r"run\.days = 365 \(got 0\)$"):
        check_setup(365, 0, 1)


def test_rounds_must_fit_the_run_and_the_cap():
    with pytest.raises(ParameterError, match=r"^tabletop\.rounds: must be a whole number from 1 to 4 "
                                             r"\(at most 12, and rounds of 90 days must fit in run\.days = 365; "
                                             r"got 5\)$"):
        check_setup(365, 90, 5)
    assert check_setup(365, 7, 12) == (7, 12)


# -- figures, office view and tables from DataFrames ----------------------------------------------------------------
def _daily(days=10):
    return pd.DataFrame({"day": range(1, days + 1), "external_leaks": [1, 0, 2, 0, 0, 1, 0, 0, 3, 0][:days],
                         "investigations_opened": [0] * days})


def test_live_panel_holds_running_totals_and_policy_markers_as_compact_json():
    panel = live_panel(_daily(), ["external_leaks", "investigations_opened"],
                       labels={"external_leaks": "Leaks outside"}, title="Leaks", unit="documents",
                       markers={4: "crackdown"}, last_day=365)
    assert [t["name"] for t in panel.traces] == ["Leaks outside", "investigations_opened"]
    assert panel.traces[0]["y"] == [1, 1, 3, 3, 3, 4, 4, 4, 7, 7] and panel.traces[0]["x0"] == 1
    assert panel.markers == [[4, "day 4: crackdown"]] and panel.overlay == []
    assert panel.layout["xaxis"]["range"] == [0, 365]
    assert "template" not in panel.layout  # sent once per chart, and small
    assert len(json.dumps(panel.layout)) < 1500
    fig = as_figure(panel)  # the same chart as a plotly Figure (notebooks)
    assert [t.name for t in fig.data] == ["Leaks outside", "investigations_opened", "policy changes"]
    assert list(fig.data[0].y) == [1, 1, 3, 3, 3, 4, 4, 4, 7, 7]
    assert fig.layout.yaxis.title.text == "Running total (documents)"


def test_live_panel_fades_the_previous_run_on_the_same_scale():
    previous = pd.DataFrame({"day": range(1, 31), "external_leaks": [1] * 30, "investigations_opened": [0] * 30})
    panel = live_panel(_daily(), ["external_leaks"], labels={}, title="Leaks", unit="documents",
                       previous=previous, previous_label="previous: strict, seed 0")
    assert [t["meta"] for t in panel.overlay] == [PREVIOUS]
    assert panel.overlay[0]["name"] == "external_leaks (previous: strict, seed 0)"
    fig = as_figure(panel)
    assert fig.data[0].opacity < 1 and fig.data[0].line.dash == "dot" and fig.data[1].opacity == 1
    assert fig.layout.yaxis.range[1] >= 30  # the scale holds the previous run's higher line


def test_custody_hours_keep_their_decimals_and_counts_stay_whole():
    daily = pd.DataFrame({"day": [1, 2], "custody_workload_hours": [1.25, 0.5]})
    panel = live_panel(daily, ["custody_workload_hours"], labels={}, title="Cost", unit="hours")
    assert panel.traces[0]["y"] == [1.25, 1.75]


def test_round_bars_draw_one_panel_per_metric_and_a_bar_per_round():
    rounds = pd.DataFrame({"round": [1, 2, 1, 2], "metric": ["a", "a", "b", "b"], "value": [3, 1, 10, 12]})
    fig = round_bars(rounds, ["a", "b"], labels={"a": "A"}, units={"a": "documents"})
    assert len(fig.data) == 2
    assert list(fig.data[0].x) == [1, 2] and list(fig.data[0].y) == [3, 1]
    assert [a.text for a in fig.layout.annotations] == ["A", "b"]


def test_debrief_chart_draws_the_room_solid_and_the_unchanged_policy_dashed():
    daily = pd.DataFrame({"day": [1, 2, 1, 2], "path": ["room", "room", "same", "same"],
                          "metric": ["a"] * 4, "cumulative": [1, 2, 1, 4]})
    fig = debrief_chart(daily, ["a"], labels={}, units={}, paths=["room", "same"], markers={2: "x"})
    assert [t.line.dash for t in fig.data] == ["solid", "dash"]
    assert list(fig.data[1].y) == [1, 4]


def test_office_cards_escape_names_and_mark_open_storage_rooms():
    table = pd.DataFrame([{"office": "<b>Mine</b>", "custodian": "custodian O-1", "key_holder": "worker W-3",
                           "key_with_worker": True, "in_storage": 4, "out_of_storage": 2, "lost": 1, "warned": 1,
                           "warned_officials": "custodian O-1 (1 warning)", "dismissed": 2}])
    page = office_cards_html(table)
    assert "&lt;b&gt;Mine&lt;/b&gt;" in page and "<b>Mine</b>" not in page
    assert "docsec-office alarm" in page and "dismissed so far: 2" in page
    assert "out of storage 2" in page
    assert office_summary(table).startswith("1 of 1 storage keys held by workers · 2 documents out of storage")


def test_html_table_signs_and_colours_differences_by_what_the_metric_means():
    table = pd.DataFrame({"metric": ["external_leaks", "losses", "violations_detected", "violations_detected",
                                     "dismissals", "exposures"],
                          "room": [3.0, 5.0, 4.0, 1.0, 2.0, 7.0], "difference": [-2.0, 1.5, 2.0, -1.0, 1.0, 0.0]})
    page = html_table(table, {"room": "room", "difference": "difference"}, test_id="t", row_label="metric",
                      row_labels={"external_leaks": "Leaks outside"}, differences=("difference",), better=BETTER)
    assert "Leaks outside" in page and ">-2<" in page and ">+1.50<" in page
    verdicts = re.findall(r'data-judgement="(\w+)"', page)
    # fewer leaks: better; more losses: worse; more detections: better, fewer: worse; sanctions: neither
    assert verdicts == ["better", "worse", "better", "worse", "neither", "same"]


def test_every_metric_shown_has_a_direction_and_detections_are_good_news():
    assert set(LABELS) <= set(BETTER)
    assert BETTER["violations_detected"] is Better.HIGHER and BETTER["losses_found"] is Better.HIGHER
    assert BETTER["external_leaks"] is Better.LOWER and BETTER["dismissals"] is Better.NEITHER


def test_effects_table_colours_by_the_column_metric():
    table = pd.DataFrame({"decision": ["d"], "violations_detected": [3.0], "external_leaks": [3.0]})
    page = html_table(table, {"violations_detected": "det", "external_leaks": "leaks"}, test_id="e",
                      row_label="decision", differences=["violations_detected", "external_leaks"], better=BETTER)
    assert re.findall(r'data-judgement="(\w+)"', page) == ["better", "worse"]


def test_round_matrix_has_a_column_per_round():
    rounds = pd.DataFrame({"round": [1, 2, 1], "metric": ["a", "a", "b"], "value": [1, 2, 3]})
    wide = round_matrix(rounds, "value", ["b", "a"])
    assert list(wide.columns) == ["metric", "round 1", "round 2"]
    assert list(wide["metric"]) == ["b", "a"]


@pytest.mark.parametrize("module", ["charts.py", "live_panels.py", "office_view.py", "tables.py"])
def test_figure_and_view_modules_never_import_the_model(module):
    tree = ast.parse((DASHBOARD / module).read_text())
    imported = {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "sim" not in imported and "scenarios" not in imported


def test_plotly_payload_is_plain_json_that_takes_its_containers_width():
    pytest.importorskip("solara")
    from docsec.analysis.dashboard.plotly_view import PLOTLY_ASSET, PLOTLY_FOLDER, figure_payload

    rounds = pd.DataFrame({"round": [1, 2], "metric": ["a", "a"], "value": [3, 1]})
    fig = round_bars(rounds, ["a"], labels={}, units={})
    fig.update_layout(width=500)
    payload = figure_payload(fig)
    assert json.loads(json.dumps(payload)) == payload
    assert "width" not in payload["layout"] and payload["layout"]["height"] == 290
    y = payload["data"][0]["y"]  # plotly sends numbers as typed arrays (base64), which plotly.js reads
    values = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]) if isinstance(y, dict) else y
    assert list(values) == [3, 1]
    assert (PLOTLY_FOLDER / PLOTLY_ASSET).is_file()  # served locally: the page needs no CDN


# -- the command line ------------------------------------------------------------------------------------------
@pytest.fixture
def serve_calls(monkeypatch):
    """The server's start replaced by a record of what it was asked to serve."""
    calls = []
    monkeypatch.setattr("docsec.analysis.dashboard.server.serve",
                        lambda host, port, open_browser: calls.append((host, port, open_browser)))
    return calls


@pytest.fixture
def served(serve_calls, monkeypatch):
    """As ``serve_calls``, with the free-port check off (a dashboard may be running on this machine)."""
    monkeypatch.setattr("docsec.analysis.dashboard.server.check_port_free", lambda host, port: None)
    return serve_calls


def test_dashboard_defaults_to_this_machine_and_opens_a_browser(served):
    assert main(["dashboard"]) == 0
    assert served == [("127.0.0.1", 8765, True)]


def test_dashboard_flags_reach_the_server(served, capsys):
    assert main(["dashboard", "--host", "0.0.0.0", "--port", "9001", "--no-browser"]) == 0
    assert served == [("0.0.0.0", 9001, False)]
    assert "other machines on the network can open it" in capsys.readouterr().err


def test_dashboard_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["dashboard", "--help"])
    text = capsys.readouterr().out
    for option in ("--host", "--port", "--no-browser"):
        assert option in text


def test_bad_port_is_an_input_error(served, capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == ("docsec dashboard: error: --port: must be a port number from 1 to "
                                               "65535 (got 70000)")
    assert served == []


def test_port_already_in_use_is_an_input_error(serve_calls, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    assert capsys.readouterr().err.strip().startswith(f"docsec dashboard: error: --port {port}: cannot listen on "
                                                      f"127.0.0.1:{port} (")
    assert serve_calls == []


def test_blank_host_is_an_input_error(served, capsys):
    assert main(["dashboard", "--host", " "]) == 2
    assert "--host: must be a host name or IP address" in capsys.readouterr().err


def test_missing_dashboard_extra_says_how_to_install_it(monkeypatch):
    from docsec.analysis.dashboard import server

    monkeypatch.setitem(__import__("sys").modules, "solara_assets", None)
    with pytest.raises(server.MissingDashboardExtra, match=r"^the dashboard needs the 'dashboard' extra "
                                                           r"\(solara_assets is missing\); install it with "):
        server.require_solara()


def test_counters_are_all_summed_per_round(default):
    game = TabletopGame(default, seed=0, round_days=7, rounds=2)
    one, two = game.play_round(), game.play_round()
    whole = counter_totals(game.room.daily())
    assert set(one.totals) == set(COUNTER_NAMES)
    assert all(one.totals[n] + two.totals[n] == whole[n] for n in COUNTER_NAMES)
