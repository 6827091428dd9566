"""``docsec calibrate``: fit parameters to the patterns of a targets file by rejection ABC through the sweep engine."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from .interrupts import stop_on_sigterm
from ..calibration.runner import run_calibration
from ..calibration.targets import load_targets
from ..figures._style import number
from ..sweep.engines import SweepAborted
from ...sim.errors import InputError

DEFAULT_DIR = Path("results")


def shipped_case() -> Path:
    """The shipped targets file of the case's patterns (package data of ``scenarios``)."""
    return Path(str(resources.files("docsec.scenarios").joinpath("calibration", "case.toml")))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate", help="fit parameters to the case's patterns (rejection ABC through the sweep engine)",
        description="Read a targets file (summary statistics with the value or range each should take, their "
                    "weights, and the parameters to calibrate with their prior ranges), run a Latin-hypercube "
                    "sample of the prior through the sweep engine in every scenario a target names, and accept "
                    "the parameter sets closest to the targets. Writes the accepted sets, posterior ranges per "
                    "parameter, the fit of each target and calibration.html. See docs/validation.md.",
        epilog=f"The case's patterns: docsec calibrate {shipped_case()}")
    p.add_argument("targets", metavar="TARGETS.toml", help="the targets file (TOML)")
    p.add_argument("--out", metavar="DIR", help=f"output folder (default: {DEFAULT_DIR}/calibration-<name>)")
    p.add_argument("--budget", type=int, metavar="N", help="parameter sets drawn from the prior (default: the file's)")
    p.add_argument("--resume", action="store_true",
                   help="continue the calibration already in DIR (refused if it holds a different one)")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--serial", action="store_true", help="run one run at a time in this process")
    engine.add_argument("--dask", metavar="ADDRESS|local",
                        help="run on a Dask cluster (a scheduler address, or 'local' for a LocalCluster)")
    p.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    p.set_defaults(handler=calibrate)


def calibrate(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: must be at least 1 (got {args.workers})")
    if args.budget is not None and not 2 <= args.budget <= 1_000_000:
        raise InputError(f"--budget: must be an integer from 2 to 1000000 (got {args.budget})")
    spec = load_targets(args.targets)
    budget = args.budget or spec.budget
    out = Path(args.out) if args.out else DEFAULT_DIR / f"calibration-{spec.name}"
    engine = "serial" if args.serial else "dask" if args.dask else "process"
    runs = (budget + 1) * spec.replicates * len(spec.scenarios)
    print(f"docsec calibrate: {len(spec.bounds)} parameters, {len(spec.targets)} targets in "
          f"{len(spec.scenarios)} scenarios; {budget} parameter sets + the defaults x {spec.replicates} replicates "
          f"= {runs} runs -> {out}", file=sys.stderr)
    hint = f"continue with: docsec calibrate {args.targets} --out {out} --budget {budget} --resume"
    with stop_on_sigterm():
        try:
            result = run_calibration(spec, out, budget=budget, engine=engine, workers=args.workers,
                                     dask_address=args.dask, resume=args.resume, progress=not args.no_progress,
                                     log=lambda line: print(line, file=sys.stderr))
        except KeyboardInterrupt:
            print(f"docsec calibrate: interrupted; finished runs are stored in {out}; {hint}", file=sys.stderr)
            return 130
        except SweepAborted as err:
            print(f"docsec calibrate: stopped: {err}; {hint}", file=sys.stderr)
            return 1
    print(f"{len(result.accepted)} of {budget} parameter sets accepted; posterior (90% range), default:")
    for _, r in result.posterior.iterrows():
        where = "inside" if r["default_inside_90"] else "OUTSIDE"
        print(f"  {r['parameter']:<44} {number(r['q05'])} to {number(r['q95'])}  default {number(r['default'])} "
              f"({where})")
    print("fit (wanted; defaults; accepted median):")
    for _, r in result.fit.iterrows():
        print(f"  {r['target']:<36} {r['wanted']:<16} {number(r['defaults']):>10} {number(r['accepted_median']):>10}")
    print(f"results: {out / 'calibration.html'}, {out / 'calibration.json'}")
    if result.failed:
        print(f"docsec calibrate: {result.failed} runs failed and were left out", file=sys.stderr)
        return 1
    return 0
