"""Wall time of `docsec validate --quick` in a fresh folder. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_validate.py [--workers N] [--full]

Target (issue 10): the quick suite finishes in under 2 minutes on a 2-core machine. With --full
it times the full suite instead (the one a paper cites; several minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    parser.add_argument("--full", action="store_true", help="time the full suite instead of --quick")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "validate"
        command = [sys.executable, "-m", "docsec.analysis.cli", "validate", "--out", str(out),
                   *([] if args.full else ["--quick"]), *(["--workers", str(args.workers)] if args.workers else [])]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode not in (0, 1):
            print(done.stderr, file=sys.stderr)
            sys.exit(done.returncode)
        doc = json.loads((out / "validation.json").read_text())
    runs = sum(f["runs"] for f in doc["facts"])
    suite = "full" if args.full else "quick"
    print(f"docsec validate --{suite}: {seconds:.1f} s wall time on {os.cpu_count()} cores "
          f"({args.workers or 'one per core'} workers), {len(doc['facts'])} facts, {runs} runs, "
          f"including start-up and the page")
    print("   " + ", ".join(f"{n} {v}" for v, n in doc["counts"].items() if n))
    for f in doc["facts"]:
        print(f"   {f['name']:<24} {f['seconds']:6.1f} s  {f['verdict']}")


if __name__ == "__main__":
    main()
