"""``docsec run``: run one scenario (a shipped name or a .toml file) and print its run summary,
optionally narrating its event log or writing the log, the daily series or the summary to files."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from ..atomic import replacing
from .options import parse_assignments
from ..narrate import EVENT_FORMATS, NOTABLE_KINDS, Names, event_format, narrate, parse_kinds, parse_offices, \
    select, write_events
from ..memory import check_fits
from ..provenance import provenance
from ...scenarios.export import spreadsheet_safe
from ...scenarios.loader import Scenario, load_scenario
from ...sim.errors import InputError
from ...sim.events import Action
from ...sim.interventions import validate_timeline
from ...sim.metrics import MEANINGS, SUMMARY_NAMES, UNITS
from ...sim.parameters import ParameterError, Parameters, spec_by_path
from ...sim.run import run_simulation

DEFAULT_SCENARIO = "default"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="run one scenario and print its run summary (or narrate it)",
        description="Run the model once for a scenario and print the run summary (totals, rates per "
                    "1,000 documents, detection delay, custody workload). With --narrate, first tell the "
                    "run's notable events (policy, leaks, losses, violations, detection, sanctions) as sentences "
                    "in day order; --all tells every event.",
        epilog="`docsec scenarios` lists the shipped scenarios; `docsec show NAME` prints one's parameters.")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                   help="a shipped scenario's name (e.g. lax, strict, railway-factory) or the path of a "
                        f"scenario .toml file (default: {DEFAULT_SCENARIO})")
    p.add_argument("--days", type=int, default=None,
                   help="days to simulate (default: the scenario's run.days; "
                        f"the default organisation has {spec_by_path()['run.days'].default})")
    p.add_argument("--seed", type=int, default=0, help="the run's seed; same seed, same results (default: 0)")
    p.add_argument("--set", dest="overrides", action="append", metavar="GROUP.NAME=VALUE",
                   help="set a parameter on top of the scenario, e.g. --set custody.uncleared_may_handle=false "
                        "(repeatable); `docsec run --list-parameters` lists them")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the summary as JSON with provenance")
    out.add_argument("--narrate", action="store_true",
                     help="print the run's notable events (policy changes, leaks, losses, violations, detection, "
                          "sanctions; not routine handling or readings) as sentences in day order before the "
                          "summary; --all or --kind choose others")
    p.add_argument("--all", dest="all_events", action="store_true",
                   help="with --narrate: every event, routine handling and readings included (a year of the "
                        "default organisation is about 10,000 sentences)")
    p.add_argument("--office", action="append", metavar="OFFICE",
                   help="with --narrate or --events: only events of this office (a number, 'Office N' or the "
                        "scenario's name for it; repeatable or comma-separated); organisation-wide events "
                        "are kept")
    p.add_argument("--kind", action="append", metavar="KIND",
                   help="with --narrate or --events: only events of this kind, e.g. key_handed, warning, "
                        "dismissal, favour_trade, leaked (repeatable or comma-separated; "
                        "`docsec run --list-kinds` lists them)")
    p.add_argument("--first", type=int, metavar="N",
                   help="with --narrate or --events: only the first N events (after the other filters)")
    p.add_argument("--events", metavar="FILE",
                   help="write the (filtered) event log to FILE: "
                        + " or ".join(f"{s} ({n})" for s, n in EVENT_FORMATS.items())
                        + ", one row per event with the run's provenance")
    p.add_argument("--daily", metavar="FILE", help="also write the daily series to FILE (CSV, with provenance)")
    p.add_argument("--list-parameters", action="store_true",
                   help="list every parameter with its unit, range and default, and exit")
    p.add_argument("--list-kinds", action="store_true", help="list the kinds of event and exit")
    p.add_argument("--force", action="store_true",
                   help="run even if the run's estimated memory exceeds what this machine has free "
                        "(the estimate may be pessimistic)")
    p.set_defaults(handler=run)


# -- resolving what to run ------------------------------------------------------------------------------
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


def resolve_timeline(scenario: Scenario, params: Parameters, notes=None) -> tuple:
    """The scenario's interventions that fall within the run, checked against the final parameters.

    Interventions after a shortened run's last day cannot take effect; each is
    reported through ``notes`` (a callable taking a message) rather than dropped silently.
    """
    kept = []
    for iv in scenario.timeline:
        if iv.day <= params.run.days:
            kept.append(iv)
        elif notes is not None:
            notes(f"note: the intervention on day {iv.day} ({iv.note or ', '.join(iv.set)}) falls after the "
                  f"run's last day ({params.run.days}) and does not take effect")
    try:
        validate_timeline(params, kept, where=f"{scenario.source}:timeline")
    except ParameterError as err:
        raise InputError(f"--set conflicts with the scenario's timeline: {err}") from None
    return tuple(kept)


def narration_kinds(kinds: frozenset[Action] | None, all_events: bool) -> frozenset[Action] | None:
    """The kinds --narrate tells: those --kind names, every kind with --all, else the notable ones."""
    if kinds:
        return kinds
    return None if all_events else NOTABLE_KINDS


def _filters_given(args: argparse.Namespace) -> bool:
    return bool(args.office or args.kind or args.first is not None)


def _note(message: str) -> None:
    print(message, file=sys.stderr)


# -- the command --------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    if args.list_parameters:
        print_parameters()
        return 0
    if args.list_kinds:
        print_kinds()
        return 0
    scenario = load_scenario(args.scenario)
    params = resolve_parameters(args, scenario.params)
    timeline = resolve_timeline(scenario, params, notes=_note)
    names = Names.of(scenario.narration)

    # check every option before the run, so a mistake costs nothing and overwrites nothing
    if _filters_given(args) and not (args.narrate or args.events):
        raise InputError("--office, --kind and --first filter the events of --narrate or --events; "
                         "give one of those too")
    if args.all_events and not args.narrate:
        raise InputError("--all: narrates every event instead of the notable ones; give --narrate too")
    if args.all_events and args.kind:
        raise InputError("--all and --kind exclude each other: --all narrates every kind, --kind only those named")
    offices = parse_offices(args.office or (), params.population.offices, names) if args.office else None
    kinds = parse_kinds(args.kind or ()) if args.kind else None
    if args.first is not None and args.first < 0:
        raise InputError(f"--first {args.first}: must be a whole number of events, 0 or more")
    if args.events:
        event_format(args.events)
    if args.daily:
        _check_destination(args.daily, "--daily")

    want_events = bool(args.narrate or args.events)
    if not args.force:
        check_fits(params, record_events=want_events, option="population",
                   how=" (e.g. --set population.offices=... or --days ...), or add --force")
    result = run_simulation(params, args.seed, timeline=timeline, office_profiles=scenario.office_profiles,
                            record_events=want_events,
                            collect_daily=bool(args.daily))
    stamp = provenance_columns(scenario, result.seed, params)
    if want_events:
        if args.events:  # the structured log: every kind unless --kind chooses
            chosen = select(result.events, offices=offices, kinds=kinds, first=args.first)
            if event_format(args.events) == ".csv":  # names and notes never become spreadsheet formulas
                safe_events, safe_names, safe_stamp = csv_safe(chosen, names, stamp)
                write_events(safe_events, args.events, names=safe_names, provenance=safe_stamp)
            else:
                write_events(chosen, args.events, names=names, provenance=stamp)
        if args.narrate:
            told = narration_kinds(kinds, args.all_events)
            chosen = select(result.events, offices=offices, kinds=told, first=args.first)
            for line in narrate(chosen, names, log=result.events):
                print(line)
            print()
            if told is NOTABLE_KINDS:
                _note(f"note: narrated {len(chosen):,} notable events of {len(result.events):,} "
                      "(policy, leaks, losses, violations, detection, sanctions); --all narrates every event, "
                      "--kind chooses kinds")
    if args.daily:
        write_daily(result.daily, args.daily, stamp)
    print_result(result, args.json, name=scenario.name, scenario=scenario, timeline=timeline, params=params)
    return 0


def provenance_columns(scenario: Scenario, seed: int, params: Parameters) -> dict[str, object]:
    """Columns stamped on every stored row: scenario, its hash, seed, hash of the parameters the run
    started with (after --set and --days), code versions."""
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario.source_hash,
        "seed": seed,
        "spec_hash": params.spec_hash(),
        **provenance(),
    }


def csv_safe(events, names: Names, stamp: dict[str, object]):
    """Events, display names and provenance with every text a spreadsheet would read as a formula
    (a narration name like ``=HYPERLINK(...)``, a note starting with '-') made plain text; for CSV only."""
    fields = ("office", "actor", "document", "detail")
    safe_events = [e._replace(**{f: spreadsheet_safe(getattr(e, f)) for f in fields}) for e in events]
    safe_names = Names(tuple(spreadsheet_safe(n) for n in names.offices),
                       {role: spreadsheet_safe(title) for role, title in names.roles.items()})
    return safe_events, safe_names, {k: spreadsheet_safe(v) for k, v in stamp.items()}


def _check_destination(path: str, option: str) -> None:
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{option} {path}: is a directory; give a file name")
    if not target.parent.is_dir():
        raise InputError(f"{option} {path}: folder '{target.parent}' does not exist")


def write_daily(daily, path: str, stamp: dict[str, object] | None = None) -> None:
    """The daily series as CSV with provenance columns, moved into place only when complete."""
    table = daily.copy()
    for column, value in (stamp or {}).items():
        table[column] = spreadsheet_safe(value)
    with replacing(path, "--daily") as tmp:
        table.to_csv(tmp, index=False)


# -- printing -----------------------------------------------------------------------------------------
def print_result(result, as_json: bool, name: str, scenario: Scenario | None = None, timeline=(),
                 params: Parameters | None = None) -> None:
    """The summary as a table, or as JSON with provenance, the parameters the run started with, its
    timeline and the parameters in force at its end (they differ where the timeline changed them)."""
    if as_json:
        start = params or result.params
        payload = {
            "scenario": name,
            "scenario_source": scenario.source if scenario else None,
            "scenario_hash": scenario.source_hash if scenario else None,
            "seed": result.seed,
            "spec_hash": start.spec_hash(),
            "provenance": provenance(),
            "parameters": start.flat(),
            "timeline": [{"day": iv.day, "note": iv.note, "set": dict(iv.set)} for iv in timeline],
            "parameters_at_end": result.params.flat(),
            "summary": {k: (None if isinstance(v, float) and math.isnan(v) else v)
                        for k, v in result.summary.items()},
        }
        json.dump(payload, sys.stdout, indent=2)
        print()
        return
    offices = result.params.population.offices
    print(format_summary(result.summary, title=f"{name}: {offices} office{'' if offices == 1 else 's'}, "
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


def print_kinds() -> None:
    for action in Action:
        print(action.value)
