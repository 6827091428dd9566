"""Benchmark P3: docsec's sweep against Mesa's batch_run on one design; parallel efficiency; store overhead.

The design: the default organisation for 365 days, custody.uncleared_may_handle in
{true, false} x 20 replicates = 40 runs, the same seeds for both tools. Each timing
runs in a fresh Python process (batch_run switches the whole process to the "spawn"
start method, which must not leak into docsec's measurement), the tools alternate
within each round, and the best and median of the rounds are reported. Timings
start after the model is imported in the coordinating process and include
everything each tool does from there: starting workers, running, collecting
results (and, for docsec, writing every run to its SQLite store).

    .venv/bin/python bench/bench_sweep.py                 # 3 rounds, 40 runs, 2 workers
    .venv/bin/python bench/bench_sweep.py --rounds 5 --replicates 50

Figures printed: seconds for each tool, docsec's speed-up over batch_run (target
>= 1.5x), each tool's fixed cost (the design cut to 2 runs of 1 day), parallel efficiency of docsec on 2 workers = T(serial engine) /
(2 x T(2 workers)) (target >= 85%), and the store's cost per run (a direct
measurement of writing run results to the store, summaries only and with daily series).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AXIS = "custody.uncleared_may_handle"
BASE_SEED = 2021


def _spec(replicates: int, days: int, daily: bool = False):
    from docsec.analysis.sweep.design import SweepSpec

    return SweepSpec.from_mapping({"sweep": {"replicates": replicates, "base_seed": BASE_SEED, "days": days},
                                   "parameters": {AXIS: [True, False]}, "outputs": {"daily": daily}}, name="p3")


def time_batch_run(replicates: int, days: int, workers: int) -> dict:
    """mesa.batch_run on the design (this process is switched to 'spawn' by batch_run)."""
    from mesa.batchrunner import batch_run

    from docsec.analysis.sweep.design import replicate_seeds
    from docsec.sim.model import DocSecModel

    seeds = replicate_seeds(BASE_SEED, replicates)
    keyword = AXIS.replace(".", "__")
    start = time.perf_counter()
    rows = batch_run(DocSecModel, parameters={keyword: [True, False], "run__days": days}, rng=seeds,
                     number_processes=workers, max_steps=days, data_collection_period=-1, display_progress=False)
    seconds = time.perf_counter() - start
    # Same design, same results: batch_run's last day equals docsec's for one run.
    from docsec.sim.parameters import Parameters
    from docsec.sim.run import run_simulation

    row = next(r for r in rows if r["rng"] == seeds[0] and r[keyword] is False)
    ours = run_simulation(Parameters().with_overrides({AXIS: False, "run.days": days}), seeds[0]).daily.iloc[-1]
    same = all(row[name] == ours[name] for name in ("documents_received", "losses", "exposures"))
    return {"seconds": seconds, "runs": len(rows), "same_results": bool(same)}


def time_sweep(replicates: int, days: int, workers: int | None, engine: str) -> dict:
    """docsec's run_sweep on the design into a fresh store."""
    from docsec.analysis.sweep.execute import run_sweep

    spec = _spec(replicates, days)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        report = run_sweep(spec, Path(folder) / "p3.sqlite", engine=engine, workers=workers, progress=False)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "runs": report.done}


def time_plain_loop(replicates: int, days: int) -> dict:
    """The model alone, run after run in this process, with nothing stored (the floor for one core)."""
    from docsec.analysis.sweep.design import expand
    from docsec.sim.parameters import Parameters
    from docsec.sim.run import run_simulation

    runs = expand(_spec(replicates, days))
    start = time.perf_counter()
    for run in runs:
        run_simulation(Parameters().with_overrides(run.overrides), run.seed, collect_daily=False)
    return {"seconds": time.perf_counter() - start, "runs": len(runs)}


