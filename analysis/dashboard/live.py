"""One run advancing in the browser: the model, the policy changes made to it, and its tables.

A ``LiveRun`` owns a ``DocSecModel`` built from a scenario and a seed, with its
event log on. A lever change is scheduled as an ``Intervention`` for the next
day, so the model applies it exactly as it applies a scenario's timeline (and
logs it): replaying the run from the scenario with the changes as a timeline
gives the same results. The views (daily counters, offices, event feed) are
plain tables for the charts and the office view.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .catalog import office_names, timeline_notes
from .feed import NOTABLE, FeedLine, Kind, feed_lines
from .levers import check_changes, lever_by_path, lever_values
from .offices import office_table
from ..narrate import Names
from ..provenance import provenance
from ...scenarios.loader import Scenario
from ...sim.events import Action
from ...sim.interventions import Intervention
from ...sim.metrics import COUNTER_NAMES
from ...sim.model import DocSecModel
from ...sim.parameters import ParameterError


@dataclass(frozen=True)
class PolicyChange:
    """Lever settings a user made, taking effect on ``day``."""

    day: int
    changes: Mapping[str, Any]
    note: str = ""

    def intervention(self) -> Intervention:
        return Intervention(day=self.day, set=dict(self.changes), note=self.note)


def describe_changes(changes: Mapping[str, Any]) -> str:
    """``"Penalties: dismissal severity = 1,000 utility; Penalties: publicised = no"``."""
    table = lever_by_path()
    parts = []
    for path, value in changes.items():
        lever = table.get(path)
        parts.append(f"{lever.section}: {lever.label.lower()} = {lever.show(value)}" if lever
                     else f"{path} = {value}")
    return "; ".join(parts)


def new_model(chosen: Scenario, seed: int, extra: Iterable[Intervention] = (), record_events: bool = True
              ) -> DocSecModel:
    """A model of ``chosen`` with ``seed``; ``extra`` interventions follow the scenario's own on the same day."""
    return DocSecModel(chosen.params, timeline=(*chosen.timeline, *extra), office_profiles=chosen.office_profiles,
                       record_events=record_events, rng=seed)


def counter_totals(daily: pd.DataFrame, first_day: int = 1, last_day: int | None = None) -> dict[str, float]:
    """Each counter summed over days ``first_day``..``last_day`` of a daily table."""
    rows = daily[(daily["day"] >= first_day) & ((daily["day"] <= last_day) if last_day is not None else True)]
    return {name: float(rows[name].sum()) for name in COUNTER_NAMES}


def daily_table(model: DocSecModel) -> pd.DataFrame:
    """One row per day run so far: ``day`` and every counter."""
    frame = model.daily_table()
    if frame.empty:
        return pd.DataFrame({"day": pd.Series(dtype=int), **{n: pd.Series(dtype=float) for n in COUNTER_NAMES}})
    return frame[["day", *COUNTER_NAMES]]


