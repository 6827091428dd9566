"""Execution engines: serial, local processes and Dask, behind one interface.

An engine is used as a context manager::

    with make_engine("process", workers=2) as engine:
        engine.start(context)                 # workers up, context shipped once
        for outcome in engine.outcomes(runs):  # one RunOutcome per run, as runs finish
            ...

Leaving the ``with`` block before ``outcomes`` is exhausted (Ctrl-C, an error)
abandons the runs not yet finished and stops the workers at once. Every engine
calls the same ``perform_run`` on the same inputs, so results are identical, bit
for bit, whichever engine ran them.

``outcomes(runs, while_waiting=chore)`` does a chore while the engine waits for
runs to finish: the sweep commits the store's batch of finished runs when it is
due (``chore.due_in()`` seconds from now; None when there is nothing to do),
so a finished run reaches the store even while every worker is busy with long
runs. The serial engine, which runs in the coordinating process, does it
before a run when the batch would fall due while that run runs (judged by the
run before it).

- ``SerialEngine``: runs one after another in this process.
- ``ProcessEngine``: a pool of local worker processes (default: one per core),
  each given the sweep's context once and reused for every run. On Linux, workers
  are forked from this process when it runs a single Python thread (they start
  with the model already imported, in milliseconds); otherwise (e.g. a Dask
  client or a notebook's threads are running, or another OS) they come from a
  fork server that imports the model once (or are spawned where there is none). Only one run per worker is queued beyond the one it is
  running, so an interruption loses at most those.
- ``DaskEngine``: a Dask distributed cluster, either a running scheduler
  (``address``) or a ``LocalCluster`` started here (``address="local"``). Workers
  need docsec installed at the same version.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Protocol

from .design import RunSpec
from .worker import (RunContext, RunOutcome, init_process_worker, perform_run, run_in_process_worker,
                     worker_ready)
from ...sim.errors import InputError

ENGINES: tuple[str, ...] = ("serial", "process", "dask")
START_METHODS: tuple[str, ...] = ("fork", "forkserver", "spawn")

#: Runs queued per worker beyond the one it is running.
QUEUE_PER_WORKER = 1


class SweepAborted(RuntimeError):
    """The engine could not go on (a worker process died, the cluster went away)."""


class Chore(Protocol):
    """Work for the coordinating process to do while an engine waits for runs (committing finished runs)."""

    def due_in(self) -> float | None:
        """Seconds until the chore is due (0 if overdue); None when there is nothing to do."""

    def __call__(self) -> None:
        """Do it now."""


class Engine:
    """Runs a sweep's runs; subclasses implement ``start``, ``outcomes`` and ``close``."""

    name = "engine"
    workers: int | None = None

    def start(self, context: RunContext) -> None:
        """Get ready to run: start workers and hand them the context."""
        self.context = context

    def outcomes(self, runs: Iterable[RunSpec], while_waiting: Chore | None = None) -> Iterator[RunOutcome]:
        """Yield one outcome per run, as runs finish (engines with workers submit the first runs at once);
        do ``while_waiting`` when it falls due while no run finishes."""
        raise NotImplementedError

    def close(self, abandon: bool = False) -> None:
        """Release the workers; with ``abandon``, without waiting for runs in flight."""

    def details(self) -> dict:
        """How the engine runs (recorded with each session of the store)."""
        return {}

    def describe(self) -> str:
        """A short phrase for messages, e.g. 'process engine, 2 workers'."""
        return f"{self.name} engine" + (f", {self.workers} worker{'s' * (self.workers != 1)}" if self.workers else "")

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(abandon=exc_type is not None)


class SerialEngine(Engine):
    """One run after another, in this process."""

    name = "serial"
    workers = 1

    def outcomes(self, runs: Iterable[RunSpec], while_waiting: Chore | None = None) -> Iterator[RunOutcome]:
        # How long the next run is likely to keep this process busy: the longest run so far (a design's runs
        # differ in length; the first of a longer kind can still keep runs waiting for as long as it takes).
        longest = 0.0
        for run in runs:
            if while_waiting is not None:
                due = while_waiting.due_in()
                if due is not None and due <= longest:
                    while_waiting()
            outcome = perform_run(self.context, run)
            longest = max(longest, outcome.duration_s)
            yield outcome


