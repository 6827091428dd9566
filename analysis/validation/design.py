"""From a fact to the sweeps that test it, or to the reason it cannot be tested in this model.

``unexpressible`` lists what a fact needs that the model lacks (a parameter, a
choice of a parameter, a metric): such a fact is *not expressible* and nothing
runs for it. ``plan_fact`` resolves every arm's values against the base scenario,
validates them, groups arms that share a timeline into one explicit sweep (arms
with a timeline get a small scenario file, written beside the stores, that extends
the base and adds the timeline) and returns the sweeps with the arm each design
point stands for. Every sweep of the suite uses the same base seed and number of
replicates, so replicate ``i`` has the same seed in every arm, across sweeps too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .facts import Arm, Effort, Fact, InRange, Scale
from ..sweep.design import SweepSpec
from ...scenarios.export import toml_value
from ...scenarios.loader import load_scenario
from ...sim.errors import InputError
from ...sim import metrics
from ...sim.metrics import SUMMARY_NAMES

#: Names of the daily series a windowed outcome may read (counters, and levels where the model keeps them).
DAILY_NAMES: tuple[str, ...] = getattr(metrics, "DAILY_NAMES", metrics.COUNTER_NAMES)
from ...sim.parameters import ParameterError, Parameters, spec_by_path


class NotExpressible(Exception):
    """The fact's design cannot be built in this model; the message says why."""


def _paths(fact: Fact) -> list[str]:
    out: dict[str, None] = {}
    for arm in fact.arms:
        out.update(dict.fromkeys(arm.set))
        for step in arm.timeline:
            out.update(dict.fromkeys(step.set))
    return list(out)


def unexpressible(fact: Fact) -> list[str]:
    """Reasons the model cannot express the fact (empty when it can)."""
    specs = spec_by_path()
    reasons = []
    params = [p for p in _paths(fact) if p not in specs]
    params += [p for p in fact.requires if "." in p and p not in specs and p not in params]
    if params:
        reasons.append("the model has no parameter " + ", ".join(params))
    for path, value in fact.choices:
        spec = specs.get(path)
        if spec is not None and spec.choices and value not in [c.value for c in spec.choices]:
            reasons.append(f"{path} has no choice '{value}' (it allows "
                           f"{', '.join(c.value for c in spec.choices)})")
    metrics = []
    for c in fact.contrasts:
        windowed = c.outcome.window is not None or bool(c.windows)
        known = DAILY_NAMES if windowed else SUMMARY_NAMES
        metrics += [m for m in c.outcome.metrics if m not in known and m not in metrics]
    metrics += [m for m in fact.requires if "." not in m and m not in SUMMARY_NAMES and m not in metrics]
    if metrics:
        reasons.append("the model does not measure " + ", ".join(metrics)
                       + (" per day" if any(c.outcome.window or c.windows for c in fact.contrasts) else ""))
    return reasons


def needs_daily(fact: Fact) -> bool:
    """Whether any contrast reads daily counters over a window of days."""
    return any(c.outcome.window is not None or c.windows for c in fact.contrasts)


def resolve_value(value: Any, path: str, base: Parameters) -> Any:
    """A literal, ``Scale`` (times the base value) or ``InRange`` (a point of the plausible range)."""
    spec = spec_by_path()[path]
    if isinstance(value, Scale):
        out = value.factor * base.get(path)
    elif isinstance(value, InRange):
        out = spec.sweep_min + value.fraction * (spec.sweep_max - spec.sweep_min)
    else:
        return value
    return int(round(out)) if spec.type is int else float(out)


def resolve(settings: Mapping[str, Any], base: Parameters) -> dict[str, Any]:
    """Every value of a settings mapping resolved against the base parameters."""
    return {path: resolve_value(v, path, base) for path, v in settings.items()}


@dataclass(frozen=True)
class FactSweep:
    """One sweep of a fact: its specification and which design point each of its arms is."""

    spec: SweepSpec
    arm_points: Mapping[str, int]


@dataclass(frozen=True)
class FactPlan:
    """The sweeps of one fact and its resolved design (for the record)."""

    fact: Fact
    sweeps: tuple[FactSweep, ...]
    design: Mapping[str, Any]


def base_parameters(fact: Fact, effort: Effort) -> Parameters:
    """The fact's base scenario with the effort's organisation size and the fact's run length."""
    try:
        params = load_scenario(fact.base).params
    except InputError as err:
        raise NotExpressible(f"base scenario: {err}") from None
    fixed: dict[str, Any] = {"run.days": fact.days}
    if effort.offices is not None:
        fixed["population.offices"] = effort.offices
    return params.with_overrides(fixed)


