"""Detection against concealment: where each policy sits on the trade-off, with intervals both ways."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd
import plotly.graph_objects as go

from ._style import (SYMBOLS, axis_title, below_zero, colour, esc, finish, first_confidence, floor_at_zero,
                     humanise, interval_text, note_cut_at_zero, ordered_levels, percent, require_columns)

#: Colour of the legend entries that explain the marker shapes.
SHAPE_KEY_COLOUR = "#57606a"


def tradeoff(summary: pd.DataFrame, *, x_metric: str, y_metric: str, colour_by: str | None = None,
             point_label: str | None = None, x_label: str | None = None, x_unit: str | None = None,
             y_label: str | None = None, y_unit: str | None = None, colour_title: str | None = None,
             point_title: str | None = None, colour_order: Sequence[Hashable] | None = None,
             point_order: Sequence[Hashable] | None = None, title: str | None = None,
             non_negative: bool = False) -> go.Figure:
    """One marker per design point at (mean ``x_metric``, mean ``y_metric``) with both intervals.

    Meant for detection (x) against concealment (y): a harsher penalty may buy
    detection and deterrence at the price of more concealed losses. ``summary`` is a
    long table from :func:`analysis.stats.summarise` grouped by ``colour_by`` and
    ``point_label`` (each pair one point). Points of one colour are joined in
    ``point_order`` so the path of e.g. rising penalties reads as a curve. Each
    ``point_label`` level has its own marker shape, explained in the legend, so no
    text sits on the plot to cover markers or whiskers; hovering a marker names it.
    With ``non_negative`` intervals reaching below zero are cut at zero, and the
    figure says so.
    """
    keys = [c for c in (colour_by, point_label) if c]
    require_columns(summary, keys + ["metric", "n", "mean", "ci_low", "ci_high"], "trade-off figure")
    values = ["mean", "ci_low", "ci_high", "n"]
    parts = []
    for metric, axis in ((x_metric, "x"), (y_metric, "y")):
        part = summary[summary["metric"] == metric]
        if part.empty:
            raise ValueError(f"trade-off figure: no rows for metric {metric!r}")
        parts.append(part[keys + values].rename(columns={v: f"{axis}_{v}" for v in values}))
    data = parts[0].merge(parts[1], on=keys, how="inner") if keys else pd.concat(
        [parts[0].reset_index(drop=True), parts[1].reset_index(drop=True)], axis=1)
    cut = non_negative and (below_zero(data["x_ci_low"]) or below_zero(data["y_ci_low"]))
    data = data.assign(x_ci_low=floor_at_zero(data["x_ci_low"], non_negative),
                       y_ci_low=floor_at_zero(data["y_ci_low"], non_negative))
    x_label, y_label = x_label or humanise(x_metric), y_label or humanise(y_metric)
    point_title = point_title or (humanise(point_label) if point_label else None)
    conf = first_confidence(summary)
    groups = ordered_levels(data[colour_by], colour_order) if colour_by else [None]
    shapes = ordered_levels(data[point_label], point_order) if point_label else []
    symbol_of = {v: SYMBOLS[i % len(SYMBOLS)] for i, v in enumerate(shapes)}
    fig = go.Figure()
    for i, level in enumerate(groups):
        arm = data if level is None else data[data[colour_by] == level]
        if point_label:
            order = ordered_levels(arm[point_label], point_order)
            arm = arm.set_index(point_label).reindex(order).reset_index()
        hover = []
        for _, r in arm.iterrows():
            head = (f"<b>{esc(level)}</b><br>" if level is not None else "")
            head += (f"{esc(point_title)}: {esc(r[point_label])}<br>" if point_label else "")
            hover.append(head + f"{esc(x_label)}: " + interval_text(r["x_mean"], r["x_ci_low"], r["x_ci_high"],
                                                                    r["x_n"], conf, x_unit)
                         + f"<br>{esc(y_label)}: " + interval_text(r["y_mean"], r["y_ci_low"], r["y_ci_high"],
                                                                   r["y_n"], conf, y_unit))
        marker = {"color": colour(i), "size": 11, "line": {"color": "white", "width": 1}}
        if point_label:
            marker["symbol"] = [symbol_of[v] for v in arm[point_label]]
        fig.add_trace(go.Scatter(
            x=arm["x_mean"].to_numpy(dtype=float), y=arm["y_mean"].to_numpy(dtype=float),
            mode="lines+markers" if point_label else "markers",
            name=esc(level) if level is not None else esc(y_label), legendgroup="colour",
            legendgrouptitle={"text": esc(colour_title or humanise(colour_by))} if colour_by and i == 0 else None,
            showlegend=colour_by is not None,
            marker=marker, line={"color": colour(i), "width": 1, "dash": "dot"},
            error_x={"type": "data", "symmetric": False, "visible": True, "thickness": 1,
                     "array": (arm["x_ci_high"] - arm["x_mean"]).to_numpy(dtype=float),
                     "arrayminus": (arm["x_mean"] - arm["x_ci_low"]).to_numpy(dtype=float)},
            error_y={"type": "data", "symmetric": False, "visible": True, "thickness": 1,
                     "array": (arm["y_ci_high"] - arm["y_mean"]).to_numpy(dtype=float),
                     "arrayminus": (arm["y_mean"] - arm["y_ci_low"]).to_numpy(dtype=float)},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    for j, value in enumerate(shapes):  # the key to the shapes: legend entries only, nothing drawn
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=esc(value), legendgroup="shape", hoverinfo="skip",
            legendgrouptitle={"text": esc(point_title)} if j == 0 else None,
            marker={"symbol": symbol_of[value], "color": SHAPE_KEY_COLOUR, "size": 11},
        ))
    fig.update_layout(showlegend=bool(colour_by or point_label), legend={"groupclick": "toggleitem"})
    fig = finish(fig, title=title or f"{y_label} against {x_label.lower()}: means with {percent(conf)} intervals",
                 x_title=axis_title(x_label, x_unit), y_title=axis_title(y_label, y_unit))
    if cut:
        note_cut_at_zero(fig)
    return fig
