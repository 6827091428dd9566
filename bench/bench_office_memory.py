"""What reading each office's state costs as the organisation grows: why an office's day costs more at
10,000 offices than at 1,000. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_office_memory.py                 # 1,000 and 10,000 offices
    .venv/bin/python bench/bench_office_memory.py --sizes 1000,10000 --days 120

Each size runs ``--days`` days in a fresh process (so its memory holds a realistic number of
documents), then times loops over its offices that do no work but read state a day's choices read:
the office and its custodian, his post's row of the day's view (his weighted perceived detection and
norm), his workload today, a felt severity he risks, and the office's hazards (shared by every office
with the same parameters). Each loop's best of 5 passes, in nanoseconds per office.

The model does the same work per office-day at any size (its Python instructions per office-day are
the same at 1,000 and 10,000 offices, by callgrind), so where a loop costs more per office at 10,000
offices, the extra is the time to fetch that office's state from memory: at 1,000 offices one day's
state stays in the processor's caches, at 10,000 it does not. Shared state (the hazards) costs the
same at both sizes.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOOPS = ("office and its custodian", "custodian: view's weight, norm", "custodian: workload today",
         "custodian: a felt severity", "office: hazards (shared)")


def _child(offices: int, days: int) -> None:
    from docsec.sim.model import DocSecModel
    from docsec.sim.parameters import Parameters

    model = DocSecModel(Parameters().with_overrides({"population.offices": offices}), rng=1, collect_daily=False)
    model.run_days(days)
    gc.disable()
    everyone = model.offices

    def office_and_custodian():
        for o in everyone:
            o.key_holder is o.custodian  # noqa: B015 (a read, timed)

    view = model.posts.today()
    workloads = model.posts.workload_list
    offence = view.felt["offence"]

    def view_numbers():
        for o in everyone:
            i = o.custodian.post
            view.weight.item(i), view.norm.item(i)  # noqa: B018

    def workload():
        for o in everyone:
            workloads[o.custodian.post]  # noqa: B018

    def felt_severity():
        for o in everyone:
            offence.item(1, o.custodian.post)

    def hazards():
        for o in everyone:
            o.hazards()

    out = {}
    for name, loop in zip(LOOPS, (office_and_custodian, view_numbers, workload, felt_severity, hazards),
                          strict=True):
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            loop()
            best = min(best, time.perf_counter() - start)
        out[name] = best / offices * 1e9
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="numbers of offices, comma-separated")
    parser.add_argument("--days", type=int, default=120, help="days run before timing (default 120)")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    sizes = [int(x) for x in args.sizes.split(",")]
    rows = {}
    for offices in sizes:
        done = subprocess.run([sys.executable, __file__, "--child", str(offices), str(args.days)],
                              capture_output=True, text=True, check=True)
        rows[offices] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"Reading each office's state after {args.days} days, ns per office (best of 5 passes)")
    print("   " + f"{'':30s}" + "".join(f"{n:>10,} offices" for n in sizes))
    for name in LOOPS:
        print("   " + f"{name:30s}" + "".join(f"{rows[n][name]:>18.1f}" for n in sizes))


if __name__ == "__main__":
    main()
