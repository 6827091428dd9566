"""A run that kills its worker: retried alone, then recorded as failed, and the sweep goes on
(process pool and Dask); a worker killed from outside is replaced; too many deaths stop the sweep
with the resume hint, never a BrokenProcessPool traceback."""

from __future__ import annotations

import os
import signal
from functools import partial

import pytest

from docsec.analysis.results import load_provenance, load_runs
from docsec.analysis.sweep import engines
from docsec.analysis.sweep.design import SweepSpec
from docsec.analysis.sweep.execute import run_sweep
from docsec.sim.run import run_simulation

#: The dismissal severity at which ``killer`` kills the process running it.
DEADLY = 666.0


def killer(params, seed, **kw):
    """The model, except that one design point kills its worker outright (as the OOM killer would)."""
    if params.penalty.dismissal_severity == DEADLY:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_simulation(params, seed, **kw)


def spec(replicates=2) -> SweepSpec:
    return SweepSpec.from_mapping({"sweep": {"replicates": replicates, "base_seed": 5, "days": 5},
                                   "parameters": {"population.offices": 2,
                                                  "penalty.dismissal_severity": [50.0, DEADLY, 500.0]}},
                                  name="deadly")


@pytest.fixture
def forked(monkeypatch):
    """Workers forked from the test process, so they know ``killer`` without importing this module."""
    monkeypatch.setattr(engines, "default_start_method", lambda: "fork")


def test_a_run_that_kills_its_worker_is_recorded_as_failed_and_the_sweep_goes_on(forked, tmp_path):
    store = tmp_path / "deadly.sqlite"
    report = run_sweep(spec(replicates=1), store, engine="process", workers=2, runner=killer, progress=False)
    runs = load_runs(store).set_index("run_id")
    assert report.complete and report.done == 2 and report.failed == 1
    assert runs.loc["p0001-r000", "status"] == "failed"
    assert runs.loc["p0001-r000", "error"].startswith(f"WorkerDied: its worker died "
                                                      f"{engines.WORKER_DEATH_RETRIES + 1} times running it")
    assert set(runs.drop(index="p0001-r000")["status"]) == {"done"}
    details = load_provenance(store)["sessions"][0]["engine_details"]
    assert details["worker_deaths"] == engines.WORKER_DEATH_RETRIES + 1
    assert details["pool_starts"] == 1 + details["worker_deaths"]


def test_too_many_worker_deaths_stop_the_sweep_with_the_resume_hint(forked, tmp_path, sweep_file, monkeypatch,
                                                                    docsec):
    from docsec.analysis.cli import sweep_cmd

    deadly = tmp_path / "deadly.toml"
    deadly.write_text(sweep_file.read_text().replace("custody.key_sharing_permitted = [true, false]",
                                                     f"penalty.dismissal_severity = [50.0, {DEADLY}]"))
    store = tmp_path / "deadly.sqlite"
    monkeypatch.setattr(engines, "MAX_WORKER_DEATHS", 1)
    monkeypatch.setattr(sweep_cmd, "run_sweep", partial(run_sweep, runner=killer))
    proc = docsec("sweep", str(deadly), "--out", str(store), "--workers", "2", "--no-progress")
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith("docsec sweep: stopped: worker processes died 2 times in this session")
    assert lines[0].endswith(f"continue with: docsec sweep {deadly} --out {store} --resume")
    assert load_provenance(store)["sessions"][0]["outcome"].startswith("aborted")
    monkeypatch.setattr(engines, "MAX_WORKER_DEATHS", 10)
    again = docsec("sweep", str(deadly), "--out", str(store), "--workers", "2", "--no-progress", "--resume")
    assert again.returncode == 1  # finished: the deadly runs are recorded as failed
    runs = load_runs(store)
    assert len(runs) == 4 and list(runs["status"]) == ["done", "done", "failed", "failed"]


SLOW = """
[sweep]
name = "slow"
replicates = 3
base_seed = 1
days = 365

[parameters]
population.offices = 60
custody.key_sharing_permitted = [true, false]
"""


def python_children(pid: int) -> list[int]:
    """The Python processes a process has started (its workers), from /proc."""
    out = []
    try:
        listed = open(f"/proc/{pid}/task/{pid}/children").read().split()
    except OSError:
        return out
    for child in map(int, listed):
        try:
            if b"python" in open(f"/proc/{child}/cmdline", "rb").read():
                out.append(child)
        except OSError:
            continue
    return out


def test_a_worker_killed_from_outside_is_replaced_and_every_run_finishes(rel, tmp_path):
    import subprocess
    import sys
    import time

    file = tmp_path / "slow.toml"
    file.write_text(SLOW)
    store = tmp_path / "slow.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "docsec.analysis.cli", "sweep", str(file), "--out", str(store),
                             "--workers", "2", "--no-progress"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        children: list[int] = []
        deadline = time.monotonic() + 60
        while len(children) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
            children = python_children(proc.pid)
        assert len(children) >= 2, "the sweep's workers did not start"
        time.sleep(0.2)
        killed = False
        while not killed and time.monotonic() < deadline and proc.poll() is None:
            for child in children:  # a worker may have just been replaced: kill one that is alive now
                try:
                    os.kill(child, signal.SIGKILL)
                except ProcessLookupError:
                    continue
                killed = True
                break
            else:
                time.sleep(0.05)
                children = python_children(proc.pid)
        assert killed, "no worker was alive to be killed"
        out, err = proc.communicate(timeout=180)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert "6 runs done, 0 failed" in out
    assert load_provenance(store)["sessions"][0]["engine_details"]["worker_deaths"] >= 1


def test_on_dask_a_run_that_kills_its_workers_is_recorded_as_failed_and_the_context_survives(tmp_path):
    pytest.importorskip("distributed")
    store = tmp_path / "dask.sqlite"
    report = run_sweep(spec(replicates=1), store, engine="dask", workers=1, runner=killer, progress=False)
    runs = load_runs(store).set_index("run_id")
    assert report.complete and report.done == 2 and report.failed == 1
    assert runs.loc["p0001-r000", "error"].startswith("WorkerDied: its worker died")
    details = load_provenance(store)["sessions"][0]["engine_details"]
    assert sum(details["runs_by_worker"].values()) == 2  # the workers that really ran the runs
    assert all(address.startswith("tcp://127.0.0.1:") for address in details["runs_by_worker"])
