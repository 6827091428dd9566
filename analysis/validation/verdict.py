"""Paired-seed effects with intervals, and the verdict each contrast and each fact gets.

A contrast's value for seed ``i`` is the weighted sum of its terms' outcomes in the
runs with seed ``i`` (only seeds whose every term is defined count); its effect is
the mean of those values with the interval of ``analysis.stats.mean_interval``.

- ``increase`` is *reproduced* when the whole interval lies above zero, ``decrease``
  when it lies below; an interval that includes zero, or lies on the wrong side, is
  *not reproduced* (and says which).
- ``none`` is *reproduced* when the whole interval lies within ``± margin ×`` the
  reference mean (the mean outcome of the negatively weighted arms).

A fact is reproduced when each of its contrasts is; the first contrast is its
headline (the ``effect`` and ``interval`` of validation.json).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .facts import Contrast, Expected, Verdict
from .outcomes import run_outcomes
from .. import stats


@dataclass(frozen=True)
class ArmRuns:
    """The finished runs of one arm (a design point of one sweep) and their daily series, if kept."""

    runs: pd.DataFrame
    daily: pd.DataFrame | None = None


@dataclass(frozen=True)
class ContrastResult:
    """A contrast's effect over paired seeds, its interval and verdict, and each term's mean outcome."""

    contrast: Contrast
    effect: float
    low: float
    high: float
    n_pairs: int
    confidence: float
    verdict: Verdict
    why: str
    term_means: tuple[tuple[float, float, float], ...]  # mean, low, high of each term's outcome
    reference: float

    def record(self) -> dict:
        """Plain data for validation.json."""
        c = self.contrast
        return {"label": c.label, "outcome": c.outcome.describe(), "expected": c.expected.value,
                "effect": _num(self.effect), "interval": [_num(self.low), _num(self.high)],
                "confidence": self.confidence, "pairs": self.n_pairs, "verdict": self.verdict.value,
                "why": self.why, "reference_mean": _num(self.reference),
                **({"margin": c.margin} if c.expected is Expected.NONE else {}),
                "terms": [{"arm": arm, "weight": w, "mean": _num(m[0]), "interval": [_num(m[1]), _num(m[2])]}
                          for (arm, w), m in zip(c.terms, self.term_means)]}


def _num(x: float) -> float | None:
    """A finite float, or None (JSON null) for NaN."""
    return float(x) if x is not None and math.isfinite(float(x)) else None


def _by_seed(data: ArmRuns, contrast: Contrast, index: int) -> pd.Series:
    values = run_outcomes(data.runs, contrast.term_outcome(index), data.daily)
    return pd.Series(values.to_numpy(), index=data.runs["seed"].to_numpy())


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def judge(expected: Expected, low: float, high: float, n: int, margin: float, reference: float) -> tuple[Verdict, str]:
    """The verdict of one contrast's interval, and why, in one sentence."""
    if n < 2 or not (math.isfinite(low) and math.isfinite(high)):
        return Verdict.NOT_REPRODUCED, (f"only {n} paired replicate{'s' * (n != 1)} had a defined outcome: "
                                        "too few to estimate an interval")
    span = f"the interval {_fmt(low)} to {_fmt(high)}"
    if expected is Expected.NONE:
        tol = abs(margin * reference) if math.isfinite(reference) else math.nan
        if math.isfinite(tol) and -tol <= low and high <= tol:
            return Verdict.REPRODUCED, f"{span} lies within ±{_fmt(tol)} (±{margin:.0%} of the reference mean)"
        return Verdict.NOT_REPRODUCED, f"{span} reaches beyond ±{_fmt(tol)} (±{margin:.0%} of the reference mean)"
    want_up = expected is Expected.INCREASE
    if (low > 0.0) if want_up else (high < 0.0):
        return Verdict.REPRODUCED, f"{span} lies wholly {'above' if want_up else 'below'} zero, as expected"
    if (high < 0.0) if want_up else (low > 0.0):
        return Verdict.NOT_REPRODUCED, (f"{span} lies wholly {'below' if want_up else 'above'} zero: a clear "
                                        "effect in the opposite direction")
    return Verdict.NOT_REPRODUCED, f"{span} includes zero: no clear effect with {n} paired replicates"


def evaluate(contrast: Contrast, arms: Mapping[str, ArmRuns],
             confidence: float = stats.CONFIDENCE) -> ContrastResult:
    """The contrast over the seeds every term shares."""
    series = [_by_seed(arms[arm], contrast, i) for i, (arm, _) in enumerate(contrast.terms)]
    table = pd.concat(series, axis=1, join="inner")
    ok = np.isfinite(table.to_numpy(dtype=float)).all(axis=1)
    table = table[ok]
    weights = np.array([w for _, w in contrast.terms], dtype=float)
    values = table.to_numpy(dtype=float) @ weights
    iv = stats.mean_interval(values, confidence=confidence)
    term_means = tuple((m.mean, m.low, m.high) for m in
                       (stats.mean_interval(table.iloc[:, i], confidence=confidence) for i in range(len(weights))))
    neg = [i for i, w in enumerate(weights) if w < 0]
    reference = float(np.mean([term_means[i][0] for i in neg])) if neg else math.nan
    verdict, why = judge(contrast.expected, iv.low, iv.high, iv.n, contrast.margin, reference)
    return ContrastResult(contrast, iv.mean, iv.low, iv.high, iv.n, iv.confidence, verdict, why, term_means,
                          reference)


def fact_verdict(results: list[ContrastResult]) -> tuple[Verdict, str]:
    """A fact's verdict from its contrasts' verdicts: reproduced only if every contrast is."""
    failing = [r for r in results if r.verdict is not Verdict.REPRODUCED]
    if not failing:
        return Verdict.REPRODUCED, "; ".join(f"{r.contrast.label}: {r.why}" for r in results)
    return Verdict.NOT_REPRODUCED, "; ".join(f"{r.contrast.label}: {r.why}" for r in failing)
