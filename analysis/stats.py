"""Statistics over result tables: means with intervals, paired differences, comparison tables.

Plain functions over the tidy tables the results store returns (``load_runs``: one
row per run; ``load_daily``: one row per run, day and metric). Nothing here runs the
model or draws a figure.

Intervals
---------
The mean of a metric over a design point's replicates gets a Student-t interval by
default: replicate summaries are sums or rates over thousands of documents and
hundreds of days, so their means are close to normal, and with the ~10 replicates a
study affords the t interval keeps its nominal coverage where percentile bootstraps
run narrow. A bias-corrected and accelerated (BCa) bootstrap is available
(``method="bootstrap"``) for skewed metrics such as rare-event counts; its resampling
draws from a numpy Generator seeded by the caller, so it too is reproducible.

Paired differences
------------------
Replicate *i* of every design point runs with the same seed (common random numbers),
so a contrast between two regimes or penalty levels is estimated on the per-seed
differences: ``level - baseline`` for each seed present under both, then the interval
of their mean. Pairing removes the replicate-to-replicate noise the two arms share,
which is why these intervals are usually much narrower than the two arms' own.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..sim.errors import InputError

#: Default confidence level of every interval.
CONFIDENCE = 0.95
#: Default number of bootstrap resamples.
RESAMPLES = 9999
#: Columns that identify a run rather than describe it.
RUN_KEYS: tuple[str, ...] = ("run_id", "point_id", "replicate", "seed")


class IntervalMethod(enum.StrEnum):
    """How an interval for a mean is computed."""

    T = "t"
    BOOTSTRAP = "bootstrap"


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval over ``n`` finite values."""

    mean: float
    low: float
    high: float
    n: int
    sd: float
    confidence: float
    method: str


def interval_method(method: str | IntervalMethod) -> IntervalMethod:
    """``method`` as an :class:`IntervalMethod`; InputError naming the allowed values otherwise."""
    try:
        return IntervalMethod(method)
    except ValueError:
        allowed = ", ".join(m.value for m in IntervalMethod)
        raise InputError(f"interval method: must be one of {allowed} (got {method!r})") from None


def check_confidence(confidence: float) -> float:
    """``confidence`` as a float strictly between 0 and 1; InputError otherwise."""
    try:
        value = float(confidence)
    except (TypeError, ValueError):
        value = math.nan
    if not 0.0 < value < 1.0:
        raise InputError(f"confidence: must be a number between 0 and 1, exclusive (got {confidence!r})")
    return value


def _finite(values: Iterable[float]) -> np.ndarray:
    arr = np.asarray(pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce"), dtype=float)
    return arr[np.isfinite(arr)]


def t_half_width(sd, n, confidence: float = CONFIDENCE):
    """Half-width of the Student-t interval for means with standard deviation ``sd`` over ``n`` values.

    Works element-wise on arrays; NaN where ``n < 2``.
    """
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        dof = np.where(n >= 2, n - 1, np.nan)
        q = sps.t.ppf(0.5 + confidence / 2.0, dof)
        return np.where(n >= 2, q * sd / np.sqrt(n), np.nan)


def mean_interval(values: Iterable[float], *, confidence: float = CONFIDENCE,
                  method: str | IntervalMethod = IntervalMethod.T, seed: int = 0,
                  resamples: int = RESAMPLES) -> Interval:
    """The mean of the finite ``values`` and its confidence interval.

    NaN values (e.g. a detection delay in a run with no detection) are left out and
    ``n`` counts the rest. With no value everything is NaN; with one the interval is
    NaN (no spread to estimate); with no spread it collapses to the mean.
    """
    method = interval_method(method)
    confidence = check_confidence(confidence)
    x = _finite(values)
    n = int(x.size)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, math.nan, confidence, method.value)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1, math.nan, confidence, method.value)
    sd = float(x.std(ddof=1))
    if sd == 0.0 or np.ptp(x) == 0.0:
        return Interval(mean, mean, mean, n, 0.0, confidence, method.value)
    if method is IntervalMethod.T:
        half = float(t_half_width(sd, n, confidence))
        return Interval(mean, mean - half, mean + half, n, sd, confidence, method.value)
    res = sps.bootstrap((x,), np.mean, n_resamples=int(resamples), confidence_level=confidence,
                        method="BCa", vectorized=True, rng=np.random.default_rng(seed))
    ci = res.confidence_interval
    return Interval(mean, float(ci.low), float(ci.high), n, sd, confidence, method.value)


# -- tables ------------------------------------------------------------------------------

