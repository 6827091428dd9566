"""Tabletop mode: a room sets the policy before each round, then sees what happened.

The game runs two models of the same scenario with the same seed, in step:

- the room's path, where the room's choices before each round take effect on the
  round's first day (as interventions, so the model applies and logs them);
- the counterfactual, with the policy left unchanged (the scenario's own timeline only).

Every random process draws from its own named stream, so both paths share their
random numbers: where they differ, the room's decisions made the difference, not
chance. The debrief compares the two round by round, and credits each decision
with its own effect: the room's path against a replay with that one decision left
out (every other decision kept).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import catalog
from .feed import FeedLine
from .headline import HEADLINE
from .live import LiveRun, PolicyChange, counter_totals, daily_table, describe_changes, new_model
from .session import check_seed
from ...scenarios.loader import Scenario
from ...sim.parameters import ParameterError

#: A round is a month by default (the model counts a month as 30 days).
DEFAULT_ROUND_DAYS = 30
#: Rounds offered by default: half a year of months fits a lesson.
DEFAULT_ROUNDS = 6
ROUND_DAY_CHOICES: tuple[int, ...] = (7, 14, 30, 60, 90)
#: At most this many rounds: a lesson's worth, and the debrief replays the run once per decision.
MAX_ROUNDS = 12


def max_rounds(run_days: int, round_days: int) -> int:
    """The most rounds a run of ``run_days`` allows with rounds of ``round_days``."""
    return min(MAX_ROUNDS, run_days // round_days)


def check_setup(run_days: int, round_days: Any, rounds: Any) -> tuple[int, int]:
    """Round length and count from user input, checked against the run's length."""
    if isinstance(round_days, bool) or not isinstance(round_days, int) or not 1 <= round_days <= run_days:
        raise ParameterError("tabletop.round_days", f"must be a whole number of days from 1 to run.days = {run_days} "
                             f"(got {round_days!r})")
    most = max_rounds(run_days, round_days)
    if isinstance(rounds, bool) or not isinstance(rounds, int) or not 1 <= rounds <= most:
        raise ParameterError("tabletop.rounds", f"must be a whole number from 1 to {most} "
                             f"(at most {MAX_ROUNDS}, and rounds of {round_days} days must fit in "
                             f"run.days = {run_days}; got {rounds!r})")
    return round_days, rounds


@dataclass(frozen=True)
class Decision:
    """What the room changed before a round."""

    round: int
    change: PolicyChange
    before: Mapping[str, Any]

    @property
    def day(self) -> int:
        return self.change.day

    def describe(self) -> str:
        return describe_changes(self.change.changes)


@dataclass(frozen=True)
class RoundResult:
    """One round on the room's path: its days, the decision before it, its counter totals and events."""

    round: int
    first_day: int
    last_day: int
    decision: Decision | None
    totals: Mapping[str, float]
    feed: list[FeedLine] = field(default_factory=list)


@dataclass(frozen=True)
class Debrief:
    """The room's path against the unchanged policy (tidy tables for the debrief's table and charts)."""

    rounds: pd.DataFrame    # round, first_day, last_day, decision, metric, room, unchanged, difference
    totals: pd.DataFrame    # metric, room, unchanged, difference
    daily: pd.DataFrame     # day, path, metric, value, cumulative
    effects: pd.DataFrame   # round, day, decision, metric, room, without_decision, effect
    markers: dict[int, str]


