"""Small HTML tables for the tabletop round results and the debrief, from DataFrames.

Numbers are formatted for a reader; differences carry their sign and a colour
(green where the room's path is lower, orange where higher; lower is better for
every counter the dashboard shows except custody hours, which are the regime's cost,
so the colour only marks direction, not judgement). All text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd

from ..figures._style import number, require_columns

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


def _difference_cell(x: float) -> str:
    colour = "#2e7d32" if x < 0 else "#d55e00" if x > 0 else "#607d8b"
    return f'<td style="{CELL};color:{colour};font-weight:600">{html.escape(signed(x))}</td>'


def html_table(table: pd.DataFrame, columns: Mapping[str, str], *, test_id: str, row_label: str,
               row_labels: Mapping[str, str] | None = None, differences: Sequence[str] = ()) -> str:
    """An HTML table: the ``row_label`` column (mapped through ``row_labels``) then ``columns`` (name -> header).

    Columns named in ``differences`` are shown signed and coloured.
    """
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
                cells.append(_difference_cell(float(value)))
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
