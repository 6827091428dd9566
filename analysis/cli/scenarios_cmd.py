"""``docsec scenarios``: list the shipped scenarios with their one-line descriptions."""

from __future__ import annotations

import argparse

from ...scenarios.loader import list_scenarios, load_scenario, shipped_names


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenarios", help="list the shipped scenarios",
                       description="List the scenarios shipped with docsec, each with its one-line description. "
                                   "Run one with `docsec run NAME`; see its parameters with `docsec show NAME`.")
    p.add_argument("--paths", action="store_true", help="also print where each scenario file is")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    rows = list_scenarios()
    width = max((len(name) for name, _ in rows), default=0)
    for name, summary in rows:
        print(f"{name:<{width}}  {summary}")
        if args.paths:
            print(f"{'':<{width}}  {load_scenario(name).source}")
    if not shipped_names():  # pragma: no cover - the package always ships its scenarios
        print("no scenarios are installed")
        return 1
    return 0
