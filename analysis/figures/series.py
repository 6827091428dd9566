"""Daily series over a run: replicate mean with an interval band, and intervention markers."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._style import (axis_title, band_colour, below_zero, colour, esc, finish, first_confidence, floor_at_zero,
                     humanise, interval_text, note_cut_at_zero, ordered_levels, percent, require_columns)


def daily_series(bands: pd.DataFrame, *, metric: str, colour_by: str | None = None, label: str | None = None,
                 unit: str | None = None, markers: Mapping[float, str] | None = None,
                 colour_title: str | None = None, colour_order: Sequence[Hashable] | None = None,
                 smoothing: str = "", title: str | None = None, non_negative: bool = False) -> go.Figure:
    """Mean daily ``metric`` over replicates, a shaded interval band around it, one line per group.

    ``bands`` is the table of :func:`analysis.stats.daily_bands`: columns ``day,
    metric, n, mean, ci_low, ci_high`` (and ``colour_by``). ``markers`` maps a day
    to a short note (an intervention, e.g. ``{120: "crackdown announced"}``); each
    becomes a dashed vertical line so before and after read at a glance.
    ``smoothing`` is a phrase for the title and axis such as ``"7-day mean"``. With
    ``non_negative`` (a daily count) the band is cut at zero, and the figure says so.
    """
    require_columns(bands, (["day", "metric", "n", "mean", "ci_low", "ci_high"]
                            + ([colour_by] if colour_by else [])), "daily series figure")
    data = bands[bands["metric"] == metric]
    if data.empty:
        raise ValueError(f"daily series figure: no rows for metric {metric!r}")
    label = label or humanise(metric)
    conf = first_confidence(data)
    groups = ordered_levels(data[colour_by], colour_order) if colour_by else [None]
    cut = non_negative and below_zero(data["ci_low"])
    fig = go.Figure()
    for i, level in enumerate(groups):
        arm = (data if level is None else data[data[colour_by] == level]).sort_values("day")
        arm = arm.assign(ci_low=floor_at_zero(arm["ci_low"], non_negative))
        day = arm["day"].to_numpy(dtype=float)
        lo, hi = arm["ci_low"].to_numpy(dtype=float), arm["ci_high"].to_numpy(dtype=float)
        name = esc(level) if level is not None else esc(label)
        ok = np.isfinite(lo) & np.isfinite(hi)
        fig.add_trace(go.Scatter(
            x=np.concatenate([day[ok], day[ok][::-1]]), y=np.concatenate([hi[ok], lo[ok][::-1]]),
            fill="toself", fillcolor=band_colour(colour(i)), line={"width": 0}, hoverinfo="skip",
            name=f"{name}: {percent(conf)} interval", legendgroup=str(i), showlegend=False,
        ))
        hover = [
            (f"<b>{esc(level)}</b><br>" if level is not None else "") + f"Day {int(d)}<br>{esc(label)}: "
            + interval_text(m, lo_, hi_, n, conf, unit)
            for d, m, lo_, hi_, n in zip(arm["day"], arm["mean"], arm["ci_low"], arm["ci_high"], arm["n"])
        ]
        fig.add_trace(go.Scatter(
            x=day, y=arm["mean"].to_numpy(dtype=float), mode="lines", name=name, legendgroup=str(i),
            line={"color": colour(i), "width": 2}, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    for day, note in sorted((markers or {}).items()):
        fig.add_vline(x=float(day), line_dash="dash", line_color="#555555",
                      annotation_text=esc(f"day {day:g}: {note}"), annotation_position="top left")
    what = f"{label} ({smoothing})" if smoothing else label
    y_label = f"{label}, {smoothing}" if smoothing else label
    fig = finish(fig, title=title or f"{what} per day: mean over replicates with {percent(conf)} band",
                 x_title="Day of the run (days)", y_title=axis_title(y_label, unit),
                 legend_title=colour_title or (humanise(colour_by) if colour_by else None))
    if cut:
        note_cut_at_zero(fig, "The band is cut at zero: a daily count cannot be negative.")
    return fig
