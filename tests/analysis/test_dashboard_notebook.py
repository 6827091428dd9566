"""The dashboard's live view as a notebook widget, built and driven without a browser."""

from __future__ import annotations

import pytest

solara = pytest.importorskip("solara", reason="the dashboard extra is not installed")

import ipyvuetify as v  # noqa: E402

from docsec.analysis.dashboard.headline import PANELS  # noqa: E402
from docsec.analysis.dashboard.notebook import figures, live_view  # noqa: E402
from docsec.analysis.dashboard.plotly_view import PLOTLY_URL, LiveChart, PlotlyInline  # noqa: E402
from docsec.analysis.dashboard.session import DashboardSession  # noqa: E402


def test_the_live_view_builds_as_a_widget_with_plotly_inline_and_steps():
    _, rc = solara.render(live_view("strict", seed=3, speed=7), handle_error=False)
    charts = rc.find(LiveChart).widgets
    assert [c.chart_layout["title"]["text"] for c in charts] == [title for title, _ in PANELS]
    assert all(c.plotly_url == "" for c in charts)  # a notebook's server does not serve plotly.js
    assert rc.find(PlotlyInline).widget.source.lstrip().startswith("/**")  # the bundled plotly.js, inline
    assert all(len(t["y"]) == 0 for c in charts for t in c.traces)
    rc.find(v.Btn, class_="step-button").widget.click()
    assert all(len(t["y"]) == 7 for c in rc.find(LiveChart).widgets for t in c.traces)
    rc.find(v.Btn, class_="run-to-end").widget.click()
    assert all(len(t["y"]) == 365 for c in rc.find(LiveChart).widgets for t in c.traces)
    assert rc.find(v.Btn, class_="step-button").widget.disabled


def test_the_live_view_draws_a_session_driven_from_python():
    session = DashboardSession("lax", seed=1)
    session.step(30)
    _, rc = solara.render(live_view(session), handle_error=False)
    assert all(len(t["y"]) == 30 for c in rc.find(LiveChart).widgets for t in c.traces)
    assert "Day 30 of 365" in " ".join(str(w.widget.children) for w in rc.find(class_="day-counter"))


def test_the_dashboard_page_still_loads_plotly_from_its_own_server():
    from docsec.analysis.dashboard.app import FreePlay

    _, rc = solara.render(FreePlay(), handle_error=False)
    assert {c.plotly_url for c in rc.find(LiveChart).widgets} == {PLOTLY_URL}


def test_figures_are_the_same_charts_as_plotly_figures():
    session = DashboardSession("default", seed=2)
    session.step(14)
    session.reset(scenario="strict")
    session.step(7)
    figs = figures(session)
    assert [f.layout.title.text for f in figs] == [title for title, _ in PANELS]
    leaks = figs[0]
    previous = [t for t in leaks.data if t.meta == "previous run"]
    current = [t for t in leaks.data if t.meta is None]
    assert previous and all(len(t.y) == 14 for t in previous) and all(len(t.y) == 7 for t in current)
