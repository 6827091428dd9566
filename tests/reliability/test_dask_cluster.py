"""A loopback Dask scheduler as docs/sweeps.md shows it: the sweep runs there and its session records the
workers that really ran the runs."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_docs_start_every_plain_scheduler_on_loopback():
    text = (ROOT / "docs" / "sweeps.md").read_text()
    commands = re.findall(r"^dask scheduler.*$", text, flags=re.M)
    assert commands
    for command in commands:
        assert "--host 127.0.0.1" in command or "--tls-" in command, command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_sweep_on_a_loopback_scheduler_records_the_workers_it_used(sweep_file, tmp_path, docsec):
    pytest.importorskip("distributed")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--dashboard-address", ":0", "--no-show"],
                                 cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                   "--no-dashboard", "--host", "127.0.0.1"], cwd=tmp_path,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        store = tmp_path / "dask.sqlite"
        deadline = time.monotonic() + 60
        while True:
            proc = docsec("sweep", str(sweep_file), "--out", str(store), "--dask", address, "--no-progress")
            if proc.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert proc.returncode == 0, proc.stderr
        from docsec.analysis.results import load_provenance

        session = load_provenance(store)["sessions"][0]
        used = session["engine_details"]["runs_by_worker"]
        assert sum(used.values()) == 4 and all(w.startswith("tcp://127.0.0.1:") for w in used)
        assert session["workers"] == 1 and session["engine_details"]["scheduler"] == address
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
