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
(2 x T(2 workers)) (target >= 85%), and the store's cost per run stored. That is measured in
docsec's timed sweeps (2 workers, summaries only) and in one more sweep of the same design
per round that keeps the daily series (a row a day), as bench/bench_sweep_large.py
does: the coordinating process times every call into the store once it is made (recording a
finished run, which commits the batch when it is due; committing a due batch while the engine
waits for runs; ending the session and closing, which commit the rest and fold the WAL back
into the file), in its main thread's CPU time (``time.thread_time``: what the store costs that
process, whatever else runs on the machine) and in wall time (also waiting for the CPU and the
disk), divided by the runs stored; the median of the rounds is printed against the model
alone's time a run and the run's duration in the sweep (the median measured by its workers). Making the store and beginning its session,
once a sweep, are printed apart.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store_timing import STORING, timed_store  # noqa: E402 (beside this file)

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
    # Same design, same results: batch_run's totals at the last day equal docsec's summary for one run.
    from docsec.sim.parameters import Parameters
    from docsec.sim.run import run_simulation

    row = next(r for r in rows if r["rng"] == seeds[0] and r[keyword] is False)
    ours = run_simulation(Parameters().with_overrides({AXIS: False, "run.days": days}), seeds[0],
                          collect_daily=False).summary
    same = all(row[name] == ours[name] for name in ("documents_received", "losses", "exposures"))
    return {"seconds": seconds, "runs": len(rows), "same_results": bool(same)}


def time_sweep(replicates: int, days: int, workers: int | None, engine: str, daily: bool = False) -> dict:
    """docsec's run_sweep on the design into a fresh store, timing every call into the store."""
    from docsec.analysis.sweep.execute import run_sweep

    spec = _spec(replicates, days, daily=daily)
    storing, making = STORING, ("create", "begin_session")
    durations: list[float] = []
    with timed_store(storing + making, on_record=lambda wall, outcome: durations.append(outcome.duration_s)) \
            as spent, tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        report = run_sweep(spec, Path(folder) / "p3.sqlite", engine=engine, workers=workers, progress=False)
        seconds = time.perf_counter() - start
    stored = max(report.done + report.failed, 1)
    return {"seconds": seconds, "runs": report.done,
            "store_wall": sum(spent[k][0] for k in storing) / stored,
            "store_cpu": sum(spent[k][1] for k in storing) / stored,
            "calls": {k: spent[k][2] for k in storing},
            "making_wall": sum(spent[k][0] for k in making), "making_cpu": sum(spent[k][1] for k in making),
            "run": statistics.median(durations) if durations else float("nan")}


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


MEASURES = {"batch": time_batch_run, "sweep": time_sweep, "loop": time_plain_loop}


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
    times: dict[str, list[float]] = {"batch": [], "sweep": [], "serial": [], "loop": [], "daily": []}
    # the store's figures from docsec's sweeps on 2 workers: summaries only (the timed sweeps) and with daily series
    stores: dict[str, list[dict]] = {"summary": [], "daily": []}
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
                stores["summary"].append(result)
            assert result["runs"] == runs, result
            times[tool].append(result["seconds"])
        times["serial"].append(measure_in_fresh_process("sweep", replicates=r, days=d, workers=None,
                                                        engine="serial")["seconds"])
        times["loop"].append(measure_in_fresh_process("loop", replicates=r, days=d)["seconds"])
        result = measure_in_fresh_process("sweep", replicates=r, days=d, workers=w, engine="process", daily=True)
        assert result["runs"] == runs, result
        stores["daily"].append(result)
        times["daily"].append(result["seconds"])
        print(f"  round {i + 1}: batch_run {times['batch'][-1]:.2f} s, docsec {times['sweep'][-1]:.2f} s, "
              f"docsec serial {times['serial'][-1]:.2f} s, model alone {times['loop'][-1]:.2f} s, "
              f"docsec keeping daily series {times['daily'][-1]:.2f} s; storing a run (CPU) "
              f"{stores['summary'][-1]['store_cpu'] * 1000:.3f} ms, {stores['daily'][-1]['store_cpu'] * 1000:.3f} ms "
              "with daily series")
    best = {k: min(v) for k, v in times.items()}
    median = {k: statistics.median(v) for k, v in times.items()}
    # Ratios within a round compare measurements taken back to back, under the same load.
    speedups = [b / s for b, s in zip(times["batch"], times["sweep"])]
    efficiencies = [t1 / (w * t2) for t1, t2 in zip(times["serial"], times["sweep"])]
    # Fixed cost of each tool: the same design cut to 2 runs of 1 day (start-up, dispatch, collection).
    fixed = {tool: min(measure_in_fresh_process(tool, replicates=1, days=1, workers=w,
                                                **({"engine": "process"} if tool == "sweep" else {}))["seconds"]
                       for _ in range(3)) for tool in ("batch", "sweep")}
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
    for kind, label in (("summary", "summaries only"), ("daily", f"with {d} daily rows")):
        figures = stores[kind]
        cpu = sorted(f["store_cpu"] for f in figures)
        wall = sorted(f["store_wall"] for f in figures)
        run = statistics.median(f["run"] for f in figures)
        calls = ", ".join(f"{k} {statistics.median(f['calls'][k] for f in figures):.0f}" for k in figures[0]["calls"])
        alone = best["loop"] / runs
        print(f"{'storing a run, ' + label:<33}: {statistics.median(cpu) * 1000:.3f} ms of the coordinator's CPU "
              f"time (range {cpu[0] * 1000:.3f}-{cpu[-1] * 1000:.3f}) = {statistics.median(cpu) / alone:.2%} of the "
              f"model alone's {alone * 1000:.0f} ms a run ({statistics.median(cpu) / run:.2%} of the "
              f"{run * 1000:.0f} ms a run took in the sweep's workers)")
        print(f"{'':<35}wall {statistics.median(wall) * 1000:.3f} ms (range {wall[0] * 1000:.3f}-{wall[-1] * 1000:.3f}); "
              f"median of rounds; every store call once it is made, per run stored (calls a sweep: {calls})")
    making = {kind: (statistics.median(f["making_cpu"] for f in stores[kind]),
                     statistics.median(f["making_wall"] for f in stores[kind])) for kind in stores}
    print(f"{'making the store + its session':<33}: {making['summary'][0] * 1000:.1f} ms CPU, "
          f"{making['summary'][1] * 1000:.1f} ms wall (with daily series {making['daily'][0] * 1000:.1f} ms CPU, "
          f"{making['daily'][1] * 1000:.1f} ms wall), once a sweep, while the workers start on the runs")
    print(f"{'docsec sweep keeping daily series':<33}: best {best['daily']:.2f} s, median {median['daily']:.2f} s")


if __name__ == "__main__":
    main()