def default_start_method() -> str:
    """'fork' on Linux when this process runs one Python thread (safe, and no start-up imports);
    else 'forkserver' where there is one, else 'spawn'."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class ProcessEngine(Engine):
    """A pool of reusable local worker processes; a run whose worker dies is retried alone, then failed."""

    name = "process"

    def __init__(self, workers: int | None = None, start_method: str | None = None):
        self.workers = workers or os.cpu_count() or 1
        if start_method is not None and start_method not in START_METHODS:
            raise InputError(f"start_method: must be one of {', '.join(START_METHODS)} (got {start_method!r})")
        self.start_method = start_method
        self.pool: ProcessPoolExecutor | None = None
        self.worker_deaths = 0
        self.pool_starts = 0

    def details(self) -> dict:
        return {"start_method": self.start_method, "worker_deaths": self.worker_deaths,
                "pool_starts": self.pool_starts}

    def start(self, context: RunContext) -> None:
        super().start(context)
        self._start_pool()

    def _start_pool(self) -> None:
        """A fresh pool of ``workers`` processes, each ready (context loaded) before it returns."""
        method = self.start_method or default_start_method()
        mp = multiprocessing.get_context(method)
        if method == "forkserver":
            # The fork server imports these once; every worker forked from it starts with them loaded.
            mp.set_forkserver_preload(["docsec.analysis.sweep.worker"]
                                      + (["docsec.sim.run"] if self.context.runner is None else []))
        self.start_method = method
        pool = ProcessPoolExecutor(self.workers, mp_context=mp, initializer=init_process_worker,
                                   initargs=(self.context,))
        self.pool = pool
        self.pool_starts += 1
        # Launch every worker now (before this process starts any thread of its own) and wait until ready.
        try:
            ready = [pool.submit(worker_ready) for _ in range(self.workers)]
            for future in ready:
                future.result()
        except BrokenProcessPool:
            self.close(abandon=True)
            raise SweepAborted("the worker processes died while starting (out of memory, or killed)") from None

    def outcomes(self, runs: Iterable[RunSpec], while_waiting: Chore | None = None) -> Iterator[RunOutcome]:
        """Submit the first runs now (workers get busy at once); yield outcomes as they finish."""
        assert self.pool is not None, "start() first"
        pool_runs = _PoolRuns(self, iter(runs), while_waiting)
        pool_runs.submit_first()
        return pool_runs.outcomes()

    def restart(self) -> None:
        """Replace a pool broken by a dead worker (its other workers are stopped first)."""
        self.close(abandon=True)
        self._start_pool()

    def close(self, abandon: bool = False) -> None:
        """Stop the workers now: idle ones once the runs are done, or (``abandon``) in mid-run."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        # ProcessPoolExecutor has no public way to stop workers in mid-run before Python 3.14;
        # for idle workers this is also quicker than a graceful shutdown, and as safe.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            if p.is_alive():
                p.terminate()
        for p in processes:
            p.join(timeout=10)


#: After the worker running it died, a run is tried again alone this many times; if its worker dies
#: each time, it is recorded as failed ("its worker died") and the sweep goes on.
WORKER_DEATH_RETRIES = 2
#: Worker deaths one session accepts before it stops ("stopped: ...; continue with --resume"): beyond
#: them, workers are more likely being killed from outside (the OS short of memory) than by a few runs.
MAX_WORKER_DEATHS = 10


def worker_died_error(tries: int) -> str:
    """The error recorded for a run whose worker died every time it ran it."""
    return (f"WorkerDied: its worker died {tries} time{'s' * (tries != 1)} running it (killed, or out of memory); "
            "the run was given up")


