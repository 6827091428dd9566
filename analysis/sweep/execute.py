"""``run_sweep``: a sweep from its specification to a complete results store.

Order of work: check the engine's options, count the runs (without making them)
and check that the sweep fits this machine (the coordinator's memory, the store's
disk space, the memory of the runs in flight: ``check_size``), resolve the base
scenario, expand the design and validate every point's parameters (nothing is
written before all of this passes), then create the store (or, with ``resume``,
check it read-only, then open it and check it holds the same sweep), and run what
is still pending, storing runs as they finish (committed together, at most
``store.BATCH_SECONDS`` after they finish, also while every worker is busy). Runs
are dispatched replicate by replicate (replicate 0 of every point, then replicate
1, ...), so an interrupted sweep holds balanced partial results. The progress bar
counts runs committed to the store.

On Ctrl-C (KeyboardInterrupt, and SIGTERM from the command line) every finished
run is committed, the session is marked interrupted, the store is closed cleanly
and the interrupt propagates; the runs in flight are lost and ``resume=True``
runs them later. A kill of this process (``kill -9``) also loses the runs
finished in the last ``BATCH_SECONDS`` (they stay pending). If the store cannot
be written while the sweep runs (another process holds its lock for long, the
disk is full), the sweep stops with ``SweepAborted``; what was committed stays,
and ``resume=True`` continues.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import signal
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

from .. import memory
from ..provenance import provenance
from .base import Base, check_points, resolve_base
from .design import RunSpec, SweepSpec, count_points, count_runs, expand, largest_values
from .engines import DaskEngine, Engine, SerialEngine, SweepAborted, cap_workers, make_engine
from .progress import SweepProgress
from .store import StoreError, SweepStore, connect, read_meta
from .worker import RunContext
from ...sim.errors import InputError
from ...sim.metrics import DAILY_NAMES, SUMMARY_NAMES
from ...sim.parameters import ParameterError

#: Memory the coordinating process holds per planned run and per design point (measured with
#: tracemalloc: about 260 bytes per run for the run list, its dispatch order and the pending set;
#: doubled for the store's insertion and Python's overheads).
COORDINATOR_BYTES_PER_RUN = 600
COORDINATOR_BYTES_PER_POINT = 2048
#: Store bytes per run (its row and index) and per run-day of daily counters, per stored number.
STORE_BYTES_PER_RUN = 150
STORE_BYTES_PER_NUMBER = 10

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


def dispatch_order(runs: list[RunSpec]) -> list[RunSpec]:
    """Replicate by replicate: replicate 0 at every point, then replicate 1, ... (partial stores are balanced)."""
    return sorted(runs, key=lambda r: (r.replicate, r.point_id))


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
    if (tuple(meta["summary_names"]), tuple(meta["counter_names"])) != (SUMMARY_NAMES, DAILY_NAMES):
        raise StoreError(f"{path}: was written by a model with other metrics than this docsec's; "
                         "choose another --out")
    now = provenance()
    return [f"note: this store was begun with {k} {meta.get(k)}; resuming with {now[k]}"
            for k in _CODE_KEYS if meta.get(k) != now[k]]


def _precheck(path: Path, spec: SweepSpec, base: Base, resume: bool) -> int | None:
    """Refuse an unusable store before any worker starts (the check is repeated under the store's lock).

    The store is only read here (a read-only connection: a refused store is never changed).
    Returns the number of runs it still misses, or None when there is no store yet.
    """
    if not path.exists():
        return None
    if not resume:
        raise StoreError(f"{path}: already exists; add --resume to continue that sweep, or choose another --out")
    conn = connect(path)
    try:
        _check_same_sweep(path, read_meta(conn), spec, base)
        return conn.execute("SELECT COUNT(*) FROM runs WHERE status = 'pending'").fetchone()[0]
    except sqlite3.Error as err:
        raise StoreError(f"{path}: cannot be read ({err})") from None
    finally:
        conn.close()


def _free_disk(path: Path) -> int | None:
    folder = path.resolve().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def check_size(spec: SweepSpec, store_path: Path, *, force: bool = False) -> int:
    """Refuse a sweep too large for this machine, before anything is made; return its number of runs.

    The coordinating process holds a few hundred bytes per planned run (always checked: beyond
    it the sweep could not even start), and the store a row per run plus its daily rows (checked
    against the free disk space unless ``force``).
    """
    planned = count_runs(spec)
    points = count_points(spec)
    coordinator = planned * COORDINATOR_BYTES_PER_RUN + points * COORDINATOR_BYTES_PER_POINT
    available = memory.available_bytes()
    where = spec.source or spec.name
    if available is not None and coordinator > memory.USABLE_SHARE * available:
        raise InputError(f"{where}: {points:,} design points x {spec.replicates:,} replicates = {planned:,} runs; "
                         f"keeping track of them needs about {memory.size_text(coordinator)} of memory (an estimate), "
                         f"this machine has {memory.size_text(available)} available; reduce the design or the "
                         "replicates, or split the sweep into several sweep files")
    days = spec.days or 0
    if spec.keep_daily and not days:
        days = int(largest_values(spec, ["run.days"]).get("run.days", 0))
    per_run = STORE_BYTES_PER_RUN + STORE_BYTES_PER_NUMBER * len(SUMMARY_NAMES)
    if spec.keep_daily:
        per_run += max(days, 1) * STORE_BYTES_PER_NUMBER * (2 + len(DAILY_NAMES))
    disk = planned * per_run
    free = _free_disk(store_path)
    if not force and free is not None and disk > free:
        raise InputError(f"{where}: {planned:,} runs would make a results store of about {memory.size_text(disk)} "
                         f"(an estimate), more than the {memory.size_text(free)} free where {store_path} goes; "
                         "reduce the design or the replicates, keep no daily series, choose another --out, "
                         "or add --force")
    return planned


def _check_run_memory(spec: SweepSpec, base: Base, engine: Engine, force: bool) -> None:
    """Refuse runs whose estimated memory, times the runs in flight at once, exceeds this machine's free memory.

    The estimate takes the largest organisation and run length any design point asks for.
    A cluster's workers (``--dask ADDRESS``) run elsewhere and are not checked here.
    """
    if force or (isinstance(engine, DaskEngine) and engine.address != "local"):
        return
    paths = ("population.offices", "population.deputies_per_office", "population.workers_per_office", "run.days",
             "documents.directives_per_office_per_day", "documents.circulars_per_office_per_day")
    try:
        largest = base.params.with_overrides(largest_values(spec, paths))
    except ParameterError:  # an impossible combination is reported point by point by check_points
        return
    concurrent = 1 if isinstance(engine, SerialEngine) else engine.workers or 1
    processes = 0 if isinstance(engine, SerialEngine) else concurrent
    memory.check_fits(largest, concurrent=concurrent, worker_processes=processes,
                      option=f"{spec.source or spec.name}: design",
                      how=", use fewer --workers, or add --force")


def _open_store(path: Path, spec: SweepSpec, base: Base, runs, points, resume: bool) -> tuple[SweepStore, list[str]]:
    """A new store for the sweep, or (``resume``) the existing one, checked to hold the same sweep.

    A new store's runs are laid out in the order they are dispatched (``runs`` comes in that order), so
    that runs finishing about together sit side by side and a batch of them rewrites few pages.
    """
    if resume and path.exists():
        store = SweepStore.open(path)
        try:
            return store, _check_same_sweep(path, store.meta, spec, base)
        except BaseException:
            store.close()
            raise
    columns = list(dict.fromkeys(p for _, values, _ in points for p in values))
    store = SweepStore.create(path, meta=_meta(spec, base, columns, len(runs)), points=points, runs=runs,
                              summary_names=SUMMARY_NAMES, counter_names=DAILY_NAMES)
    return store, []


def run_sweep(spec: SweepSpec, store_path: str | Path, *, engine: str = "process", workers: int | None = None,
              dask_address: str | None = None, resume: bool = False, progress: bool = True,
              runner: Callable[..., Any] | None = None,
              log: Callable[[str], None] | None = None, force: bool = False) -> SweepReport:
    """Run every run of ``spec`` not yet in the store at ``store_path``; return what was done.

    ``engine`` is "process" (local worker processes; ``workers`` defaults to one per
    core), "serial" or "dask" (``dask_address`` a scheduler address, or "local"/None
    for a LocalCluster of ``workers`` processes). Without ``resume`` the store must
    not exist; with it, an existing store must hold the same sweep and only its
    missing runs are run. ``runner`` replaces ``sim.run.run_simulation`` (same
    signature; it must be importable by name for process and Dask engines).
    ``log`` receives notes (e.g. code changes since the store was begun, workers capped).
    A sweep too large for this machine is refused before anything runs (``check_size``, and
    the estimated memory of its runs: ``analysis.memory``); ``force`` skips the estimates
    that may be pessimistic (the runs' memory, the store's disk space).
    """
    start = perf_counter()
    notes: list[str] = []

    def note(line: str) -> None:
        notes.append(line)
        if log:
            log(line)

    chosen = make_engine(engine, workers, dask_address)
    store_path = Path(store_path)
    planned = check_size(spec, store_path, force=force)
    base = resolve_base(spec)
    runs = expand(spec)
    points = check_points(spec, base, runs)
    to_do = _precheck(store_path, spec, base, resume)
    capped = cap_workers(chosen, planned if to_do is None else to_do, workers)
    if capped:
        note(capped)
    _check_run_memory(spec, base, chosen, force)
    context = RunContext(base.params, base.timeline, spec.keep_daily, runner, base.office_profiles)
    order = dispatch_order(runs)
    committing = _CommitWhileWaiting()
    with chosen:
        # Workers first: forked workers must not inherit the open store.
        chosen.start(context)
        if resume and store_path.exists():
            store, store_notes = _open_store(store_path, spec, base, order, points, resume)
            try:
                pending = store.pending_run_ids()
                todo = [r for r in order if r.run_id in pending]
                results = chosen.outcomes(todo, while_waiting=committing)
            except BaseException:
                store.close()
                raise
        else:  # every run is to do: the workers start on them while the store is made
            todo = order
            results = chosen.outcomes(todo, while_waiting=committing)
            store, store_notes = _open_store(store_path, spec, base, order, points, resume)
        try:
            for line in store_notes:
                note(line)
            session = store.begin_session(chosen.name, chosen.workers, provenance(), chosen.details())
        except BaseException:
            store.close()
            raise
        outcome = "aborted"
        remaining = len(todo)
        try:
            with SweepProgress(spec.name, len(runs), len(runs) - len(todo), progress) as bar:
                committing.store, committing.bar = store, bar
                for result in results:
                    _record(store, result, session)
                    bar.show(store.stored["done"], store.stored["failed"])
                _stored(store, store.commit)
                bar.show(store.stored["done"], store.stored["failed"])
            outcome = "completed"
        except KeyboardInterrupt:
            outcome = "interrupted"
            raise
        except Exception as err:
            outcome = f"aborted: {type(err).__name__}: {err}"
            raise
        finally:
            committing.store = committing.bar = None
            try:  # every run recorded is committed with the session's end (a second Ctrl-C waits for it)
                with _signals_held():
                    store.end_session(session, outcome, chosen.details())
                remaining = len(store.pending_run_ids())
            except Exception:  # the store cannot be written now; the session shows as killed next time
                pass
            finally:
                store.close(commit=False)  # nothing is left to commit, or the store could not take it
    return SweepReport(store=store_path, engine=chosen.describe(), workers=chosen.workers, planned=len(runs),
                       already_finished=len(runs) - len(todo), done=store.stored["done"],
                       failed=store.stored["failed"], pending=remaining, seconds=perf_counter() - start,
                       notes=tuple(notes))


@contextlib.contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM wait until the block is done (in the main thread, where Python handles them)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


class _CommitWhileWaiting:
    """The engines' chore while they wait for runs: commit the store's finished runs when they are due."""

    def __init__(self) -> None:
        self.store: SweepStore | None = None
        self.bar: SweepProgress | None = None

    def due_in(self) -> float | None:
        return None if self.store is None else self.store.commit_due_in()

    def __call__(self) -> None:
        store = self.store
        if store is None:
            return
        _stored(store, store.commit)
        if self.bar is not None:
            self.bar.show(store.stored["done"], store.stored["failed"])


def _record(store: SweepStore, result, session: int) -> str:
    """Record one outcome (its batch is committed when due); a store that cannot be written stops the sweep
    (``SweepAborted``), never half-stored."""
    return _stored(store, lambda: store.record(result, session), result.run_id)


def _stored(store: SweepStore, write: Callable[[], Any], run_id: str | None = None) -> Any:
    """``write()``; a store that cannot be written stops the sweep (``SweepAborted``) naming the runs not stored."""
    try:
        return write()
    except sqlite3.Error as err:
        reason = str(err) + (": another process holds the store locked" if "locked" in str(err) else "")
        waiting = store.uncommitted_run_ids()
        first = waiting[0] if waiting else run_id
        others = len(waiting) - 1 if waiting else 0
        runs = f"run {first}" + (f" and {others} other finished run{'s' * (others != 1)}" if others else "")
        raise SweepAborted(f"cannot store {runs} in {store.path} ({reason})") from None
