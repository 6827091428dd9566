"""`docsec sweep` and `docsec export`: every flag reaches the code it controls."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from docsec.analysis.results import load_daily, load_provenance, load_runs

SWEEP = """
[sweep]
name = "cli-check"
replicates = 2
base_seed = 8
days = 15

[parameters]
population.offices = 2
custody.key_sharing_permitted = [true, false]

[outputs]
daily = {daily}
"""


@pytest.fixture
def sweep_file(tmp_path) -> Path:
    path = tmp_path / "cli-check.toml"
    path.write_text(SWEEP.format(daily="true"))
    return path


def test_help_documents_every_option(docsec):
    out = docsec("sweep", "--help").stdout
    for option in ("--out", "--resume", "--workers", "--serial", "--dask", "--no-progress"):
        assert option in out
    out = docsec("export", "--help").stdout
    for option in ("--csv", "--parquet", "--output"):
        assert option in out


def test_serial_flag_and_out_reach_the_store(docsec, sweep_file, tmp_path):
    store = tmp_path / "chosen.sqlite"
    proc = docsec("sweep", str(sweep_file), "--serial", "--out", str(store), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "4 runs done, 0 failed, 0 missing, of 4" in proc.stdout and str(store) in proc.stdout
    session = load_provenance(store)["sessions"][0]
    assert (session["engine"], session["workers"]) == ("serial", 1)
    assert proc.stderr == ""  # --no-progress: no bar


def test_without_no_progress_a_bar_shows_runs_and_rate(docsec, sweep_file, tmp_path):
    proc = docsec("sweep", str(sweep_file), "--serial", "--out", str(tmp_path / "s.sqlite"))
    assert proc.returncode == 0, proc.stderr
    assert "cli-check" in proc.stderr and "4/4" in proc.stderr and "run/s" in proc.stderr


def test_default_store_is_results_slash_sweep_name(docsec, sweep_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    proc = docsec("sweep", str(sweep_file), "--serial", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert len(load_runs(tmp_path / "results" / "cli-check.sqlite")) == 4


def test_workers_flag_sizes_the_process_pool(docsec, sweep_file, tmp_path):
    store = tmp_path / "p.sqlite"
    proc = docsec("sweep", str(sweep_file), "--workers", "1", "--out", str(store), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    session = load_provenance(store)["sessions"][0]
    assert (session["engine"], session["workers"]) == ("process", 1)


def test_dask_local_flag_runs_on_a_local_cluster(docsec, sweep_file, tmp_path):
    pytest.importorskip("distributed")
    store = tmp_path / "d.sqlite"
    proc = docsec("sweep", str(sweep_file), "--dask", "local", "--workers", "1", "--out", str(store),
                  "--no-progress")
    assert proc.returncode == 0, proc.stderr
    session = load_provenance(store)["sessions"][0]
    assert (session["engine"], session["workers"]) == ("dask", 1)
    assert "dask engine on a local cluster, 1 worker" in proc.stdout


def test_resume_flag_reaches_the_store_and_without_it_an_existing_store_is_refused(docsec, sweep_file, tmp_path):
    store = tmp_path / "r.sqlite"
    assert docsec("sweep", str(sweep_file), "--serial", "--out", str(store), "--no-progress").returncode == 0
    again = docsec("sweep", str(sweep_file), "--serial", "--out", str(store), "--no-progress")
    assert again.returncode == 2
    assert again.stderr.strip() == (f"docsec sweep: error: {store}: already exists; add --resume to continue "
                                    "that sweep, or choose another --out")
    resumed = docsec("sweep", str(sweep_file), "--serial", "--out", str(store), "--no-progress", "--resume")
    assert resumed.returncode == 0 and "this time 0 runs" in resumed.stdout
    assert len(load_provenance(store)["sessions"]) == 2


def test_resume_into_a_store_of_another_sweep_file_is_refused(docsec, sweep_file, tmp_path):
    store = tmp_path / "r.sqlite"
    assert docsec("sweep", str(sweep_file), "--serial", "--out", str(store), "--no-progress").returncode == 0
    other = tmp_path / "other.toml"
    other.write_text(SWEEP.format(daily="false"))
    proc = docsec("sweep", str(other), "--serial", "--out", str(store), "--no-progress", "--resume")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "holds sweep 'cli-check'" in proc.stderr and "describes a different sweep" in proc.stderr


def test_conflicting_engine_flags_are_refused(docsec, sweep_file):
    proc = docsec("sweep", str(sweep_file), "--serial", "--dask", "local")
    assert proc.returncode == 2 and "not allowed with argument" in proc.stderr
    proc = docsec("sweep", str(sweep_file), "--serial", "--workers", "3")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("docsec sweep: error: --workers: the serial engine runs one run at a time; "
                                   "drop --workers or --serial")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_writes_runs_daily_and_provenance(docsec, sweep_file, tmp_path, fmt):
    store = tmp_path / "e.sqlite"
    assert docsec("sweep", str(sweep_file), "--serial", "--out", str(store), "--no-progress").returncode == 0
    out = tmp_path / "tables"
    proc = docsec("export", str(store), f"--{fmt}", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(out / f"runs.{fmt}"), str(out / f"daily.{fmt}"), str(out / "provenance.json")]
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    runs, daily = read(out / f"runs.{fmt}"), read(out / f"daily.{fmt}")
    expected = load_runs(store, every_parameter=True, provenance=True)
    assert list(runs.columns) == list(expected.columns) and len(runs) == 4
    assert runs["losses"].tolist() == expected["losses"].tolist()
    assert len(daily) == len(load_daily(store)) and list(daily.columns) == ["run_id", "point_id", "replicate",
                                                                           "seed", "spec_hash", "day", "metric",
                                                                           "value"]
    assert json.loads((out / "provenance.json").read_text())["sweep_name"] == "cli-check"


def test_export_without_daily_series_writes_no_daily_file_and_defaults_beside_the_store(docsec, tmp_path):
    sweep = tmp_path / "no-daily.toml"
    sweep.write_text(SWEEP.format(daily="false"))
    store = tmp_path / "nd.sqlite"
    assert docsec("sweep", str(sweep), "--serial", "--out", str(store), "--no-progress").returncode == 0
    proc = docsec("export", str(store), "--csv")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "nd").iterdir()) == ["provenance.json", "runs.csv"]


def test_export_of_a_missing_store_is_one_line_exit_2(docsec, tmp_path):
    proc = docsec("export", str(tmp_path / "none.sqlite"), "--csv")
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"docsec export: error: {tmp_path / 'none.sqlite'}: no such results store"


def test_export_needs_a_format(docsec, tmp_path):
    proc = docsec("export", str(tmp_path / "x.sqlite"))
    assert proc.returncode == 2 and "one of the arguments --csv --parquet is required" in proc.stderr
