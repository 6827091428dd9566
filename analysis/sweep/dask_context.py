"""The sweep's run context on Dask workers, and the task that runs one run there.

Imported only when a sweep runs on Dask (it needs ``distributed``). The context reaches the
workers as a worker plugin: the scheduler keeps it and hands it to every worker that joins,
including one a nanny restarts after a run killed it, so the context is never lost with a
worker (scattered data would be).
"""

from __future__ import annotations

from distributed import WorkerPlugin, get_worker

from .design import RunSpec
from .worker import RunContext, RunOutcome, perform_run

#: Name under which the sweep's run context is registered on every Dask worker.
CONTEXT_PLUGIN = "docsec-run-context"


class RunContextPlugin(WorkerPlugin):
    """A Dask worker plugin holding the sweep's run context (base parameters, timeline, outputs kept)."""

    name = CONTEXT_PLUGIN

    def __init__(self, context: RunContext):
        self.context = context


def run_on_dask_worker(run: RunSpec) -> tuple[RunOutcome, str]:
    """Dask task: one run with the context of this worker's plugin; returns its outcome and the worker's address."""
    worker = get_worker()
    return perform_run(worker.plugins[CONTEXT_PLUGIN].context, run), worker.address
