"""``run_sweep``: a sweep from its specification to a complete results store.

Order of work: check the engine's options, resolve the base scenario, expand the
design and validate every point's parameters (nothing is written before all of
this passes), then create the store (or, with ``resume``, open it and check it
holds the same sweep), and run what is still pending, storing each run the
moment it finishes. Runs are dispatched replicate by replicate (replicate 0 of
every point, then replicate 1, ...), so an interrupted sweep holds balanced
partial results.

On Ctrl-C (KeyboardInterrupt) the session is marked interrupted, the store is
closed cleanly and the interrupt propagates; the runs in flight are lost and
``resume=True`` runs them later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

from ..provenance import provenance
from .base import Base, check_points, resolve_base
from .design import SweepSpec, expand
from .engines import make_engine
from .progress import SweepProgress
from .store import StoreError, SweepStore, connect, read_meta
from .worker import RunContext
from ...sim.metrics import COUNTER_NAMES, SUMMARY_NAMES

#: Provenance keys that, if they differ on resumption, are reported (the results may mix code versions).
_CODE_KEYS = ("docsec_version", "git_revision", "mesa_version")


@dataclass(frozen=True)
class SweepReport:
    """What one call of ``run_sweep`` did."""

    store: Path
    engine: str
    workers: int | None
    planned: int          # runs in the whole sweep
    already_finished: int  # finished before this call (resumption)
    done: int             # finished successfully in this call
    failed: int           # recorded as failed in this call
    pending: int          # still missing after this call
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Every planned run has finished (done or failed)."""
        return self.pending == 0


def _timeline_json(base: Base) -> list[dict[str, Any]]:
    return [{"day": iv.day, "set": dict(iv.set), "note": iv.note} for iv in base.timeline]


