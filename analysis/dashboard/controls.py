"""Solara components shared by free play and tabletop: levers, charts, office view, event feed.

Each lever's control comes from its ``Lever`` description (``levers``): a switch
for a rule, toggle buttons for a choice, a slider over the plausible range for a
number. Components receive plain values and callbacks; none of them holds a model.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import solara

from . import catalog, headline
from .feed import FeedLine
from .levers import LEVER_SECTIONS, Lever, LeverKind, lever_by_path
from .office_view import office_cards_html, office_summary
from .lever_slider import LeverSlider
from .live_panels import PREVIOUS, LivePanel, live_panel
from .plotly_view import LivePanelChart
from .tables import count

FEED_COLOURS = {
    "policy": "#6a1b9a", "leak": "#b23c00", "loss": "#8d6e63", "violation": "#c62828",
    "detection": "#1565c0", "sanction": "#ef6c00", "reading": "#607d8b", "routine": "#90a4ae",
}


def markup(text: str) -> str:
    """Plain text as HTML, escaped, with ``**bold**`` and ``_italic_`` marked up.

    (Solara's Markdown component loads a maths typesetter from a CDN, which an
    offline page cannot reach, so the dashboard's prose goes through this instead.)
    """
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    return re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"<i>\1</i>", out)


#: The page's layout: a lever column beside the main column, stacked on a phone (at most 760 px wide).
LAYOUT_CSS = """
.docsec-layout { display: flex; gap: 16px; align-items: flex-start; }
.docsec-side { flex: 0 0 330px; max-width: 360px; max-height: calc(100vh - 120px); overflow-y: auto; }
.docsec-main { flex: 1 1 0; min-width: 0; }
.docsec-charts { display: flex; flex-wrap: wrap; gap: 6px; }
.docsec-chart-cell { flex: 1 1 420px; min-width: min(360px, 100%); }
.docsec-toolbar { display: flex; align-items: center; flex-wrap: wrap; gap: 8px; }
.docsec-title { font-size: 1.5rem; }
@media (max-width: 760px) {
  .docsec-layout { flex-direction: column; gap: 8px; }
  .docsec-side { flex: none; width: 100%; max-width: none; max-height: none; overflow-y: visible; }
  .docsec-main { width: 100%; }
  .docsec-title { font-size: 1.15rem; line-height: 1.3; }
  .docsec-page { padding: 4px 6px !important; }
  .v-slide-group__prev, .v-slide-group__next { display: none !important; }
}
"""


@solara.component
def Prose(text: str, tag: str = "p", classes: Sequence[str] = ()):
    """A paragraph (or heading, with ``tag``) of dashboard prose."""
    solara.HTML(tag=tag, unsafe_innerHTML=markup(text), classes=list(classes),
                style="margin: 4px 0 6px 0; font-size: 14px" if tag == "p" else "margin: 4px 0 8px 0")


def lever_css_class(path: str) -> str:
    """A stable id for a lever's control (``lever-penalty-dismissal_severity``)."""
    return "lever-" + path.replace(".", "-")


@solara.component
def ScenarioPicker(value: str, on_value: Callable[[str], None], label: str = "Scenario"):
    """The shipped scenarios, with the chosen one's one-line description."""
    names = catalog.scenario_names()
    solara.Select(label=label, value=value, values=[name for name, _ in names], on_value=on_value,
                  classes=["scenario-select"])
    summary = dict(names).get(value, "")
    solara.Text(summary, style={"font-size": "12px", "color": "#546e7a"})


@solara.component
def LeverControl(lever: Lever, value: Any, on_value: Callable[[str, Any], None], disabled: bool = False,
                 changed: bool = False):
    """One lever's control, with its explanation beneath; ``changed`` marks a setting not yet in force.

    The mark is always in the page (empty when unchanged): adding an element beside the
    control would rebuild it and drop its keyboard focus.
    """
    def set_value(v):
        on_value(lever.path, v)

    with solara.Div(classes=[lever_css_class(lever.path)], style={"margin-bottom": "4px"}):
        solara.Text("changed for the next round" if changed else "", classes=["lever-changed"],
                    style={"font-size": "11px", "color": "#6a1b9a", "display": "block" if changed else "none"})
        if lever.kind is LeverKind.SWITCH:
            solara.Switch(label=lever.label, value=bool(value), on_value=set_value, disabled=disabled)
        elif lever.kind is LeverKind.CHOICE:
            solara.Text(lever.label, style={"font-size": "13px", "color": "#455a64"})
            solara.ToggleButtonsSingle(value=value, values=list(lever.choices),
                                       on_value=None if disabled else set_value, dense=True,
                                       style={"flex-wrap": "wrap"})
        else:
            low, high = lever.slider_range(value)
            integer = lever.kind is LeverKind.INTEGER

            def slid(v):
                set_value(int(round(v)) if integer else float(v))

            LeverSlider.element(value=float(value), shown=lever.show(value), shown_for=float(value),
                                label=lever.label, unit=lever.unit, min=float(low), max=float(high),
                                step=float(lever.step), hard_low=lever.hard_low, hard_high=lever.hard_high,
                                integer=integer, disabled=disabled, on_value=slid)
        solara.Text(lever.doc, style={"font-size": "11px", "color": "#78909c", "display": "block"})


@solara.component
def LeverPanel(policy: Mapping[str, Any], on_value: Callable[[str, Any], None], disabled: bool = False,
               changed: Sequence[str] = ()):
    """Every lever, in its section; ``changed`` levers are marked (tabletop drafts)."""
    table = lever_by_path()
    for section, paths in LEVER_SECTIONS:
        with solara.Card(section, margin=0, style={"margin-bottom": "8px"}):
            for path in paths:
                LeverControl(table[path], policy[path], on_value, disabled=disabled, changed=path in changed)


def readouts_html(rows: Sequence[Mapping[str, Any]], previous_label: str | None = None) -> str:
    """The running totals beside the charts, each with the previous run's at the same day when there is one."""
    items = []
    for row in rows:
        before = ""
        if row["previous"] is not None:
            before = (f'<span class="readout-previous" style="color:#78909c;font-size:12px"> '
                      f'(previous {html.escape(count(row["previous"]))})</span>')
        items.append(
            f'<div class="readout" data-metric="{html.escape(row["metric"])}" style="min-width:120px">'
            f'<div style="font-size:12px;color:#546e7a">{html.escape(row["label"])}</div>'
            f'<div><b class="readout-value" style="font-size:18px">{html.escape(count(row["value"]))}</b>'
            f'<span style="font-size:11px;color:#78909c"> {html.escape(row["unit"])}</span>{before}</div></div>')
    note = (f'<div style="font-size:12px;color:#78909c;width:100%">Faded lines and figures in brackets: '
            f'{html.escape(previous_label)}, at the same day.</div>' if previous_label else "")
    return (f'<div data-testid="readouts" class="docsec-readouts" style="display:flex;flex-wrap:wrap;gap:4px 14px;'
            f'margin:4px 0 8px 0">{"".join(items)}{note}</div>')


@solara.component
def Readouts(daily: pd.DataFrame, previous: pd.DataFrame | None = None, previous_label: str | None = None):
    solara.HTML(tag="div", unsafe_innerHTML=readouts_html(headline.readouts(daily, previous), previous_label))


def live_panels(daily: pd.DataFrame, markers: Mapping[int, str], last_day: int,
                previous: pd.DataFrame | None = None, previous_label: str = PREVIOUS) -> list[LivePanel]:
    """The live charts' data: running totals of leaks, losses, detections, sanctions and custody hours."""
    return [live_panel(daily, columns, labels=headline.LABELS, title=title, unit=headline.unit(columns[0]),
                       markers=markers, last_day=last_day, previous=previous, previous_label=previous_label)
            for title, columns in headline.PANELS]


@solara.component
def LiveCharts(daily: pd.DataFrame, markers: Mapping[int, str], last_day: int,
               previous: pd.DataFrame | None = None, previous_label: str = PREVIOUS):
    """Readouts, then the live charts (the ``previous`` run faded on each, on one scale)."""
    Readouts(daily, previous, previous_label if previous is not None else None)
    with solara.Div(classes=["docsec-charts"]):
        for panel in live_panels(daily, markers, last_day, previous, previous_label):
            with solara.Div(classes=["docsec-chart-cell"]):
                LivePanelChart(panel, css_class="live-chart")


@solara.component
def OfficeView(offices: pd.DataFrame):
    Prose(f"**Offices.** {office_summary(offices)}", classes=["office-summary"])
    solara.HTML(tag="div", unsafe_innerHTML=office_cards_html(offices))


def feed_html(lines: Sequence[FeedLine], empty: str) -> str:
    """The feed as an HTML list, each line marked with its kind's colour."""
    if not lines:
        return f'<div data-testid="event-feed" class="docsec-feed"><i>{html.escape(empty)}</i></div>'
    items = "".join(
        f'<li data-kind="{line.kind.value}" style="border-left:4px solid {FEED_COLOURS.get(line.kind.value, "#333")};'
        f'padding-left:6px;margin-bottom:3px">{html.escape(line.text)}</li>'
        for line in lines)
    return (f'<ul data-testid="event-feed" class="docsec-feed" style="list-style:none;padding-left:0;'
            f'max-height:420px;overflow-y:auto;font-size:13px;line-height:1.45">{items}</ul>')


@solara.component
def EventFeed(lines: Sequence[FeedLine], empty: str = "Nothing has happened yet."):
    solara.HTML(tag="div", unsafe_innerHTML=feed_html(lines, empty))