def _scenario_text(fact: Fact, arm: Arm, base: Parameters) -> str:
    lines = [f"# Written by `docsec validate` for the fact '{fact.name}', arm '{arm.name}'.",
             "[scenario]",
             f"description = {toml_value(f'{fact.title}: arm {arm.title}. ' + fact.claim)}",
             f"extends = {toml_value(fact.base)}",
             "", "[parameters]", f"run.days = {fact.days}"]
    for step in arm.timeline:
        lines += ["", "[[timeline]]", f"day = {step.day}"]
        if step.note:
            lines.append(f"note = {toml_value(step.note)}")
        lines += [f"set.{p} = {toml_value(v)}" for p, v in resolve(step.set, base).items()]
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".writing")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def plan_fact(fact: Fact, effort: Effort, folder: Path) -> FactPlan:
    """The fact's sweeps; ``NotExpressible`` if the model lacks what it needs or a value is refused."""
    reasons = unexpressible(fact)
    if reasons:
        raise NotExpressible("; ".join(reasons))
    base = base_parameters(fact, effort)
    groups: dict[tuple, list[Arm]] = {}
    for arm in fact.arms:
        key = tuple((s.day, tuple(sorted(resolve(s.set, base).items())), s.note) for s in arm.timeline)
        groups.setdefault(key, []).append(arm)
    sweeps = []
    design_arms = {}
    for g, (key, arms) in enumerate(groups.items()):
        points: list[dict[str, Any]] = []
        arm_points: dict[str, int] = {}
        for arm in arms:
            values = resolve(arm.set, base)
            try:
                params = base.with_overrides(values, where=f"fact {fact.name}, arm {arm.name}")
                for step in arm.timeline:
                    params.with_overrides(resolve(step.set, base), where=f"fact {fact.name}, arm {arm.name}, day {step.day}")
            except ParameterError as err:
                raise NotExpressible(str(err)) from None
            if values not in points:
                points.append(values)
            arm_points[arm.name] = points.index(values)
            design_arms[arm.name] = {"set": values, "timeline": [
                {"day": s.day, "set": resolve(s.set, base), "note": s.note} for s in arm.timeline]}
        name = f"{fact.name}-{g}"
        base_ref = fact.base
        if key:
            scenario = folder / "scenarios" / f"{name}.toml"
            _write_if_changed(scenario, _scenario_text(fact, arms[0], base))
            base_ref = str(scenario.resolve())
        constants: dict[str, Any] = {}
        if effort.offices is not None:
            constants["population.offices"] = effort.offices
        mapping = {
            "sweep": {"name": name, "description": f"docsec validate ({effort.name}): {fact.title}",
                      "base": base_ref, "replicates": effort.replicates, "base_seed": effort.base_seed,
                      "days": fact.days},
            "design": {"kind": "explicit", "points": points},
            "parameters": constants,
            "outputs": {"daily": needs_daily(fact)},
        }
        try:
            spec = SweepSpec.from_mapping(mapping, where=f"fact {fact.name}", name=name)
        except InputError as err:
            raise NotExpressible(str(err)) from None
        sweeps.append(FactSweep(spec, arm_points))
    design = {"base": fact.base, "days": fact.days, "replicates": effort.replicates,
              "offices": base.population.offices, "base_seed": effort.base_seed, "arms": design_arms,
              "contrasts": [contrast_record(c) for c in fact.contrasts]}
    return FactPlan(fact, tuple(sweeps), design)


def contrast_record(c) -> dict[str, Any]:
    """A contrast as plain data (for validation.json)."""
    return {"label": c.label, "terms": [{"arm": a, "weight": w, "window": list(c.term_outcome(i).window)
                                          if c.term_outcome(i).window else None}
                                         for i, (a, w) in enumerate(c.terms)],
            "outcome": c.outcome.describe(), "expected": c.expected.value,
            **({"margin": c.margin} if c.expected.value == "none" else {})}


def declared_design(fact: Fact) -> dict[str, Any]:
    """The fact's design as declared (values unresolved), for facts that cannot be built."""
    def show(v: Any) -> Any:
        if isinstance(v, Scale):
            return f"×{v.factor:g} of the base value"
        if isinstance(v, InRange):
            return f"{v.fraction:g} of the plausible range"
        return v

    return {"base": fact.base, "days": fact.days,
            "arms": {a.name: {"set": {p: show(v) for p, v in a.set.items()},
                              "timeline": [{"day": s.day, "set": {p: show(v) for p, v in s.set.items()},
                                            "note": s.note} for s in a.timeline]} for a in fact.arms},
            "contrasts": [contrast_record(c) for c in fact.contrasts]}
