"""The results store: interrupted or killed sweeps resume to the same results; foreign stores are refused;
finished runs are committed in batches, and every batch is committed whole or not at all."""

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
    before = load_runs(store)
    with SweepStore.open(store) as s:
        s.record(RunOutcome("p0000-r000", "failed", 0.1, error="late duplicate"), session_id=1)
        with pytest.raises(RuntimeError, match="run p0000-r000 is not pending"):
            s.commit()  # the batch holding it is refused when it commits
        assert s.uncommitted == 0
    pd.testing.assert_frame_equal(load_runs(store), before)


# -- batches of finished runs -------------------------------------------------------------

def _outcome(run_id: str, daily: bool = True, value: float = 1.0) -> RunOutcome:
    """A finished run with every summary metric (and, if ``daily``, three days of counters)."""
    from docsec.sim.metrics import SUMMARY_NAMES

    rows = [[day, *([value] * len(DAILY_NAMES))] for day in (1, 2, 3)] if daily else None
    return RunOutcome(run_id, "done", 0.01, summary=dict.fromkeys(SUMMARY_NAMES, value),
                      daily_columns=("day", *DAILY_NAMES) if daily else None, daily_rows=rows)


@pytest.fixture
def fresh(tmp_path):
    """A new store of the 6 runs of tiny(6), all pending, opened to write, with a session begun."""
    from docsec.analysis.sweep.design import expand
    from docsec.sim.metrics import SUMMARY_NAMES

    path = tmp_path / "batches.sqlite"
    s = SweepStore.create(path, meta={"parameter_columns": []}, points=[(0, {}, "")], runs=expand(tiny(6)),
                          summary_names=SUMMARY_NAMES, counter_names=DAILY_NAMES)
    s.session = s.begin_session("serial", 1, {})
    yield s
    if s._lock is not None and not s._lock.closed:
        s.close(commit=False)