class _PoolRuns:
    """Runs on a ``ProcessEngine``'s pool, telling which run killed a worker.

    While every worker runs (and one more is queued each), a dead worker breaks the whole pool and
    its runs cannot tell which of them was running on it. The runs in flight then become suspects:
    a fresh pool runs them one at a time, so a worker that dies now died of that run. A suspect
    whose worker dies ``WORKER_DEATH_RETRIES`` times alone is recorded as failed; the others finish
    normally, and the pool goes back to full use.
    """

    def __init__(self, engine: ProcessEngine, todo: Iterator[RunSpec], while_waiting: Chore | None = None):
        self.engine = engine
        self.todo = todo
        self.while_waiting = while_waiting
        self.in_flight: dict = {}
        self.suspects: deque[RunSpec] = deque()
        self.deaths_alone: dict[str, int] = {}
        self.broke_at_once = False

    def _submit(self, run: RunSpec) -> None:
        try:
            future = self.engine.pool.submit(run_in_process_worker, run)
        except BrokenProcessPool:
            self.suspects.appendleft(run)  # never started: run it first on the fresh pool
            raise
        self.in_flight[future] = run

    def _fill(self) -> None:
        if self.suspects:
            if not self.in_flight:
                self._submit(self.suspects.popleft())
            return
        limit = self.engine.workers * (1 + QUEUE_PER_WORKER)
        for run in islice(self.todo, max(0, limit - len(self.in_flight))):
            self._submit(run)

    def submit_first(self) -> None:
        """Hand out the first runs now, so that workers are busy before the outcomes are asked for."""
        try:
            self._fill()
        except BrokenProcessPool:  # a worker died before the first runs were handed out
            self.broke_at_once = True

    def outcomes(self) -> Iterator[RunOutcome]:
        if self.broke_at_once:
            yield from self._after_break([])
        while self.in_flight:
            due = self.while_waiting.due_in() if self.while_waiting is not None else None
            done, _ = wait(self.in_flight, timeout=due, return_when=FIRST_COMPLETED)
            if not done:  # nothing finished before the chore fell due
                self.while_waiting()
                continue
            finished, lost = self._settle(done)
            yield from finished
            if lost:
                yield from self._after_break(lost)
            try:
                self._fill()
            except BrokenProcessPool:
                yield from self._after_break([])

    def _settle(self, futures) -> tuple[list[RunOutcome], list[RunSpec]]:
        finished, lost = [], []
        for future in futures:
            run = self.in_flight.pop(future)
            try:
                finished.append(future.result())
            except BrokenProcessPool:
                lost.append(run)
        return finished, lost

    def _after_break(self, lost: list[RunSpec]) -> Iterator[RunOutcome]:
        """A worker died: collect what the pool still finished, restart it, and deal with the lost runs."""
        engine = self.engine
        alone = not self.in_flight and len(lost) == 1 and lost[0].run_id in self.deaths_alone
        if self.in_flight:  # the broken pool fails every other future at once
            wait(self.in_flight)
            finished, more = self._settle(list(self.in_flight))
            yield from finished
            lost += more
        engine.worker_deaths += 1
        if engine.worker_deaths > MAX_WORKER_DEATHS:
            raise SweepAborted(f"worker processes died {engine.worker_deaths} times in this session (killed, or "
                               "out of memory?); the runs they had were not stored")
        if self.while_waiting is not None and self.while_waiting.due_in() is not None:
            self.while_waiting()  # the runs finished so far are committed before the pool restarts
        engine.restart()
        for run in lost:
            if alone:
                self.deaths_alone[run.run_id] += 1
                if self.deaths_alone[run.run_id] >= WORKER_DEATH_RETRIES:
                    yield RunOutcome(run.run_id, "failed", 0.0, error=worker_died_error(WORKER_DEATH_RETRIES + 1))
                    continue
            else:
                self.deaths_alone.setdefault(run.run_id, 0)
            self.suspects.append(run)


def _worker_versions() -> tuple[str, str]:
    """Run on each Dask worker: the docsec and Mesa versions it would run."""
    from importlib import metadata

    from ... import sim

    return sim.__version__, metadata.version("mesa")


#: Seconds to wait for a Dask scheduler to answer.
CONNECT_SECONDS = 20


