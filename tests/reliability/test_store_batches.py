"""Finished runs reach the store in batches: a killed coordinator loses at most the batch not yet committed
(and --resume completes the sweep to the rows of an uninterrupted one), an interrupt commits every finished
run, and a finished run is committed while every worker is busy with a long run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from docsec.analysis.results import load_daily, load_provenance, load_runs
from docsec.analysis.sweep.design import expand, load_sweep
from docsec.analysis.sweep.execute import dispatch_order, run_sweep

ROOT = Path(__file__).resolve().parents[2]

SWEEP = """
[sweep]
name = "batches"
replicates = 6
base_seed = 8
days = 5

[parameters]
population.offices = 2
custody.key_sharing_permitted = [true, false]

[outputs]
daily = true
"""
PLANNED = 12

#: The coordinator of `docsec sweep`, with the store's batches and the model's runner set by the test:
#: argv = BATCH_SECONDS BATCH_RUNS STOP_AT SIGNAL sweep-arguments...; the run numbered STOP_AT (counted in
#: the process that runs it) sends SIGNAL to the coordinator before it runs, or, with SIGNAL "wait", waits
#: until the file named by DOCSEC_TEST_GO exists.
COORDINATOR = """
import os, signal, sys, time
from functools import partial

from docsec.analysis.cli import main, sweep_cmd
from docsec.analysis.sweep import store
from docsec.analysis.sweep.execute import run_sweep
from docsec.sim.run import run_simulation

store.BATCH_SECONDS, store.BATCH_RUNS = float(sys.argv[1]), int(sys.argv[2])
STOP_AT, HOW = int(sys.argv[3]), sys.argv[4]
COORDINATOR = os.getpid()
calls = 0


def runner(params, seed, **kw):
    global calls
    calls += 1
    if calls == STOP_AT:
        if HOW == "wait":
            while not os.path.exists(os.environ["DOCSEC_TEST_GO"]):
                time.sleep(0.01)
        else:
            os.kill(COORDINATOR, getattr(signal, HOW))
    return run_simulation(params, seed, **kw)