class TabletopGame:
    """A game of ``rounds`` rounds of ``round_days`` days on one scenario and seed."""

    ROOM = "room's choices"
    UNCHANGED = "policy unchanged"

    def __init__(self, scenario: Scenario | str = catalog.FIRST_SCENARIO, seed: int = 0,
                 round_days: int = DEFAULT_ROUND_DAYS, rounds: int | None = None):
        self.scenario = scenario if isinstance(scenario, Scenario) else catalog.scenario(scenario)
        self.seed = check_seed(seed)
        run_days = self.scenario.params.run.days
        if rounds is None:
            rounds = min(DEFAULT_ROUNDS, max_rounds(run_days, round_days)) if round_days <= run_days else 1
        self.round_days, self.rounds = check_setup(run_days, round_days, rounds)
        self.room = LiveRun(self.scenario, self.seed)
        self.unchanged = new_model(self.scenario, self.seed, record_events=False)
        self.results: list[RoundResult] = []
        self.decisions: list[Decision] = []
        self.lock = threading.RLock()
        self.playing = False  # a round is under way

    # -- state -----------------------------------------------------------------------------------
    @property
    def next_round(self) -> int:
        return len(self.results) + 1

    @property
    def finished(self) -> bool:
        return len(self.results) >= self.rounds

    @property
    def days_played(self) -> int:
        return self.room.day

    def policy(self) -> dict[str, Any]:
        """The lever values in force for the next round (before the room changes them)."""
        return self.room.policy()

    # -- a round ---------------------------------------------------------------------------------
    def play_round(self, changes: Mapping[str, Any] | None = None, number: int | None = None) -> RoundResult | None:
        """Apply the room's choices from the round's first day, then run the round on both paths.

        ``number`` is the round the caller means to play: a second request for a round already
        played or under way (a double click, two screens) returns None and plays nothing.
        """
        with self.lock:
            if number is not None and (number != self.next_round or self.playing):
                return None
            if self.finished:
                raise ParameterError("tabletop.round", f"the game had {self.rounds} rounds and all are played; "
                                     "start a new game")
            self.playing = True
        try:
            return self._play(changes)
        finally:
            with self.lock:
                self.playing = False

    def _play(self, changes: Mapping[str, Any] | None) -> RoundResult:
        number = self.next_round
        before = self.policy()
        change = self.room.set_policy(changes or {}, source=f"the room's decision for round {number}")
        decision = Decision(number, change, before) if change is not None else None
        if decision is not None:
            self.decisions.append(decision)
        first = self.room.day + 1
        self.room.advance(self.round_days)
        self.unchanged.run_days(self.round_days)
        last = self.room.day
        result = RoundResult(number, first, last, decision, counter_totals(self.room.daily(), first, last),
                             self.room.feed(limit=40, since_day=first))
        self.results.append(result)
        return result

    # -- the debrief -------------------------------------------------------------------------------
    def unchanged_daily(self) -> pd.DataFrame:
        return daily_table(self.unchanged)

    def replay_totals(self, decisions: list[Decision]) -> dict[str, float]:
        """Counter totals over the days played, replaying the scenario with only ``decisions``."""
        model = new_model(self.scenario, self.seed, [d.change.intervention() for d in decisions],
                          record_events=False)
        model.run_days(self.days_played)
        return counter_totals(daily_table(model))

    def debrief(self, metrics: tuple[str, ...] = HEADLINE) -> Debrief:
        """Room against unchanged policy: per round, in total, day by day, and each decision's own effect."""
        room_daily = self.room.daily()
        base_daily = self.unchanged_daily()
        round_rows, total_rows, effect_rows = [], [], []
        for res in self.results:
            base = counter_totals(base_daily, res.first_day, res.last_day)
            for m in metrics:
                round_rows.append({"round": res.round, "first_day": res.first_day, "last_day": res.last_day,
                                   "decision": res.decision.describe() if res.decision else "",
                                   "metric": m, "room": res.totals[m], "unchanged": base[m],
                                   "difference": res.totals[m] - base[m]})
        room_total = counter_totals(room_daily)
        base_total = counter_totals(base_daily)
        for m in metrics:
            total_rows.append({"metric": m, "room": room_total[m], "unchanged": base_total[m],
                               "difference": room_total[m] - base_total[m]})
        for d in self.decisions:
            without = self.replay_totals([other for other in self.decisions if other is not d])
            for m in metrics:
                effect_rows.append({"round": d.round, "day": d.day, "decision": d.describe(), "metric": m,
                                    "room": room_total[m], "without_decision": without[m],
                                    "effect": room_total[m] - without[m]})
        daily = pd.concat([_long(room_daily, self.ROOM, metrics), _long(base_daily, self.UNCHANGED, metrics)],
                          ignore_index=True)
        markers = {d.day: f"round {d.round}: {d.describe()}" for d in self.decisions}
        return Debrief(
            rounds=pd.DataFrame(round_rows, columns=["round", "first_day", "last_day", "decision", "metric", "room",
                                                     "unchanged", "difference"]),
            totals=pd.DataFrame(total_rows, columns=["metric", "room", "unchanged", "difference"]),
            daily=daily,
            effects=pd.DataFrame(effect_rows, columns=["round", "day", "decision", "metric", "room",
                                                       "without_decision", "effect"]),
            markers=markers,
        )


def _long(daily: pd.DataFrame, path: str, metrics: tuple[str, ...]) -> pd.DataFrame:
    """A daily table in long form (day, path, metric, value, cumulative)."""
    if daily.empty:
        return pd.DataFrame(columns=["day", "path", "metric", "value", "cumulative"])
    wide = daily[["day", *metrics]]
    long = wide.melt(id_vars="day", var_name="metric", value_name="value")
    long["cumulative"] = long.groupby("metric")["value"].cumsum()
    long.insert(1, "path", path)
    return long


def round_table(results: list[RoundResult], metrics: tuple[str, ...] = HEADLINE) -> pd.DataFrame:
    """The room's rounds so far (round, first_day, last_day, decision, metric, value): what play shows."""
    rows = [{"round": r.round, "first_day": r.first_day, "last_day": r.last_day,
             "decision": r.decision.describe() if r.decision else "", "metric": m, "value": r.totals[m]}
            for r in results for m in metrics]
    return pd.DataFrame(rows, columns=["round", "first_day", "last_day", "decision", "metric", "value"])

