"""``docsec validate``: run the stylised-fact suite and write validation.json and validation.html."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .interrupts import stop_on_sigterm
from ..sweep.engines import SweepAborted
from ..validation.catalogue import fact_names, suite
from ..validation.facts import FULL, QUICK
from ..validation.output import HTML_NAME, JSON_NAME, write_outputs
from ..validation.runner import run_validation
from ...sim.errors import InputError

DEFAULT_OUT = Path("docsec-validate")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate", help="test the model against stylised facts of deterrence and compliance",
        description="Run each stylised fact (certainty vs severity, general deterrence, perceptions, punishment "
                    "avoidance, concealment and leniency, hysteresis, the trust trap, the compliance budget, "
                    "convex penalties) as a paired-seed experiment through the sweep engine, and give each a "
                    "verdict: reproduced, not reproduced or not expressible, with its effect, interval and why. "
                    "Writes DIR/validation.json and DIR/validation.html. See docs/validation.md.",
        epilog="Run again with the same --out to continue an interrupted suite: finished runs are kept.")
    p.add_argument("--quick", action="store_true",
                   help=f"a quick look: {QUICK.offices} offices and {QUICK.replicates} replicates per arm "
                        f"(the full suite: the base scenarios' organisations, {FULL.replicates} replicates)")
    p.add_argument("--out", metavar="DIR", help=f"folder for the stores and files (default: {DEFAULT_OUT}, "
                                                f"or {DEFAULT_OUT}-quick with --quick)")
    p.add_argument("--fact", action="append", metavar="NAME",
                   help="run only this fact (repeatable); names: " + ", ".join(fact_names()))
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes, for the local process engine or --dask local (default: one per core)")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--serial", action="store_true", help="run one run at a time in this process")
    engine.add_argument("--dask", metavar="ADDRESS|local",
                        help="run on a Dask cluster: a scheduler address, or 'local' for one LocalCluster "
                             "serving the whole suite")
    p.add_argument("--progress", action="store_true", help="show a progress bar for each sweep")
    p.set_defaults(handler=validate)


def _chosen(names: list[str] | None):
    facts = suite()
    if not names:
        return facts
    known = {f.name: f for f in facts}
    for name in names:
        if name not in known:
            raise InputError(f"--fact {name}: unknown fact; allowed: {', '.join(known)}")
    return tuple(known[n] for n in dict.fromkeys(names))


def validate(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: must be at least 1 (got {args.workers})")
    if args.workers is not None and args.dask not in (None, "local"):
        raise InputError(f"--workers: the Dask cluster at {args.dask} has its own workers; "
                         "--workers only sizes --dask local")
    if args.serial and args.workers not in (None, 1):
        raise InputError("--workers: the serial engine runs one run at a time; drop --workers or --serial")
    facts = _chosen(args.fact)
    effort = QUICK if args.quick else FULL
    out = Path(args.out) if args.out else Path(f"{DEFAULT_OUT}-quick" if args.quick else DEFAULT_OUT)
    engine = "serial" if args.serial else "dask" if args.dask else "process"
    print(f"docsec validate: {len(facts)} facts, {effort.name} suite ({effort.replicates} replicates per arm) "
          f"-> {out}", file=sys.stderr)

    def heard(result) -> None:
        head = result.headline
        effect = "" if head is None or head.n_pairs < 1 else (
            f" effect {head.effect:.3g} ({head.low:.3g} to {head.high:.3g})")
        print(f"  {result.fact.name:<24} {result.verdict.value:<16}{effect}", file=sys.stderr)

    hint = f"continue with: docsec validate{' --quick' if args.quick else ''} --out {out}"
    with stop_on_sigterm():
        try:
            results = run_validation(facts, effort, out, engine=engine, workers=args.workers,
                                     dask_address=args.dask, progress=args.progress, on_fact=heard,
                                     log=lambda line: print(line, file=sys.stderr))
        except KeyboardInterrupt:
            print(f"docsec validate: interrupted; finished runs are stored in {out}; {hint}", file=sys.stderr)
            return 130
        except SweepAborted as err:
            print(f"docsec validate: stopped: {err}; {hint}", file=sys.stderr)
            return 1
    write_outputs(results, effort, out)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    print(", ".join(f"{n} {v}" for v, n in counts.items()) + f"; {out / JSON_NAME}, {out / HTML_NAME}")
    return 1 if counts.get("failed") else 0
