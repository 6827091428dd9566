"""Each run's outcome for a contrast term, read from the tidy tables of the results store.

``run_outcomes`` takes the run table (``results.load_runs``) and, for windowed
outcomes, the daily table (``results.load_daily``) of one sweep and returns one
value per run: the outcome's numerator over its denominator (or per day of the
window), times its scale. A zero denominator gives NaN, which the paired
statistics leave out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .facts import Outcome


def run_outcomes(runs: pd.DataFrame, outcome: Outcome, daily: pd.DataFrame | None = None) -> pd.Series:
    """The outcome of every run in ``runs``, indexed by ``run_id``."""
    if outcome.window is None:
        num = runs[list(outcome.numerator)].sum(axis=1, min_count=1).to_numpy(dtype=float)
        den = (runs[list(outcome.denominator)].sum(axis=1, min_count=1).to_numpy(dtype=float)
               if outcome.denominator else None)
    else:
        if daily is None:
            raise ValueError(f"outcome {outcome.describe()}: needs the daily series, which the sweep did not keep")
        first, last = outcome.window
        part = daily[(daily["day"] >= first) & (daily["day"] <= last)]
        totals = part.pivot_table(index="run_id", columns="metric", values="value", aggfunc="sum")
        totals = totals.reindex(runs["run_id"])
        num = totals.reindex(columns=list(outcome.numerator)).sum(axis=1, min_count=1).to_numpy(dtype=float)
        if outcome.denominator:
            den = totals.reindex(columns=list(outcome.denominator)).sum(axis=1, min_count=1).to_numpy(dtype=float)
        else:
            den = np.full(len(runs), float(last - first + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = num / den if den is not None else num
        value = value * outcome.scale
        if outcome.log:
            value = np.log(np.where(value > 0, value, np.nan))
    value = np.where(np.isfinite(value), value, np.nan)
    return pd.Series(value, index=runs["run_id"].to_numpy(), name=outcome.describe())
