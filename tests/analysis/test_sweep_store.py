"""The results store: interrupted or killed sweeps resume to the same results; foreign stores are refused."""

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
from docsec.analysis.sweep.design import SweepSpec, load_sweep
from docsec.analysis.sweep.execute import run_sweep
from docsec.analysis.sweep.store import StoreError, SweepStore
from docsec.analysis.sweep.worker import RunOutcome
from docsec.sim.metrics import DAILY_NAMES

ROOT = Path(__file__).resolve().parents[2]
DAYS = 60
SWEEP = f"""
[sweep]
name = "resumable"
replicates = 30
base_seed = 4
days = {DAYS}

[parameters]
population.offices = 3
custody.uncleared_may_handle = [true, false]
penalty.dismissal_severity = [50.0, 500.0]

[outputs]
daily = true
"""
PLANNED = 2 * 2 * 30


def done_count(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT COUNT(*) FROM runs WHERE status = 'done'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def start_sweep(file: Path, store: Path, *extra: str) -> subprocess.Popen:
    """`docsec sweep` in its own process group, with Ctrl-C's default behaviour restored."""
    return subprocess.Popen([sys.executable, "-m", "docsec.analysis.cli", "sweep", str(file), "--out", str(store),
                             "--no-progress", *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for_some_runs(proc: subprocess.Popen, store: Path, at_least: int = 8) -> None:
    deadline = time.monotonic() + 120
    while done_count(store) < at_least:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the sweep stored no runs in time"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweeps") / "resumable.toml"
    path.write_text(SWEEP)
    return path


@pytest.fixture(scope="module")
def uninterrupted(sweep_file, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("reference") / "reference.sqlite"
    report = run_sweep(load_sweep(sweep_file), store, engine="serial", progress=False)
    assert report.complete and report.done == PLANNED
    return store


def assert_same_results(store: Path, reference: Path) -> None:
    runs, ref = load_runs(store), load_runs(reference)
    assert len(runs) == PLANNED and runs["run_id"].is_unique and set(runs["status"]) == {"done"}
    pd.testing.assert_frame_equal(runs.drop(columns="duration_s"), ref.drop(columns="duration_s"), check_exact=True)
    daily = load_daily(store)
    assert len(daily) == PLANNED * DAYS * len(DAILY_NAMES)
    assert not daily.duplicated(["run_id", "day", "metric"]).any()
    pd.testing.assert_frame_equal(daily, load_daily(reference), check_exact=True)


def test_a_killed_sweep_resumes_to_the_results_of_an_uninterrupted_one(sweep_file, uninterrupted, tmp_path):
    store = tmp_path / "killed.sqlite"
    proc = start_sweep(sweep_file, store, "--workers", "2")
    wait_for_some_runs(proc, store)
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator and its workers, with no chance to clean up
    proc.communicate(timeout=30)
    stored = done_count(store)
    assert 0 < stored < PLANNED, "the sweep was not killed part-way"

    resumed = subprocess.run([sys.executable, "-m", "docsec.analysis.cli", "sweep", str(sweep_file), "--out", str(store),
                              "--resume", "--workers", "2", "--no-progress"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{PLANNED} runs done, 0 failed, 0 missing" in resumed.stdout
    assert f"this time {PLANNED - stored} runs" in resumed.stdout
    assert_same_results(store, uninterrupted)
    sessions = load_provenance(store)["sessions"]
    assert [s["outcome"] for s in sessions] == ["killed: ended without recording its end", "completed"]
    assert sessions[0]["runs_done"] == stored and sessions[1]["runs_done"] == PLANNED - stored
    # the command line runs one thread, so its workers were forked with the model already imported
    assert [s["engine_details"]["start_method"] for s in sessions] == ["fork", "fork"]


def test_ctrl_c_stops_cleanly_and_the_store_resumes(sweep_file, uninterrupted, tmp_path):
    store = tmp_path / "interrupted.sqlite"
    proc = start_sweep(sweep_file, store, "--workers", "2")
    wait_for_some_runs(proc, store)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground process group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted;" in err and "--resume" in err and "Traceback" not in err
    assert not Path(f"{store}-wal").exists()  # closed cleanly: one self-contained file
    assert load_provenance(store)["sessions"][0]["outcome"] == "interrupted"
    partial = load_runs(store, include_pending=True)
    assert len(partial) == PLANNED and 0 < (partial["status"] == "done").sum() < PLANNED
    assert len(load_runs(store)) == (partial["status"] == "done").sum()

    report = run_sweep(load_sweep(sweep_file), store, engine="serial", resume=True, progress=False)
    assert report.already_finished == (partial["status"] == "done").sum() and report.complete
    assert_same_results(store, uninterrupted)


def test_resuming_a_complete_store_runs_nothing(sweep_file, uninterrupted, tmp_path):
    store = tmp_path / "copy.sqlite"
    store.write_bytes(uninterrupted.read_bytes())
    report = run_sweep(load_sweep(sweep_file), store, engine="serial", resume=True, progress=False)
    assert report.done == 0 and report.already_finished == PLANNED and report.complete


def tiny(replicates: int = 2, name: str = "tiny") -> SweepSpec:
    return SweepSpec.from_mapping({"sweep": {"replicates": replicates, "days": 10},
                                   "parameters": {"population.offices": 2}}, name=name)


def test_a_store_made_by_a_different_sweep_is_refused(tmp_path):
    store = tmp_path / "s.sqlite"
    run_sweep(tiny(2), store, engine="serial", progress=False)
    before = store.read_bytes()
    with pytest.raises(StoreError, match=r"s\.sqlite: holds sweep 'tiny' from code \(design [0-9a-f]{12}\); "
                                         r"other describes a different sweep .*choose another --out"):
        run_sweep(tiny(3, name="other"), store, engine="serial", resume=True, progress=False)
    assert store.read_bytes() == before


def test_an_existing_store_is_not_overwritten_without_resume(tmp_path):
    store = tmp_path / "s.sqlite"
    run_sweep(tiny(), store, engine="serial", progress=False)
    with pytest.raises(StoreError, match=r"s\.sqlite: already exists; add --resume"):
        run_sweep(tiny(), store, engine="serial", progress=False)


def test_a_store_whose_base_scenario_changed_is_refused(tmp_path):
    scenario = tmp_path / "mine.toml"
    scenario.write_text('[scenario]\ndescription = "a test base"\n[parameters]\npenalty.warning_severity = 5.0\n')
    sweep = tmp_path / "on-mine.toml"
    sweep.write_text('[sweep]\nreplicates = 1\nbase = "mine.toml"\ndays = 10\n'
                     '[parameters]\npopulation.offices = 2\n')
    store = tmp_path / "s.sqlite"
    run_sweep(load_sweep(sweep), store, engine="serial", progress=False)
    assert load_provenance(store)["base_scenario_file"] == str(scenario)
    scenario.write_text('[scenario]\ndescription = "a test base"\n[parameters]\npenalty.warning_severity = 9.0\n')
    with pytest.raises(StoreError, match=r"base scenario 'mine' has changed since the sweep began"):
        run_sweep(load_sweep(sweep), store, engine="serial", resume=True, progress=False)


def test_a_store_being_written_is_not_written_by_a_second_sweep(tmp_path):
    store = tmp_path / "s.sqlite"
    run_sweep(tiny(), store, engine="serial", progress=False)
    with SweepStore.open(store):
        with pytest.raises(StoreError, match=rf"another sweep \(pid {os.getpid()}\) is writing to this store"):
            run_sweep(tiny(), store, engine="serial", resume=True, progress=False)
    run_sweep(tiny(), store, engine="serial", resume=True, progress=False)  # free again
    assert not Path(f"{store}.lock").exists()


def test_a_run_is_never_stored_twice(tmp_path):
    store = tmp_path / "s.sqlite"
    run_sweep(tiny(), store, engine="serial", progress=False)
    with SweepStore.open(store) as s, pytest.raises(RuntimeError, match="not pending"):
        s.record(RunOutcome("p0000-r000", "failed", 0.1, error="late duplicate"), session_id=1)
    assert load_runs(store)["status"].tolist() == ["done", "done"]


def test_provenance_names_the_sweep_file_its_hash_and_the_code(sweep_file, uninterrupted):
    prov = load_provenance(uninterrupted)
    spec = load_sweep(sweep_file)
    assert prov["sweep_file"] == str(sweep_file.resolve())
    assert prov["sweep_file_hash"] == spec.source_hash and prov["sweep_source"] == SWEEP
    assert prov["design_hash"] == spec.design_hash()
    for key in ("docsec_version", "git_revision", "mesa_version", "python_version"):
        assert prov[key] and prov["sessions"][0]["provenance"][key] == prov[key]
    assert prov["base_scenario"] == "default" and prov["runs_planned"] == PLANNED
    assert prov["runs_by_status"] == {"done": PLANNED}


def test_readers_refuse_what_is_not_a_store(tmp_path):
    with pytest.raises(StoreError, match=r"nothing\.sqlite: no such results store"):
        load_runs(tmp_path / "nothing.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    with pytest.raises(StoreError, match=r"junk\.sqlite: not a docsec sweep store"):
        load_runs(junk)


def test_resuming_with_other_code_goes_on_and_says_so(tmp_path):
    store = tmp_path / "s.sqlite"
    run_sweep(tiny(), store, engine="serial", progress=False)
    conn = sqlite3.connect(store)
    with conn:
        conn.execute("UPDATE meta SET value = '\"0.0.1\"' WHERE key = 'docsec_version'")
    conn.close()
    lines = []
    report = run_sweep(tiny(), store, engine="serial", resume=True, progress=False, log=lines.append)
    from docsec import sim

    expected = f"note: this store was begun with docsec_version 0.0.1; resuming with {sim.__version__}"
    assert report.notes == (expected,) and lines == [expected]
