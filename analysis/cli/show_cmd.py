"""``docsec show``: print a scenario's fully resolved parameters and timeline, as a loadable TOML file."""

from __future__ import annotations

import argparse
import json

from ...scenarios.export import to_toml
from ...scenarios.loader import load_scenario
from ...sim.parameters import Parameters


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "show", help="print a scenario's fully resolved parameters",
        description="Print a scenario with everything it extends resolved: every parameter (those that differ "
                    "from the default are marked with the default), its timeline and narration names. The "
                    "output is itself a scenario file: `docsec show lax > mine.toml` makes a copy to edit.")
    p.add_argument("scenario", metavar="SCENARIO", help="a shipped scenario's name or the path of a .toml file")
    p.add_argument("--changed", action="store_true", help="only the parameters that differ from their defaults")
    p.add_argument("--json", action="store_true", help="print as JSON instead of TOML")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    if args.json:
        params = scenario.params.flat()
        if args.changed:
            defaults = Parameters().flat()
            params = {k: v for k, v in params.items() if v != defaults[k]}
        print(json.dumps({
            "name": scenario.name,
            "description": scenario.description,
            "source": scenario.source,
            "source_hash": scenario.source_hash,
            "extends": list(scenario.extends),
            "parameters": params,
            "timeline": [{"day": iv.day, "note": iv.note, "set": dict(iv.set)} for iv in scenario.timeline],
            "narration": {"offices": list(scenario.narration.offices),
                          "custodian": scenario.narration.custodian, "deputy": scenario.narration.deputy},
        }, indent=2, ensure_ascii=False))
        return 0
    print(to_toml(scenario, changed_only=args.changed), end="")
    return 0