def time_store_writes(days: int, n: int = 200) -> dict:
    """The store's cost per run: record ``n`` real run outcomes, summaries only and with daily series."""
    from docsec.analysis.sweep.design import expand
    from docsec.analysis.sweep.store import SweepStore
    from docsec.analysis.sweep.worker import RunContext, perform_run
    from docsec.sim.metrics import DAILY_NAMES, SUMMARY_NAMES
    from docsec.sim.parameters import Parameters

    out = {}
    for daily in (False, True):
        spec = _spec(n // 2, days, daily=daily)
        runs = expand(spec)
        sample = perform_run(RunContext(Parameters(), keep_daily=daily), runs[0])
        outcomes = [type(sample)(**{**sample.__dict__, "run_id": r.run_id}) for r in runs]
        with tempfile.TemporaryDirectory() as folder:
            store = SweepStore.create(Path(folder) / "s.sqlite", meta={}, points=[(0, {}, ""), (1, {}, "")],
                                      runs=runs, summary_names=SUMMARY_NAMES, counter_names=DAILY_NAMES)
            session = store.begin_session("bench", 1, {})
            start = time.perf_counter()
            for outcome in outcomes:
                store.record(outcome, session)
            seconds = time.perf_counter() - start
            store.close()
        out["daily" if daily else "summary"] = seconds / len(outcomes)
    return out


MEASURES = {"batch": time_batch_run, "sweep": time_sweep, "loop": time_plain_loop, "store": time_store_writes}


def measure_in_fresh_process(what: str, **kwargs) -> dict:
    """Run one measurement in a new interpreter, so no measurement disturbs another."""
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); import bench.bench_sweep as b; "
            f"import sim.run; print(json.dumps(b.MEASURES[{what!r}](**{kwargs!r})))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{what} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of measurements (default 3)")
    parser.add_argument("--replicates", type=int, default=20, help="replicates per point; runs = 2 x this (default 20)")
    parser.add_argument("--days", type=int, default=365, help="days per run (default 365)")
    parser.add_argument("--workers", type=int, default=2, help="processes for both tools (default 2)")
    args = parser.parse_args()
    r, d, w = args.replicates, args.days, args.workers
    runs = 2 * r
    times: dict[str, list[float]] = {"batch": [], "sweep": [], "serial": [], "loop": []}
    same = True
    print(f"P3 design: {runs} runs of the default organisation ({d} days; {AXIS} x {r} replicates), "
          f"{w} processes, {args.rounds} rounds; cores: {os.cpu_count()}; load average before: "
          f"{os.getloadavg()[0]:.2f}")
    for i in range(args.rounds):
        order = ("batch", "sweep") if i % 2 == 0 else ("sweep", "batch")
        for tool in order:
            if tool == "batch":
                result = measure_in_fresh_process("batch", replicates=r, days=d, workers=w)
                same &= result["same_results"]
            else:
                result = measure_in_fresh_process("sweep", replicates=r, days=d, workers=w, engine="process")
            assert result["runs"] == runs, result
            times[tool].append(result["seconds"])
        times["serial"].append(measure_in_fresh_process("sweep", replicates=r, days=d, workers=None,
                                                        engine="serial")["seconds"])
        times["loop"].append(measure_in_fresh_process("loop", replicates=r, days=d)["seconds"])
        print(f"  round {i + 1}: batch_run {times['batch'][-1]:.2f} s, docsec {times['sweep'][-1]:.2f} s, "
              f"docsec serial {times['serial'][-1]:.2f} s, model alone {times['loop'][-1]:.2f} s")
    best = {k: min(v) for k, v in times.items()}
    median = {k: statistics.median(v) for k, v in times.items()}
    # Ratios within a round compare measurements taken back to back, under the same load.
    speedups = [b / s for b, s in zip(times["batch"], times["sweep"])]
    efficiencies = [t1 / (w * t2) for t1, t2 in zip(times["serial"], times["sweep"])]
    # Fixed cost of each tool: the same design cut to 2 runs of 1 day (start-up, dispatch, collection).
    fixed = {tool: min(measure_in_fresh_process(tool, replicates=1, days=1, workers=w,
                                                **({"engine": "process"} if tool == "sweep" else {}))["seconds"]
                       for _ in range(3)) for tool in ("batch", "sweep")}
    store = measure_in_fresh_process("store", days=d)
    print(f"load average after: {os.getloadavg()[0]:.2f} (other processes on the machine disturb the figures: "
          "compare rounds)")
    print()
    print(f"mesa.batch_run, {w} processes     : best {best['batch']:.2f} s, median {median['batch']:.2f} s"
          f"  (same results as docsec for the same seed: {'yes' if same else 'NO'})")
    print(f"docsec sweep, {w} workers + store : best {best['sweep']:.2f} s, median {median['sweep']:.2f} s")
    print(f"speed-up over batch_run          : {best['batch'] / best['sweep']:.2f}x best to best; "
          f"{statistics.median(speedups):.2f}x median of rounds (range {min(speedups):.2f}-{max(speedups):.2f})"
          f"   (target >= 1.5x)")
    print(f"fixed cost (2 runs of 1 day)     : batch_run {fixed['batch']:.2f} s, docsec {fixed['sweep']:.2f} s "
          f"(the rest is the same model code in both: the speed-up shrinks as runs get longer)")
    print(f"docsec serial engine + store     : best {best['serial']:.2f} s; model alone {best['loop']:.2f} s "
          f"({best['loop'] / runs * 1000:.0f} ms a run)")
    print(f"parallel efficiency, {w} workers   : {best['serial'] / (w * best['sweep']):.0%} best to best; "
          f"{statistics.median(efficiencies):.0%} median of rounds   (T serial / ({w} x T {w} workers); "
          f"target >= 85%)")
    print(f"store cost per run               : {store['summary'] * 1000:.2f} ms summaries only, "
          f"{store['daily'] * 1000:.2f} ms with daily series "
          f"({store['summary'] / (best['loop'] / runs):.1%} / {store['daily'] / (best['loop'] / runs):.1%} of a run)")


if __name__ == "__main__":
    main()
