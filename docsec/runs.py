"""One run from Python: ``run()`` and its result ``Run``; the shipped scenarios (``list_scenarios``,
``load_scenario``).

``run`` does what ``docsec run`` does — a scenario, parameter overrides, a run length and a seed in —
and hands back pandas tables instead of printing them: the summary as a Series, the daily table
and the event log as DataFrames, with the run's provenance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis.narrate import NOTABLE_KINDS, Names, event_rows, narrate, parse_kinds, parse_offices, select
from .analysis.provenance import provenance
from .arguments import apply_overrides, check_seed, scenario_and_parameters, timeline_within
from .scenarios import loader
from .scenarios.loader import Scenario
from .sim.errors import InputError
from .sim.events import EVENT_FIELDS, Event
from .sim.interventions import Intervention
from .sim.parameters import Parameters
from .sim.run import run_simulation

#: Columns of ``Run.events``: the event's fields, then the office's display name in the scenario.
EVENT_COLUMNS: tuple[str, ...] = (*EVENT_FIELDS, "office_name")


@dataclass(frozen=True, repr=False, eq=False)
class Run:
    """What one run produced, and what produced it.

    Attributes:
        summary: the run summary as a pandas Series of floats indexed by metric name
            (``docsec.sim.metrics.SUMMARY_NAMES``: totals, rates per 1,000 documents received,
            detection delay and share, custody hours per office-day); its ``name`` is the scenario's.
            ``pd.DataFrame([a.summary, b.summary])`` stacks several runs into one table.
        daily: one row per day: ``day``, the day's counters and the gauges' levels at its end
            (``docsec.sim.metrics.DAILY_NAMES``); None if run with ``daily=False``.
        events: the event log, one row per event (``day, office, actor, action, document, detail,
            office_name``); None if run with ``events=False``.
        provenance: scenario, its source file and SHA-256, seed, hash of the parameters the run
            started with, docsec version, git revision, Mesa and Python versions.
        params: the parameters the run started with (the scenario's, with overrides and ``days``).
        params_at_end: the parameters in force on the last day (they differ where the timeline set some).
        scenario: the scenario run, or None when parameters were given directly.
        timeline: the interventions that took effect (those within the run's days).
        notes: what the run could not do as written (an intervention after the run's last day).
        log: the event log as the model's ``Event`` tuples (what ``narrate`` reads); None without events.
    """

    summary: pd.Series
    daily: pd.DataFrame | None
    events: pd.DataFrame | None
    provenance: dict[str, Any]
    params: Parameters
    params_at_end: Parameters
    scenario: Scenario | None
    timeline: tuple[Intervention, ...] = ()
    notes: tuple[str, ...] = ()
    log: tuple[Event, ...] | None = field(default=None)

    @property
    def seed(self) -> int:
        """The run's seed."""
        return self.provenance["seed"]

    def narrate(self, *, office: str | int | Iterable[str | int] | None = None,
                kind: str | Iterable[str] | None = None, first: int | None = None,
                all_events: bool = False) -> list[str]:
        """The run's story: its notable events as sentences in day order (``docsec run --narrate``).

        ``office`` keeps one office's events (a number, "Office N" or the scenario's name for it; or
        several), with the organisation-wide ones; ``kind`` keeps events of those kinds (e.g.
        "key_handed", "dismissal"); ``all_events=True`` tells every event, readings and routine handling
        included; ``first`` keeps the first N. Returns a list of strings.
        """
        if self.log is None:
            raise InputError("narrate: this run recorded no events; run it with events=True")
        names = Names.of(self.scenario.narration if self.scenario else None)
        offices = parse_offices(_words(office), self.params.population.offices, names, option="office") \
            if office is not None else None
        kinds = parse_kinds(_words(kind), option="kind") if kind is not None else None
        if kinds and all_events:
            raise InputError("all_events: tells every kind of event; give it or kind, not both")
        if first is not None and (isinstance(first, bool) or not isinstance(first, int) or first < 0):
            raise InputError(f"first: must be a whole number of events, 0 or more (got {first!r})")
        told = kinds or (None if all_events else NOTABLE_KINDS)
        return narrate(select(self.log, offices=offices, kinds=told, first=first), names, log=self.log)

    def __repr__(self) -> str:
        p = self.params
        name = self.provenance.get("scenario") or "parameters"
        logged = "" if self.events is None else f", {len(self.events):,} events"
        return (f"<docsec Run {name!r}: {p.population.offices} offices, {p.run.days} days, seed {self.seed}"
                f"{logged}>")


def _words(value: str | int | Iterable[str | int]) -> list[str]:
    if isinstance(value, (str, int)):
        return [str(value)]
    return [str(v) for v in value]


def run(scenario_or_params: str | Path | Scenario | Parameters | Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None, *, seed: int = 0, days: int | None = None,
        events: bool = True, daily: bool = True, **keywords: Any) -> Run:
    """Run the model once and return a ``Run`` (summary Series, daily and event DataFrames, provenance).

    ``scenario_or_params`` is a shipped scenario's name (``"strict"``; ``list_scenarios()`` lists them),
    the path of a scenario file, a ``Scenario`` from ``load_scenario``, a ``Parameters`` object or a
    mapping of parameters over the defaults; None runs the default organisation. ``overrides`` sets
    parameters by ``group.name`` on top (``{"custody.uncleared_may_handle": False}``), and so does any
    ``group__name=value`` keyword (``penalty__dismissal_severity=500``). ``days`` sets the run's length
    (default: the scenario's ``run.days``); interventions after the last day are left out, with a note
    in ``Run.notes``. ``events=False`` skips the event log and ``daily=False`` the daily table (each
    saves time and memory in large organisations).

    The same scenario, overrides and seed give the same results as ``docsec run`` and
    ``docsec.sim.run.run_simulation``. Bad input raises ``InputError`` with a one-line message naming
    the parameter or argument and what is allowed.
    """
    scenario, base = scenario_and_parameters(scenario_or_params)
    params = apply_overrides(base, overrides, keywords, days)
    seed = check_seed(seed)
    timeline, notes = timeline_within(scenario, params)
    profiles = scenario.office_profiles if scenario else ()
    result = run_simulation(params, seed, timeline=timeline, office_profiles=profiles, record_events=events,
                            collect_daily=daily)
    names = Names.of(scenario.narration if scenario else None)
    table = None
    if events:
        table = pd.DataFrame(event_rows(result.events, names), columns=list(EVENT_COLUMNS))
    stamp = {
        "scenario": scenario.name if scenario else None,
        "scenario_source": str(scenario.source) if scenario else None,
        "scenario_hash": scenario.source_hash if scenario else None,
        "seed": result.seed,
        "spec_hash": params.spec_hash(),
        **provenance(),
    }
    summary = pd.Series(result.summary, dtype="float64", name=scenario.name if scenario else None)
    return Run(summary=summary, daily=result.daily, events=table, provenance=stamp, params=params,
               params_at_end=result.params, scenario=scenario, timeline=timeline, notes=notes,
               log=tuple(result.events) if events else None)


def list_scenarios() -> pd.DataFrame:
    """The shipped scenarios: a DataFrame with one row each (``name``, ``description`` — the first
    line of the scenario's description — and ``extends``, the scenario it builds on or ""), the
    baselines first. ``list_scenarios()["name"]`` gives the names ``run`` and ``load_scenario`` take."""
    rows = []
    for name in loader.shipped_names():
        scenario = loader.load_scenario(name)
        rows.append((name, scenario.summary, scenario.extends[0] if scenario.extends else ""))
    return pd.DataFrame(rows, columns=["name", "description", "extends"])


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load and validate a scenario by shipped name (``"railway-factory"``) or file path.

    Returns a ``Scenario``: ``name``, ``description``, ``params`` (a ``Parameters`` object),
    ``timeline`` (interventions), ``office_profiles``, ``narration`` (display names), ``extends``,
    ``source`` and ``source_hash``. Pass it to ``run``, or change it with ``run``'s overrides.
    A bad file raises ``InputError`` naming the file, the key and what is allowed.
    """
    return loader.load_scenario(name_or_path)
