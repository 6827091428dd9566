"""Interventions over time: on a given day, set parameters to new values.

An intervention acts through the same parameter object and validation as any
other setting. The model applies each intervention at the start of its day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .parameters import ParameterError, Parameters


@dataclass(frozen=True)
class Intervention:
    """On ``day`` (1-based), set each ``group.name`` in ``set`` to its value."""

    day: int
    set: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


def validate_timeline(params: Parameters, timeline: Sequence[Intervention], where: str = "timeline") -> None:
    """Check every intervention's day lies within the run and its values are allowed.

    Raises ParameterError naming ``where[i].day`` or ``where[i].set.group.name``.
    """
    current = params
    for i, iv in sorted(enumerate(timeline), key=lambda pair: pair[1].day):
        if isinstance(iv.day, bool) or not isinstance(iv.day, int) or not 1 <= iv.day <= params.run.days:
            raise ParameterError(f"{where}[{i}].day",
                                 f"must be a day from 1 to run.days = {params.run.days} (got {iv.day!r})")
        for path in iv.set:
            if path == "run.days" or path.startswith("population."):
                raise ParameterError(f"{where}[{i}].set.{path}",
                                     "cannot be changed during a run (run length and population are fixed at the start)")
        current = current.with_overrides(iv.set, where=f"{where}[{i}].set")
