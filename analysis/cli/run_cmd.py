"""``docsec run``: run one organisation for a number of days and print its run summary."""

from __future__ import annotations

import argparse
import json
import math
import sys

from analysis.cli.options import parse_assignments
from analysis.provenance import provenance
from sim.errors import InputError
from sim.metrics import MEANINGS, SUMMARY_NAMES, UNITS
from sim.parameters import ParameterError, Parameters, spec_by_path
from sim.run import run_simulation


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run one organisation and print its run summary",
                       description="Run the model once and print the run summary (totals, rates per "
                                   "1,000 documents, detection delay, custody workload).")
    p.add_argument("--days", type=int, default=None,
                   help=f"days to simulate (default: run.days = {spec_by_path()['run.days'].default})")
    p.add_argument("--seed", type=int, default=0, help="the run's seed; same seed, same results (default: 0)")
    p.add_argument("--set", dest="overrides", action="append", metavar="GROUP.NAME=VALUE",
                   help="set a parameter, e.g. --set custody.uncleared_may_handle=false (repeatable); "
                        "`docsec run --list-parameters` lists them")
    p.add_argument("--json", action="store_true", help="print the summary as JSON with provenance")
    p.add_argument("--daily", metavar="FILE", help="also write the daily series to FILE (CSV)")
    p.add_argument("--list-parameters", action="store_true",
                   help="list every parameter with its unit, range and default, and exit")
    p.set_defaults(handler=run)


def resolve_parameters(args: argparse.Namespace, base: Parameters | None = None) -> Parameters:
    """Base parameters with --set overrides and --days applied."""
    try:
        params = (base or Parameters()).with_overrides(parse_assignments(args.overrides))
    except ParameterError as err:
        raise ParameterError(f"--set {err.path}", err.message) from None
    if args.days is not None:
        try:
            params = params.with_overrides({"run.days": args.days})
        except ParameterError as err:
            raise ParameterError("--days", err.message) from None
    return params


def run(args: argparse.Namespace) -> int:
    if args.list_parameters:
        print_parameters()
        return 0
    params = resolve_parameters(args)
    result = run_simulation(params, args.seed, collect_daily=bool(args.daily))
    if args.daily:
        write_daily(result.daily, args.daily)
    print_result(result, args.json, name="default organisation")
    return 0


def write_daily(daily, path: str) -> None:
    try:
        daily.to_csv(path, index=False)
    except OSError as err:
        raise InputError(f"--daily {path}: cannot write ({err.strerror})") from None


def print_result(result, as_json: bool, name: str) -> None:
    if as_json:
        payload = {
            "scenario": name,
            "seed": result.seed,
            "spec_hash": result.params.spec_hash(),
            "provenance": provenance(),
            "parameters": result.params.flat(),
            "summary": {k: (None if isinstance(v, float) and math.isnan(v) else v)
                        for k, v in result.summary.items()},
        }
        json.dump(payload, sys.stdout, indent=2)
        print()
        return
    print(format_summary(result.summary, title=f"{name}: {result.params.population.offices} offices, "
                                              f"{result.params.run.days} days, seed {result.seed}"))


def format_summary(summary: dict, title: str) -> str:
    """The run summary as an aligned, readable table."""
    lines = [title, ""]
    width = max(len(n) for n in SUMMARY_NAMES)
    for name in SUMMARY_NAMES:
        value = summary[name]
        if isinstance(value, float) and math.isnan(value):
            shown = "n/a"
        elif isinstance(value, float) and not value.is_integer():
            shown = f"{value:,.2f}"
        else:
            shown = f"{int(value):,}"
        lines.append(f"  {name:<{width}}  {shown:>12}  {UNITS[name]:<20} {MEANINGS[name]}")
    return "\n".join(lines)


def print_parameters() -> None:
    for spec in spec_by_path().values():
        default = spec.default.value if hasattr(spec.default, "value") else spec.default
        print(f"{spec.path:<48} {str(default):>14}  [{spec.unit}; {spec.describe_allowed()}]  {spec.doc}")
