"""A large design of short runs through the sweep engine: the store's cost per run and the coordinator's memory.

    .venv/bin/python bench/bench_sweep_large.py                      # 20,000 runs of 30 days, 2 workers
    .venv/bin/python bench/bench_sweep_large.py --runs 2000 --days 10

The design: the default organisation for ``--days`` days, behaviour.workload_pressure at 10
values x custody.uncleared_may_handle in {true, false} = 20 design points, and as many
replicates as make ``--runs`` runs, run by ``run_sweep`` (what ``docsec sweep`` calls) on the
process engine into a fresh SQLite store, summaries only. This process is the coordinator:
the bench times every call into the store once it is made (recording a finished run, which
commits the batch when it is due; committing a due batch while the engine waits for runs;
ending the session and closing, which commit the rest), and reads the coordinator's resident
memory (RSS) as runs are stored (the bench keeps its own timings in arrays made at full size
beforehand, so that they do not add to the memory it measures).

Figures printed (targets of issue 13): the store's cost per run (all those calls, in wall time
and in the coordinator's CPU time, divided by the runs stored) against the run's own duration
(the median measured by its worker), target < 1%; what one call of ``record`` costs (median,
p99 and the largest: a call that commits a batch pauses the coordinator that long); the
coordinator's whole CPU time per run (the store, the engine's bookkeeping, receiving results);
the cost of making the store (its rows for every planned run) per run; the coordinator's memory
at 10%, 50% and 100% of the runs stored, and its growth per 1,000 runs after the first 10%
(flat: about zero); the wall time and the runs per second. Asserts nothing.

The CPU times are the coordinator's main thread's (``time.thread_time``): what the store costs
this process, whatever else runs on the machine. Wall times include waiting for the CPU and for
the disk on a shared machine, and for the thread that receives results from the workers
(SQLite lets it run while it writes), so they vary more.
"""

from __future__ import annotations

import argparse
import array
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store_timing import STORING, timed_store  # noqa: E402 (beside this file)

POINTS = 20  # 10 workload pressures x 2 custody regimes


def rss_mib() -> float:
    """This process's resident memory now (MiB), from /proc (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def spec_for(runs: int, days: int):
    from docsec.analysis.sweep.design import SweepSpec

    replicates = max(1, runs // POINTS)
    pressures = [round(0.25 + 0.25 * i, 2) for i in range(POINTS // 2)]
    return SweepSpec.from_mapping({
        "sweep": {"replicates": replicates, "base_seed": 2026, "days": days},
        "parameters": {"behaviour.workload_pressure": pressures, "custody.uncleared_may_handle": [True, False]},
        "outputs": {"daily": False},
    }, name="large-design")


def measure(runs: int, days: int, workers: int) -> dict:
    from docsec.analysis.sweep import execute

    spec = spec_for(runs, days)
    planned = execute.count_runs(spec)
    # made at their full size now, so that the bench's own figures do not grow the memory it measures
    record_seconds = array.array("d", bytes(8 * planned))
    durations = array.array("d", bytes(8 * planned))
    recorded = [0]
    memory: list[tuple[int, float]] = [(0, rss_mib())]
    step = max(1, planned // 20)

    def on_record(wall: float, outcome) -> None:
        n = recorded[0]
        if n < planned:
            record_seconds[n], durations[n] = wall, outcome.duration_s
        recorded[0] = n = n + 1
        if n % step == 0:
            memory.append((n, rss_mib()))

    with timed_store(STORING + ("create",), on_record) as timings, tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), time.process_time()
        report = execute.run_sweep(spec, Path(folder) / "large.sqlite", engine="process", workers=workers,
                                   progress=False)
        wall, coordinator_cpu = time.perf_counter() - start, time.process_time() - cpu
        store_bytes = (Path(folder) / "large.sqlite").stat().st_size
    spent = {kind: timings[kind] for kind in STORING}
    n = min(recorded[0], planned)
    return {"planned": planned, "done": report.done, "wall": wall, "record": record_seconds[:n], "spent": spent,
            "durations": durations[:n], "memory": memory, "create": timings["create"][0], "store_bytes": store_bytes,
            "coordinator_cpu": coordinator_cpu}


def at(memory: list[tuple[int, float]], share: float, planned: int) -> tuple[int, float]:
    """The first memory reading taken once ``share`` of the runs were stored."""
    return next((n, m) for n, m in memory if n >= share * planned)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20_000, help="runs in the design (default 20,000)")
    parser.add_argument("--days", type=int, default=30, help="days per run (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    r = measure(args.runs, args.days, args.workers)
    planned = r["planned"]
    record = sorted(r["record"])
    run = statistics.median(r["durations"])
    spent = r["spent"]
    stored = max(r["done"], 1)
    store_wall = sum(v[0] for v in spent.values()) / stored
    store_cpu = sum(v[1] for v in spent.values()) / stored
    m10, m50, m100 = at(r["memory"], 0.1, planned), at(r["memory"], 0.5, planned), r["memory"][-1]
    growth = (m100[1] - m10[1]) / max(m100[0] - m10[0], 1) * 1000
    print(f"Large design: {planned:,} runs of the default organisation, {args.days} days each, summaries only; "
          f"process engine, {args.workers} workers; cores {os.cpu_count()}; load average {load:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after")
    print(f"   runs stored          : {r['done']:,} in {r['wall']:.1f} s wall ({r['done'] / r['wall']:.0f} runs/s); "
          f"store file {r['store_bytes'] / 2**20:.1f} MiB")
    print(f"   one run (its worker) : median {run * 1000:.2f} ms")
    print(f"   storing a run, CPU   : {store_cpu * 1000:.4f} ms = {store_cpu / run:.2%} of a run   (target < 1%; "
          "every store call after making it, the coordinator's CPU time, per run stored)")
    print(f"   storing a run, wall  : {store_wall * 1000:.4f} ms = {store_wall / run:.2%} of a run")
    calls = ", ".join(f"{kind} {v[2]:,} calls {v[1] * 1000:.0f} ms CPU" for kind, v in spent.items())
    print(f"   store calls          : {calls}")
    print(f"   one record() call    : median {statistics.median(record) * 1000:.4f} ms, p99 "
          f"{record[int(0.99 * (len(record) - 1))] * 1000:.3f} ms, largest {record[-1] * 1000:.2f} ms (wall)")
    print(f"   coordinator, all CPU : {r['coordinator_cpu'] / stored * 1000:.3f} ms a run "
          f"({r['coordinator_cpu'] / stored / run:.1%} of a run: the store, the engine, receiving results)")
    print(f"   making the store     : {r['create']:.2f} s for {planned:,} planned runs = "
          f"{r['create'] / planned * 1000:.3f} ms a run ({r['create'] / planned / run:.2%} of a run)")
    print(f"   coordinator memory   : {r['memory'][0][1]:.1f} MiB before; {m10[1]:.1f} MiB at {m10[0]:,} runs stored, "
          f"{m50[1]:.1f} at {m50[0]:,}, {m100[1]:.1f} at {m100[0]:,}")
    print(f"   memory growth        : {growth:+.3f} MiB per 1,000 runs stored after the first 10% (flat: about 0)")

if __name__ == "__main__":
    main()
