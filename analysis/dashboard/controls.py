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

from . import catalog, charts, headline
from .feed import FeedLine
from .levers import LEVER_SECTIONS, Lever, LeverKind, lever_by_path
from .office_view import office_cards_html, office_summary
from .plotly_view import Chart

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
    """One lever's control, with its explanation beneath; ``changed`` marks a setting not yet in force."""
    def set_value(v):
        on_value(lever.path, v)

    with solara.Div(classes=[lever_css_class(lever.path)], style={"margin-bottom": "4px"}):
        if changed:
            solara.Text("changed for the next round", style={"font-size": "11px", "color": "#6a1b9a"})
        if lever.kind is LeverKind.SWITCH:
            solara.Switch(label=lever.label, value=bool(value), on_value=set_value, disabled=disabled)
        elif lever.kind is LeverKind.CHOICE:
            solara.Text(lever.label, style={"font-size": "13px", "color": "#455a64"})
            solara.ToggleButtonsSingle(value=value, values=list(lever.choices),
                                       on_value=None if disabled else set_value, dense=True,
                                       style={"flex-wrap": "wrap"})
        else:
            low, high = lever.slider_range(value)
            shown = f"{lever.label}: {lever.show(value)}"
            solara.Text(shown, style={"font-size": "13px", "color": "#455a64"}, classes=["lever-value"])
            if lever.kind is LeverKind.INTEGER:
                solara.SliderInt(label="", value=int(value), min=int(low), max=int(high), step=int(lever.step),
                                 on_value=set_value, disabled=disabled)
            else:
                solara.SliderFloat(label="", value=float(value), min=float(low), max=float(high),
                                   step=float(lever.step), on_value=set_value, disabled=disabled)
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


@solara.component
def LiveCharts(daily: pd.DataFrame, markers: Mapping[int, str], last_day: int):
    """Running totals of leaks, losses, detections, sanctions and officials' custody hours."""
    with solara.Div(classes=["docsec-charts"], style={"display": "flex", "flex-wrap": "wrap", "gap": "6px"}):
        for title, columns in headline.PANELS:
            unit = headline.unit(columns[0])
            fig = charts.cumulative_panel(daily, columns, labels=headline.LABELS, title=title, unit=unit,
                                          markers=markers, last_day=last_day)
            with solara.Div(style={"flex": "1 1 420px", "min-width": "360px"}):
                Chart(fig, css_class="live-chart")


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

