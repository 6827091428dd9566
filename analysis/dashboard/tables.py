"""Small HTML tables for the tabletop round results and the debrief, from DataFrames.

Numbers are formatted for a reader; differences carry their sign and a colour by
what the metric means (``headline.BETTER``, the one place that says which way is good):
green where the room's path is better (fewer leaks, more detections), orange where
worse, grey where the metric is neither (sanctions) or nothing changed. Each cell
says so in ``data-judgement`` too. All text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd

from ..figures._style import number, require_columns

#: Colour of a difference by its judgement (``headline.judgement``).
JUDGEMENT_COLOURS = {"better": "#2e7d32", "worse": "#d55e00", "neither": "#607d8b", "same": "#607d8b"}

TABLE_STYLE = ("border-collapse:collapse;font-size:13px;margin:4px 0 10px 0;"
               "min-width:320px")
CELL = "padding:3px 8px;border-bottom:1px solid #eceff1;text-align:right"
HEAD = "padding:3px 8px;border-bottom:2px solid #b0bec5;text-align:right;font-weight:600"


def count(x: float) -> str:
    """Whole numbers as whole numbers (``1,204``); others in the figures' style (``3.25``)."""
    x = float(x)
    return f"{int(x):,}" if x.is_integer() else number(x)


def signed(x: float) -> str:
    """``+3``, ``-1.5``, ``0``."""
    text = count(x)
    return f"+{text}" if float(x) > 0 else text


def judgement(better: str, difference: float) -> str:
    """``"better"``, ``"worse"``, ``"neither"`` or ``"same"`` for a ``difference`` in a metric whose good
    direction is ``better`` (``"lower"``, ``"higher"`` or ``"neither"``: ``headline.BETTER``)."""
    if difference == 0:
        return "same"
    if better == "lower":
        return "better" if difference < 0 else "worse"
    if better == "higher":
        return "better" if difference > 0 else "worse"
    return "neither"


def _difference_cell(x: float, better: str) -> str:
    verdict = judgement(better, x)
    return (f'<td data-judgement="{verdict}" style="{CELL};color:{JUDGEMENT_COLOURS[verdict]};font-weight:600">'
            f"{html.escape(signed(x))}</td>")


def html_table(table: pd.DataFrame, columns: Mapping[str, str], *, test_id: str, row_label: str,
               row_labels: Mapping[str, str] | None = None, differences: Sequence[str] = (),
               better: Mapping[str, str] | None = None) -> str:
    """An HTML table: the ``row_label`` column (mapped through ``row_labels``) then ``columns`` (name -> header).

    Columns named in ``differences`` are shown signed and coloured by the metric's meaning:
    ``better`` maps a metric to its good direction (``headline.BETTER``); the metric is the
    row's key when ``better`` names it, else the column's name.
    """
    better = better or {}
    require_columns(table, [row_label, *columns], "dashboard table")
    row_labels = row_labels or {}
    head = f'<th style="{HEAD};text-align:left"></th>' + "".join(
        f'<th style="{HEAD}">{html.escape(title)}</th>' for title in columns.values())
    body = []
    for _, row in table.iterrows():
        key = row[row_label]
        cells = [f'<td style="{CELL};text-align:left">{html.escape(str(row_labels.get(key, key)))}</td>']
        for col in columns:
            value = row[col]
            if col in differences:
                cells.append(_difference_cell(float(value), better.get(key, better.get(col, "neither"))))
            elif isinstance(value, (int, float)):
                cells.append(f'<td style="{CELL}">{html.escape(count(value))}</td>')
            else:
                cells.append(f'<td style="{CELL}">{html.escape(str(value))}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table data-testid="{html.escape(test_id)}" style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def round_matrix(rounds: pd.DataFrame, value: str, metrics: Sequence[str]) -> pd.DataFrame:
    """A long round table (``round, metric, <value>``) as one row per metric, one column per round."""
    require_columns(rounds, ["round", "metric", value], "round matrix")
    wide = rounds.pivot_table(index="metric", columns="round", values=value, aggfunc="sum")
    wide = wide.reindex([m for m in metrics if m in wide.index])
    wide.columns = [f"round {int(c)}" for c in wide.columns]
    return wide.reset_index()
