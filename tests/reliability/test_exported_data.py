"""The exported tables: every parameter, spec_hash and provenance on each run; daily joinable with the
runs' parameters as it is; the error column typed as text; provenance as Parquet metadata."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq

from docsec.analysis.results import JOIN_KEYS, PROVENANCE_COLUMNS, load_provenance
from docsec.sim.parameters import spec_by_path


def test_parquet_runs_carry_every_parameter_spec_hash_and_provenance(store, tmp_path, docsec):
    out = tmp_path / "tables"
    assert docsec("export", str(store), "--parquet", "-o", str(out)).returncode == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(spec_by_path()) <= set(runs.columns) and "spec_hash" in runs.columns
    assert runs["spec_hash"].nunique() == 2 and runs["population.offices"].eq(2).all()
    assert runs["behaviour.trait_dispersion"].notna().all()  # a parameter the sweep never set
    prov = load_provenance(store)
    for column in PROVENANCE_COLUMNS:
        assert column in runs.columns
    assert runs["sweep_file_hash"].eq(prov["sweep_file_hash"]).all()
    assert runs["git_revision"].eq(prov["sessions"][0]["provenance"]["git_revision"]).all()
    schema = pq.read_schema(out / "runs.parquet")
    assert str(schema.field("error").type) in ("string", "large_string")  # text, even with no failed run
    stamp = json.loads(schema.metadata[b"docsec"])
    assert stamp["sweep_file_hash"] == prov["sweep_file_hash"] and stamp["docsec_version"] == prov["docsec_version"]


def test_daily_joins_the_runs_parameters_without_hand_work(store, tmp_path, docsec):
    for fmt, read in (("parquet", pd.read_parquet), ("csv", pd.read_csv)):
        out = tmp_path / fmt
        assert docsec("export", str(store), f"--{fmt}", "-o", str(out)).returncode == 0
        runs, daily = read(out / f"runs.{fmt}"), read(out / f"daily.{fmt}")
        joined = daily.merge(runs, on=list(JOIN_KEYS), how="left", validate="many_to_one")
        assert len(joined) == len(daily) and joined["custody.key_sharing_permitted"].notna().all()
        assert joined.groupby("run_id")["spec_hash"].nunique().eq(1).all()


def test_text_in_exported_csv_never_starts_like_a_formula(store, tmp_path, docsec):
    import sqlite3

    conn = sqlite3.connect(store)
    conn.execute("UPDATE runs SET status = 'failed', error = '=HYPERLINK(\"http://x\")' WHERE run_id = 'p0000-r000'")
    conn.commit()
    conn.close()
    out = tmp_path / "csv"
    assert docsec("export", str(store), "--csv", "-o", str(out)).returncode == 0
    runs = pd.read_csv(out / "runs.csv")
    assert runs.loc[runs["run_id"] == "p0000-r000", "error"].item() == "'=HYPERLINK(\"http://x\")"
