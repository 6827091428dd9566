"""Rejection ABC over a sample of the prior: statistics, distances, the accepted sets and the posterior.

Plain functions over the run tables of the calibration's stores. Design point 0 of
every store is the defaults (the scenarios' own values); points 1..N are the
parameter sets drawn from the prior, the same point in every scenario.

- A parameter set's statistic for a target is pooled over its replicates: the mean
  of the numerator metrics over the mean of the denominator metrics.
- Its distance is ``sqrt(sum w_t d_t^2 / sum w_t)`` over the targets, where
  ``d_t`` is the target's own distance (0 inside a range, |x - value| / tolerance
  for a value target; infinite when the statistic is undefined).
- The ``accept`` share of the drawn sets closest to the targets is accepted
  (at least one), and every set tied with the last of them: with range targets many
  sets may meet every target exactly (distance 0), and all of those are kept rather
  than an arbitrary few. Their values are the posterior sample.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .targets import Statistic, Target

DEFAULTS_POINT = 0


def pooled(runs: pd.DataFrame, statistic: Statistic) -> pd.Series:
    """The statistic of each design point, pooled over its finished replicates."""
    done = runs[runs["status"] == "done"] if "status" in runs.columns else runs
    means = done.groupby("point_id")[list(dict.fromkeys(statistic.numerator + statistic.denominator))].mean()
    num = means[list(statistic.numerator)].sum(axis=1)
    if not statistic.denominator:
        return num
    den = means[list(statistic.denominator)].sum(axis=1)
    return (num / den.where(den != 0)).astype(float)


def statistics(runs_by_scenario: Mapping[str, pd.DataFrame], targets: Sequence[Target]) -> pd.DataFrame:
    """One row per design point, one column per target (named by the target)."""
    cols = {t.name: pooled(runs_by_scenario[t.scenario], t.statistic) for t in targets}
    return pd.DataFrame(cols).sort_index()


def distances(stats: pd.DataFrame, targets: Sequence[Target]) -> pd.DataFrame:
    """Each target's distance and the weighted total (column ``distance``), one row per design point."""
    out = pd.DataFrame(index=stats.index)
    for t in targets:
        out[t.name] = [t.distance(float(x)) for x in stats[t.name]]
    weights = np.array([t.weight for t in targets])
    d2 = out[[t.name for t in targets]].to_numpy(dtype=float) ** 2
    with np.errstate(invalid="ignore"):
        out["distance"] = np.sqrt((d2 * weights).sum(axis=1) / weights.sum())
    return out


def accepted_points(dist: pd.Series, accept: float) -> list[int]:
    """The drawn sets (not the defaults) closest to the targets: ``ceil(accept x N)`` of them, ties included."""
    drawn = dist.drop(index=DEFAULTS_POINT, errors="ignore")
    drawn = drawn[np.isfinite(drawn.to_numpy(dtype=float))]
    if drawn.empty:
        return []
    n = max(1, math.ceil(accept * (len(dist) - (DEFAULTS_POINT in dist.index))))
    ordered = drawn.sort_values(kind="stable")
    threshold = ordered.iloc[min(n, len(ordered)) - 1]
    return sorted(ordered[ordered <= threshold].index)


def posterior(samples: pd.DataFrame, accepted: Sequence[int], bounds: Mapping[str, tuple[float, float]],
              defaults: Mapping[str, float]) -> pd.DataFrame:
    """Per parameter: prior range, accepted range and quantiles, and where its default sits."""
    rows = []
    acc = samples.loc[list(accepted)]
    for path, (lo, hi) in bounds.items():
        values = acc[path].to_numpy(dtype=float)
        d = float(defaults[path])
        if values.size:
            q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
            rank = float((values < d).mean() + 0.5 * (values == d).mean())
            inside = bool(q05 <= d <= q95)
        else:
            q05 = q50 = q95 = rank = math.nan
            inside = False
        rows.append({"parameter": path, "prior_low": lo, "prior_high": hi,
                     "accepted_min": float(values.min()) if values.size else math.nan,
                     "q05": float(q05), "median": float(q50), "q95": float(q95),
                     "accepted_max": float(values.max()) if values.size else math.nan,
                     "default": d, "default_quantile": rank, "default_inside_90": inside,
                     "narrowing": (float(q95 - q05) / (hi - lo)) if values.size else math.nan})
    return pd.DataFrame(rows)


def fit(stats: pd.DataFrame, dist: pd.DataFrame, accepted: Sequence[int], targets: Sequence[Target]) -> pd.DataFrame:
    """Per target: what it asks, the defaults' statistic and the accepted sets' statistics."""
    rows = []
    for t in targets:
        acc = stats.loc[list(accepted), t.name].to_numpy(dtype=float)
        met = dist.loc[list(accepted), t.name].to_numpy(dtype=float) <= (1.0 if t.value is not None else 0.0)
        default = float(stats.loc[DEFAULTS_POINT, t.name]) if DEFAULTS_POINT in stats.index else math.nan
        rows.append({"target": t.name, "statistic": t.statistic.text, "scenario": t.scenario, "wanted": t.describe(),
                     "low": t.low, "high": t.high, "weight": t.weight, "defaults": default,
                     "defaults_distance": float(dist.loc[DEFAULTS_POINT, t.name]) if DEFAULTS_POINT in dist.index
                     else math.nan,
                     "accepted_median": float(np.nanmedian(acc)) if acc.size and np.isfinite(acc).any() else math.nan,
                     "accepted_min": float(np.nanmin(acc)) if acc.size and np.isfinite(acc).any() else math.nan,
                     "accepted_max": float(np.nanmax(acc)) if acc.size and np.isfinite(acc).any() else math.nan,
                     "accepted_meeting": float(met.mean()) if met.size else math.nan, "note": t.note})
    return pd.DataFrame(rows)
