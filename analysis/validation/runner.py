"""Running the suite: each fact's sweeps through the sweep engine into results stores, then its verdict.

Stores go to ``OUT/stores/<fact>-<k>.sqlite`` (one per group of arms sharing a
timeline), so every result carries the store's provenance and an interrupted suite
picks up where it stopped: a store made by the same code and design is continued
(its finished runs are kept), one made by other code or another design is renamed
aside with a time stamp and run afresh. With ``engine="dask"`` and no address (or
``"local"``), one local Dask cluster serves every sweep of the suite.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .design import FactPlan, NotExpressible, declared_design, plan_fact
from .facts import Effort, Fact, Verdict
from .verdict import ArmRuns, ContrastResult, evaluate, fact_verdict
from .. import stats
from ..provenance import provenance
from ..results import load_daily, load_provenance, load_runs
from ..sweep.execute import run_sweep

STORES = "stores"


@dataclass
class FactResult:
    """What the suite found for one fact."""

    fact: Fact
    verdict: Verdict
    why: str
    design: dict[str, Any]
    contrasts: list[ContrastResult] = field(default_factory=list)
    stores: list[str] = field(default_factory=list)
    runs: int = 0
    seconds: float = 0.0

    @property
    def headline(self) -> ContrastResult | None:
        return self.contrasts[0] if self.contrasts else None


def _same_code_and_design(store: Path, design_hash: str) -> bool:
    made = load_provenance(store)
    now = provenance()
    return made.get("design_hash") == design_hash and all(
        made.get(k) == now[k] for k in ("docsec_version", "git_revision"))


def prepare_store(store: Path, design_hash: str, log: Callable[[str], None] | None) -> None:
    """Keep a store to continue it, or move it aside (never deleted) if it holds other results."""
    if not store.exists() or _same_code_and_design(store, design_hash):
        return
    aside = store.with_name(f"{store.stem}-{time.strftime('%Y%m%d-%H%M%S')}{store.suffix}")
    store.rename(aside)
    if log:
        log(f"note: {store} held results of other code or another design; kept as {aside}")


@contextlib.contextmanager
def _cluster(engine: str, workers: int | None, address: str | None) -> Iterator[tuple[str | None, int | None]]:
    """The Dask address and worker count each sweep should use (one local cluster for the whole suite)."""
    if engine != "dask" or (address not in (None, "local")):
        yield address, workers
        return
    import logging

    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    try:
        yield cluster.scheduler_address, None
    finally:
        cluster.close()


def _arm_runs(plan: FactPlan, stores: Sequence[Path]) -> tuple[dict[str, ArmRuns], int, str]:
    """Each arm's finished runs; the number of failed runs and the first failure's error."""
    arms: dict[str, ArmRuns] = {}
    failed, first_error = 0, ""
    for sweep, store in zip(plan.sweeps, stores):
        runs = load_runs(store)
        bad = runs[runs["status"] == "failed"]
        if len(bad):
            failed += len(bad)
            first_error = first_error or str(bad["error"].iloc[0])
        done = runs[runs["status"] == "done"]
        daily = load_daily(store) if sweep.spec.keep_daily else None
        for arm, point in sweep.arm_points.items():
            mine = done[done["point_id"] == point]
            arms[arm] = ArmRuns(mine, None if daily is None else daily[daily["run_id"].isin(mine["run_id"])])
    return arms, failed, first_error


def run_fact(fact: Fact, effort: Effort, out: Path, *, engine: str = "process", workers: int | None = None,
             dask_address: str | None = None, runner: Callable[..., Any] | None = None, progress: bool = False,
             confidence: float = stats.CONFIDENCE, log: Callable[[str], None] | None = None) -> FactResult:
    """Build, run and judge one fact."""
    start = time.perf_counter()
    try:
        plan = plan_fact(fact, effort, out)
    except NotExpressible as err:
        return FactResult(fact, Verdict.NOT_EXPRESSIBLE, str(err), declared_design(fact))
    stores = []
    runs = 0
    for sweep in plan.sweeps:
        store = out / STORES / f"{sweep.spec.name}.sqlite"
        prepare_store(store, sweep.spec.design_hash(), log)
        report = run_sweep(sweep.spec, store, engine=engine, workers=workers, dask_address=dask_address,
                           resume=True, progress=progress, runner=runner, log=log)
        runs += report.planned
        stores.append(store)
    arms, failed, error = _arm_runs(plan, stores)
    result = FactResult(fact, Verdict.FAILED, "", dict(plan.design), stores=[str(s) for s in stores], runs=runs)
    if failed:
        result.why = f"{failed} of {runs} runs failed (first: {error}); the fact could not be tested"
    else:
        result.contrasts = [evaluate(c, arms, confidence) for c in fact.contrasts]
        result.verdict, result.why = fact_verdict(result.contrasts)
    result.seconds = time.perf_counter() - start
    return result


def run_validation(facts: Sequence[Fact], effort: Effort, out: str | Path, *, engine: str = "process",
                   workers: int | None = None, dask_address: str | None = None,
                   runner: Callable[..., Any] | None = None, progress: bool = False,
                   confidence: float = stats.CONFIDENCE, log: Callable[[str], None] | None = None,
                   on_fact: Callable[[FactResult], None] | None = None) -> list[FactResult]:
    """Run every fact of the suite in turn; ``on_fact`` hears of each result as it is known."""
    out = Path(out)
    results = []
    with _cluster(engine, workers, dask_address) as (address, n_workers):
        for fact in facts:
            result = run_fact(fact, effort, out, engine=engine, workers=n_workers, dask_address=address,
                              runner=runner, progress=progress, confidence=confidence, log=log)
            results.append(result)
            if on_fact:
                on_fact(result)
    return results