def _probe_scheduler(address: str, seconds: float = CONNECT_SECONDS, security=None) -> None:
    """Check that a Dask scheduler answers at ``address`` (Dask's own client waits forever on a
    server that accepts the connection but speaks another protocol)."""
    import asyncio

    from distributed.comm import connect

    async def identity():
        args = security.get_connection_args("client") if security is not None else {}
        comm = await asyncio.wait_for(connect(address, timeout=seconds, **args), seconds)
        try:
            await asyncio.wait_for(comm.write({"op": "identity"}), seconds)
            return await asyncio.wait_for(comm.read(), seconds)
        finally:
            comm.abort()

    try:
        reply = asyncio.run(identity())
    except (OSError, TimeoutError, ValueError) as err:
        reason = str(err) or f"no answer within {seconds:g} s"
        raise InputError(f"--dask {address}: cannot reach a Dask scheduler there ({reason})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise InputError(f"--dask {address}: the server there is not a Dask scheduler")


class DaskEngine(Engine):
    """Runs on a Dask distributed cluster: a scheduler's address, or "local" for a LocalCluster."""

    name = "dask"

    def __init__(self, address: str = "local", workers: int | None = None):
        self.address = address
        self.workers = workers or ((os.cpu_count() or 1) if address == "local" else None)
        self.client = self.cluster = None
        self._pending: set = set()
        self.worker_threads: dict[str, int] = {}
        self.runs_by_worker: dict[str, int] = {}

    def details(self) -> dict:
        return {"address": self.address,
                "scheduler": self.client.scheduler.address if self.client is not None else None,
                "workers_at_start": dict(self.worker_threads), "runs_by_worker": dict(self.runs_by_worker)}

    def describe(self) -> str:
        where = "on a local cluster" if self.address == "local" else f"at {self.address}"
        return f"dask engine {where}" + (f", {self.workers} worker{'s' * (self.workers != 1)}" if self.workers else "")

    def start(self, context: RunContext) -> None:
        import dask
        from distributed import Client, LocalCluster
        from distributed.security import Security

        super().start(context)
        if self.address == "local":
            # The scheduler gives up a run (KilledWorker) once it has killed 1 + WORKER_DEATH_RETRIES workers.
            # A worker holds only the run it is running (worker-saturation 1.0: one run per thread), so a
            # worker's death counts against that run alone, never against a run waiting beside it.
            with dask.config.set({"distributed.scheduler.allowed-failures": WORKER_DEATH_RETRIES,
                                  "distributed.scheduler.worker-saturation": 1.0}):
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.ERROR,
                                            host="127.0.0.1")
            self.client = Client(self.cluster)
        else:
            security = Security()  # TLS settings from Dask's configuration (distributed.comm.tls.*)
            if not self.address.startswith("inproc://"):
                _probe_scheduler(self.address, security=security)
            try:
                self.client = Client(self.address, timeout=f"{CONNECT_SECONDS}s", security=security)
            except (OSError, TimeoutError, ValueError) as err:
                raise InputError(f"--dask {self.address}: cannot reach a Dask scheduler there ({err})") from None
        from .dask_context import CONTEXT_PLUGIN, RunContextPlugin

        self._check_workers()
        self.client.register_plugin(RunContextPlugin(context), name=CONTEXT_PLUGIN)

    def _check_workers(self) -> None:
        client = self.client
        client.wait_for_workers(1, timeout=60)
        here = _worker_versions()
        try:
            versions = client.run(_worker_versions)
        except Exception as err:  # Dask re-raises a worker's ImportError as a plain Exception
            raise InputError(f"--dask {self.address}: docsec is not importable on the Dask workers "
                             f"({' '.join(str(err).split())}); install it there") from None
        for worker, theirs in versions.items():
            if tuple(theirs) != here:
                raise InputError(f"--dask {self.address}: worker {worker} runs docsec {theirs[0]} with Mesa "
                                 f"{theirs[1]}, this process docsec {here[0]} with Mesa {here[1]}; "
                                 "results would not be comparable")
        self.worker_threads = {str(w): int(n) for w, n in client.nthreads().items()}
        if self.address != "local":
            self.workers = sum(self.worker_threads.values())

    def outcomes(self, runs: Iterable[RunSpec], while_waiting: Chore | None = None) -> Iterator[RunOutcome]:
        """Submit the first runs now (workers get busy at once); yield outcomes as they finish."""
        from distributed import as_completed

        from .dask_context import run_on_dask_worker

        todo = iter(runs)
        by_future: dict = {}
        futures = as_completed()

        def submit(batch: Iterable[RunSpec]) -> None:
            for run in batch:
                future = self.client.submit(run_on_dask_worker, run, pure=False)
                by_future[future] = run
                futures.add(future)
                self._pending.add(future)

        submit(islice(todo, (self.workers or 1) * (1 + QUEUE_PER_WORKER)))
        return self._collect(todo, by_future, futures, submit, while_waiting)

    def _collect(self, todo, by_future, futures, submit, while_waiting) -> Iterator[RunOutcome]:
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        while True:
            if while_waiting is not None:
                _wait_ready(futures, while_waiting)
            try:
                future = next(futures)
            except StopIteration:
                return
            run = by_future.pop(future)
            self._pending.discard(future)
            try:
                outcome, worker = future.result()
                self.runs_by_worker[worker] = self.runs_by_worker.get(worker, 0) + 1
            except KilledWorker:  # the run kept killing the workers that ran it
                outcome = RunOutcome(run.run_id, "failed", 0.0, error=worker_died_error(WORKER_DEATH_RETRIES + 1)
                                     if self.address == "local" else worker_died_error_on_cluster())
            except FutureCancelledError as err:
                raise SweepAborted(f"the Dask cluster cancelled run {run.run_id} ({' '.join(str(err).split())})") \
                    from None
            except Exception as err:  # the cluster itself failed (e.g. the scheduler cannot import docsec)
                first = (str(err).strip().splitlines() or [""])[0]
                raise SweepAborted(f"the Dask cluster could not run {run.run_id}: {type(err).__name__}: {first}; "
                                   "the scheduler and every worker need docsec installed") from None
            submit(islice(todo, 1))
            yield outcome

    def close(self, abandon: bool = False) -> None:
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        if client is not None:
            if self._pending:
                client.cancel(list(self._pending))
                self._pending.clear()
            if self.address != "local":
                from .dask_context import CONTEXT_PLUGIN

                try:
                    client.unregister_worker_plugin(CONTEXT_PLUGIN)
                except Exception:  # the cluster may be gone already; its workers drop the plugin when they close
                    pass
            client.close()
        if cluster is not None:
            cluster.close()


