"""A large design of short runs through the sweep engine: the store's cost per run and the coordinator's memory.

    .venv/bin/python bench/bench_sweep_large.py                      # 20,000 runs of 30 days, 2 workers
    .venv/bin/python bench/bench_sweep_large.py --runs 2000 --days 10

The design: the default organisation for ``--days`` days, behaviour.workload_pressure at 10
values x custody.uncleared_may_handle in {true, false} = 20 design points, and as many
replicates as make ``--runs`` runs, run by ``run_sweep`` (what ``docsec sweep`` calls) on the
process engine into a fresh SQLite store, summaries only. This process is the coordinator:
the bench times every call that stores a finished run, and reads the coordinator's resident
memory (RSS) as runs are stored.

Figures printed (targets of issue 13): the store's cost per run (writing one finished run,
measured in the coordinator, in wall time and in the coordinator's CPU time) against the run's
own duration (measured by its worker), target < 1%; the cost of making the store (its rows for every planned run) per run; the coordinator's
memory at 10%, 50% and 100% of the runs stored, and its growth per 1,000 runs after the first
10% (flat: about zero); the wall time and the runs per second. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
    from docsec.analysis.sweep.store import SweepStore

    spec = spec_for(runs, days)
    planned = execute.count_runs(spec)
    record_seconds: list[float] = []
    record_cpu: list[float] = []
    durations: list[float] = []
    memory: list[tuple[int, float]] = [(0, rss_mib())]
    step = max(1, planned // 20)
    original_record, original_create = SweepStore.record, SweepStore.create
    create_seconds = [0.0]

    def timed_record(self, outcome, session_id):
        start, cpu = time.perf_counter(), time.thread_time()
        status = original_record(self, outcome, session_id)
        record_seconds.append(time.perf_counter() - start)
        record_cpu.append(time.thread_time() - cpu)
        durations.append(outcome.duration_s)
        if len(record_seconds) % step == 0:
            memory.append((len(record_seconds), rss_mib()))
        return status

    def timed_create(*args, **kwargs):
        start = time.perf_counter()
        store = original_create(*args, **kwargs)
        create_seconds[0] += time.perf_counter() - start
        return store

    SweepStore.record = timed_record
    SweepStore.create = staticmethod(timed_create)
    try:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            report = execute.run_sweep(spec, Path(folder) / "large.sqlite", engine="process", workers=workers,
                                       progress=False)
            wall = time.perf_counter() - start
            store_bytes = (Path(folder) / "large.sqlite").stat().st_size
    finally:
        SweepStore.record, SweepStore.create = original_record, staticmethod(original_create)
    return {"planned": planned, "done": report.done, "wall": wall, "record": record_seconds, "record_cpu": record_cpu,
            "durations": durations, "memory": memory, "create": create_seconds[0], "store_bytes": store_bytes}


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
    record = r["record"]
    run = statistics.median(r["durations"])
    per_record = statistics.median(record)
    mean_record = statistics.fmean(record)
    m10, m50, m100 = at(r["memory"], 0.1, planned), at(r["memory"], 0.5, planned), r["memory"][-1]
    growth = (m100[1] - m10[1]) / max(m100[0] - m10[0], 1) * 1000
    print(f"Large design: {planned:,} runs of the default organisation, {args.days} days each, summaries only; "
          f"process engine, {args.workers} workers; cores {os.cpu_count()}; load average {load:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after")
    print(f"   runs stored          : {r['done']:,} in {r['wall']:.1f} s wall ({r['done'] / r['wall']:.0f} runs/s); "
          f"store file {r['store_bytes'] / 2**20:.1f} MiB")
    print(f"   one run (its worker) : median {run * 1000:.2f} ms")
    print(f"   storing one run      : median {per_record * 1000:.3f} ms, mean {mean_record * 1000:.3f} ms, "
          f"p99 {sorted(record)[int(0.99 * (len(record) - 1))] * 1000:.3f} ms = "
          f"{per_record / run:.2%} of a run (median; mean {mean_record / run:.2%})   (target < 1%)")
    cpu = r["record_cpu"]
    print(f"   storing one run, CPU : median {statistics.median(cpu) * 1000:.3f} ms, mean "
          f"{statistics.fmean(cpu) * 1000:.3f} ms = {statistics.fmean(cpu) / run:.2%} of a run (the coordinator's own "
          "work, without waiting for the disk or for other processes)")
    print(f"   making the store     : {r['create']:.2f} s for {planned:,} planned runs = "
          f"{r['create'] / planned * 1000:.3f} ms a run ({r['create'] / planned / run:.2%} of a run)")
    print(f"   coordinator memory   : {r['memory'][0][1]:.1f} MiB before; {m10[1]:.1f} MiB at {m10[0]:,} runs stored, "
          f"{m50[1]:.1f} at {m50[0]:,}, {m100[1]:.1f} at {m100[0]:,}")
    print(f"   memory growth        : {growth:+.3f} MiB per 1,000 runs stored after the first 10% (flat: about 0)")


if __name__ == "__main__":
    main()
