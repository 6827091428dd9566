"""The figure of one fact: each contrast's paired effect with its interval, against zero and the expected side.

Takes plain records (the ``contrasts`` of a fact in validation.json), never the
model. Markers are coloured by verdict; a shaded band marks the margin of a
"no effect" contrast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from ..figures._style import PALETTE, esc, finish, number

#: Marker colour by contrast verdict (Okabe-Ito: green, vermilion, grey).
VERDICT_COLOURS = {"reproduced": PALETTE[2], "not reproduced": PALETTE[1]}
#: Arrow shown after the label: the sign the fact expects.
EXPECTED_SIGN = {"increase": "expected > 0", "decrease": "expected < 0", "none": "expected ≈ 0"}


def effects_figure(title: str, contrasts: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Horizontal interval plot: one row per contrast (the headline on top), zero marked."""
    rows = list(contrasts)[::-1]
    labels = [f"{esc(c['label'])}<br><i>{EXPECTED_SIGN.get(c['expected'], '')}</i>" for c in rows]
    fig = go.Figure()
    for verdict in ("reproduced", "not reproduced"):
        mine = [(i, c) for i, c in enumerate(rows) if c["verdict"] == verdict and c.get("effect") is not None]
        if not mine:
            continue
        x = [c["effect"] for _, c in mine]
        low = [c["interval"][0] if c["interval"][0] is not None else c["effect"] for _, c in mine]
        high = [c["interval"][1] if c["interval"][1] is not None else c["effect"] for _, c in mine]
        hover = [f"<b>{esc(c['label'])}</b><br>{esc(c['outcome'])}<br>effect {number(c['effect'])} "
                 f"({100 * c['confidence']:g}% interval {number(lo)} to {number(hi)}; {c['pairs']} pairs)<br>"
                 f"{esc(c['verdict'])}: {esc(c['why'])}" for (_, c), lo, hi in zip(mine, low, high)]
        fig.add_trace(go.Scatter(
            x=x, y=[labels[i] for i, _ in mine], mode="markers", name=verdict,
            marker={"color": VERDICT_COLOURS[verdict], "size": 11, "symbol": "diamond"},
            error_x={"type": "data", "symmetric": False, "visible": True,
                     "array": [h - e for h, e in zip(high, x)], "arrayminus": [e - lo for e, lo in zip(x, low)]},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    for i, c in enumerate(rows):
        ref = c.get("reference_mean")
        if c["expected"] == "none" and ref is not None:
            tol = abs(c.get("margin", 0.0) * ref)
            fig.add_shape(type="rect", x0=-tol, x1=tol, y0=i - 0.4, y1=i + 0.4, yref="y", xref="x",
                          fillcolor="rgba(0,158,115,0.12)", line={"width": 0}, layer="below")
    fig.add_vline(x=0.0, line_color="#555555", line_dash="dash")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels)
    fig.update_layout(height=max(260, 110 + 70 * len(rows)), showlegend=True)
    return finish(fig, title=title, x_title="Paired effect (contrast of the outcome, seed by seed)",
                  y_title="", legend_title="Verdict")