def _wait_ready(futures, while_waiting: Chore) -> None:
    """Until a Dask run has finished (or none is left), do the chore each time it falls due."""
    condition = getattr(futures, "thread_condition", None)  # notified as runs finish
    while not futures.has_ready() and not futures.is_empty():
        due = while_waiting.due_in()
        if due is None:
            return
        if due <= 0:
            while_waiting()
            continue
        if condition is not None:
            with condition:
                condition.wait(timeout=due)
        else:
            time.sleep(min(due, 0.01))


def worker_died_error_on_cluster() -> str:
    """The error recorded for a run the Dask scheduler gave up after it killed its workers."""
    return ("WorkerDied: its worker died each time it ran it (killed, or out of memory), as often as the "
            "scheduler's distributed.scheduler.allowed-failures allows; the run was given up")


#: Local worker processes allowed per core: the model is pure Python, so more only adds memory and start-up.
MAX_WORKERS_PER_CORE = 4


def cap_workers(engine: Engine, runs_to_do: int, requested: int | None) -> str | None:
    """Size a local engine's workers to the runs to do and the cores; return a note when a request was cut.

    Only local pools are sized (the process engine, ``--dask local``); a cluster has its own workers.
    """
    if isinstance(engine, SerialEngine) or (isinstance(engine, DaskEngine) and engine.address != "local"):
        return None
    cores = os.cpu_count() or 1
    limit = max(1, min(runs_to_do, MAX_WORKERS_PER_CORE * cores))
    if engine.workers is None or engine.workers <= limit:
        return None
    asked = engine.workers
    engine.workers = limit
    if requested is None:
        return None  # the default (one per core) cut to the runs to do: nothing to tell
    why = (f"only {runs_to_do} run{'s' * (runs_to_do != 1)} to do" if runs_to_do <= MAX_WORKERS_PER_CORE * cores
           else f"at most {MAX_WORKERS_PER_CORE} per core on this machine's {cores} core{'s' * (cores != 1)}")
    return f"note: --workers {asked} capped at {limit} ({why})"


def make_engine(engine: str = "process", workers: int | None = None, dask_address: str | None = None) -> Engine:
    """The engine named, checked against its options (one-line InputError on a bad combination)."""
    if engine not in ENGINES:
        raise InputError(f"engine: must be one of {', '.join(ENGINES)} (got {engine!r})")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InputError(f"--workers: must be a whole number of at least 1 (got {workers!r})")
    if engine != "dask" and dask_address is not None:
        raise InputError(f"--dask: a Dask address only applies to the dask engine (engine is {engine})")
    if engine == "serial":
        if workers not in (None, 1):
            raise InputError("--workers: the serial engine runs one run at a time; drop --workers or --serial")
        return SerialEngine()
    if engine == "process":
        return ProcessEngine(workers)
    address = dask_address or "local"
    if address != "local" and workers is not None:
        raise InputError(f"--workers: the Dask cluster at {address} has its own workers; "
                         "--workers only sizes --dask local")
    return DaskEngine(address, workers)