def base_hash(base: Base) -> str:
    """SHA-256 of the base parameters and timeline (what a resumed sweep must still run from)."""
    profiles = {"offices": [{"number": p.office, "set": dict(p.set)} for p in base.office_profiles]} \
        if base.office_profiles else {}
    blob = json.dumps({"parameters": base.params.flat(), "timeline": _timeline_json(base), **profiles},
                      sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _meta(spec: SweepSpec, base: Base, columns: list[str], planned: int) -> dict[str, Any]:
    return {
        "sweep_name": spec.name, "sweep_description": spec.description, "sweep_file": spec.source,
        "sweep_file_hash": spec.source_hash, "sweep_source": spec.source_text,
        "design_hash": spec.design_hash(), "design": spec.identity(),
        "varied_parameters": list(spec.varied_paths), "parameter_columns": columns,
        "base_scenario": base.name, "base_scenario_file": base.source,
        "base_scenario_hash": base.source_hash, "base_hash": base_hash(base),
        "base_parameters": base.params.flat(), "base_timeline": _timeline_json(base),
        "replicates": spec.replicates, "base_seed": spec.base_seed, "keep_daily": spec.keep_daily,
        "runs_planned": planned, **provenance(),
    }


def _check_same_sweep(path: Path, meta: dict[str, Any], spec: SweepSpec, base: Base) -> list[str]:
    """Refuse a store made by another sweep; return notes on code changes since it was made."""
    here = spec.source or spec.name
    if meta["design_hash"] != spec.design_hash():
        raise StoreError(f"{path}: holds sweep '{meta['sweep_name']}' from {meta['sweep_file'] or 'code'} "
                         f"(design {meta['design_hash'][:12]}); {here} describes a different sweep "
                         f"(design {spec.design_hash()[:12]}): choose another --out")
    if meta["base_hash"] != base_hash(base):
        raise StoreError(f"{path}: base scenario '{meta['base_scenario']}' has changed since the sweep began "
                         f"(its parameters or timeline differ): choose another --out")
    if (tuple(meta["summary_names"]), tuple(meta["counter_names"])) != (SUMMARY_NAMES, COUNTER_NAMES):
        raise StoreError(f"{path}: was written by a model with other metrics than this docsec's; "
                         "choose another --out")
    now = provenance()
    return [f"note: this store was begun with {k} {meta.get(k)}; resuming with {now[k]}"
            for k in _CODE_KEYS if meta.get(k) != now[k]]


def _precheck(path: Path, spec: SweepSpec, base: Base, resume: bool) -> None:
    """Refuse an unusable store before any worker starts (the check is repeated under the store's lock)."""
    if not path.exists():
        return
    if not resume:
        raise StoreError(f"{path}: already exists; add --resume to continue that sweep, or choose another --out")
    conn = connect(path)
    try:
        _check_same_sweep(path, read_meta(conn), spec, base)
    finally:
        conn.close()


def _open_store(path: Path, spec: SweepSpec, base: Base, runs, points, resume: bool) -> tuple[SweepStore, list[str]]:
    """A new store for the sweep, or (``resume``) the existing one, checked to hold the same sweep."""
    if resume and path.exists():
        store = SweepStore.open(path)
        try:
            return store, _check_same_sweep(path, store.meta, spec, base)
        except BaseException:
            store.close()
            raise
    columns = list(dict.fromkeys(p for _, values, _ in points for p in values))
    store = SweepStore.create(path, meta=_meta(spec, base, columns, len(runs)), points=points, runs=runs,
                              summary_names=SUMMARY_NAMES, counter_names=COUNTER_NAMES)
    return store, []


def run_sweep(spec: SweepSpec, store_path: str | Path, *, engine: str = "process", workers: int | None = None,
              dask_address: str | None = None, resume: bool = False, progress: bool = True,
              runner: Callable[..., Any] | None = None,
              log: Callable[[str], None] | None = None) -> SweepReport:
    """Run every run of ``spec`` not yet in the store at ``store_path``; return what was done.

    ``engine`` is "process" (local worker processes; ``workers`` defaults to one per
    core), "serial" or "dask" (``dask_address`` a scheduler address, or "local"/None
    for a LocalCluster of ``workers`` processes). Without ``resume`` the store must
    not exist; with it, an existing store must hold the same sweep and only its
    missing runs are run. ``runner`` replaces ``sim.run.run_simulation`` (same
    signature; it must be importable by name for process and Dask engines).
    ``log`` receives notes (e.g. code changes since the store was begun).
    """
    start = perf_counter()
    chosen = make_engine(engine, workers, dask_address)
    base = resolve_base(spec)
    runs = expand(spec)
    points = check_points(spec, base, runs)
    store_path = Path(store_path)
    _precheck(store_path, spec, base, resume)
    context = RunContext(base.params, base.timeline, spec.keep_daily, runner, base.office_profiles)
    done = failed = 0
    order = sorted(runs, key=lambda r: (r.replicate, r.point_id))
    with chosen:
        # Workers first: forked workers must not inherit the open store.
        chosen.start(context)
        if resume and store_path.exists():
            store, notes = _open_store(store_path, spec, base, runs, points, resume)
            pending = store.pending_run_ids()
            todo = [r for r in order if r.run_id in pending]
            results = chosen.outcomes(todo)
        else:  # every run is to do: the workers start on them while the store is made
            todo = order
            results = chosen.outcomes(todo)
            store, notes = _open_store(store_path, spec, base, runs, points, resume)
        for note in notes:
            if log:
                log(note)
        session = store.begin_session(chosen.name, chosen.workers, provenance(), chosen.details())
        outcome = "aborted"
        try:
            with SweepProgress(spec.name, len(runs), len(runs) - len(todo), progress) as bar:
                for result in results:
                    status = store.record(result, session)
                    done += status == "done"
                    failed += status == "failed"
                    bar.update(status)
            outcome = "completed"
        except KeyboardInterrupt:
            outcome = "interrupted"
            raise
        except Exception as err:
            outcome = f"aborted: {type(err).__name__}: {err}"
            raise
        finally:
            store.end_session(session, outcome)
            remaining = len(store.pending_run_ids())
            store.close()
    return SweepReport(store=store_path, engine=chosen.describe(), workers=chosen.workers, planned=len(runs),
                       already_finished=len(runs) - len(todo), done=done, failed=failed, pending=remaining,
                       seconds=perf_counter() - start, notes=tuple(notes))
