"""A metric's mean over two swept parameters as a heatmap."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._style import (axis_title, esc, finish, first_confidence, floor_at_zero, humanise, interval_text, number,
                     ordered_levels, require_columns)


def parameter_heatmap(summary: pd.DataFrame, *, metric: str, x: str, y: str, label: str | None = None,
                      unit: str | None = None, x_title: str | None = None, y_title: str | None = None,
                      x_order: Sequence[Hashable] | None = None, y_order: Sequence[Hashable] | None = None,
                      title: str | None = None, non_negative: bool = False) -> go.Figure:
    """Heatmap of ``metric``'s mean at each combination of the swept columns ``x`` and ``y``.

    ``summary`` is a long table from :func:`analysis.stats.summarise` grouped by
    ``x`` and ``y``. Cells are placed at the distinct values of each, sorted or in
    ``x_order`` / ``y_order`` (labels such as "×0.25", "×4" need an order); a
    combination not run stays empty. Hovering a cell gives both parameter values,
    the mean with its unit, the interval (cut at zero with ``non_negative``) and the
    number of runs.
    """
    require_columns(summary, [x, y, "metric", "n", "mean", "ci_low", "ci_high"], "heatmap")
    data = summary[summary["metric"] == metric]
    if data.empty:
        raise ValueError(f"heatmap: no rows for metric {metric!r}")
    label = label or humanise(metric)
    x_title, y_title = x_title or humanise(x), y_title or humanise(y)
    conf = first_confidence(data)
    if data.duplicated([x, y]).any():
        raise ValueError(f"heatmap: several rows share a cell of {x!r} x {y!r}; summarise by those two columns only")
    xs = ordered_levels(sorted(pd.unique(data[x])), x_order)
    ys = ordered_levels(sorted(pd.unique(data[y])), y_order)
    z = np.full((len(ys), len(xs)), np.nan)
    hover = [["not run" for _ in xs] for _ in ys]
    cell_text = [["" for _ in xs] for _ in ys]
    xi = {v: i for i, v in enumerate(xs)}
    yi = {v: i for i, v in enumerate(ys)}
    for _, row in data.iterrows():
        i, j = yi[row[y]], xi[row[x]]
        z[i, j] = row["mean"]
        cell_text[i][j] = number(row["mean"])
        hover[i][j] = (f"{esc(x_title)}: {esc(row[x])}<br>{esc(y_title)}: {esc(row[y])}<br>{esc(label)}: "
                       + interval_text(row["mean"], float(floor_at_zero(row["ci_low"], non_negative)),
                                       row["ci_high"], row["n"], conf, unit))
    # cells at the swept values in order, evenly spaced whatever their numeric gaps
    fig = go.Figure(go.Heatmap(
        x=[str(v) for v in xs], y=[str(v) for v in ys], z=z, colorscale="Viridis",
        text=cell_text, texttemplate="%{text}",
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        colorbar={"title": {"text": esc(axis_title(label, unit))}},
    ))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[str(v) for v in xs])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=[str(v) for v in ys])
    return finish(fig, title=title or f"{label}: mean over replicates by {x_title.lower()} and {y_title.lower()}",
                  x_title=x_title, y_title=y_title)
