"""Stylised facts as data: what is claimed, where it comes from, and the paired-seed experiment that tests it.

A ``Fact`` names its claim and source, the base scenario it runs from, its *arms*
(variants of the base: parameter values set from day 1 and, optionally, a timeline
of changes during the run) and its *contrasts*: linear combinations of the arms'
outcomes (``treated - control``, a difference of differences, ...) with the
direction the literature expects. Replicate ``i`` of every arm runs with the same
seed, so each contrast is computed seed by seed and its interval comes from the
paired values.

Values may be written relative to the base scenario (``Scale(2.0)`` is twice the
base value) or to the parameter's declared plausible range (``InRange(0.5)``, the
middle of ``sweep_min..sweep_max``), so a fact does not restate defaults and keeps
its meaning when a default changes.

Nothing here runs the model; ``design`` turns facts into sweeps and ``verdict``
reads their results.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Expected(enum.StrEnum):
    """The direction a contrast should take if the fact holds."""

    INCREASE = "increase"   # the contrast is positive
    DECREASE = "decrease"   # the contrast is negative
    NONE = "none"           # the contrast is zero, within a stated margin


class Verdict(enum.StrEnum):
    """What the experiment says about the fact."""

    REPRODUCED = "reproduced"
    NOT_REPRODUCED = "not reproduced"
    NOT_EXPRESSIBLE = "not expressible"
    FAILED = "failed"  # runs of the experiment failed: the fact could not be tested


@dataclass(frozen=True)
class Scale:
    """A value ``factor`` times the base scenario's value of the same parameter."""

    factor: float


@dataclass(frozen=True)
class InRange:
    """A value at ``fraction`` (0..1) of the parameter's declared plausible range (sweep_min..sweep_max)."""

    fraction: float


@dataclass(frozen=True)
class Step:
    """A change during the run: on ``day``, set parameters (an intervention of the arm's timeline)."""

    day: int
    set: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True)
class Arm:
    """One variant of the fact's base scenario: parameters set from day 1 and changes during the run."""

    name: str
    set: Mapping[str, Any] = field(default_factory=dict)
    timeline: tuple[Step, ...] = ()
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Outcome:
    """What is measured in each run.

    Without ``window``: the run summary's ``numerator`` metrics summed (divided by the
    sum of the ``denominator`` metrics, if any). With ``window = (first, last)`` days:
    the daily counters summed over those days, divided by the denominator counters'
    sum over the same days, or, with no denominator, by the number of days (a rate
    per day). ``scale`` multiplies the result (1000 for "per 1,000 documents").
    With ``log``, the natural logarithm of that value: contrasts of logs are
    proportional changes (elasticities), which compare levers across arms whose
    levels differ; a zero outcome is then undefined and left out.
    """

    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    window: tuple[int, int] | None = None
    scale: float = 1.0
    label: str = ""
    log: bool = False

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.numerator + self.denominator))

    def describe(self) -> str:
        if self.label:
            return self.label
        num = " + ".join(self.numerator)
        text = f"({num}) / ({' + '.join(self.denominator)})" if self.denominator else num
        if self.scale != 1.0:
            text = f"{self.scale:g} × {text}"
        if self.window:
            text += f", days {self.window[0]}–{self.window[1]}" + ("" if self.denominator else " (per day)")
        return f"log of {text}" if self.log else text


@dataclass(frozen=True)
class Contrast:
    """A linear combination of arms' outcomes, seed by seed, and the sign the fact expects.

    ``terms`` are ``(arm name, weight)``; ``weights`` of ``(+1, -1)`` give a paired
    difference. With ``expected = none`` the contrast must lie within ``margin``
    times the mean outcome of the arms with negative weight (the reference).
    """

    label: str
    terms: tuple[tuple[str, float], ...]
    outcome: Outcome
    expected: Expected
    margin: float = 0.0
    #: ``(term index, window)``: a term's own days, overriding ``outcome.window`` (for lagged contrasts)
    windows: tuple[tuple[int, tuple[int, int]], ...] = ()

    def term_outcome(self, index: int) -> Outcome:
        """The outcome of term ``index`` (its own window if one is given)."""
        for i, window in self.windows:
            if i == index:
                return dataclasses.replace(self.outcome, window=window)
        return self.outcome


@dataclass(frozen=True)
class Fact:
    """A stylised fact and the experiment that tests it.

    ``requires`` lists parameter paths or metrics the mechanism needs beyond those the
    arms and outcomes name; any that the model lacks makes the fact *not expressible*.
    ``choices`` lists ``(parameter, value)`` pairs the model must allow.
    """

    name: str
    title: str
    source: str
    claim: str
    base: str
    arms: tuple[Arm, ...]
    contrasts: tuple[Contrast, ...]
    days: int = 365
    requires: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    notes: str = ""

    def arm(self, name: str) -> Arm:
        for a in self.arms:
            if a.name == name:
                return a
        raise KeyError(f"fact {self.name}: no arm {name!r}; arms: {', '.join(a.name for a in self.arms)}")

    @property
    def expected_text(self) -> str:
        """The expected direction of the headline contrast, in words."""
        c = self.contrasts[0]
        if c.expected is Expected.NONE:
            return f"no effect: {c.label} within ±{c.margin:.0%} of the reference"
        return f"{c.label}: {c.expected.value}"


@dataclass(frozen=True)
class Effort:
    """How big the experiments are: replicates, organisation size (offices) and the base seed."""

    replicates: int
    offices: int | None = None
    base_seed: int = 2024
    name: str = "full"


#: The suite a paper cites: the base scenarios' organisations, 40 paired replicates per arm.
FULL = Effort(replicates=40, offices=None, name="full")
#: A quick look: a small organisation and few replicates (wide intervals; verdicts are less powerful).
QUICK = Effort(replicates=8, offices=10, name="quick")
