"""Sensitivity indices (Sobol or Morris) of one output as horizontal bars with their intervals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._style import colour, esc, finish, humanise, number, require_columns

#: What each index is, for legends and hover text.
INDEX_NAMES: dict[str, str] = {
    "S1": "First-order index S1 (share of variance due to the parameter alone)",
    "ST": "Total index ST (share of variance involving the parameter, interactions included)",
    "mu_star": "μ* (mean absolute elementary effect)",
    "sigma": "σ (spread of elementary effects: interactions or non-linearity)",
}
#: The index that orders the bars, by method.
RANKING: dict[str, str] = {"sobol": "ST", "morris": "mu_star"}
#: Indices drawn, by method.
DRAWN: dict[str, tuple[str, ...]] = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma")}


def sensitivity_bars(indices: pd.DataFrame, *, output_label: str | None = None, unit: str | None = None,
                     parameter_labels: Mapping[str, str] | None = None, title: str | None = None) -> go.Figure:
    """Bars of each parameter's sensitivity indices for one output, most influential on top.

    ``indices`` is the table of :func:`analysis.sensitivity.analyse` for one output:
    columns ``method`` ("sobol" or "morris"), ``parameter``, ``index``, ``value``
    and ``conf`` (half-width of the index's bootstrap interval). Sobol indices are
    shares of the output's variance (dimensionless); Morris μ* and σ are in the
    output's unit per full range of the parameter. Every index is non-negative by
    definition, so a whisker reaching below zero is cut there (an estimate itself
    below zero, possible for S1 with few samples, keeps its bar), and the figure says so.
    """
    require_columns(indices, ["method", "parameter", "index", "value", "conf"], "sensitivity figure")
    methods = list(pd.unique(indices["method"]))
    if len(methods) != 1 or methods[0] not in RANKING:
        raise ValueError(f"sensitivity figure: expected one method of {', '.join(RANKING)}; got {methods}")
    if "output" in indices.columns and indices["output"].nunique() > 1:
        raise ValueError("sensitivity figure: the table holds several outputs; pass the rows of one")
    method = methods[0]
    output = str(indices["output"].iloc[0]) if "output" in indices.columns else "output"
    output_label = output_label or humanise(output)
    names = dict(parameter_labels or {})
    rank = indices[indices["index"] == RANKING[method]].sort_values("value", ascending=True)
    params = list(rank["parameter"])
    fig = go.Figure()
    cut = False
    for i, index in enumerate(DRAWN[method]):
        part = indices[indices["index"] == index].set_index("parameter").reindex(params)
        if part["value"].isna().all():
            continue
        shown = [esc(names.get(p, p)) for p in params]
        hover = [f"<b>{esc(names.get(p, p))}</b><br>{esc(INDEX_NAMES[index])}: {number(v)}"
                 + (f" ± {number(c)}" if pd.notna(c) else "")
                 + (f" {esc(unit)}" if unit and method == "morris" else "")
                 for p, v, c in zip(params, part["value"], part["conf"])]
        value, conf = part["value"].to_numpy(dtype=float), part["conf"].to_numpy(dtype=float)
        low_end = np.maximum(value - conf, np.minimum(value, 0.0))  # whiskers stop at zero
        cut = cut or bool(np.any((value - conf)[np.isfinite(conf)] < low_end[np.isfinite(conf)]))
        fig.add_trace(go.Bar(
            y=shown, x=value, orientation="h", name=esc(INDEX_NAMES[index]),
            marker_color=colour(i),
            error_x={"type": "data", "symmetric": False, "array": conf, "arrayminus": value - low_end,
                     "visible": True},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.2})
    if cut:
        fig.add_annotation(text=esc("Whiskers are cut at zero: the indices cannot be negative."),
                           name="cut-at-zero", xref="paper", yref="paper", x=1.0, y=1.0, xanchor="right",
                           yanchor="bottom", showarrow=False, font={"size": 11, "color": "#57606a"})
    if method == "sobol":
        x_title = "Sobol index (share of output variance, 0 to 1)"
        what = "Sobol sensitivity indices"
    else:
        per = f"{unit} per parameter range" if unit else "per parameter range"
        x_title = f"Elementary effect ({per})"
        what = "Morris screening"
    return finish(fig, title=title or f"{what} of {output_label.lower()}", x_title=x_title, y_title="Parameter",
                  legend_title="Index")
