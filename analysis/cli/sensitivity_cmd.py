"""``docsec sensitivity``: Morris screening or Sobol indices of chosen outputs, run as a sweep."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .interrupts import stop_on_sigterm
from ..report import analyse_study, load_study, write_html
from ..report.tables import indices_rows, text_table
from ..sensitivity import load_sensitivity, make_design, run_sensitivity
from ..sweep.engines import SweepAborted
from ...sim.errors import InputError

#: Where results go without --out: results/sensitivity-<name>/
DEFAULT_DIR = Path("results")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity", help="Morris screening or Sobol indices of outputs over chosen parameters",
        description="Read a sensitivity file, draw SALib's Morris or Sobol sample over the parameters' "
                    "ranges (their declared plausible ranges unless the file gives bounds), run it through the "
                    "sweep engine into a results store (parallel, resumable), and print and report the "
                    "indices with their intervals. See docs/analysis.md for the file format.",
        epilog="Example: docsec sensitivity scenarios/sensitivity/screening.toml")
    p.add_argument("file", metavar="FILE", help="the sensitivity file (TOML)")
    p.add_argument("--out", metavar="DIR",
                   help=f"folder for the store, the design and the indices (default: {DEFAULT_DIR}/sensitivity-<name>)")
    p.add_argument("--report", metavar="PATH", help="where to write the HTML report (default: DIR/report.html)")
    p.add_argument("--resume", action="store_true",
                   help="continue the analysis already in DIR (refused if DIR holds a different one)")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--serial", action="store_true", help="run one run at a time in this process")
    engine.add_argument("--dask", metavar="ADDRESS|local",
                        help="run on a Dask cluster (a scheduler address, or 'local' for a LocalCluster)")
    p.add_argument("--dry-run", action="store_true",
                   help="only say how many design points and runs the file makes, and exit")
    p.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    p.set_defaults(handler=sensitivity)


def sensitivity(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: must be at least 1 (got {args.workers})")
    spec = load_sensitivity(args.file)
    design = make_design(spec)
    runs = len(design.points) * spec.replicates
    print(f"docsec sensitivity: {spec.method} over {len(spec.bounds)} parameters, {len(design.sample)} sample rows "
          f"-> {len(design.points)} design points x {spec.replicates} replicates = {runs} runs", file=sys.stderr)
    if args.dry_run:
        return 0
    out = Path(args.out) if args.out else DEFAULT_DIR / f"sensitivity-{spec.name}"
    engine = "serial" if args.serial else "dask" if args.dask else "process"
    hint = f"continue with: docsec sensitivity {args.file} --out {out} --resume"
    with stop_on_sigterm():
        try:
            result = run_sensitivity(spec, out, engine=engine, workers=args.workers, dask_address=args.dask,
                                     resume=args.resume, progress=not args.no_progress,
                                     log=lambda line: print(line, file=sys.stderr))
        except KeyboardInterrupt:
            print(f"docsec sensitivity: interrupted; finished runs are stored in {out}; {hint}", file=sys.stderr)
            return 130
        except SweepAborted as err:
            print(f"docsec sensitivity: stopped: {err}; {hint}", file=sys.stderr)
            return 1
    print(text_table(indices_rows(result.indices)))
    runs_df, prov, daily, saved = load_study(result.store)
    analysis = analyse_study(runs_df, prov, daily=daily, sensitivity_design=saved)
    report_path = Path(args.report) if args.report else out / "report.html"
    write_html(analysis, report_path, source=str(result.store))
    print(f"\nindices: {out / 'indices.csv'}; results: {result.store}; report: {report_path}")
    return 0
