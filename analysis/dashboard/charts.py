"""The tabletop's figures (rounds, debrief), each a function of a DataFrame returning a plotly Figure.

They never import the model: counter names, labels and units arrive from the
caller. The look (palette, titles, hover text) is docsec's figure style. The live
charts, redrawn at every step, are built more cheaply in ``live_panels``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..figures._style import colour, esc, finish, number, require_columns

def count_range(top: float) -> list[float]:
    """A y range from zero for counts: at least 0 to 4, so near-zero counts get whole-number ticks."""
    return [0.0, max(4.0, float(top)) * 1.08]


def _grid(n: int, cols: int) -> tuple[int, int]:
    rows = max(1, math.ceil(n / cols))
    return rows, min(cols, n)


def round_bars(rounds: pd.DataFrame, metrics: Sequence[str], *, labels: Mapping[str, str],
               units: Mapping[str, str], title: str = "What happened each round", cols: int = 4) -> go.Figure:
    """One small panel per metric, one bar per round (table: ``round, metric, value``)."""
    require_columns(rounds, ["round", "metric", "value"], "round chart")
    nrows, ncols = _grid(len(metrics), cols)
    fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=[esc(labels.get(m, m)) for m in metrics],
                        vertical_spacing=0.22, horizontal_spacing=0.07)
    for i, m in enumerate(metrics):
        data = rounds[rounds["metric"] == m].sort_values("round")
        fig.update_yaxes(range=count_range(data["value"].max() if len(data) else 0.0), row=i // ncols + 1,
                         col=i % ncols + 1)
        fig.add_trace(go.Bar(
            x=data["round"].astype(int), y=data["value"].astype(float), marker_color=colour(0), showlegend=False,
            name=esc(labels.get(m, m)),
            hovertext=[f"Round {int(r)}<br>{esc(labels.get(m, m))}: {number(v)} {esc(units.get(m, ''))}"
                       for r, v in zip(data["round"], data["value"], strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
        ), row=i // ncols + 1, col=i % ncols + 1)
    finish(fig, title=title, x_title="", y_title="")
    fig.update_xaxes(dtick=1, title_text="Round")
    fig.update_layout(height=230 * nrows + 60, margin={"l": 50, "r": 15, "t": 70, "b": 40})
    return fig


def debrief_chart(daily: pd.DataFrame, metrics: Sequence[str], *, labels: Mapping[str, str],
                  units: Mapping[str, str], paths: Sequence[str], markers: Mapping[int, str] | None = None,
                  cols: int = 2) -> go.Figure:
    """Running totals on each path (``day, path, metric, cumulative``), one panel per metric.

    The first path is drawn solid, the others dashed: the room's choices against the
    unchanged policy, same seed.
    """
    require_columns(daily, ["day", "path", "metric", "cumulative"], "debrief chart")
    nrows, ncols = _grid(len(metrics), cols)
    fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=[esc(labels.get(m, m)) for m in metrics],
                        vertical_spacing=0.16, horizontal_spacing=0.08)
    for i, m in enumerate(metrics):
        row, col = i // ncols + 1, i % ncols + 1
        for j, path in enumerate(paths):
            data = daily[(daily["metric"] == m) & (daily["path"] == path)].sort_values("day")
            fig.add_trace(go.Scatter(
                x=data["day"].astype(float), y=data["cumulative"].astype(float), mode="lines", name=esc(path),
                legendgroup=path, showlegend=i == 0,
                line={"color": colour(j), "width": 2, "dash": "solid" if j == 0 else "dash"},
                hovertext=[f"<b>{esc(path)}</b><br>Day {int(d)}<br>{esc(labels.get(m, m))} so far: {number(v)} "
                           f"{esc(units.get(m, ''))}" for d, v in zip(data["day"], data["cumulative"], strict=True)],
                hovertemplate="%{hovertext}<extra></extra>",
            ), row=row, col=col)
        panel = daily[daily["metric"] == m]
        fig.update_yaxes(range=count_range(panel["cumulative"].max() if len(panel) else 0.0), row=row, col=col)
        for day in sorted(markers or {}):
            fig.add_vline(x=float(day), line_dash="dot", line_color="#555555", line_width=1, row=row, col=col)
    finish(fig, title="The room's path against the unchanged policy (same seed): running totals",
           x_title="", y_title="", legend_title="Path")
    fig.update_xaxes(title_text="Day")
    fig.update_layout(height=300 * nrows + 100, legend={"orientation": "h", "y": 1.06, "yanchor": "bottom", "x": 0},
                      margin={"l": 55, "r": 15, "t": 120, "b": 45})
    return fig
