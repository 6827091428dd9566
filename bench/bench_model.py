"""Speed of the model (P1, P2). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_model.py            # P1 and P2
    .venv/bin/python bench/bench_model.py --p1       # only P1

P1: the default organisation (20 offices x (1 custodian + 1 deputy + 8 workers) + 2 inspectors =
    202 agents) for 365 days, against Mesa's own BoltzmannWealth example with the same number of
    agents and steps, in the same process. Target ratio <= 1.0.
P2: 1,000 offices for 365 days on one core: target <= 20 s and <= 1.5 GB peak memory, and time
    linear in offices (10x offices <= 11x time).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def time_docsec(offices: int, days: int, seed: int) -> float:
    from docsec.sim.model import DocSecModel
    from docsec.sim.parameters import Parameters

    params = Parameters().with_overrides({"population.offices": offices, "run.days": days})
    start = time.perf_counter()
    model = DocSecModel(params, rng=seed)
    model.run_days()
    return time.perf_counter() - start


def agent_count(offices: int) -> int:
    from docsec.sim.model import DocSecModel
    from docsec.sim.parameters import Parameters

    return len(DocSecModel(Parameters().with_overrides({"population.offices": offices}), rng=0).agents)


def time_boltzmann(n: int, steps: int, seed: int) -> float:
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

    start = time.perf_counter()
    model = BoltzmannWealth(scenario=BoltzmannScenario(n=n, rng=seed))
    for _ in range(steps):
        model.step()
    return time.perf_counter() - start


def p1(repeats: int) -> None:
    n = agent_count(20)
    ours = [time_docsec(20, 365, s) for s in range(repeats)]
    theirs = [time_boltzmann(n, 365, s) for s in range(repeats)]
    o, t = statistics.median(ours), statistics.median(theirs)
    print(f"P1 default organisation: {n} agents, 365 days; median of {repeats}")
    print(f"   docsec          {o:8.3f} s")
    print(f"   BoltzmannWealth {t:8.3f} s   (mesa.examples, n={n}, 365 steps)")
    print(f"   ratio docsec / Boltzmann = {o / t:.3f}   (target <= 1.0)")


def _child(offices: int, days: int) -> None:
    seconds = time_docsec(offices, days, 1)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"offices": offices, "seconds": seconds, "peak_mib": peak_mib}))


def p2() -> None:
    rows = []
    for offices in (100, 1000):
        out = subprocess.run([sys.executable, __file__, "--child", str(offices)], capture_output=True, text=True,
                             check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("P2 365 days, one core, each size in a fresh process")
    for r in rows:
        print(f"   {r['offices']:>5} offices: {r['seconds']:7.2f} s, peak memory {r['peak_mib']:7.1f} MiB")
    print(f"   1,000 offices: {rows[1]['seconds']:.2f} s (target <= 20 s), "
          f"{rows[1]['peak_mib'] / 1024:.2f} GiB (target <= 1.5 GB)")
    print(f"   time ratio 1,000 / 100 offices = {rows[1]['seconds'] / rows[0]['seconds']:.2f} (target <= 11)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--p1", action="store_true", help="only P1")
    parser.add_argument("--p2", action="store_true", help="only P2")
    parser.add_argument("--repeats", type=int, default=5, help="repeats for P1 (median reported)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, 365)
        return
    if not args.p2:
        p1(args.repeats)
    if not args.p1:
        p2()


if __name__ == "__main__":
    main()
