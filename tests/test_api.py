"""The Python API at docsec's top: what each function returns, its one-line errors, both spellings of
overrides, and that it gives the same results as the functions (and commands) it stands for."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import mesa
import pandas as pd
import plotly.graph_objects as go
import pytest

import docsec
from docsec.analysis.results import load_runs as internal_load_runs
from docsec.scenarios.loader import Scenario, load_scenario, shipped_names
from docsec.sim.errors import InputError
from docsec.sim.events import EVENT_FIELDS
from docsec.sim.metrics import COUNTER_NAMES, DAILY_NAMES, SUMMARY_NAMES
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation

#: A small organisation for a short time: each run takes milliseconds.
SMALL = {"population.offices": 3, "run.days": 30}


def same_numbers(a, b) -> bool:
    """Equal, NaN equal to NaN (a detection share with no violation is NaN in both)."""
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) if isinstance(a[k], float) and math.isnan(a[k]) else a[k] == b[k]
        for k in a)


def one_line_error(call, *args, **kwargs) -> str:
    with pytest.raises(InputError) as err:
        call(*args, **kwargs)
    message = str(err.value)
    assert "\n" not in message and message.strip() == message and message
    return message


# -- the namespace ----------------------------------------------------------------------------------


def test_every_public_name_resolves_and_is_listed_by_dir():
    for name in docsec.__all__:
        assert getattr(docsec, name) is not None
        assert name in dir(docsec)
    assert docsec.Model is DocSecModel
    assert docsec.InputError is InputError
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        docsec.no_such_thing  # noqa: B018


def test_the_api_is_loaded_on_first_use_not_at_import(tmp_path):
    code = ("import sys, docsec\n"
            "before = sorted(m for m in ('mesa', 'pandas', 'plotly', 'docsec.runs') if m in sys.modules)\n"
            "docsec.run\n"
            "after = sorted(m for m in ('mesa', 'pandas', 'docsec.runs') if m in sys.modules)\n"
            "print(before, after, 'plotly' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] ['docsec.runs', 'mesa', 'pandas'] False"


# -- run ----------------------------------------------------------------------------------------------


def test_run_returns_a_summary_series_daily_and_event_tables_and_provenance():
    r = docsec.run("strict", SMALL, seed=4)
    assert isinstance(r, docsec.Run)
    assert isinstance(r.summary, pd.Series) and r.summary.dtype == "float64"
    assert tuple(r.summary.index) == SUMMARY_NAMES and r.summary.name == "strict"
    assert list(r.daily.columns) == ["day", *DAILY_NAMES]
    assert list(r.daily["day"]) == list(range(1, 31))
    assert list(r.events.columns) == [*EVENT_FIELDS, "office_name"] and len(r.events) > 0
    assert r.daily["documents_received"].sum() == r.summary["documents_received"] > 0
    assert (r.events["action"] == "received").sum() == r.summary["documents_received"]
    scenario = load_scenario("strict")
    assert r.scenario == scenario
    assert r.seed == r.provenance["seed"] == 4
    assert r.provenance["scenario"] == "strict" and r.provenance["scenario_hash"] == scenario.source_hash
    assert r.provenance["spec_hash"] == r.params.spec_hash() == scenario.params.with_overrides(SMALL).spec_hash()
    assert {"docsec_version", "git_revision", "mesa_version", "python_version"} <= set(r.provenance)
    assert "strict" in repr(r) and "3 offices, 30 days, seed 4" in repr(r)


def test_run_gives_the_same_summary_as_run_simulation_for_the_same_seed():
    params = Parameters().with_overrides(SMALL)
    for seed in (0, 7):
        api = docsec.run(params, seed=seed)
        direct = run_simulation(params, seed)
        assert same_numbers(api.summary.to_dict(), direct.summary)
        pd.testing.assert_frame_equal(api.daily, direct.daily)
    assert not same_numbers(docsec.run(params, seed=0).summary.to_dict(), docsec.run(params, seed=1).summary.to_dict())


def test_run_gives_what_docsec_run_prints_as_json(capsys):
    from docsec.analysis.cli import main

    assert main(["run", "strict", "--seed", "2", "--days", "20", "--set", "population.offices=3", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    r = docsec.run("strict", {"population.offices": 3}, seed=2, days=20)
    assert same_numbers({k: math.nan if v is None else v for k, v in printed["summary"].items()},
                        r.summary.to_dict())
    for key in ("scenario", "scenario_hash", "seed", "spec_hash"):
        assert printed[key] == r.provenance[key]
    assert printed["provenance"] == {k: r.provenance[k] for k in printed["provenance"]}


#: A scenario file with a timeline (one intervention within 60 days, one after) and an office profile.
SCENARIO_FILE = """
[scenario]
description = "a factory with an overloaded post and a spring crackdown"
extends = "lax"
[parameters]
population.offices = 4
[[timeline]]
day = 20
note = "the centre cuts the external channel"
set.external_channel.strength = 0.02
[[timeline]]
day = 90
set.education.campaign_interval_days = 30
[[office]]
number = 2
set.behaviour.workload_pressure = 3.0
set.custody.key_sharing_permitted = false
"""


def test_a_scenario_file_with_a_timeline_and_office_profiles_runs_as_run_simulation_runs_it(tmp_path):
    path = tmp_path / "factory.toml"
    path.write_text(SCENARIO_FILE, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.office_profiles and len(scenario.timeline) == 2  # the test is about them
    params = scenario.params.with_overrides({"run.days": 60})
    direct = run_simulation(params, 3, timeline=scenario.timeline[:1], office_profiles=scenario.office_profiles)
    for what in (path, str(path), scenario):
        r = docsec.run(what, seed=3, days=60)
        assert same_numbers(r.summary.to_dict(), direct.summary)
        assert r.timeline == scenario.timeline[:1] and len(r.notes) == 1
        assert r.params_at_end.external_channel.strength == 0.02 != r.params.external_channel.strength
    assert r.provenance["scenario_source"] == str(path) and r.provenance["scenario_hash"] == scenario.source_hash


def test_the_default_is_the_default_organisation_and_events_and_daily_can_be_left_out():
    with_all = docsec.run(None, SMALL, seed=2)
    lean = docsec.run("default", SMALL, seed=2, events=False, daily=False)
    assert with_all.scenario.name == lean.scenario.name == "default"
    assert lean.events is None and lean.daily is None and lean.log is None
    assert same_numbers(with_all.summary.to_dict(), lean.summary.to_dict())


def test_overrides_by_path_by_group_and_by_keyword_are_the_same_run():
    by_path = docsec.run("lax", {**SMALL, "custody.uncleared_may_handle": False, "penalty.dismissal_severity": 500},
                         seed=1)
    by_group = docsec.run("lax", {"population": {"offices": 3}, "run": {"days": 30},
                                  "custody": {"uncleared_may_handle": False}}, seed=1,
                          penalty__dismissal_severity=500)
    by_keyword = docsec.run("lax", seed=1, days=30, population__offices=3, custody__uncleared_may_handle=False,
                            penalty__dismissal_severity=500)
    assert by_path.params == by_group.params == by_keyword.params
    assert by_path.params.custody.uncleared_may_handle is False
    assert by_path.params.penalty.dismissal_severity == 500
    assert same_numbers(by_path.summary.to_dict(), by_keyword.summary.to_dict())
    assert same_numbers(by_path.summary.to_dict(), by_group.summary.to_dict())


def test_parameters_may_be_given_as_an_object_or_a_mapping_over_the_defaults():
    mapping = docsec.run({"population.offices": 3, "run": {"days": 30}}, seed=5)
    obj = docsec.run(Parameters().with_overrides(SMALL), seed=5)
    assert mapping.scenario is None and mapping.provenance["scenario"] is None
    assert mapping.params == obj.params
    assert same_numbers(mapping.summary.to_dict(), obj.summary.to_dict())


def test_interventions_after_a_shortened_run_are_left_out_with_a_note():
    r = docsec.run("crackdown", {"population.offices": 3}, seed=1, days=100)
    assert load_scenario("crackdown").timeline and all(iv.day > 100 for iv in load_scenario("crackdown").timeline)
    assert r.timeline == ()
    assert r.notes and all("falls after the run's last day (100)" in note for note in r.notes)
    assert docsec.run("crackdown", {"population.offices": 3}, seed=1, days=200).notes == ()


@pytest.mark.parametrize("kwargs, message", [
    ({"seed": -1}, r"^seed: must be a whole number, 0 or more \(got -1\)$"),
    ({"seed": 1.5}, r"^seed: must be a whole number, 0 or more \(got 1.5\)$"),
    ({"days": 0}, r"^days: must be .*\(got 0\)$"),
    ({"custody__no_such_rule": True}, r"^custody__no_such_rule: unknown keyword; expected group__name"),
    ({"sed": 1}, r"^sed: unknown keyword; expected group__name"),
    ({"overrides": {"custody.no_such_rule": True}}, r"^custody\.no_such_rule: unknown parameter; allowed in custody: "),
    ({"overrides": {"custodian.rule": True}}, r"^custodian\.rule: unknown parameter; expected group\.name"),
    ({"overrides": {"custody.uncleared_may_handle": 3}}, r"^custody\.uncleared_may_handle: must be true or false"),
    ({"overrides": ["custody.uncleared_may_handle"]}, r"^overrides: must be a mapping of parameter names"),
    ({"overrides": {"penalty.dismissal_severity": 1}, "penalty__dismissal_severity": 2},
     r"^penalty\.dismissal_severity: given twice, in overrides and as the keyword penalty__dismissal_severity"),
    ({"days": 10, "run__days": 20}, r"^days: given twice"),
])
def test_bad_run_input_is_one_input_error_naming_the_field(kwargs, message):
    kwargs = dict(kwargs)
    overrides = kwargs.pop("overrides", None)
    text = one_line_error(docsec.run, "strict", overrides, **kwargs)
    assert re.search(message, text), text


@pytest.mark.parametrize("what, message", [
    ("no-such-scenario", r"^unknown scenario 'no-such-scenario'; shipped scenarios: default, lax, strict"),
    ("missing/file.toml", r"^missing/file\.toml: no such scenario file$"),
    (42, r"^scenario: must be a shipped scenario's name, .* \(got int\)$"),
])
def test_a_bad_scenario_is_one_input_error(what, message):
    assert re.search(message, one_line_error(docsec.run, what))


def test_the_narration_is_the_runs_events_as_sentences_and_filters_like_the_command():
    r = docsec.run("railway-factory", seed=3, days=120)
    story = r.narrate()
    assert story and all(line.startswith("Day ") for line in story)
    everything = r.narrate(all_events=True)
    assert len(everything) == len(r.events) > len(story)  # readings and routine handling are left out by default
    warnings = r.narrate(kind="warning", first=2)
    assert 0 < len(warnings) <= 2 and all("warn" in line for line in warnings)
    assert r.narrate(first=0) == []
    assert "unknown kind of event" in one_line_error(r.narrate, kind="no_such_kind")
    assert one_line_error(r.narrate, kind="warning", all_events=True).startswith("all_events: ")
    assert one_line_error(r.narrate, office=99).startswith("office 99: no such office")
    assert "run it with events=True" in one_line_error(docsec.run("strict", SMALL, events=False).narrate)


# -- scenarios ------------------------------------------------------------------------------------------


def test_list_scenarios_is_a_table_of_the_shipped_scenarios():
    table = docsec.list_scenarios()
    assert list(table.columns) == ["name", "description", "extends"]
    assert list(table["name"]) == shipped_names() and table["name"].iloc[0] == "default"
    assert table.set_index("name").loc["crackdown", "extends"] == "strict"
    assert table["description"].str.len().gt(0).all() and not table["description"].str.contains("\n").any()


def test_load_scenario_returns_a_scenario_that_run_accepts():
    scenario = docsec.load_scenario("strict")
    assert isinstance(scenario, Scenario) and scenario.params.custody.uncleared_may_handle is False
    assert one_line_error(docsec.load_scenario, "no-such-scenario").startswith("unknown scenario")


# -- the Mesa model ---------------------------------------------------------------------------------------


def test_mesa_batch_run_drives_docsec_model_and_matches_run():
    rows = mesa.batch_run(docsec.Model, parameters={"population__offices": 3, "run__days": 20,
                                                   "custody__uncleared_may_handle": [True, False]},
                          rng=[8], max_steps=20, number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert sorted(frame["custody__uncleared_may_handle"]) == [False, True] and (frame["Step"] == 20).all()
    for _, row in frame.iterrows():
        r = docsec.run(None, seed=8, days=20, population__offices=3,
                       custody__uncleared_may_handle=bool(row["custody__uncleared_may_handle"]))
        for name in ("documents_received", "exposures", "external_leaks", "exposures_per_1000_docs"):
            assert row[name] == pytest.approx(r.summary[name], nan_ok=True)


# -- sweeps and stores -----------------------------------------------------------------------------------

THOROUGHNESS = {"sweep": {"name": "thoroughness", "base": "strict", "replicates": 2, "base_seed": 9, "days": 30},
                "parameters": {"inspection.thoroughness": [0.2, 0.8], "population.offices": 3},
                "outputs": {"daily": True}}


@pytest.fixture(scope="module")
def thoroughness(tmp_path_factory):
    store = tmp_path_factory.mktemp("sweep") / "thoroughness.sqlite"
    return docsec.sweep(THOROUGHNESS, store=store, engine="serial", progress=False)


def test_sweep_returns_its_store_and_its_tables(thoroughness):
    s = thoroughness
    assert isinstance(s, docsec.Sweep) and s.store.is_file()
    assert (s.report.planned, s.report.done, s.report.pending) == (4, 4, 0)
    runs = s.runs
    assert len(runs) == 4 and set(runs["inspection.thoroughness"]) == {0.2, 0.8}
    pd.testing.assert_frame_equal(runs, docsec.load_runs(s.store))
    pd.testing.assert_frame_equal(runs, docsec.load_runs(s))
    pd.testing.assert_frame_equal(runs, internal_load_runs(s.store))
    daily = docsec.load_daily(s, metrics=["exposures"])
    assert set(daily["metric"]) == {"exposures"} and len(daily) == 4 * 30
    assert set(COUNTER_NAMES) <= set(s.daily["metric"]) and len(s.daily) == 4 * 30 * s.daily["metric"].nunique()
    prov = docsec.load_provenance(str(s.store))
    assert prov["sweep_name"] == "thoroughness" and prov["base_scenario"] == "strict"
    assert s.provenance["design_hash"] == s.spec.design_hash()


def test_a_sweep_run_is_the_run_of_the_same_seed_and_parameters(thoroughness):
    row = thoroughness.runs.iloc[-1]
    r = docsec.run("strict", seed=int(row["seed"]), days=30, population__offices=3,
                   inspection__thoroughness=float(row["inspection.thoroughness"]))
    assert same_numbers({k: row[k] for k in SUMMARY_NAMES}, r.summary.to_dict())


def test_an_existing_store_is_never_overwritten_and_resume_runs_only_what_is_missing(thoroughness):
    before = thoroughness.runs
    message = one_line_error(docsec.sweep, THOROUGHNESS, store=thoroughness.store, engine="serial", progress=False)
    assert message.startswith(f"{thoroughness.store}: already exists")
    pd.testing.assert_frame_equal(docsec.load_runs(thoroughness.store), before)
    again = docsec.sweep(THOROUGHNESS, store=thoroughness.store, engine="serial", resume=True, progress=False)
    assert (again.report.done, again.report.already_finished) == (0, 4)


def test_a_shipped_sweep_by_name_with_fewer_replicates_and_days(tmp_path):
    s = docsec.sweep("crackdown-pairs", store=tmp_path / "c.sqlite", replicates=1, days=10, engine="serial",
                     progress=False)
    assert s.spec.name == "crackdown-pairs" and s.spec.replicates == 1 and s.spec.days == 10
    assert (s.runs["replicate"] == 0).all() and len(s.runs) == s.report.planned


@pytest.mark.parametrize("call, message", [
    (lambda d: docsec.sweep("no-such-sweep", store=d / "s.sqlite"), r"^no-such-sweep: no shipped sweep of that name; "
                                                                    r"shipped: compare, "),
    (lambda d: docsec.sweep(d / "missing.toml"), r"missing\.toml: no such sweep file$"),
    (lambda d: docsec.sweep(3), r"^sweep: must be the path of a sweep file"),
    (lambda d: docsec.sweep({"sweep": {}}, store=d / "s.sqlite"), r"^sweep\.replicates: missing"),
    (lambda d: docsec.sweep(THOROUGHNESS, store=d / "s.sqlite", replicates=0), r"^replicates: must be a whole number"),
    (lambda d: docsec.sweep(THOROUGHNESS, store=d / "s.sqlite", days=-3), r"^days: must be"),
    (lambda d: docsec.sweep(THOROUGHNESS, store=d / "s.sqlite", engine="gpu"), r"^engine: must be one of serial, "),
    (lambda d: docsec.sweep(THOROUGHNESS, store=3), r"^store: must be a path"),
    (lambda d: docsec.load_runs(d / "none.sqlite"), r"none\.sqlite: no such results store$"),
    (lambda d: docsec.compare(d / "none.sqlite"), r"none\.sqlite: no such results store$"),
    (lambda d: docsec.sensitivity("no-such-analysis"), r"^no-such-analysis: no shipped sensitivity analysis"),
])
def test_bad_study_input_is_one_input_error_and_writes_nothing(tmp_path, call, message):
    assert re.search(message, one_line_error(call, tmp_path))
    assert list(tmp_path.iterdir()) == []


# -- comparisons -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_comparison(tmp_path_factory):
    store = tmp_path_factory.mktemp("compare") / "store.sqlite"
    return docsec.compare(store=store, replicates=2, days=20, engine="serial", progress=False)


def test_compare_runs_the_shipped_study_and_returns_the_reports_tables_and_figures(shipped_comparison):
    c = shipped_comparison
    assert isinstance(c, docsec.Comparison)
    assert [f.title for f in c.factors] == ["Custody regime", "Penalty level"]
    assert len(c.runs) == 10 * 2 and c.failed == 0
    table = c.table
    assert isinstance(table, pd.DataFrame) and not table.empty
    assert {"metric", "baseline", "level", "difference", "difference_low", "difference_high", "n_pairs"} <= set(table)
    assert set(table["level"]) == {"Strict custody"} and set(table["baseline"]) == {"Lax delegation"}
    assert table["n_pairs"].max() == 2  # fewer where a metric is undefined (NaN) in a run
    assert not c.secondary_table.empty and not c.means.empty
    assert c.reading and all(isinstance(p, str) and p for p in c.reading)
    assert {"bars:external_leaks_per_1000_docs", "heatmap", "tradeoff", "daily"} <= set(c.figures)
    assert all(isinstance(fig, go.Figure) and fig.data for fig in c.figures.values())
    assert set(c.captions) == set(c.figures)
    assert c.indices is None and c.provenance["sweep_name"] == "compare"


def test_compare_of_a_store_or_a_sweep_is_the_analysis_of_that_store(shipped_comparison, thoroughness):
    again = docsec.compare(shipped_comparison.store)
    pd.testing.assert_frame_equal(again.table, shipped_comparison.table)
    assert again.reading == shipped_comparison.reading
    of_sweep = docsec.compare(thoroughness)
    assert [f.title for f in of_sweep.factors] == [f.title for f in thoroughness.compare().factors]
    assert of_sweep.factors[0].paths == ("inspection.thoroughness",)
    wider = docsec.compare(shipped_comparison.store, confidence=0.99)
    width_99 = (wider.table["difference_high"] - wider.table["difference_low"]).dropna()
    width_95 = (shipped_comparison.table["difference_high"] - shipped_comparison.table["difference_low"]).dropna()
    assert (wider.table["confidence"] == 0.99).all() and (width_99 >= width_95).all() and (width_99 > width_95).any()


def test_the_comparison_writes_the_report(shipped_comparison, tmp_path):
    path = shipped_comparison.write_report(tmp_path / "report.html")
    assert path == tmp_path / "report.html" and "Custody regime" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kwargs, message", [
    ({"replicates": 3}, r"^replicates: applies only when compare runs a study; .* is a results store"),
    ({"resume": True}, r"^resume: applies only when compare runs a study"),
    ({"confidence": 1.5}, r"^confidence: must be a number between 0 and 1, exclusive \(got 1.5\)$"),
    ({"interval": "normal"}, r"^interval method: must be one of t, bootstrap \(got 'normal'\)$"),
])
def test_bad_compare_input_is_one_input_error(shipped_comparison, kwargs, message):
    assert re.search(message, one_line_error(docsec.compare, shipped_comparison.store, **kwargs))


# -- sensitivity ------------------------------------------------------------------------------------------


def test_sensitivity_returns_the_indices_and_their_figure(tmp_path):
    spec = {"sensitivity": {"name": "tiny", "method": "morris", "base": "strict", "days": 20, "replicates": 1,
                            "outputs": ["external_leaks_per_1000_docs"]},
            "morris": {"trajectories": 2, "levels": 4},
            "parameters": {"inspection.thoroughness": "plausible", "external_channel.strength": "plausible"},
            "constants": {"population.offices": 2}}
    c = docsec.sensitivity(spec, out=tmp_path / "tiny", engine="serial", progress=False)
    assert isinstance(c, docsec.Comparison) and c.store == tmp_path / "tiny" / "store.sqlite"
    indices = c.indices
    assert list(indices.columns) == ["method", "output", "parameter", "index", "value", "conf"]
    assert set(indices["parameter"]) == {"inspection.thoroughness", "external_channel.strength"}
    assert set(indices["index"]) == {"mu_star", "sigma", "mu"}
    assert isinstance(c.figures["sensitivity:external_leaks_per_1000_docs"], go.Figure)
    assert (tmp_path / "tiny" / "indices.csv").is_file()
