"""Wall time of the main job, `docsec compare`, in a fresh folder. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_compare.py [--replicates N] [--workers N]

Target (issue 5): the shipped study finishes within a couple of minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, help="replicates per design point (default: the study's)")
    parser.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    args = parser.parse_args()
    extra = [*(["--replicates", str(args.replicates)] if args.replicates else []),
             *(["--workers", str(args.workers)] if args.workers else [])]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "docsec.analysis.cli", "compare", "--no-progress", *extra],
                              cwd=folder, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        sys.exit(done.returncode)
    finished = [line for line in done.stdout.splitlines() if "runs finished" in line]
    print(f"docsec compare: {seconds:.1f} s wall time, including start-up and the report")
    print("   " + (finished[-1] if finished else "(no run count printed)"))


if __name__ == "__main__":
    main()