@dataclass
class LiveRun:
    """A scenario's model advancing day by day, with the user's policy changes."""

    scenario: Scenario
    seed: int
    model: DocSecModel = field(init=False)
    changes: list[PolicyChange] = field(init=False, default_factory=list)
    _scheduled: list[Intervention] = field(init=False, default_factory=list)
    _dismissed: Counter = field(init=False, default_factory=Counter)
    _cursor: int = field(init=False, default=0)

    def __post_init__(self):
        self.model = new_model(self.scenario, self.seed)

    # -- state ---------------------------------------------------------------------------
    @property
    def day(self) -> int:
        return self.model.day

    @property
    def last_day(self) -> int:
        return self.model.params.run.days

    @property
    def finished(self) -> bool:
        return self.model.day >= self.last_day

    def policy(self) -> dict[str, Any]:
        """Lever values in force tomorrow: today's parameters with changes scheduled for tomorrow."""
        values = lever_values(self.model.params)
        for iv in self.model.timeline.get(self.model.day + 1, ()):
            values.update({k: v for k, v in iv.set.items() if k in values})
        return values

    # -- actions -------------------------------------------------------------------------
    def advance(self, days: int) -> int:
        """Run up to ``days`` more days (never past the run's end); returns the days run."""
        start = self.model.day
        self.model.run_days(max(0, int(days)))
        self._count_dismissals()
        return self.model.day - start

    def set_policy(self, changes: Mapping[str, Any],
                   source: str = "policy set in the dashboard") -> PolicyChange | None:
        """Schedule lever changes for the next day; returns the day's change, or None when nothing changes.

        Settings made before the same day merge into one change (a slider dragged
        through several values makes one change, to where it stopped); a lever set
        back to the value it will have anyway drops out. Raises ``ParameterError`` for an
        unknown lever or a bad value, or when the run has ended.
        """
        changes = check_changes(dict(changes))
        day = self.model.day + 1
        scheduled = self.model.timeline.get(day, [])
        pending = self.changes[-1] if self.changes and self.changes[-1].day == day else None
        others = [iv for iv in scheduled if not (pending is not None and iv is self._scheduled[-1])]
        params = self.model.params
        for iv in others:  # the scenario's own interventions for that day come first
            params = params.with_overrides(iv.set)
        tomorrow = lever_values(params)
        merged = {**(pending.changes if pending else {}), **changes}
        merged = {k: merged[k] for k in lever_by_path() if k in merged and merged[k] != tomorrow[k]}
        if merged:
            if day > self.last_day:
                raise ParameterError("levers", f"the run has ended on day {self.last_day}; reset to start again")
            params.with_overrides(merged)  # the combination must be valid before anything changes
        if pending is not None:
            self.changes.pop()
            self._scheduled.pop()
        self.model.timeline[day] = others
        if not merged:
            return None
        change = PolicyChange(day=day, changes=merged, note=f"{source}: {describe_changes(merged)}")
        intervention = change.intervention()
        others.append(intervention)
        self.changes.append(change)
        self._scheduled.append(intervention)
        return change

    # -- views ---------------------------------------------------------------------------
    def daily(self) -> pd.DataFrame:
        return daily_table(self.model)

    def policy_changes_text(self) -> str:
        """The policy changes made in the dashboard, as ``day N: group.name = value`` (what replays the run)."""
        return "; ".join(f"day {c.day}: " + ", ".join(f"{path} = {value}" for path, value in c.changes.items())
                         for c in self.changes)

    def daily_export(self) -> pd.DataFrame:
        """The daily table with its provenance on every row: enough to replay the run with ``docsec run``.

        Columns: ``day``, every counter, then the scenario and its hash, the seed, the hash of the
        scenario's parameters, the dashboard's policy changes (empty when none) and the code versions.
        """
        table = self.daily()
        stamp = {"scenario": self.scenario.name, "scenario_hash": self.scenario.source_hash, "seed": self.seed,
                 "spec_hash": self.scenario.params.spec_hash(), "policy_changes": self.policy_changes_text(),
                 **provenance()}
        return table.assign(**stamp)

    def markers(self) -> dict[int, str]:
        """Day -> note of every policy change (the scenario's and the user's) up to tomorrow."""
        notes = {day: note for day, note in timeline_notes(self.scenario).items()}
        for change in self.changes:
            notes[change.day] = f"{notes[change.day]}; {change.note}" if change.day in notes else change.note
        return {day: note for day, note in sorted(notes.items()) if day <= self.model.day + 1}

    def feed(self, limit: int = 60, kinds: Iterable[Kind] = NOTABLE, since_day: int = 0) -> list[FeedLine]:
        return feed_lines(self.model.events or [], limit=limit, kinds=kinds, since_day=since_day,
                          names=Names.of(self.scenario.narration))

    def offices(self) -> pd.DataFrame:
        return office_table(self.model, dismissed=self._dismissed, names=office_names(self.scenario),
                            roles=self.scenario.narration.roles)

    def _count_dismissals(self) -> None:
        events = self.model.events or []
        for event in events[self._cursor:]:
            if event.action is Action.DISMISSAL:
                self._dismissed[event.office] += 1
        self._cursor = len(events)
