"""A metric's mean by policy level and regime, with interval bars (e.g. leaks by custody x penalty)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd
import plotly.graph_objects as go

from ._style import (axis_title, below_zero, colour, esc, finish, first_confidence, floor_at_zero, humanise,
                     interval_text, note_cut_at_zero, ordered_levels, percent, require_columns)


def comparison_bars(summary: pd.DataFrame, *, metric: str, x: str, colour_by: str | None = None,
                    label: str | None = None, unit: str | None = None, x_title: str | None = None,
                    colour_title: str | None = None, x_order: Sequence[Hashable] | None = None,
                    colour_order: Sequence[Hashable] | None = None, title: str | None = None,
                    non_negative: bool = False) -> go.Figure:
    """Grouped bars of ``metric``'s mean at each level of ``x``, one bar colour per level of ``colour_by``.

    ``summary`` is a long table as :func:`analysis.stats.summarise` returns it,
    grouped by ``x`` (and ``colour_by``): columns ``metric, n, mean, ci_low,
    ci_high`` and optionally ``confidence``. Each bar carries its interval as an
    error bar; hovering a bar states the level, the mean with its unit, the interval
    and the number of runs. With ``non_negative`` (a count, rate, share or duration)
    intervals reaching below zero are cut at zero, and the figure says so.
    """
    cols = [x] + ([colour_by] if colour_by else []) + ["metric", "n", "mean", "ci_low", "ci_high"]
    require_columns(summary, cols, "comparison figure")
    data = summary[summary["metric"] == metric]
    if data.empty:
        raise ValueError(f"comparison figure: no rows for metric {metric!r}")
    label = label or humanise(metric)
    x_title = x_title or humanise(x)
    conf = first_confidence(data)
    xs = ordered_levels(data[x], x_order)
    groups = ordered_levels(data[colour_by], colour_order) if colour_by else [None]
    cut = non_negative and below_zero(data["ci_low"])
    fig = go.Figure()
    for i, level in enumerate(groups):
        arm = data if level is None else data[data[colour_by] == level]
        arm = arm.set_index(x).reindex([v for v in xs if v in set(arm[x])]).reset_index()
        arm = arm.assign(ci_low=floor_at_zero(arm["ci_low"], non_negative))
        name = str(level) if level is not None else label
        hover = [
            (f"<b>{esc(level)}</b><br>" if level is not None else "")
            + f"{esc(x_title)}: {esc(xv)}<br>{esc(label)}: "
            + interval_text(m, lo, hi, n, conf, unit)
            for xv, m, lo, hi, n in zip(arm[x], arm["mean"], arm["ci_low"], arm["ci_high"], arm["n"])
        ]
        fig.add_trace(go.Bar(
            x=[str(v) for v in arm[x]], y=arm["mean"].to_numpy(dtype=float), name=esc(name),
            marker_color=colour(i),
            error_y={"type": "data", "symmetric": False, "visible": True,
                     "array": (arm["ci_high"] - arm["mean"]).to_numpy(dtype=float),
                     "arrayminus": (arm["mean"] - arm["ci_low"]).to_numpy(dtype=float)},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    fig.update_layout(barmode="group", showlegend=colour_by is not None)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[str(v) for v in xs])
    what = f"{label} by {x_title.lower()}" + (f" and {(colour_title or humanise(colour_by)).lower()}"
                                                if colour_by else "")
    fig = finish(fig, title=title or f"{what}, mean with {percent(conf)} interval",
                 x_title=x_title, y_title=axis_title(label, unit),
                 legend_title=colour_title or (humanise(colour_by) if colour_by else None))
    if cut:
        note_cut_at_zero(fig)
    return fig
