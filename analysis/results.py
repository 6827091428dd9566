"""Reading a sweep's results store into tidy pandas tables.

- ``load_runs(store)``: one row per run — run_id, point_id, replicate, seed,
  status, error, duration_s, one column per parameter the sweep set ("group.name"),
  then every summary metric (``sim.metrics.SUMMARY_NAMES`` as stored).
  ``every_parameter=True`` gives every parameter of the model instead (the base
  scenario's value where the sweep left it) and the ``spec_hash`` of each run's full
  parameter set; ``provenance=True`` adds the code that ran each run and the sweep
  file's hash (``PROVENANCE_COLUMNS``).
- ``load_daily(store)``: daily series in long form — run_id, point_id, replicate,
  seed, day, metric, value (only for sweeps that kept them).
- ``load_provenance(store)``: the sweep file, its hash, the design, the base
  scenario, the code that made the store, and every session that ran it.
- ``export_store(store, folder, "csv" | "parquet")``: those tables as files: runs
  with every parameter, its spec_hash and provenance (also as Parquet metadata),
  daily with the same run keys and spec_hash (``daily.merge(runs, on=JOIN_KEYS)``
  gives each day its parameters), and provenance.json. In CSV, text that a
  spreadsheet would read as a formula is written with a leading apostrophe.

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
from ..scenarios.export import spreadsheet_safe
from ..sim.parameters import spec_by_path

#: Identifying columns that lead every run table, in order.
RUN_COLUMNS: tuple[str, ...] = ("run_id", "point_id", "replicate", "seed", "status", "error", "duration_s")
DAILY_COLUMNS: tuple[str, ...] = ("run_id", "point_id", "replicate", "seed", "day", "metric", "value")
#: Columns the exported runs and daily tables share: ``daily.merge(runs, on=list(JOIN_KEYS))``.
JOIN_KEYS: tuple[str, ...] = ("run_id", "point_id", "replicate", "seed", "spec_hash")
#: Provenance columns of the exported runs table: the code of the session that ran each run, and the sweep file.
PROVENANCE_COLUMNS: tuple[str, ...] = ("docsec_version", "git_revision", "mesa_version", "python_version",
                                       "sweep_file_hash")


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


def load_runs(store: str | Path | sqlite3.Connection, *, include_pending: bool = False,
              every_parameter: bool = False, provenance: bool = False) -> pd.DataFrame:
    """One row per finished run (done or failed; also pending ones if asked), in design order.

    ``every_parameter`` adds ``spec_hash`` after the run columns and gives every parameter of
    the model (not only those the sweep set); ``provenance`` appends ``PROVENANCE_COLUMNS``.
    """
    conn, own = _open(store)
    try:
        meta = read_meta(conn)
        metrics = list(meta["summary_names"])
        where = "" if include_pending else "WHERE r.status != 'pending'"
        cols = ", ".join(f"r.{quote(c)}" for c in (*RUN_COLUMNS, *metrics))
        rows = conn.execute(f"SELECT {cols}, p.parameters_hash, s.provenance, p.parameters FROM runs r "
                            "JOIN points p USING (point_id) LEFT JOIN sessions s ON s.session_id = r.session_id "
                            f"{where} ORDER BY r.point_id, r.replicate").fetchall()
    except sqlite3.Error as err:
        raise StoreError(f"{store}: cannot be read ({err})") from None
    finally:
        if own:
            conn.close()
    n_id = len(RUN_COLUMNS)
    dtypes = {"run_id": "str", "point_id": "int64", "replicate": "int64", "seed": "int64", "status": "str",
              "error": object, "duration_s": "float64"}
    out = pd.DataFrame({c: pd.Series([r[i] for r in rows], dtype=dtypes[c]) for i, c in enumerate(RUN_COLUMNS)})
    params = [json.loads(r[-1]) for r in rows]
    if every_parameter:
        out["spec_hash"] = pd.Series([r[-3] for r in rows], dtype="str")
        base = dict(meta.get("base_parameters") or {})
        paths = [p for p in spec_by_path() if p in base or p in meta["parameter_columns"]]
        params = [{**base, **p} for p in params]
    else:
        paths = list(meta["parameter_columns"])
    for path in paths:
        out[path] = _parameter_column(path, [p.get(path) for p in params])
    values = np.array([[np.nan if v is None else v for v in r[n_id:n_id + len(metrics)]] for r in rows],
                      dtype="float64")
    values = values.reshape(len(rows), len(metrics))
    out = pd.concat([out, pd.DataFrame(values, columns=metrics)], axis=1)
    if provenance:
        sessions = [json.loads(r[-2]) if r[-2] else {} for r in rows]
        for column in PROVENANCE_COLUMNS[:-1]:
            out[column] = pd.Series([s.get(column) for s in sessions], dtype=object)
        out["sweep_file_hash"] = meta.get("sweep_file_hash") or ""
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
        try:
            wide = pd.read_sql_query(
                f"SELECT d.run_id, r.point_id, r.replicate, r.seed, d.day, {cols} FROM daily d "
                "JOIN runs r USING (run_id) ORDER BY r.point_id, r.replicate, d.day", conn)
        except (sqlite3.Error, pd.errors.DatabaseError) as err:
            raise StoreError(f"{store}: cannot be read ({' '.join(str(err).split())[-200:]})") from None
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
    except (sqlite3.Error, ValueError) as err:
        raise StoreError(f"{store}: cannot be read ({err})") from None
    finally:
        if own:
            conn.close()
    return out


#: File formats ``export_store`` writes.
EXPORT_FORMATS: tuple[str, ...] = ("csv", "parquet")


def export_tables(store: str | Path) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    """The exported tables: runs (every parameter, spec_hash, provenance; ``error`` as text), daily
    (with ``spec_hash``, joinable with runs on ``JOIN_KEYS``; None if not kept) and the provenance."""
    conn = connect(store)
    try:
        runs = load_runs(conn, every_parameter=True, provenance=True)
        try:
            has_daily = conn.execute("SELECT EXISTS (SELECT 1 FROM daily)").fetchone()[0]
        except sqlite3.Error as err:
            raise StoreError(f"{store}: cannot be read ({err})") from None
        daily = load_daily(conn) if has_daily else None
        prov = load_provenance(conn)
    finally:
        conn.close()
    runs["error"] = runs["error"].astype("string")
    for column in PROVENANCE_COLUMNS:
        runs[column] = runs[column].astype("string")
    if daily is not None:
        hashes = dict(zip(runs["run_id"], runs["spec_hash"]))
        daily.insert(4, "spec_hash", daily["run_id"].map(hashes).astype("str"))
    return runs, daily, prov


def _parquet(table: pd.DataFrame, path: Path, prov: dict[str, Any]) -> None:
    """A Parquet file whose schema metadata carries the store's provenance (key ``docsec``, JSON)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    keys = ("sweep_name", "sweep_file", "sweep_file_hash", "design_hash", "base_scenario", "base_scenario_hash",
            "base_hash", "docsec_version", "git_revision", "mesa_version", "python_version", "created_at")
    stamp = {k: prov.get(k) for k in keys}
    stamp["sessions"] = [{k: s.get(k) for k in ("session_id", "started_at", "engine", "workers", "provenance")}
                         for s in prov.get("sessions", [])]
    metadata = {**(arrow.schema.metadata or {}), b"docsec": json.dumps(stamp, default=str).encode()}
    pq.write_table(arrow.replace_schema_metadata(metadata), path)


