"""One run of a sweep, as any engine executes it (in this process, a worker process or a Dask worker).

``perform_run`` applies a run's overrides to the base parameters, calls the model
(``sim.run.run_simulation`` unless the context names another runner with the same
signature) and returns a ``RunOutcome``: the summary metrics and, if kept, the
daily series as plain Python rows. A run that raises becomes a failed outcome
carrying its error; it never stops the sweep.

``init_process_worker`` / ``run_in_process_worker`` are the entry points of the
local process pool: the context reaches each worker once, at start-up, and the
worker ignores Ctrl-C (the coordinating process handles it) and exits by itself
if the coordinating process dies.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .design import RunSpec
from ...sim.interventions import Intervention
from ...sim.parameters import Parameters
from ...sim.profiles import OfficeProfile


@dataclass(frozen=True)
class RunContext:
    """What every run of a sweep shares: base parameters, timeline, outputs kept, the model runner."""

    params: Parameters
    timeline: tuple[Intervention, ...] = ()
    keep_daily: bool = False
    #: ``run_simulation``-compatible callable; None means ``sim.run.run_simulation``.
    runner: Callable[..., Any] | None = None
    #: per-office parameters of the base scenario (passed to the runner only when there are some).
    office_profiles: tuple[OfficeProfile, ...] = ()


@dataclass(frozen=True)
class RunOutcome:
    """The result of one run: ``status`` is "done" or "failed"."""

    run_id: str
    status: str
    duration_s: float
    summary: dict[str, float] | None = None
    daily_columns: tuple[str, ...] | None = None
    daily_rows: list[list[Any]] | None = None
    error: str | None = None
    traceback: str | None = None


def _native(value: Any) -> Any:
    """numpy scalars as Python numbers (what SQLite and pickle handle best)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _error_line(err: BaseException) -> str:
    where = traceback.extract_tb(err.__traceback__)
    at = f" (at {os.path.basename(where[-1].filename)}:{where[-1].lineno} in {where[-1].name})" if where else ""
    message = " ".join(str(err).split())
    return f"{type(err).__name__}: {message}{at}"


def perform_run(context: RunContext, run: RunSpec) -> RunOutcome:
    """Run one simulation of the sweep; never raises for a model error (it is a failed outcome)."""
    runner = context.runner
    if runner is None:
        from ...sim.run import run_simulation as runner
    start = time.perf_counter()
    try:
        params = context.params.with_overrides(run.overrides)
        extra = {"office_profiles": context.office_profiles} if context.office_profiles else {}
        result = runner(params, run.seed, timeline=context.timeline, collect_daily=context.keep_daily, **extra)
        summary = {k: _native(v) for k, v in result.summary.items()}
        columns = rows = None
        if context.keep_daily:
            daily = result.daily
            if daily is None:
                raise ValueError("the run returned no daily series although the sweep keeps them")
            columns = tuple(str(c) for c in daily.columns)
            rows = daily.to_dict("split")["data"]
    except Exception as err:  # a failing run is recorded, and the sweep goes on
        return RunOutcome(run.run_id, "failed", time.perf_counter() - start,
                          error=_error_line(err), traceback=traceback.format_exc())
    return RunOutcome(run.run_id, "done", time.perf_counter() - start, summary=summary,
                      daily_columns=columns, daily_rows=rows)


# -- local process pool entry points -----------------------------------------------

_CONTEXT: RunContext | None = None


def _exit_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    multiprocessing.connection.wait([parent.sentinel])
    os._exit(1)


def init_process_worker(context: RunContext) -> None:
    """Process-pool initializer: keep the context, ignore Ctrl-C, die with the coordinator.

    Ctrl-C reaches the whole process group; the coordinator alone handles it. A forked
    worker also drops any SIGTERM handler it inherited, so that stopping it stops it.
    """
    global _CONTEXT
    _CONTEXT = context
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, name="docsec-parent-watch", daemon=True).start()
    if context.runner is None:
        import docsec.sim.run  # noqa: F401  (import the model once per worker, before the first run)


def run_in_process_worker(run: RunSpec) -> RunOutcome:
    """Process-pool task: one run with the context given at start-up."""
    assert _CONTEXT is not None, "init_process_worker was not called"
    return perform_run(_CONTEXT, run)


def worker_ready() -> int:
    """Process-pool task run once per worker at start-up: returns the worker's pid."""
    return os.getpid()
