"""The report's HTML: one self-contained page with plotly.js embedded once and no network requests.

Every piece of text that comes from data (names, labels, file paths, values) is
escaped here; figures are embedded as plotly ``div``s drawn by the inline copy of
plotly.js, so the file opens offline and loads nothing from anywhere.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline

#: Figure toolbar: no links to online services, PNG download kept.
PLOT_CONFIG = {"displaylogo": False, "responsive": True,
               "toImageButtonOptions": {"format": "png", "scale": 2}}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1100px;
       padding: 1.5em 2em 4em; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #d0d7de; }
p.lead { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th .under, td .under { display: block; color: #57606a; font-size: 0.88em; font-weight: normal; }
td.clear { font-weight: 600; }
.figure { margin: 1.5em 0; } .note { color: #57606a; font-size: 0.9em; }
.table-wrap { overflow-x: auto; } caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
p.table-note { color: #57606a; font-size: 0.88em; margin: -0.4em 0 1em; }
section.headline { border-left: 4px solid #0072B2; padding-left: 1em; }
ul.reading li { margin-bottom: 0.6em; }
code { background: #f6f8fa; padding: 0 0.25em; }
"""


def esc(value: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Stacked:
    """A cell of two lines: ``main`` above, ``under`` below in smaller type (e.g. a mean and its interval).

    As plain text (a terminal table) the two are joined on one line.
    """

    main: str
    under: str = ""

    def __str__(self) -> str:
        return f"{self.main} {self.under}".strip()


@dataclass(frozen=True)
class Table:
    """A table to show: header cells, rows of cells, which columns are numbers, a caption and notes.

    ``notes`` are printed under the table (a legend of its marks and abbreviations).
    ``marked`` names the column whose "yes" cells are emphasised (e.g. clear differences).
    """

    header: Sequence[object]
    rows: Sequence[Sequence[object]]
    numeric: Sequence[bool] = ()
    caption: str = ""
    notes: Sequence[str] = ()
    marked: int | None = None


def cell_html(value: object) -> str:
    """A cell's content, escaped; a ``Stacked`` cell as two lines."""
    if isinstance(value, Stacked):
        under = f'<span class="under">{esc(value.under)}</span>' if value.under else ""
        return f"{esc(value.main)}{under}"
    return esc(value)


@dataclass(frozen=True)
class Section:
    """A titled part of the report: paragraphs, bullet points, tables and figures, in that order."""

    title: str
    paragraphs: Sequence[str] = ()
    bullets: Sequence[str] = ()
    tables: Sequence[Table] = ()
    figures: Sequence[tuple[go.Figure, str]] = ()  # (figure, caption)
    notes: Sequence[str] = ()
    css_class: str = ""


def table_html(table: Table) -> str:
    """A ``<table>`` with escaped cells; numeric columns right-aligned."""
    numeric = list(table.numeric) + [False] * (len(table.header) - len(table.numeric))
    head = "".join(f"<th>{cell_html(h)}</th>" for h in table.header)
    body = []
    for row in table.rows:
        cells = []
        for i, c in enumerate(row):
            classes = (["num"] if numeric[i] else []) + (["clear"] if i == table.marked and c == "yes" else [])
            attr = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attr}>{cell_html(c)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption = f"<caption>{esc(table.caption)}</caption>" if table.caption else ""
    notes = "".join(f'<p class="table-note">{esc(n)}</p>' for n in table.notes)
    return (f'<div class="table-wrap"><table>{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>{notes}")


def figure_html(fig: go.Figure, div_id: str, caption: str = "") -> str:
    """A figure as a ``div``, the inline call that draws it and its caption (plotly.js is in the page head)."""
    inner = pio.to_html(fig, full_html=False, include_plotlyjs=False, include_mathjax=False,
                        config=PLOT_CONFIG, div_id=div_id, default_height="520px")
    note = f'<p class="note">{esc(caption)}</p>' if caption else ""
    return f'<figure class="figure">{inner}{note}</figure>'


def render_page(title: str, subtitle: str, sections: Sequence[Section]) -> str:
    """The whole report as one HTML document."""
    parts = []
    n_fig = 0
    for section in sections:
        attr = f' class="{esc(section.css_class)}"' if section.css_class else ""
        parts.append(f"<section{attr}><h2>{esc(section.title)}</h2>")
        parts.extend(f"<p>{esc(p)}</p>" for p in section.paragraphs)
        if section.bullets:
            parts.append('<ul class="reading">' + "".join(f"<li>{esc(b)}</li>" for b in section.bullets) + "</ul>")
        parts.extend(table_html(t) for t in section.tables)
        for fig, caption in section.figures:
            n_fig += 1
            parts.append(figure_html(fig, f"figure-{n_fig}", caption))
        parts.extend(f'<p class="note">{esc(n)}</p>' for n in section.notes)
        parts.append("</section>")
    plotlyjs = plotly.offline.get_plotlyjs()
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n"
        f"<script type=\"text/javascript\">{plotlyjs}</script>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n<p class=\"lead\">{esc(subtitle)}</p>\n"
        + "\n".join(parts) + "\n</body>\n</html>\n"
    )