def stored_elsewhere(path: Path) -> tuple[list[str], int]:
    """What another process would read now: the runs done and the number of daily rows."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        done = [r for (r,) in conn.execute("SELECT run_id FROM runs WHERE status = 'done' ORDER BY run_id")]
        return done, conn.execute("SELECT COUNT(*) FROM daily").fetchone()[0]
    finally:
        conn.close()


def test_runs_wait_in_their_batch_and_end_session_commits_them_with_the_session(fresh, monkeypatch):
    from docsec.analysis.sweep import store as store_module

    monkeypatch.setattr(store_module, "BATCH_SECONDS", 1e9)
    for i in range(4):
        assert fresh.record(_outcome(f"p0000-r00{i}"), fresh.session) == "done"
    assert fresh.uncommitted == 4 and stored_elsewhere(fresh.path) == ([], 0)  # one batch, not yet due
    fresh.end_session(fresh.session, "completed")
    assert fresh.uncommitted == 0 and not fresh.conn.in_transaction
    assert stored_elsewhere(fresh.path) == ([f"p0000-r00{i}" for i in range(4)], 4 * 3)
    assert fresh.stored == {"done": 4, "failed": 0}
    session = load_provenance(fresh.path)["sessions"][0]
    assert (session["outcome"], session["runs_done"]) == ("completed", 4)


def test_closing_the_store_commits_the_runs_recorded(fresh, monkeypatch):
    from docsec.analysis.sweep import store as store_module

    monkeypatch.setattr(store_module, "BATCH_SECONDS", 1e9)
    fresh.record(_outcome("p0000-r000"), fresh.session)
    fresh.record(RunOutcome("p0000-r001", "failed", 0.2, error="ValueError: broke"), fresh.session)
    fresh.close()
    runs = load_runs(fresh.path).set_index("run_id")
    assert runs["status"].to_dict() == {"p0000-r000": "done", "p0000-r001": "failed"}
    assert runs.loc["p0000-r001", "error"] == "ValueError: broke"


def test_a_batch_commits_when_it_holds_batch_runs(fresh, monkeypatch):
    from docsec.analysis.sweep import store as store_module

    monkeypatch.setattr(store_module, "BATCH_SECONDS", 1e9)
    monkeypatch.setattr(store_module, "BATCH_RUNS", 2)
    seen = []
    for i in range(5):
        fresh.record(_outcome(f"p0000-r00{i}"), fresh.session)
        seen.append(len(stored_elsewhere(fresh.path)[0]))
    assert seen == [0, 2, 2, 4, 4] and fresh.uncommitted == 1


def test_a_batch_commits_once_its_oldest_run_has_waited_batch_seconds(fresh, monkeypatch):
    from types import SimpleNamespace

    from docsec.analysis.sweep import store as store_module

    clock = [100.0]
    monkeypatch.setattr(store_module, "time", SimpleNamespace(monotonic=lambda: clock[0], time=time.time))
    assert fresh.commit_due_in() is None  # nothing waits
    fresh.record(_outcome("p0000-r000"), fresh.session)
    clock[0] += 0.15
    fresh.record(_outcome("p0000-r001"), fresh.session)
    assert fresh.commit_due_in() == pytest.approx(store_module.BATCH_SECONDS - 0.15)
    assert stored_elsewhere(fresh.path)[0] == []
    clock[0] += 0.1  # the first run has now waited 0.25 s
    assert fresh.commit_due_in() == 0.0
    fresh.record(_outcome("p0000-r002"), fresh.session)
    assert len(stored_elsewhere(fresh.path)[0]) == 3 and fresh.commit_due_in() is None


def test_a_run_recorded_twice_in_a_batch_is_refused_at_once(fresh):
    fresh.record(_outcome("p0000-r000", value=1.0), fresh.session)
    with pytest.raises(RuntimeError, match="p0000-r000 was recorded twice"):
        fresh.record(_outcome("p0000-r000", value=2.0), fresh.session)
    fresh.commit()
    assert load_runs(fresh.path)["external_leaks"].tolist() == [1.0]


def test_a_batch_with_a_run_already_stored_stores_the_others_once(fresh):
    fresh.record(_outcome("p0000-r000", value=1.0), fresh.session)
    fresh.commit()
    fresh.record(_outcome("p0000-r001", value=2.0), fresh.session)
    fresh.record(_outcome("p0000-r000", value=3.0), fresh.session)  # already in the store
    fresh.record(RunOutcome("p0000-r002", "failed", 0.1, error="E"), fresh.session)
    with pytest.raises(RuntimeError, match="run p0000-r000 is not pending"):
        fresh.commit()
    runs = load_runs(fresh.path).set_index("run_id")
    assert runs["status"].to_dict() == {"p0000-r000": "done", "p0000-r001": "done", "p0000-r002": "failed"}
    assert runs["external_leaks"].iloc[:2].tolist() == [1.0, 2.0]
    assert stored_elsewhere(fresh.path)[1] == 2 * 3  # daily rows of r000 (once) and r001
    assert fresh.stored == {"done": 2, "failed": 1}


class _Interrupting:
    """A connection that raises KeyboardInterrupt on the first daily insert (Ctrl-C in mid-commit)."""

    def __init__(self, conn):
        self.conn, self.armed = conn, True

    def executemany(self, sql, rows):
        if self.armed and sql.startswith("INSERT INTO daily"):
            self.armed = False
            raise KeyboardInterrupt
        return self.conn.executemany(sql, rows)

    def __getattr__(self, name):
        return getattr(self.conn, name)


def test_an_interrupted_commit_leaves_nothing_half_written_and_keeps_the_batch(fresh, monkeypatch):
    from docsec.analysis.sweep import store as store_module

    monkeypatch.setattr(store_module, "BATCH_SECONDS", 1e9)
    for i in range(3):
        fresh.record(_outcome(f"p0000-r00{i}"), fresh.session)
    real = fresh.conn
    fresh.conn = _Interrupting(real)
    with pytest.raises(KeyboardInterrupt):
        fresh.commit()  # the runs' rows were written, their daily rows not: all rolled back
    assert stored_elsewhere(fresh.path) == ([], 0) and fresh.uncommitted == 3 and not real.in_transaction
    fresh.conn = real
    fresh.end_session(fresh.session, "interrupted")  # what run_sweep does after an interrupt
    assert stored_elsewhere(fresh.path) == ([f"p0000-r00{i}" for i in range(3)], 3 * 3)


@pytest.mark.parametrize("bad", [{"not": "a number"}, 2 ** 70], ids=["a dict", "too large an integer"])
def test_a_run_whose_results_cannot_be_stored_is_recorded_failed_and_its_batch_is_stored(fresh, monkeypatch, bad):
    from docsec.analysis.sweep import store as store_module

    monkeypatch.setattr(store_module, "BATCH_SECONDS", 1e9)
    for i in range(4):
        outcome = _outcome(f"p0000-r00{i}", value=float(i))
        if i == 2:
            outcome.summary["external_leaks"] = bad  # a value SQLite cannot hold
        fresh.record(outcome, fresh.session)
    fresh.end_session(fresh.session, "completed")
    runs = load_runs(fresh.path).set_index("run_id")
    assert runs["status"].to_dict() == {"p0000-r000": "done", "p0000-r001": "done", "p0000-r002": "failed",
                                        "p0000-r003": "done"}
    assert runs.loc["p0000-r002", "error"].startswith("ValueError: its results cannot be stored")
    assert runs.loc["p0000-r003", "external_leaks"] == 3.0
    assert stored_elsewhere(fresh.path)[1] == 3 * 3  # the daily rows of the three stored runs only
    assert fresh.stored == {"done": 3, "failed": 1}
    session = load_provenance(fresh.path)["sessions"][0]
    assert (session["outcome"], session["runs_done"], session["runs_failed"]) == ("completed", 3, 1)


def test_a_commit_the_store_rolled_back_itself_keeps_the_batch_for_the_next(fresh, monkeypatch):
    from docsec.analysis.sweep import store as store_module

    monkeypatch.setattr(store_module, "BATCH_SECONDS", 1e9)
    for i in range(6):
        fresh.record(_outcome(f"p0000-r00{i}", daily=False) if i else
                     RunOutcome("p0000-r000", "done", 0.01, summary=_outcome("x").summary,
                                daily_columns=("day", *DAILY_NAMES),
                                daily_rows=[[d, *([1.0] * len(DAILY_NAMES))] for d in range(1, 3001)]),
                     fresh.session)
    pages = fresh.conn.execute("PRAGMA page_count").fetchone()[0]
    fresh.conn.execute(f"PRAGMA max_page_count = {pages + 1}")  # the disk is full
    with pytest.raises(sqlite3.OperationalError, match="full"):
        fresh.commit()
    assert fresh.uncommitted == 6 and stored_elsewhere(fresh.path) == ([], 0)
    fresh.conn.execute("PRAGMA max_page_count = 1073741823")  # space again
    fresh.end_session(fresh.session, "completed")
    assert stored_elsewhere(fresh.path) == ([f"p0000-r00{i}" for i in range(6)], 3000)
    assert fresh.stored == {"done": 6, "failed": 0}


def test_closing_a_store_twice_leaves_the_next_writers_lock_alone(tmp_path):
    from docsec.analysis.sweep.design import expand
    from docsec.sim.metrics import SUMMARY_NAMES

    path = tmp_path / "twice.sqlite"
    first = SweepStore.create(path, meta={"parameter_columns": []}, points=[(0, {}, "")], runs=expand(tiny(2)),
                              summary_names=SUMMARY_NAMES, counter_names=DAILY_NAMES)
    first.close()
    second = SweepStore.open(path)  # another sweep now holds the store
    first.close()  # a stray second close of the first
    with pytest.raises(StoreError, match="another sweep"):
        SweepStore.open(path)
    second.begin_session("serial", 1, {})
    second.record(RunOutcome("p0000-r000", "failed", 0.1, error="E"), 1)
    second.close(commit=False)
    second.close()  # nothing left to commit, nothing raised
    assert stored_elsewhere(path) == ([], 0)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert conn.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall() == [("pending", 2)]
    conn.close()


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
