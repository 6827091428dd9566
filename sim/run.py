"""One run of the model: parameters and seed in, tidy results out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from .events import Event
from .interventions import Intervention
from .model import DocSecModel
from .parameters import Parameters
from .profiles import OfficeProfile


@dataclass
class RunResult:
    """What one run produced: its one-row summary, daily series and (optionally) event log."""

    params: Parameters
    seed: int
    summary: dict[str, float]
    daily: pd.DataFrame | None
    events: list[Event] = field(default_factory=list)


def run_simulation(params: Parameters | None = None, seed: int = 0, *, timeline: Sequence[Intervention] = (),
                   office_profiles: Sequence[OfficeProfile] = (), record_events: bool = False,
                   collect_daily: bool = True) -> RunResult:
    """Run the model for ``params.run.days`` days with ``seed``; same inputs give identical results."""
    params = params or Parameters()
    model = DocSecModel(params, timeline=timeline, office_profiles=office_profiles,
                        record_events=record_events, collect_daily=collect_daily, rng=seed)
    model.run_days()
    return result_of(model, collect_daily=collect_daily)


def result_of(model: DocSecModel, collect_daily: bool = True) -> RunResult:
    """The results of a model that has run (or partly run)."""
    daily = model.daily_table() if collect_daily and model.collect_daily else None
    return RunResult(params=model.params, seed=model.seed, summary=dict(model.summary()), daily=daily,
                     events=list(model.events or ()))