def require_columns(table: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """InputError naming the first of ``columns`` that ``table`` lacks and the columns it has."""
    for col in columns:
        if col not in table.columns:
            have = ", ".join(str(c) for c in table.columns)
            raise InputError(f"{what}: no column {col!r}; available: {have}")


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def summarise(runs: pd.DataFrame, metrics: str | Sequence[str], *, by: str | Sequence[str] = ("point_id",),
              confidence: float = CONFIDENCE, method: str | IntervalMethod = IntervalMethod.T,
              seed: int = 0) -> pd.DataFrame:
    """Mean and interval of each metric over the runs in each group of ``by``.

    Returns a long table, one row per group and metric: the ``by`` columns, then
    ``metric, n, mean, sd, ci_low, ci_high, confidence, method``. Groups keep the
    order in which they first appear in ``runs``.
    """
    metrics, by = _as_list(metrics), _as_list(by)
    require_columns(runs, by + metrics, "run table")
    rows = []
    for key, group in runs.groupby(by, sort=False, dropna=False) if by else [((), runs)]:
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            iv = mean_interval(group[metric], confidence=confidence, method=method, seed=seed)
            rows.append({**dict(zip(by, key)), "metric": metric, "n": iv.n, "mean": iv.mean, "sd": iv.sd,
                         "ci_low": iv.low, "ci_high": iv.high, "confidence": iv.confidence,
                         "method": iv.method})
    columns = by + ["metric", "n", "mean", "sd", "ci_low", "ci_high", "confidence", "method"]
    return pd.DataFrame(rows, columns=columns)


def paired_differences(runs: pd.DataFrame, metrics: str | Sequence[str], *, factor: str, baseline: Hashable,
                       within: str | Sequence[str] = (), pair_on: str | Sequence[str] = ("seed",),
                       confidence: float = CONFIDENCE, method: str | IntervalMethod = IntervalMethod.T,
                       seed: int = 0) -> pd.DataFrame:
    """Paired differences ``level - baseline`` of each metric between levels of ``factor``.

    Runs are paired on ``pair_on`` (the replicate seed, shared by every design point)
    inside each group of ``within`` (e.g. compare custody regimes at each penalty
    level). Only pairs with both values finite count. Returns one row per group,
    metric and level other than the baseline: the ``within`` columns, then
    ``metric, factor, baseline, level, n_pairs, baseline_mean, level_mean,
    mean_difference, ci_low, ci_high, relative_change, confidence, method``, where
    ``relative_change`` is the mean difference as a fraction of the baseline mean
    over the same pairs (NaN when that mean is 0).
    """
    metrics, within, pair_on = _as_list(metrics), _as_list(within), _as_list(pair_on)
    require_columns(runs, [factor] + within + pair_on + metrics, "run table")
    levels = list(pd.unique(runs[factor]))
    if baseline not in levels:
        allowed = ", ".join(repr(v) for v in levels)
        raise InputError(f"baseline: {baseline!r} is not a level of {factor!r}; levels: {allowed}")
    rows = []
    groups = runs.groupby(within, sort=False, dropna=False) if within else [((), runs)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        arms = {lvl: g for lvl, g in group.groupby(factor, sort=False, dropna=False)}
        for lvl, arm in arms.items():
            if arm.duplicated(pair_on).any():
                where = ", ".join(f"{c}={v!r}" for c, v in zip(within, key))
                raise InputError(
                    f"paired differences: several runs share {'/'.join(pair_on)} at {factor}={lvl!r}"
                    f"{' and ' + where if where else ''}; add the column that tells them apart to `within`")
        base = arms.get(baseline)
        for lvl in levels:
            if lvl == baseline or lvl not in arms or base is None:
                continue
            merged = base[pair_on + metrics].merge(arms[lvl][pair_on + metrics], on=pair_on,
                                                   suffixes=("__base", "__level"))
            for metric in metrics:
                b = pd.to_numeric(merged[f"{metric}__base"], errors="coerce").to_numpy(dtype=float)
                v = pd.to_numeric(merged[f"{metric}__level"], errors="coerce").to_numpy(dtype=float)
                ok = np.isfinite(b) & np.isfinite(v)
                iv = mean_interval(v[ok] - b[ok], confidence=confidence, method=method, seed=seed)
                base_mean = float(b[ok].mean()) if ok.any() else math.nan
                relative = iv.mean / base_mean if ok.any() and base_mean != 0.0 else math.nan
                rows.append({
                    **dict(zip(within, key)), "metric": metric, "factor": factor, "baseline": baseline,
                    "level": lvl, "n_pairs": iv.n, "baseline_mean": base_mean,
                    "level_mean": float(v[ok].mean()) if ok.any() else math.nan,
                    "mean_difference": iv.mean, "ci_low": iv.low, "ci_high": iv.high,
                    "relative_change": relative,
                    "confidence": iv.confidence, "method": iv.method,
                })
    columns = within + ["metric", "factor", "baseline", "level", "n_pairs", "baseline_mean", "level_mean",
                        "mean_difference", "ci_low", "ci_high", "relative_change", "confidence", "method"]
    return pd.DataFrame(rows, columns=columns)


def comparison_table(runs: pd.DataFrame, metrics: str | Sequence[str], *, factor: str, baseline: Hashable,
                     within: str | Sequence[str] = (), pair_on: str | Sequence[str] = ("seed",),
                     confidence: float = CONFIDENCE, method: str | IntervalMethod = IntervalMethod.T,
                     seed: int = 0) -> pd.DataFrame:
    """The comparison table: each arm's mean with its interval, and the paired difference.

    One row per ``within`` group, metric and level of ``factor`` other than
    ``baseline``: the ``within`` columns, ``metric, baseline, level``, each arm's
    ``*_mean, *_low, *_high, *_n`` over all its runs, then the paired
    ``n_pairs, difference, difference_low, difference_high, relative_change`` and
    ``confidence, method``.
    """
    metrics, within = _as_list(metrics), _as_list(within)
    diffs = paired_differences(runs, metrics, factor=factor, baseline=baseline, within=within, pair_on=pair_on,
                               confidence=confidence, method=method, seed=seed)
    arms = summarise(runs, metrics, by=within + [factor], confidence=confidence, method=method, seed=seed)
    diffs = diffs.drop(columns=["factor", "baseline_mean", "level_mean"])
    for side in ("baseline", "level"):
        arm = arms[within + [factor, "metric", "mean", "ci_low", "ci_high", "n"]].rename(columns={
            factor: side, "mean": f"{side}_mean", "ci_low": f"{side}_low", "ci_high": f"{side}_high",
            "n": f"{side}_n"})
        diffs = diffs.merge(arm, on=within + [side, "metric"], how="left")
    out = diffs.rename(columns={"mean_difference": "difference", "ci_low": "difference_low",
                                "ci_high": "difference_high"})
    columns = within + ["metric", "baseline", "level",
                        "baseline_mean", "baseline_low", "baseline_high", "baseline_n",
                        "level_mean", "level_low", "level_high", "level_n",
                        "n_pairs", "difference", "difference_low", "difference_high", "relative_change",
                        "confidence", "method"]
    return out[columns].reset_index(drop=True)


def daily_bands(daily: pd.DataFrame, metrics: str | Sequence[str] | None = None, *,
                by: str | Sequence[str] = ("point_id",), window: int = 1, cumulative: bool = False,
                confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Mean and t interval over replicates of each daily metric, day by day.

    ``daily`` is the long table of ``load_daily`` (``run_id, day, metric, value`` and
    the ``by`` columns). Each run's series is first smoothed by a trailing mean over
    ``window`` days, or accumulated when ``cumulative`` is set. Returns one row per
    ``by`` group, metric and day: the ``by`` columns, ``metric, day, n, mean, ci_low,
    ci_high, confidence``.
    """
    by = _as_list(by)
    require_columns(daily, by + ["run_id", "day", "metric", "value"], "daily table")
    confidence = check_confidence(confidence)
    if int(window) < 1:
        raise InputError(f"window: must be a whole number of days, at least 1 (got {window!r})")
    data = daily
    if metrics is not None:
        metrics = _as_list(metrics)
        known = set(daily["metric"].unique())
        for m in metrics:
            if m not in known:
                raise InputError(f"daily table: no metric {m!r}; available: {', '.join(sorted(known))}")
        data = daily[daily["metric"].isin(metrics)]
    data = data.sort_values(["run_id", "metric", "day"])
    values = pd.to_numeric(data["value"], errors="coerce")
    grouped = values.groupby([data["run_id"], data["metric"]], sort=False)
    if cumulative:
        values = grouped.cumsum()
    elif int(window) > 1:
        values = grouped.transform(lambda s: s.rolling(int(window), min_periods=1).mean())
    data = data.assign(value=values)
    agg = data.groupby(by + ["metric", "day"], sort=False, dropna=False)["value"].agg(["count", "mean", "std"])
    agg = agg.reset_index().rename(columns={"count": "n"})
    half = t_half_width(agg["std"].fillna(0.0), agg["n"], confidence)
    agg["ci_low"] = agg["mean"] - half
    agg["ci_high"] = agg["mean"] + half
    agg["confidence"] = confidence
    return agg[by + ["metric", "day", "n", "mean", "ci_low", "ci_high"] + ["confidence"]].sort_values(
        by + ["metric", "day"], kind="stable").reset_index(drop=True)


def interval_excludes_zero(low: float, high: float) -> bool:
    """Whether an interval lies wholly on one side of zero (a difference the replicates can tell)."""
    return bool(np.isfinite(low) and np.isfinite(high) and (low > 0.0 or high < 0.0))
