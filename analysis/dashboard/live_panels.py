"""The live charts' data: running totals as compact plotly.js data, built from a daily table.

A step of free play redraws five charts. Building them as plotly ``Figure`` objects
(validation, deep copies, the template) cost about 140 ms a step on its own and sent
~7 kB of template per chart per redraw; here a panel is three parts, each sent to the
browser only when it changes (``live_chart``):

- ``layout``: title, axes, x range and style (changes only with the run's length);
- ``traces``: one line per counter, only its running totals (``y``) and the first day;
- ``overlay``: the previous run's lines, faded (changes only when the run is switched).

The page computes the y range from every line it holds, so the current run and the
previous one share one scale. ``as_figure`` turns a panel into a plotly ``Figure``
(the same look) for notebooks and tests. It never imports the model: counter names,
labels and units arrive from the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..figures._style import PALETTE, colour, esc, require_columns

#: Height of one live chart in pixels (the page gives charts their width).
PANEL_HEIGHT = 280
#: Trace ``meta`` of the previous run's lines and of the policy-change markers.
PREVIOUS = "previous run"
MARKERS = "policy changes"
#: Colours of the plotly_white look, written out (the template itself is ~7 kB per chart).
GRID = "#EBF0F8"
AXIS_TEXT = "#2a3f5f"


@dataclass(frozen=True)
class LivePanel:
    """One live chart: ``layout`` (plotly.js), ``traces`` and ``overlay`` (compact lines), ``markers``."""

    title: str
    layout: dict
    traces: list[dict]
    overlay: list[dict] = field(default_factory=list)
    markers: list[list] = field(default_factory=list)  # [day, note]


@cache
def panel_layout(title: str, unit: str, last_day: int | None) -> dict:
    """A chart's layout (plotly.js JSON): the same for every step of a run, so it is sent once."""
    axis = {"gridcolor": GRID, "zerolinecolor": GRID, "linecolor": GRID, "automargin": True,
            "title": {"standoff": 8}}
    layout = {
        "height": PANEL_HEIGHT, "title": {"text": esc(title), "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        "paper_bgcolor": "white", "plot_bgcolor": "white", "font": {"color": AXIS_TEXT},
        "colorway": list(PALETTE), "hovermode": "closest", "hoverlabel": {"align": "left"},
        "margin": {"l": 60, "r": 15, "t": 45, "b": 45},
        "legend": {"orientation": "h", "y": -0.25, "x": 0},
        "xaxis": {**axis, "title": {"text": "Day of the run (days)", "standoff": 8}},
        "yaxis": {**axis, "title": {"text": esc(f"Running total ({unit})"), "standoff": 8}, "rangemode": "tozero"},
    }
    if last_day:
        layout["xaxis"]["range"] = [0, int(last_day)]
    return layout


def running_totals(values: np.ndarray) -> list:
    """Cumulative sums as a short JSON list: whole numbers as integers, others to 2 decimals."""
    total = np.cumsum(np.asarray(values, dtype=float))
    if np.all(total == np.floor(total)):
        return total.astype(np.int64).tolist()
    return np.round(total, 2).tolist()


def panel_traces(daily: pd.DataFrame, columns: Sequence[str], *, labels: Mapping[str, str], unit: str,
                 previous: str | None = None) -> list[dict]:
    """One compact line per counter of a daily table (``day`` plus the counters): its running totals.

    ``previous`` names the run the lines come from when they are the faded overlay.
    """
    require_columns(daily, ["day", *columns], "live chart")
    first = int(daily["day"].iloc[0]) if len(daily) else 1
    out = []
    for i, col in enumerate(columns):
        label = labels.get(col, col)
        trace = {"name": esc(label if previous is None else f"{label} ({previous})"), "colour": colour(i),
                 "x0": first, "y": running_totals(daily[col].to_numpy()), "unit": esc(unit)}
        if previous is not None:
            trace["meta"] = PREVIOUS
        out.append(trace)
    return out


def live_panel(daily: pd.DataFrame, columns: Sequence[str], *, labels: Mapping[str, str], title: str, unit: str,
               markers: Mapping[int, str] | None = None, last_day: int | None = None,
               previous: pd.DataFrame | None = None, previous_label: str = PREVIOUS) -> LivePanel:
    """Running totals of ``columns`` (and, faded, of the ``previous`` run's daily table) with policy markers."""
    overlay = (panel_traces(previous, columns, labels=labels, unit=unit, previous=previous_label)
               if previous is not None and len(previous) else [])
    return LivePanel(title=title, layout=panel_layout(title, unit, last_day),
                     traces=panel_traces(daily, columns, labels=labels, unit=unit), overlay=overlay,
                     markers=[[int(d), esc(f"day {d}: {note}")] for d, note in sorted((markers or {}).items())])


def _scatter(trace: dict, faded: bool) -> go.Scatter:
    days = np.arange(trace["x0"], trace["x0"] + len(trace["y"]), dtype=float)
    return go.Scatter(x=days, y=trace["y"], mode="lines", name=trace["name"], meta=trace.get("meta"),
                      opacity=0.45 if faded else 1.0,
                      line={"color": trace["colour"], "width": 1.5 if faded else 2, "dash": "dot" if faded else "solid"},
                      hovertemplate=f"Day %{{x}}<br>{trace['name']} so far: %{{y:,}} {trace['unit']}<extra></extra>")


def y_range(panel: LivePanel) -> list[float]:
    """From zero to just above the highest line (current and previous run), at least 0 to 4."""
    top = max([max(t["y"]) for t in (*panel.traces, *panel.overlay) if t["y"]] + [0.0])
    return [0.0, max(4.0, float(top)) * 1.08]


def as_figure(panel: LivePanel) -> go.Figure:
    """The panel as a plotly ``Figure``, drawn as the page draws it (for notebooks, reports and tests)."""
    fig = go.Figure(layout=panel.layout)
    for trace in panel.overlay:
        fig.add_trace(_scatter(trace, faded=True))
    for trace in panel.traces:
        fig.add_trace(_scatter(trace, faded=False))
    if panel.markers:
        for day, _ in panel.markers:
            fig.add_vline(x=float(day), line_dash="dot", line_color="#555555", line_width=1)
        fig.add_trace(go.Scatter(
            x=[float(d) for d, _ in panel.markers], y=[0.0] * len(panel.markers), mode="markers", name=MARKERS,
            meta=MARKERS, marker={"symbol": "triangle-up", "size": 9, "color": "#555555"}, showlegend=False,
            hovertext=[note for _, note in panel.markers], hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_yaxes(range=y_range(panel))
    return fig
