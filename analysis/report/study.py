"""What a sweep compared: its varied parameters grouped into named factors with labelled levels.

A study's run table has a column per overridden parameter (``group.name``).
``describe_study`` finds the parameters that vary between design points and
turns them into *factors* a reader recognises:

- the custody rules varied together become **Custody regime**, with levels
  "Lax delegation" (workers may handle documents and hold the key), "Strict
  custody" (neither) and, for anything in between, the rules spelt out;
- several numeric parameters of one group varied together by a common ratio to
  the base scenario's values become e.g. **Penalty level** with levels "×0.25",
  "×1", "×4" (×1 is the base scenario);
- any other parameter is a factor of its own, its levels its values.

Each factor adds a label column to the run table (named by the factor's title),
so the statistics and figures work on words, not on raw parameter values.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .labels import parameter_label, parameter_title
from ...sim.parameters import spec_by_path

LAX = "Lax delegation"
STRICT = "Strict custody"
#: Custody rules that, all permitted, make lax delegation and, all forbidden, strict custody.
CUSTODY_RULES = ("custody.uncleared_may_handle", "custody.key_sharing_permitted")
#: Above this many levels a factor is a sampled dimension, not a comparison.
MAX_LEVELS = 12


@dataclass(frozen=True)
class Factor:
    """One thing a study varied, with its levels in reading order and the level others are compared to."""

    title: str  # for headers and axes, with the unit: "Dismissal severity (utility)"
    paths: tuple[str, ...]
    levels: tuple[str, ...]
    baseline: str
    note: str = ""
    name: str = ""  # for running text, without unit: "dismissal severity"

    @property
    def words(self) -> str:
        """The factor's name in running text."""
        return self.name or self.title.lower()


@dataclass(frozen=True)
class Study:
    """A study's run table with factor label columns, and its factors (primary first)."""

    runs: pd.DataFrame
    factors: tuple[Factor, ...] = ()
    varied: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def primary(self) -> Factor | None:
        """The factor whose contrasts the report reads out (custody regime if varied)."""
        return self.factors[0] if self.factors else None

    @property
    def secondary(self) -> Factor | None:
        """The factor the primary contrast is repeated across (the second factor), if any."""
        return self.factors[1] if len(self.factors) >= 2 else None

    @property
    def held(self) -> tuple[Factor, ...]:
        """Further factors: the comparison is read with each held at its baseline."""
        return self.factors[2:]

    @property
    def is_comparison(self) -> bool:
        """Factors with few levels each: contrasts and grouped figures make sense."""
        return bool(self.factors) and all(len(f.levels) <= MAX_LEVELS for f in self.factors)

    def held_at_baseline(self) -> pd.DataFrame:
        """The runs with every held factor at its baseline (all runs when there is none)."""
        keep = pd.Series(True, index=self.runs.index)
        for f in self.held:
            keep &= self.runs[f.title] == f.baseline
        return self.runs[keep]


def parameter_columns(runs: pd.DataFrame) -> list[str]:
    """Run-table columns that are parameter paths."""
    specs = spec_by_path()
    return [c for c in runs.columns if c in specs]


def varied_parameters(runs: pd.DataFrame) -> list[str]:
    """Parameter columns with more than one distinct value."""
    return [c for c in parameter_columns(runs) if runs[c].nunique(dropna=False) > 1]


