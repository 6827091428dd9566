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
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from .design import RunSpec
from .worker import (RunContext, RunOutcome, init_process_worker, perform_run,
                                   run_in_process_worker, worker_ready)
from ...sim.errors import InputError

ENGINES: tuple[str, ...] = ("serial", "process", "dask")
START_METHODS: tuple[str, ...] = ("fork", "forkserver", "spawn")

#: Runs queued per worker beyond the one it is running.
QUEUE_PER_WORKER = 1


class SweepAborted(RuntimeError):
    """The engine could not go on (a worker process died, the cluster went away)."""


class Engine:
    """Runs a sweep's runs; subclasses implement ``start``, ``outcomes`` and ``close``."""

    name = "engine"
    workers: int | None = None

    def start(self, context: RunContext) -> None:
        """Get ready to run: start workers and hand them the context."""
        self.context = context

    def outcomes(self, runs: Iterable[RunSpec]) -> Iterator[RunOutcome]:
        """Yield one outcome per run, as runs finish (engines with workers submit the first runs at once)."""
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

    def outcomes(self, runs: Iterable[RunSpec]) -> Iterator[RunOutcome]:
        for run in runs:
            yield perform_run(self.context, run)


def default_start_method() -> str:
    """'fork' on Linux when this process runs one Python thread (safe, and no start-up imports);
    else 'forkserver' where there is one, else 'spawn'."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class ProcessEngine(Engine):
    """A pool of reusable local worker processes."""

    name = "process"

    def __init__(self, workers: int | None = None, start_method: str | None = None):
        self.workers = workers or os.cpu_count() or 1
        if start_method is not None and start_method not in START_METHODS:
            raise InputError(f"start_method: must be one of {', '.join(START_METHODS)} (got {start_method!r})")
        self.start_method = start_method
        self.pool: ProcessPoolExecutor | None = None

    def details(self) -> dict:
        return {"start_method": self.start_method}

    def start(self, context: RunContext) -> None:
        super().start(context)
        method = self.start_method or default_start_method()
        mp = multiprocessing.get_context(method)
        if method == "forkserver":
            # The fork server imports these once; every worker forked from it starts with them loaded.
            mp.set_forkserver_preload(["docsec.analysis.sweep.worker"] + (["docsec.sim.run"] if context.runner is None else []))
        self.start_method = method
        self.pool = ProcessPoolExecutor(self.workers, mp_context=mp, initializer=init_process_worker,
                                        initargs=(context,))
        # Launch every worker now (before this process starts any thread of its own) and wait until ready.
        ready = [self.pool.submit(worker_ready) for _ in range(self.workers)]
        for future in ready:
            future.result()

    def outcomes(self, runs: Iterable[RunSpec]) -> Iterator[RunOutcome]:
        """Submit the first runs now (workers get busy at once); yield outcomes as they finish."""
        assert self.pool is not None, "start() first"
        todo = iter(runs)
        limit = self.workers * (1 + QUEUE_PER_WORKER)
        in_flight = {self.pool.submit(run_in_process_worker, r) for r in islice(todo, limit)}
        return self._collect(self.pool, todo, in_flight)

    @staticmethod
    def _collect(pool: ProcessPoolExecutor, todo: Iterator[RunSpec], in_flight: set) -> Iterator[RunOutcome]:
        while in_flight:
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            in_flight |= {pool.submit(run_in_process_worker, r) for r in islice(todo, len(done))}
            for future in done:
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    raise SweepAborted("a worker process died unexpectedly (out of memory, or killed); "
                                       "the runs it had were not stored") from None
                yield outcome

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


def _worker_versions() -> tuple[str, str]:
    """Run on each Dask worker: the docsec and Mesa versions it would run."""
    from importlib import metadata

    from ... import sim

    return sim.__version__, metadata.version("mesa")


#: Seconds to wait for a Dask scheduler to answer.
CONNECT_SECONDS = 20


def _probe_scheduler(address: str, seconds: float = CONNECT_SECONDS) -> None:
    """Check that a Dask scheduler answers at ``address`` (Dask's own client waits forever on a
    server that accepts the connection but speaks another protocol)."""
    import asyncio

    from distributed.comm import connect

    async def identity():
        comm = await asyncio.wait_for(connect(address, timeout=seconds), seconds)
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
        self.client = self.cluster = self.shared = None
        self._pending: set = set()

    def details(self) -> dict:
        return {"address": self.address,
                "scheduler": self.client.scheduler.address if self.client is not None else None}

    def describe(self) -> str:
        where = "on a local cluster" if self.address == "local" else f"at {self.address}"
        return f"dask engine {where}" + (f", {self.workers} worker{'s' * (self.workers != 1)}" if self.workers else "")

    def start(self, context: RunContext) -> None:
        from distributed import Client, LocalCluster

        super().start(context)
        if self.address == "local":
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        else:
            if not self.address.startswith("inproc://"):
                _probe_scheduler(self.address)
            try:
                self.client = Client(self.address, timeout=f"{CONNECT_SECONDS}s")
            except (OSError, TimeoutError, ValueError) as err:
                raise InputError(f"--dask {self.address}: cannot reach a Dask scheduler there ({err})") from None
        self._check_workers()
        self.shared = self.client.scatter(context, broadcast=True, hash=False)

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
        if self.address != "local":
            self.workers = sum(client.nthreads().values())

    def outcomes(self, runs: Iterable[RunSpec]) -> Iterator[RunOutcome]:
        """Submit the first runs now (workers get busy at once); yield outcomes as they finish."""
        from distributed import as_completed

        todo = iter(runs)
        by_future: dict = {}
        futures = as_completed()

        def submit(batch: Iterable[RunSpec]) -> None:
            for run in batch:
                future = self.client.submit(perform_run, self.shared, run, pure=False)
                by_future[future] = run
                futures.add(future)
                self._pending.add(future)

        submit(islice(todo, (self.workers or 1) * (1 + QUEUE_PER_WORKER)))
        return self._collect(todo, by_future, futures, submit)

    def _collect(self, todo, by_future, futures, submit) -> Iterator[RunOutcome]:
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        for future in futures:
            run = by_future.pop(future)
            self._pending.discard(future)
            try:
                outcome = future.result()
            except KilledWorker as err:  # the run kept killing the workers that ran it
                outcome = RunOutcome(run.run_id, "failed", 0.0, error=f"KilledWorker: {err}")
            except FutureCancelledError as err:
                raise SweepAborted(f"the Dask cluster cancelled run {run.run_id} ({err})") from None
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
            client.close()
        if cluster is not None:
            cluster.close()


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
