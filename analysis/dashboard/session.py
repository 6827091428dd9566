"""Free play: one browser session's run, with step, play, run to the end, reset, seed, speed and levers.

Each browser session owns one ``DashboardSession`` (the app creates it per
session), so two people never drive the same model. All changes and reads go
through a lock: the play loop steps the model in a worker thread while the
browser may change a lever or read the tables. When the run is switched (another
scenario or seed, or a reset), the run before it stays as ``previous``: the charts
draw it faded beside the new one (lax against strict on one scale).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import catalog
from .feed import NOTABLE, FeedLine, Kind
from .live import LiveRun, PolicyChange
from ..sweep.files import MAX_SEED as SWEEP_MAX_SEED
from ...sim.parameters import ParameterError

#: Days one step (or one tick of play) advances: a day, a week, a fortnight, a month.
SPEEDS: tuple[int, ...] = (1, 7, 14, 30)
DEFAULT_SPEED = 7
#: Seeds a user may type: every seed a sweep can give a run (``sweep.files.MAX_SEED``, 2**63 - 1),
#: so any run of a sweep replays here as with ``docsec run --seed``.
MAX_SEED = SWEEP_MAX_SEED


def check_seed(seed: Any) -> int:
    """A seed from user input; a ``ParameterError`` names the field and the allowed values."""
    if isinstance(seed, float) and seed.is_integer() and abs(seed) < 2**53:  # beyond 2**53 a float is not exact
        seed = int(seed)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ParameterError("seed", f"must be a whole number from 0 to {MAX_SEED} (got {seed!r})")
    return seed


def check_speed(days: Any) -> int:
    """Days per step from user input, one of ``SPEEDS``."""
    if days not in SPEEDS:
        raise ParameterError("speed", "must be one of " + ", ".join(map(str, SPEEDS)) + f" days (got {days!r})")
    return int(days)


@dataclass(frozen=True)
class FreePlayView:
    """What the free-play page shows at one moment (a consistent snapshot)."""

    scenario: str
    description: str
    seed: int
    day: int
    last_day: int
    finished: bool
    speed: int
    policy: dict[str, Any]
    daily: pd.DataFrame
    offices: pd.DataFrame
    feed: list[FeedLine]
    markers: dict[int, str]
    previous: PreviousRun | None


@dataclass(frozen=True)
class PreviousRun:
    """The run before the last switch: what it was (``label``) and its daily table up to where it stopped."""

    label: str
    daily: pd.DataFrame


class DashboardSession:
    """One browser session's free-play run."""

    def __init__(self, scenario: str = catalog.FIRST_SCENARIO, seed: int = 0, speed: int = DEFAULT_SPEED):
        self.lock = threading.RLock()
        self.speed = check_speed(speed)
        self.run = LiveRun(catalog.scenario(scenario), check_seed(seed))
        self.previous: PreviousRun | None = None

    # -- actions ---------------------------------------------------------------------------
    def reset(self, scenario: str | None = None, seed: int | None = None) -> None:
        """Start again from day 0: the scenario's own settings, the seed given (or the same ones)."""
        with self.lock:
            chosen = catalog.scenario(scenario) if scenario is not None else self.run.scenario
            new_seed = check_seed(seed) if seed is not None else self.run.seed
            old = self.run
            if old.day > 0:  # a run that never started leaves the previous overlay as it was
                self.previous = PreviousRun(f"previous: {old.scenario.name}, seed {old.seed}", old.daily())
            self.run = LiveRun(chosen, new_seed)

    def forget_previous(self) -> None:
        with self.lock:
            self.previous = None

    def set_speed(self, days: int) -> None:
        with self.lock:
            self.speed = check_speed(days)

    def step(self, days: int | None = None) -> int:
        """Advance ``days`` (default: the speed); returns the days run (0 once the run has ended)."""
        with self.lock:
            return self.run.advance(self.speed if days is None else days)

    def run_to_end(self) -> int:
        """Advance to the run's last day; returns the days run."""
        with self.lock:
            return self.run.advance(self.run.last_day - self.run.day)

    def daily_csv(self) -> str:
        """The run's daily table so far as CSV, with its provenance (see ``live.LiveRun.daily_export``)."""
        with self.lock:
            return self.run.daily_export().to_csv(index=False)

    def set_levers(self, changes: Mapping[str, Any]) -> PolicyChange | None:
        """Lever changes, in force from tomorrow."""
        with self.lock:
            return self.run.set_policy(changes)

    @property
    def finished(self) -> bool:
        with self.lock:
            return self.run.finished

    # -- the snapshot the page draws -----------------------------------------------------------
    def view(self, feed_kinds: Iterable[Kind] = NOTABLE, feed_limit: int = 60) -> FreePlayView:
        with self.lock:
            run = self.run
            return FreePlayView(
                scenario=run.scenario.name, description=run.scenario.description, seed=run.seed, day=run.day,
                last_day=run.last_day, finished=run.finished, speed=self.speed, policy=run.policy(),
                daily=run.daily(), offices=run.offices(), feed=run.feed(limit=feed_limit, kinds=feed_kinds),
                markers=run.markers(), previous=self.previous,
            )