def _plain(value: Any) -> Any:
    """Enum members as their values, numpy scalars as Python ones."""
    if isinstance(value, enum.Enum):
        return value.value
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _value_text(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _covary(runs: pd.DataFrame, paths: list[str]) -> bool:
    combos = len(runs[paths].drop_duplicates())
    return combos == max(runs[p].nunique(dropna=False) for p in paths)


def _custody_factor(runs: pd.DataFrame, paths: list[str], base: Mapping[str, Any]) -> tuple[Factor, pd.Series]:
    def label(row) -> str:
        rules = {p: _plain(row[p] if p in row.index else base.get(p)) for p in CUSTODY_RULES}
        handle, share = (rules[p] for p in CUSTODY_RULES)
        if handle is True and share is True:
            name = LAX
        elif handle is False and share is False:
            name = STRICT
        elif handle is True and share is False:
            name = "Delegation without key sharing"
        elif handle is False and share is True:
            name = "Key sharing without delegation"
        else:
            name = "; ".join(f"{parameter_label(p).lower()}: {_value_text(v)}" for p, v in rules.items())
        extra = [p for p in paths if p not in CUSTODY_RULES]
        if extra:
            name += " (" + "; ".join(f"{parameter_label(p).lower()}: {_value_text(row[p])}" for p in extra) + ")"
        return name[:1].upper() + name[1:]

    labels = runs[paths].apply(label, axis=1)
    seen = list(pd.unique(labels))
    order = sorted(seen, key=lambda s: (0 if s.startswith(LAX) else 2 if s.startswith(STRICT) else 1, seen.index(s)))
    baseline = next((s for s in order if s.startswith(LAX)), order[0])
    note = ("Lax delegation: workers may register, store and receive documents and may hold the storage-room key; "
            "strict custody: neither.")
    return Factor("Custody regime", tuple(paths), tuple(order), baseline, note, "custody regime"), labels


def _common_ratio(row: pd.Series, paths: list[str], base: Mapping[str, Any]) -> float | None:
    ratios = []
    for p in paths:
        b = base.get(p)
        v = _plain(row[p])
        if not _is_number(b) or b == 0 or not _is_number(v):
            return None
        ratios.append(float(v) / float(b))
    first = ratios[0]
    return first if all(math.isclose(r, first, rel_tol=1e-9) for r in ratios) else None


def _scaled_factor(runs, paths, base, group) -> tuple[Factor, pd.Series] | None:
    ratios = runs[paths].apply(lambda row: _common_ratio(row, paths, base), axis=1)
    if ratios.isna().any():
        return None
    levels_num = sorted(set(ratios))
    text = {r: f"×{r:g}" for r in levels_num}
    labels = ratios.map(text)
    baseline = text.get(1.0, text[levels_num[0]])
    names = [parameter_label(p).lower() for p in paths]
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    note = f"{listed[:1].upper() + listed[1:]} scaled together; ×1 is the base scenario's values."
    title = f"{group.replace('_', ' ').capitalize()} level"
    return Factor(title, tuple(paths), tuple(text[r] for r in levels_num), baseline, note, title.lower()), labels


def _single_factor(runs, path, base) -> tuple[Factor, pd.Series]:
    values = [_plain(v) for v in pd.unique(runs[path])]
    if all(_is_number(v) for v in values):
        values = sorted(values)
    text = {v: _value_text(v) for v in values}
    labels = runs[path].map(lambda v: text[_plain(v)])
    b = base.get(path)
    baseline = text[b] if b in text else text[values[0]]
    return (Factor(parameter_title(path), (path,), tuple(text[v] for v in values), baseline,
                   name=parameter_label(path).lower()), labels)


def _combined_factor(runs, paths, group) -> tuple[Factor, pd.Series]:
    labels = runs[paths].apply(lambda row: "; ".join(f"{parameter_label(p).lower()}: {_value_text(row[p])}"
                                                     for p in paths), axis=1)
    order = list(pd.unique(labels))
    return Factor(group.replace("_", " ").capitalize(), tuple(paths), tuple(order), order[0]), labels


def describe_study(runs: pd.DataFrame, base_values: Mapping[str, Any] | None = None) -> Study:
    """Group the varied parameters of ``runs`` into factors and add a label column for each.

    ``base_values`` are the base scenario's parameter values (``{"group.name": v}``);
    missing ones fall back to the declared defaults. The custody factor, if any,
    comes first (it is the contrast the product is about).
    """
    base = {s.path: _plain(s.default) for s in spec_by_path().values()}
    base.update({k: _plain(v) for k, v in (base_values or {}).items()})
    varied = varied_parameters(runs)
    groups: dict[str, list[str]] = {}
    for path in varied:
        groups.setdefault(path.split(".", 1)[0], []).append(path)
    runs = runs.copy()
    factors: list[Factor] = []
    for group, paths in groups.items():
        made: list[tuple[Factor, pd.Series]] = []
        together = len(paths) == 1 or _covary(runs, paths)
        if group == "custody":  # the rules make one regime, whether moved together or crossed
            made.append(_custody_factor(runs, paths, base))
        elif len(paths) > 1 and together:
            scaled = _scaled_factor(runs, paths, base, group)
            made.append(scaled if scaled is not None else _combined_factor(runs, paths, group))
        else:
            made.extend(_single_factor(runs, p, base) for p in paths)
        for factor, labels in made:
            runs[factor.title] = labels.to_numpy()
            factors.append(factor)
    factors.sort(key=lambda f: 0 if f.title == "Custody regime" else 1)
    return Study(runs=runs, factors=tuple(factors), varied=tuple(varied))
