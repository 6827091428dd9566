"""Shared look of docsec's figures: palette, number formatting, axis titles, hover text.

Nothing here knows the model; labels and units arrive from the caller.
"""

from __future__ import annotations

import html
import math
from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
                            "#000000")
#: Plotly template of every figure.
TEMPLATE = "plotly_white"


def colour(i: int) -> str:
    """The ``i``-th colour of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


def band_colour(hex_colour: str, alpha: float = 0.18) -> str:
    """A translucent ``rgba`` version of a palette colour for interval bands."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def humanise(name: str) -> str:
    """A readable label from a column name: ``external_leaks_per_1000_docs`` -> ``External leaks per 1000 docs``."""
    text = str(name).replace(".", ": ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def axis_title(label: str, unit: str | None) -> str:
    """``Label (unit)``, or the label alone when there is no unit."""
    return f"{label} ({unit})" if unit else label


def number(x: float) -> str:
    """A number for a reader: about three significant figures, thousands separated, ``n/a`` for NaN."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return esc(x)
    if not math.isfinite(x):
        return "n/a"
    ax = abs(x)
    if ax == 0:
        return "0"
    if ax >= 100:
        text = f"{ax:,.0f}"
    elif ax >= 10:
        text = f"{ax:.1f}"
    elif ax >= 1:
        text = f"{ax:.2f}"
    else:
        text = f"{ax:#.3g}"
    return ("−" if x < 0 else "") + text  # a true minus sign, as in print


def esc(value: object) -> str:
    """Text escaped for plotly's hover and title markup (which reads a little HTML)."""
    return html.escape(str(value), quote=False)


def percent(confidence: float | None) -> str:
    """``95%`` from ``0.95``."""
    if confidence is None or not math.isfinite(float(confidence)):
        return "Confidence"
    return f"{100 * float(confidence):g}%"


def interval_text(mean: float, low: float, high: float, n: int | None, confidence: float | None,
                  unit: str | None, runs_word: str = "runs") -> str:
    """``1.23 per 1,000 documents (95% interval 0.90 to 1.50; 10 runs)`` for hover text."""
    unit_part = f" {esc(unit)}" if unit else ""
    parts = []
    if math.isfinite(float(low)) and math.isfinite(float(high)):
        parts.append(f"{percent(confidence)} interval {number(low)} to {number(high)}")
    if n is not None and not pd.isna(n):
        parts.append(f"{int(n)} {runs_word}")
    tail = f" ({'; '.join(parts)})" if parts else ""
    return f"{number(mean)}{unit_part}{tail}"


def ordered_levels(values: Iterable[Hashable], order: Sequence[Hashable] | None = None) -> list:
    """Distinct values in ``order`` if given (others appended), else in order of first appearance."""
    seen = list(pd.unique(pd.Series(list(values), dtype=object)))
    if order is None:
        return seen
    head = [v for v in order if v in seen]
    return head + [v for v in seen if v not in head]


def first_confidence(table: pd.DataFrame) -> float | None:
    """The confidence level recorded in a summary table, if any."""
    if "confidence" in table.columns and len(table):
        return float(table["confidence"].iloc[0])
    return None


def finish(fig: go.Figure, *, title: str, x_title: str, y_title: str, legend_title: str | None = None) -> go.Figure:
    """Apply the common layout: template, title, axis titles, legend title, hover mode."""
    fig.update_layout(
        template=TEMPLATE,
        title={"text": esc(title), "x": 0.0, "xanchor": "left"},
        xaxis_title={"text": esc(x_title)},
        yaxis_title={"text": esc(y_title)},
        legend_title={"text": esc(legend_title) if legend_title else ""},
        hoverlabel={"align": "left"},
        margin={"l": 70, "r": 30, "t": 70, "b": 60},
    )
    return fig


#: What a figure says when it cut an interval at zero.
CUT_AT_ZERO = "Intervals are cut at zero: the quantity cannot be negative."
#: Marker symbols that tell points apart without text on the plot (then cycled).
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x", "star", "hexagon",
                            "triangle-down", "pentagon", "cross")


def floor_at_zero(values, non_negative: bool) -> np.ndarray:
    """Interval ends as floats, raised to zero where below it if the quantity cannot be negative."""
    arr = np.asarray(values, dtype=float)
    return np.where(arr < 0, 0.0, arr) if non_negative else arr


def below_zero(values) -> bool:
    """Whether any (finite) value is below zero."""
    arr = np.asarray(values, dtype=float)
    return bool(np.any(arr[np.isfinite(arr)] < 0))


def note_cut_at_zero(fig: go.Figure, text: str = CUT_AT_ZERO) -> None:
    """Say under the plot that intervals were cut at zero (an annotation named ``cut-at-zero``)."""
    fig.add_annotation(text=esc(text), name="cut-at-zero", xref="paper", yref="paper", x=0.0, y=0.0,
                       xanchor="left", yanchor="top", yshift=-58, showarrow=False,
                       font={"size": 11, "color": "#57606a"})
    fig.update_layout(margin={"b": 90})


def require_columns(table: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """ValueError naming the first of ``columns`` the table lacks (a programming error, not user input)."""
    for col in columns:
        if col not in table.columns:
            raise ValueError(f"{what}: no column {col!r}; available: {', '.join(map(str, table.columns))}")
