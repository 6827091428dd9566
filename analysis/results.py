"""Reading a sweep's results store into tidy pandas tables.

- ``load_runs(store)``: one row per run — run_id, point_id, replicate, seed,
  status, error, duration_s, one column per parameter the sweep set ("group.name"),
  then every summary metric (``sim.metrics.SUMMARY_NAMES`` as stored).
- ``load_daily(store)``: daily series in long form — run_id, point_id, replicate,
  seed, day, metric, value (only for sweeps that kept them).
- ``load_provenance(store)``: the sweep file, its hash, the design, the base
  scenario, the code that made the store, and every session that ran it.
- ``export_store(store, folder, "csv" | "parquet")``: those tables as files.

A store can be read while its sweep is still running.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .sweep.store import StoreError, connect, quote, read_meta
from ..sim.parameters import spec_by_path

#: Identifying columns that lead every run table, in order.
RUN_COLUMNS: tuple[str, ...] = ("run_id", "point_id", "replicate", "seed", "status", "error", "duration_s")
DAILY_COLUMNS: tuple[str, ...] = ("run_id", "point_id", "replicate", "seed", "day", "metric", "value")


def _open(store: str | Path | sqlite3.Connection) -> tuple[sqlite3.Connection, bool]:
    if isinstance(store, sqlite3.Connection):
        return store, False
    return connect(store), True


def _parameter_column(path: str, values: list[Any]) -> pd.Series:
    spec = spec_by_path().get(path)
    if spec is None or spec.choices:
        return pd.Series(values, dtype=object if spec is None else "str")
    if spec.type is bool:
        return pd.Series([bool(v) for v in values], dtype=bool)
    return pd.Series(values, dtype="int64" if spec.type is int else "float64")


def load_runs(store: str | Path | sqlite3.Connection, *, include_pending: bool = False) -> pd.DataFrame:
    """One row per finished run (done or failed; also pending ones if asked), in design order."""
    conn, own = _open(store)
    try:
        meta = read_meta(conn)
        metrics = list(meta["summary_names"])
        where = "" if include_pending else "WHERE r.status != 'pending'"
        cols = ", ".join(f"r.{quote(c)}" for c in (*RUN_COLUMNS, *metrics))
        rows = conn.execute(f"SELECT {cols}, p.parameters FROM runs r JOIN points p USING (point_id) {where} "
                            "ORDER BY r.point_id, r.replicate").fetchall()
    finally:
        if own:
            conn.close()
    n_id = len(RUN_COLUMNS)
    dtypes = {"run_id": "str", "point_id": "int64", "replicate": "int64", "seed": "int64", "status": "str",
              "error": object, "duration_s": "float64"}
    out = pd.DataFrame({c: pd.Series([r[i] for r in rows], dtype=dtypes[c]) for i, c in enumerate(RUN_COLUMNS)})
    params = [json.loads(r[-1]) for r in rows]
    for path in meta["parameter_columns"]:
        out[path] = _parameter_column(path, [p.get(path) for p in params])
    values = np.array([[np.nan if v is None else v for v in r[n_id:-1]] for r in rows], dtype="float64")
    values = values.reshape(len(rows), len(metrics))
    out = pd.concat([out, pd.DataFrame(values, columns=metrics)], axis=1)
    return out


def load_daily(store: str | Path | sqlite3.Connection, *, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Daily series in long form: one row per run, day and metric (empty if the sweep kept none)."""
    conn, own = _open(store)
    try:
        meta = read_meta(conn)
        counters = list(meta["counter_names"])
        if metrics is not None:
            unknown = [m for m in metrics if m not in counters]
            if unknown:
                raise StoreError(f"metrics: unknown daily metric {unknown[0]!r}; allowed: {', '.join(counters)}")
            counters = list(metrics)
        cols = ", ".join(f"d.{quote(c)}" for c in counters)
        wide = pd.read_sql_query(
            f"SELECT d.run_id, r.point_id, r.replicate, r.seed, d.day, {cols} FROM daily d "
            "JOIN runs r USING (run_id) ORDER BY r.point_id, r.replicate, d.day", conn)
    finally:
        if own:
            conn.close()
    long = wide.melt(id_vars=["run_id", "point_id", "replicate", "seed", "day"], value_vars=counters,
                     var_name="metric", value_name="value")
    long["metric"] = pd.Categorical(long["metric"], categories=counters, ordered=True)
    long = long.sort_values(["point_id", "replicate", "day", "metric"], kind="stable", ignore_index=True)
    long["metric"] = long["metric"].astype("str")
    long["value"] = long["value"].astype("float64")
    return long.astype({"point_id": "int64", "replicate": "int64", "seed": "int64", "day": "int64"})


def load_provenance(store: str | Path | sqlite3.Connection) -> dict[str, Any]:
    """The store's provenance: everything in its meta table plus ``sessions`` (one dict each)."""
    conn, own = _open(store)
    try:
        out = read_meta(conn)
        cur = conn.execute("SELECT * FROM sessions ORDER BY session_id")
        names = [d[0] for d in cur.description]
        sessions = []
        for row in cur.fetchall():
            session = dict(zip(names, row))
            session["provenance"] = json.loads(session["provenance"])
            session["engine_details"] = json.loads(session["engine_details"])
            sessions.append(session)
        out["sessions"] = sessions
        out["runs_by_status"] = dict(conn.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
    finally:
        if own:
            conn.close()
    return out


#: File formats ``export_store`` writes.
EXPORT_FORMATS: tuple[str, ...] = ("csv", "parquet")


def export_store(store: str | Path, folder: str | Path, fmt: str) -> list[Path]:
    """Write runs, daily (if kept) and provenance.json into ``folder``; return the files written."""
    if fmt not in EXPORT_FORMATS:
        raise StoreError(f"format: must be one of {', '.join(EXPORT_FORMATS)} (got {fmt!r})")
    conn = connect(store)
    try:
        runs = load_runs(conn)
        has_daily = conn.execute("SELECT EXISTS (SELECT 1 FROM daily)").fetchone()[0]
        daily = load_daily(conn) if has_daily else None
        prov = load_provenance(conn)
    finally:
        conn.close()
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{folder}: cannot create the export folder ({err.strerror})") from None
    written = []
    for name, table in (("runs", runs), ("daily", daily)):
        if table is None:
            continue
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            table.to_csv(path, index=False)
        else:
            table.to_parquet(path, index=False)
        written.append(path)
    path = folder / "provenance.json"
    path.write_text(json.dumps(prov, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    written.append(path)
    return written
