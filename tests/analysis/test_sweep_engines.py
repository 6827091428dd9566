"""Engines: serial, local processes and Dask give identical stores; failing runs are recorded; options are checked."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pandas as pd
import pytest

from docsec.analysis.results import load_daily, load_provenance, load_runs
from docsec.analysis.sweep.design import SweepSpec, expand
from docsec.analysis.sweep.engines import ProcessEngine, make_engine
from docsec.analysis.sweep.execute import run_sweep
from docsec.analysis.sweep.worker import RunContext
from docsec.sim.errors import InputError
from docsec.sim.metrics import SUMMARY_NAMES
from docsec.sim.parameters import ParameterError, Parameters
from docsec.sim.run import run_simulation

#: Severity that makes ``flaky_runner`` raise (an axis value of FLAKY).
BAD_SEVERITY = 666.0


def small_spec(severities=(50.0, 500.0), replicates=3, daily=True, **design) -> SweepSpec:
    """A quick sweep: 3 offices for 40 days, two custody rules x severities."""
    return SweepSpec.from_mapping({
        "sweep": {"replicates": replicates, "base_seed": 99, "days": 40},
        "parameters": {"population": {"offices": 3},
                       "custody": {"uncleared_may_handle": [True, False]},
                       "penalty": {"dismissal_severity": list(severities)}},
        "outputs": {"daily": daily},
        **design,
    }, name="small")


def flaky_runner(params, seed, *, timeline=(), collect_daily=True):
    """The model, except that one dismissal severity raises (module level: picklable by name)."""
    if params.penalty.dismissal_severity == BAD_SEVERITY:
        raise RuntimeError(f"the model broke at severity {BAD_SEVERITY}")
    return run_simulation(params, seed, timeline=timeline, collect_daily=collect_daily)


def pid_runner(params, seed, *, timeline=(), collect_daily=True):
    """Reports which process ran it, instead of running the model."""
    return SimpleNamespace(summary={"pid": os.getpid()}, daily=None)


def comparable(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_runs(store).drop(columns=["duration_s"]), load_daily(store)


@pytest.fixture(scope="module")
def serial_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("serial") / "small.sqlite"
    report = run_sweep(small_spec(), store, engine="serial", progress=False)
    assert report.complete and report.done == 12 and report.failed == 0
    return store


def test_serial_store_holds_the_model_results_for_each_run(serial_store):
    runs = load_runs(serial_store)
    assert len(runs) == 12 and set(runs["status"]) == {"done"}
    assert list(runs.columns[:7]) == ["run_id", "point_id", "replicate", "seed", "status", "error", "duration_s"]
    assert {"population.offices", "run.days", "custody.uncleared_may_handle",
            "penalty.dismissal_severity"} <= set(runs.columns)
    assert set(SUMMARY_NAMES) <= set(runs.columns)
    row = runs.iloc[5]
    params = Parameters().with_overrides({"population.offices": 3, "run.days": 40,
                                          "custody.uncleared_may_handle": bool(row["custody.uncleared_may_handle"]),
                                          "penalty.dismissal_severity": float(row["penalty.dismissal_severity"])})
    expected = run_simulation(params, int(row["seed"]), collect_daily=True)
    for name in SUMMARY_NAMES:
        assert row[name] == pytest.approx(expected.summary[name], nan_ok=True, rel=0, abs=0)
    daily = load_daily(serial_store)
    mine = daily[daily["run_id"] == row["run_id"]]
    assert len(mine) == 40 * (len(expected.daily.columns) - 1)
    losses = mine[mine["metric"] == "losses"]["value"].tolist()
    assert losses == expected.daily["losses"].astype(float).tolist()


def test_process_engine_gives_identical_tables(serial_store, tmp_path):
    store = tmp_path / "process.sqlite"
    report = run_sweep(small_spec(), store, engine="process", workers=2, progress=False)
    assert report.workers == 2 and report.done == 12
    a, b = comparable(serial_store), comparable(store)
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)
    assert load_provenance(store)["sessions"][0]["engine"] == "process"


def test_dask_engine_gives_identical_tables(serial_store, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        store = tmp_path / "dask.sqlite"
        report = run_sweep(small_spec(), store, engine="dask", dask_address=cluster.scheduler_address,
                           progress=False)
    assert report.done == 12 and report.workers == 2
    a, b = comparable(serial_store), comparable(store)
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)
    assert load_provenance(store)["sessions"][0]["engine"] == "dask"


@pytest.mark.parametrize("engine", ["serial", "process"])
def test_a_failing_run_is_recorded_with_its_error_and_the_rest_complete(tmp_path, engine):
    spec = small_spec(severities=(50.0, BAD_SEVERITY), replicates=2, daily=False)
    store = tmp_path / "flaky.sqlite"
    report = run_sweep(spec, store, engine=engine, workers=2 if engine == "process" else None,
                       runner=flaky_runner, progress=False)
    assert report.complete and report.failed == 4 and report.done == 4
    runs = load_runs(store)
    failed = runs[runs["status"] == "failed"]
    assert set(failed["penalty.dismissal_severity"]) == {BAD_SEVERITY}
    assert all(e.startswith("RuntimeError: the model broke at severity 666.0 (at test_sweep_engines.py:")
               for e in failed["error"])
    assert failed[list(SUMMARY_NAMES)].isna().all().all()
    done = runs[runs["status"] == "done"]
    assert done["error"].isna().all() and done["documents_received"].gt(0).all()


def test_process_workers_are_reused_across_runs():
    spec = small_spec(replicates=5, daily=False)
    context = RunContext(Parameters(), runner=pid_runner)
    with ProcessEngine(2) as engine:
        engine.start(context)
        pids = {o.summary["pid"] for o in engine.outcomes(expand(spec))}
    assert len(pids) <= 2 and os.getpid() not in pids


def test_a_point_whose_parameters_conflict_stops_the_sweep_before_anything_is_written(tmp_path):
    spec = SweepSpec.from_mapping({"sweep": {"replicates": 1},
                                   "parameters": {"documents": {"share_secret": [0.3, 0.95]}}}, name="clash")
    store = tmp_path / "clash.sqlite"
    with pytest.raises(ParameterError, match=r"clash: design point 1 \(documents\.share_secret=0\.95\)"
                                             r".*must not exceed 1"):
        run_sweep(spec, store, engine="serial", progress=False)
    assert not store.exists()


def test_an_unknown_base_scenario_is_named_with_the_sweep_key(tmp_path):
    spec = SweepSpec.from_mapping({"sweep": {"replicates": 1, "base": "strikt"}}, name="b")
    with pytest.raises(InputError, match=r"^sweep\.base: unknown scenario 'strikt' \(did you mean 'strict'\?\)"):
        run_sweep(spec, tmp_path / "b.sqlite", engine="serial", progress=False)
    assert not (tmp_path / "b.sqlite").exists()


def test_a_base_scenario_with_a_timeline_is_applied_to_every_run(tmp_path):
    spec = SweepSpec.from_mapping({"sweep": {"replicates": 1, "base": "crackdown", "days": 200},
                                   "parameters": {"population.offices": 2}}, name="timeline")
    store = tmp_path / "t.sqlite"
    run_sweep(spec, store, engine="serial", progress=False)
    from docsec.scenarios.loader import load_scenario

    scenario = load_scenario("crackdown")
    params = scenario.params.with_overrides({"population.offices": 2, "run.days": 200})
    runs = load_runs(store)
    expected = run_simulation(params, int(runs["seed"][0]), timeline=scenario.timeline, collect_daily=False)
    assert runs["violations_committed"][0] == expected.summary["violations_committed"]
    prov = load_provenance(store)
    assert prov["base_scenario"] == "crackdown" and len(prov["base_timeline"]) == 2
    assert prov["base_scenario_hash"] == scenario.source_hash


BAD_ENGINE_OPTIONS = [
    (dict(engine="threads"), r"engine: must be one of serial, process, dask \(got 'threads'\)"),
    (dict(engine="process", workers=0), r"--workers: must be a whole number of at least 1 \(got 0\)"),
    (dict(engine="serial", workers=2), r"--workers: the serial engine runs one run at a time"),
    (dict(engine="process", dask_address="local"), r"--dask: a Dask address only applies to the dask engine"),
    (dict(engine="dask", dask_address="tcp://127.0.0.1:1", workers=2),
     r"--workers: the Dask cluster at tcp://127\.0\.0\.1:1 has its own workers"),
]


@pytest.mark.parametrize("options,pattern", BAD_ENGINE_OPTIONS)
def test_bad_engine_options_are_refused(options, pattern):
    with pytest.raises(InputError, match=pattern):
        make_engine(**options)


def test_default_process_engine_uses_every_core():
    assert make_engine("process").workers == (os.cpu_count() or 1)


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_every_start_method_gives_the_serial_results(serial_store, method):
    spec = small_spec()
    context = RunContext(Parameters(), keep_daily=True)
    with ProcessEngine(2, start_method=method) as engine:
        engine.start(context)
        outcomes = {o.run_id: o for o in engine.outcomes(expand(spec))}
    assert engine.details()["start_method"] == method and engine.details()["worker_deaths"] == 0
    runs = load_runs(serial_store).set_index("run_id")
    daily = load_daily(serial_store)
    for run_id, outcome in outcomes.items():
        assert outcome.status == "done"
        stored = runs.loc[run_id, list(SUMMARY_NAMES)].tolist()
        assert stored == pytest.approx([float("nan") if v is None else v for v in
                                        (outcome.summary[m] for m in SUMMARY_NAMES)], nan_ok=True, rel=0, abs=0)
    mine = daily[daily["run_id"] == "p0003-r002"].pivot(index="day", columns="metric", values="value")
    rows = outcomes["p0003-r002"].daily_rows
    assert mine["losses"].tolist() == [float(r[outcomes["p0003-r002"].daily_columns.index("losses")]) for r in rows]


def test_fork_is_chosen_only_in_a_single_threaded_process(monkeypatch):
    import threading

    from docsec.analysis.sweep import engines

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert engines.default_start_method() == "fork"
    monkeypatch.setattr(threading, "active_count", lambda: 3)
    assert engines.default_start_method() == "forkserver"


def test_a_server_that_is_not_a_dask_scheduler_is_refused_in_bounded_time():
    pytest.importorskip("distributed")
    import socket

    from docsec.analysis.sweep.engines import _probe_scheduler

    with socket.socket() as server:  # accepts connections, never answers (like a web server would)
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        with pytest.raises(InputError, match=rf"^--dask {address}: cannot reach a Dask scheduler there "
                                             r"\(no answer within 0\.5 s\)"):
            _probe_scheduler(address, seconds=0.5)