sweep_cmd.run_sweep = partial(run_sweep, runner=runner)
sys.exit(main(sys.argv[5:]))
"""


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("batches") / "batches.toml"
    path.write_text(SWEEP)
    return path


@pytest.fixture(scope="module")
def uninterrupted(sweep_file, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("reference") / "reference.sqlite"
    assert run_sweep(load_sweep(sweep_file), store, engine="serial", progress=False).done == PLANNED
    return store


def coordinator(tmp_path: Path, sweep_file: Path, store: Path, *, batch_seconds: float, batch_runs: int,
                stop_at: int, how: str, engine: tuple[str, ...] = ("--serial",), **env) -> subprocess.Popen:
    script = tmp_path / "coordinator.py"
    script.write_text(COORDINATOR)
    return subprocess.Popen([sys.executable, str(script), str(batch_seconds), str(batch_runs), str(stop_at), how,
                             "sweep", str(sweep_file), "--out", str(store), "--no-progress", *engine],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def done_in_store(store: Path) -> list[str]:
    """The runs done in the store, as another process reads it now."""
    try:
        conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return [r for (r,) in conn.execute("SELECT run_id FROM runs WHERE status = 'done'")]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def in_dispatch_order(sweep_file: Path) -> list[str]:
    return [r.run_id for r in dispatch_order(expand(load_sweep(sweep_file)))]


def assert_same_rows(store: Path, reference: Path) -> None:
    runs = load_runs(store)
    assert len(runs) == PLANNED and set(runs["status"]) == {"done"}
    pd.testing.assert_frame_equal(runs.drop(columns="duration_s"), load_runs(reference).drop(columns="duration_s"),
                                  check_exact=True)
    pd.testing.assert_frame_equal(load_daily(store), load_daily(reference), check_exact=True)


def test_a_killed_coordinator_loses_only_its_uncommitted_batch_and_resume_completes(sweep_file, uninterrupted,
                                                                                   tmp_path):
    store = tmp_path / "killed.sqlite"
    # batches of 4 runs (never by time); the coordinator is killed outright as the 11th run starts: runs 1-10
    # finished, the batches of runs 1-4 and 5-8 were committed, runs 9 and 10 waited in the next batch
    proc = coordinator(tmp_path, sweep_file, store, batch_seconds=1e9, batch_runs=4, stop_at=11, how="SIGKILL")
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    order = in_dispatch_order(sweep_file)
    assert sorted(done_in_store(store)) == sorted(order[:8])
    kept = load_daily(store)
    assert sorted(kept["run_id"].unique()) == sorted(order[:8])  # each committed run whole, with its days
    assert len(kept) == 8 * 5 * (kept["metric"].nunique())

    resumed = subprocess.run([sys.executable, "-m", "docsec.analysis.cli", "sweep", str(sweep_file), "--out",
                              str(store), "--resume", "--no-progress", "--workers", "2"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{PLANNED} runs done, 0 failed, 0 missing" in resumed.stdout and f"this time {PLANNED - 8} runs" in \
        resumed.stdout
    assert_same_rows(store, uninterrupted)
    sessions = load_provenance(store)["sessions"]
    assert [s["outcome"] for s in sessions] == ["killed: ended without recording its end", "completed"]
    assert [s["runs_done"] for s in sessions] == [8, PLANNED - 8]


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_an_interrupt_commits_every_finished_run(sweep_file, uninterrupted, tmp_path, how):
    store = tmp_path / "interrupted.sqlite"
    # one batch for the whole sweep: nothing is committed before the interrupt, as the 8th run starts
    proc = coordinator(tmp_path, sweep_file, store, batch_seconds=1e9, batch_runs=1000, stop_at=8, how=how)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert f"interrupted; 7 of {PLANNED} runs are stored in {store}" in err and "--resume" in err
    assert sorted(done_in_store(store)) == sorted(in_dispatch_order(sweep_file)[:7])
    assert not Path(f"{store}-wal").exists()
    session = load_provenance(store)["sessions"][0]
    assert (session["outcome"], session["runs_done"]) == ("interrupted", 7)

    report = run_sweep(load_sweep(sweep_file), store, engine="serial", resume=True, progress=False)
    assert report.already_finished == 7 and report.done == PLANNED - 7
    assert_same_rows(store, uninterrupted)


def test_finished_runs_are_committed_while_the_worker_is_busy(sweep_file, uninterrupted, tmp_path):
    store, go = tmp_path / "busy.sqlite", tmp_path / "go"
    # one worker; its 4th run waits for the test, which first waits for the 3 runs before it to be in the store
    proc = coordinator(tmp_path, sweep_file, store, batch_seconds=0.05, batch_runs=1000, stop_at=4, how="wait",
                       engine=("--workers", "1"), DOCSEC_TEST_GO=str(go))
    try:
        deadline = time.monotonic() + 120
        while len(done_in_store(store)) < 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the finished runs never reached the store while the worker was busy"
            time.sleep(0.02)
        assert sorted(done_in_store(store)) == sorted(in_dispatch_order(sweep_file)[:3])
        go.touch()
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert f"{PLANNED} runs done, 0 failed, 0 missing" in out
    assert_same_rows(store, uninterrupted)


class Chore:
    """A stand-in for committing the store: always due in ``due`` seconds; counts how often it is done."""

    def __init__(self, due: float | None):
        self.due, self.done = due, 0

    def due_in(self) -> float | None:
        return self.due

    def __call__(self) -> None:
        self.done += 1


def slow_runner(params, seed, **kw):
    """The model, after a pause of 20 ms (a run longer than the chore's 1 ms)."""
    from docsec.sim.run import run_simulation

    time.sleep(0.02)
    return run_simulation(params, seed, **kw)


@pytest.mark.parametrize("due, done", [(0.001, 3), (1e9, 0), (None, 0)])
def test_the_serial_engine_commits_before_a_run_that_would_keep_finished_runs_waiting(sweep_file, due, done):
    from docsec.analysis.sweep.engines import SerialEngine
    from docsec.analysis.sweep.worker import RunContext
    from docsec.sim.parameters import Parameters

    engine = SerialEngine()
    engine.start(RunContext(Parameters(), runner=slow_runner))
    chore = Chore(due)
    outcomes = list(engine.outcomes(expand(load_sweep(sweep_file))[:4], while_waiting=chore))
    assert [o.status for o in outcomes] == ["done"] * 4
    assert chore.done == done  # before runs 2, 3 and 4, each coming after a run longer than the time left


def test_the_serial_engine_judges_the_wait_by_the_longest_run_so_far(sweep_file, monkeypatch):
    """A long run, then short ones: each later run may take as long as the long one, so the chore (due in
    less than that) is done before each of them, not only right after the long run."""
    from docsec.analysis.sweep import engines
    from docsec.analysis.sweep.worker import RunContext, RunOutcome
    from docsec.sim.parameters import Parameters

    durations = iter([0.5, 0.001, 0.001, 0.001])  # as the runs report them (no run is really made)
    monkeypatch.setattr(engines, "perform_run",
                        lambda context, run: RunOutcome(run.run_id, "done", next(durations), summary={}))
    engine = engines.SerialEngine()
    engine.start(RunContext(Parameters()))
    chore = Chore(0.1)  # longer than the short runs, shorter than the long one
    outcomes = list(engine.outcomes(expand(load_sweep(sweep_file))[:4], while_waiting=chore))
    assert [o.duration_s for o in outcomes] == [0.5, 0.001, 0.001, 0.001]
    assert chore.done == 3  # before runs 2, 3 and 4


def test_on_dask_the_chore_is_done_while_no_run_is_ready():
    from docsec.analysis.sweep.engines import _wait_ready

    class Futures:  # distributed.as_completed as _wait_ready sees it: a run is ready once the chore was done n times
        def __init__(self, chore: Chore, n: int):
            self.chore, self.n = chore, n

        def has_ready(self):
            return self.chore.done >= self.n

        def is_empty(self):
            return False

    due = Chore(0.0)
    _wait_ready(Futures(due, 2), due)
    assert due.done == 2
    idle = Chore(None)
    _wait_ready(Futures(idle, 1), idle)  # nothing to commit: back at once, to wait for a run as before
    assert idle.done == 0
