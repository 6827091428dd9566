"""Execution engines: serial, local processes and Dask, behind one interface.

An engine's ``outcomes(context, runs)`` is a generator yielding one ``RunOutcome``
per run as runs finish (in any order). Close it (``contextlib.closing``) to stop
early: runs not yet finished are abandoned and the workers stopped. Every engine
calls the same ``perform_run`` on the same inputs, so results are identical, bit
for bit, whichever engine ran them.

- ``SerialEngine``: runs one after another in this process.
- ``ProcessEngine``: a pool of local worker processes (default: one per core),
  started from a fork server that has imported the model once; each worker
  receives the sweep's context once and is reused for many runs. Only a few runs
  per worker are queued at a time, so an interruption loses at most those.
- ``DaskEngine``: a Dask distributed cluster, either a running scheduler
  (``address``) or a ``LocalCluster`` started here (``address="local"``). Workers
  need docsec installed at the same version.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from analysis.sweep.design import RunSpec
from analysis.sweep.worker import (RunContext, RunOutcome, init_process_worker, perform_run,
                                   run_in_process_worker)
from sim.errors import InputError

ENGINES: tuple[str, ...] = ("serial", "process", "dask")

#: Runs queued per worker beyond the one it is running.
QUEUE_PER_WORKER = 1


class SweepAborted(RuntimeError):
    """The engine could not go on (a worker process died, the cluster went away)."""


class Engine:
    """Runs a sweep's runs; subclasses implement ``outcomes``."""

    name = "engine"
    workers: int | None = None

    def outcomes(self, context: RunContext, runs: Iterable[RunSpec]) -> Iterator[RunOutcome]:
        raise NotImplementedError

    def describe(self) -> str:
        """A short phrase for messages, e.g. 'process engine, 2 workers'."""
        return f"{self.name} engine" + (f", {self.workers} worker{'s' * (self.workers != 1)}" if self.workers else "")


class SerialEngine(Engine):
    """One run after another, in this process."""

    name = "serial"
    workers = 1

    def outcomes(self, context: RunContext, runs: Iterable[RunSpec]) -> Iterator[RunOutcome]:
        for run in runs:
            yield perform_run(context, run)


class ProcessEngine(Engine):
    """A pool of reusable local worker processes."""

    name = "process"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1

    def outcomes(self, context: RunContext, runs: Iterable[RunSpec]) -> Iterator[RunOutcome]:
        mp = multiprocessing.get_context("forkserver")
        # The fork server imports these once; every worker forked from it starts with them loaded.
        mp.set_forkserver_preload(["analysis.sweep.worker"] + (["sim.run"] if context.runner is None else []))
        pool = ProcessPoolExecutor(self.workers, mp_context=mp, initializer=init_process_worker,
                                   initargs=(context,))
        finished = False
        try:
            todo = iter(runs)
            limit = self.workers * (1 + QUEUE_PER_WORKER)
            in_flight = {pool.submit(run_in_process_worker, r) for r in islice(todo, limit)}
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
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:
                _stop_pool(pool)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Abandon queued runs and stop the workers now, without waiting for runs in flight."""
    # ProcessPoolExecutor has no public way to stop workers in mid-run before Python 3.14.
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

    import sim

    return sim.__version__, metadata.version("mesa")


class DaskEngine(Engine):
    """Runs on a Dask distributed cluster: a scheduler's address, or "local" for a LocalCluster."""

    name = "dask"

    def __init__(self, address: str = "local", workers: int | None = None):
        self.address = address
        self.workers = workers or (os.cpu_count() or 1 if address == "local" else None)

    def describe(self) -> str:
        where = "a local Dask cluster" if self.address == "local" else f"the Dask scheduler at {self.address}"
        return f"dask engine on {where}" + (f", {self.workers} workers" if self.workers else "")

    def _client(self):
        from distributed import Client, LocalCluster

        if self.address == "local":
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            return Client(cluster), cluster
        try:
            return Client(self.address, timeout="20s"), None
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError(f"--dask {self.address}: cannot reach a Dask scheduler there ({err})") from None

    def _check_workers(self, client) -> None:
        client.wait_for_workers(1, timeout=60)
        here = _worker_versions()
        try:
            versions = client.run(_worker_versions)
        except ImportError as err:
            raise InputError(f"--dask {self.address}: docsec is not importable on the Dask workers ({err})") from None
        for worker, theirs in versions.items():
            if tuple(theirs) != here:
                raise InputError(f"--dask {self.address}: worker {worker} runs docsec {theirs[0]} with Mesa "
                                 f"{theirs[1]}, this process docsec {here[0]} with Mesa {here[1]}; "
                                 "results would not be comparable")
        if self.address != "local":
            self.workers = sum(client.nthreads().values())

    def outcomes(self, context: RunContext, runs: Iterable[RunSpec]) -> Iterator[RunOutcome]:
        from distributed import as_completed
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        client, cluster = self._client()
        futures = as_completed()
        by_future: dict = {}
        try:
            self._check_workers(client)
            shared = client.scatter(context, broadcast=True, hash=False)
            todo = iter(runs)
            limit = (self.workers or 1) * (1 + QUEUE_PER_WORKER)
            for run in islice(todo, limit):
                f = client.submit(perform_run, shared, run, pure=False)
                by_future[f] = run
                futures.add(f)
            for future in futures:
                run = by_future.pop(future)
                try:
                    outcome = future.result()
                except KilledWorker as err:
                    outcome = RunOutcome(run.run_id, "failed", 0.0, error=f"KilledWorker: {err}")
                except FutureCancelledError as err:
                    raise SweepAborted(f"the Dask cluster cancelled run {run.run_id} ({err})") from None
                for nxt in islice(todo, 1):
                    f = client.submit(perform_run, shared, nxt, pure=False)
                    by_future[f] = nxt
                    futures.add(f)
                yield outcome
        finally:
            futures.clear()
            if by_future:
                client.cancel(list(by_future))
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
