"""The dashboard's levers: which policy parameters a room may set, and how each is shown.

Only the choice of parameters and their grouping lives here. Every range, default,
unit and explanation comes from ``sim.parameters.parameter_specs()``: a slider
spans the parameter's plausible (sweep) range, widened where needed to hold the
value currently in force, and never beyond its hard bounds. Levers are policy
settings that may change during a run (the model applies a change at the start
of the next day, as it applies a scenario's intervention).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from ...sim.interventions import Intervention, validate_timeline
from ...sim.parameters import ParameterError, Parameters, ParamSpec, coerce_value, spec_by_path

#: The levers, grouped as the dashboard shows them: (section title, parameter paths).
LEVER_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Custody regime", (
        "custody.uncleared_may_handle",
        "custody.key_sharing_permitted",
        "custody.registration_required",
    )),
    ("Penalties", (
        "penalty.warnings_before_dismissal",
        "penalty.warning_severity",
        "penalty.dismissal_severity",
        "penalty.harsher_sanctions",
        "penalty.scaling",
        "penalty.publicised",
        "penalty.self_report_leniency",
    )),
    ("Inspection", (
        "inspection.audits_per_inspector_per_month",
        "inspection.thoroughness",
        "inspection.targeting",
    )),
    ("Education", (
        "education.campaign_interval_days",
        "education.norm_boost",
    )),
    ("External channel", (
        "external_channel.strength",
    )),
)

#: Parameters the model reads only when it builds the organisation, although the
#: timeline validation lets an intervention set them: changing them mid-run would
#: show a lever that does nothing, so none of them may be a lever.
READ_ONLY_AT_START: frozenset[str] = frozenset({"inspection.inspectors"})


class LeverKind(enum.StrEnum):
    SWITCH = "switch"     # a rule that is on or off
    CHOICE = "choice"     # one of a few named options
    INTEGER = "integer"   # a whole-number slider
    NUMBER = "number"     # a real-number slider


@dataclass(frozen=True)
class Lever:
    """One control: a parameter's path with what the user interface needs to show it."""

    path: str
    section: str
    label: str
    kind: LeverKind
    default: Any
    unit: str
    doc: str
    choices: tuple[str, ...] = ()
    low: float | None = None      # slider range (plausible range)
    high: float | None = None
    hard_low: float | None = None  # validation bounds
    hard_high: float | None = None
    step: float | None = None

    def slider_range(self, value: Any = None) -> tuple[float, float]:
        """The slider's ends: the plausible range, widened to hold ``value`` (within the hard bounds)."""
        low, high = self.low, self.high
        if value is not None:
            low, high = min(low, value), max(high, value)
        return low, high

    def coerce(self, value: Any) -> Any:
        """``value`` checked against the parameter's declaration, in its declared type."""
        return plain(coerce_value(spec_by_path()[self.path], value))

    def show(self, value: Any) -> str:
        """The value as a reader sees it, with its unit."""
        value = plain(value)
        if self.kind is LeverKind.SWITCH:
            return "yes" if value else "no"
        if self.kind is LeverKind.CHOICE:
            return str(value)
        if self.kind is LeverKind.INTEGER:
            return f"{int(value):,} {self.unit}"
        return f"{value:,.4g} {self.unit}"


def plain(value: Any) -> Any:
    """Enums as their string values (what controls, tables and TOML hold)."""
    return value.value if isinstance(value, enum.Enum) else value


def nice_step(span: float, parts: int = 100) -> float:
    """A round slider step (1, 2 or 5 times a power of ten) of about ``span / parts``, at most that."""
    if span <= 0:
        return 1.0
    raw = span / parts
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (5.0, 2.0, 1.0):
        if factor * power <= raw * (1 + 1e-9):
            return factor * power
    return power  # pragma: no cover - factor 1 always fits


def label_of(spec: ParamSpec) -> str:
    """``"audits_per_inspector_per_month"`` -> ``"Audits per inspector per month"``."""
    text = spec.name.replace("_", " ")
    return text[:1].upper() + text[1:]


def lever_of(spec: ParamSpec, section: str) -> Lever:
    """The control for one parameter, from its declaration."""
    common = dict(path=spec.path, section=section, label=label_of(spec), default=plain(spec.default),
                  unit=spec.unit, doc=spec.doc)
    if spec.type is bool:
        return Lever(kind=LeverKind.SWITCH, **common)
    if spec.choices:
        return Lever(kind=LeverKind.CHOICE, choices=tuple(plain(c) for c in spec.choices), **common)
    low = spec.sweep_min if spec.sweep_min is not None else spec.min
    high = spec.sweep_max if spec.sweep_max is not None else spec.max
    if spec.type is int:
        step = 1 if high - low <= 500 else max(1, round(nice_step(high - low)))
        return Lever(kind=LeverKind.INTEGER, low=int(low), high=int(high), hard_low=spec.min, hard_high=spec.max,
                     step=int(step), **common)
    return Lever(kind=LeverKind.NUMBER, low=float(low), high=float(high), hard_low=spec.min, hard_high=spec.max,
                 step=nice_step(float(high) - float(low)), **common)


def changeable_during_run(path: str) -> bool:
    """Whether a change to ``path`` mid-run takes effect (the model's own timeline rule, plus the exceptions)."""
    if path in READ_ONLY_AT_START:
        return False
    params = Parameters()
    try:
        validate_timeline(params, [Intervention(day=1, set={path: plain(params.get(path))})])
    except ParameterError:
        return False
    return True


@cache
def levers() -> tuple[Lever, ...]:
    """Every lever in display order."""
    specs = spec_by_path()
    out = []
    for section, paths in LEVER_SECTIONS:
        for path in paths:
            if path not in specs:
                raise ValueError(f"lever {path!r} is not a parameter")
            if not changeable_during_run(path):
                raise ValueError(f"lever {path!r} cannot change during a run")
            out.append(lever_of(specs[path], section))
    return tuple(out)


@cache
def lever_by_path() -> dict[str, Lever]:
    return {lever.path: lever for lever in levers()}


def lever_values(params: Parameters) -> dict[str, Any]:
    """The value of every lever in ``params`` (enums as strings)."""
    return {lever.path: plain(params.get(lever.path)) for lever in levers()}


def check_changes(changes: dict[str, Any], where: str = "levers") -> dict[str, Any]:
    """Validated copies of lever settings; an unknown path or a bad value raises ``ParameterError``."""
    table = lever_by_path()
    out = {}
    for path, value in changes.items():
        lever = table.get(path)
        if lever is None:
            raise ParameterError(f"{where}.{path}", "not a dashboard lever; allowed: " + ", ".join(table))
        try:
            out[path] = lever.coerce(value)
        except ParameterError as err:
            raise ParameterError(f"{where}.{path}", err.message) from None
    return out