def _csv(table: pd.DataFrame, path: Path) -> None:
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_safe, na_action="ignore")
    safe.to_csv(path, index=False)


def export_store(store: str | Path, folder: str | Path, fmt: str) -> list[Path]:
    """Write runs, daily (if kept) and provenance.json into ``folder``; return the files written.

    Each file is written beside its destination and moved into place when complete; a folder
    that cannot be made or written raises ``StoreError`` (one line) and the store is only read.
    """
    from .atomic import replacing

    if fmt not in EXPORT_FORMATS:
        raise StoreError(f"format: must be one of {', '.join(EXPORT_FORMATS)} (got {fmt!r})")
    runs, daily, prov = export_tables(store)
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{folder}: cannot create the export folder ({err.strerror})") from None
    if not folder.is_dir():
        raise StoreError(f"{folder}: is not a folder; choose another -o")
    written = []
    for name, table in (("runs", runs), ("daily", daily)):
        if table is None:
            continue
        path = folder / f"{name}.{fmt}"
        with replacing(path, "-o") as tmp:
            if fmt == "csv":
                _csv(table, tmp)
            else:
                _parquet(table, tmp, prov)
        written.append(path)
    path = folder / "provenance.json"
    with replacing(path, "-o") as tmp:
        tmp.write_text(json.dumps(prov, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    written.append(path)
    return written
