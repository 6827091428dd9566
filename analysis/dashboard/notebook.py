"""The dashboard's live view in a Jupyter cell: one run's readouts, charts and offices, with Step and Run to the end.

Solara renders in Jupyter, so the same components as on the dashboard's page draw here::

    from docsec.analysis.dashboard.notebook import live_view
    live_view("strict", seed=3)            # the last line of a cell: the view appears below it

The view drives its own ``DashboardSession`` (pass one to look at a session you step from
Python: ``session.step(30)`` then draw the view again). plotly.js is sent inline once per
view (the notebook's server does not serve it), so the cell needs no network.
``figures`` gives the same charts as plotly ``Figure`` objects, for a static notebook.
"""

from __future__ import annotations

import plotly.graph_objects as go
import solara

from .controls import LAYOUT_CSS, LiveCharts, OfficeView, live_panels
from .live_panels import as_figure
from .plotly_view import PlotlyInline, plotly_location, plotly_source
from .session import SPEEDS, DashboardSession


@solara.component
def LiveView(session: DashboardSession):
    """Readouts, live charts and the office view of ``session``, with Step, Run to the end and the speed."""
    revision = solara.use_reactive(0)
    _ = revision.value
    source = solara.use_memo(plotly_source, [])

    def act(action):
        def run(*args):
            action(*args)
            revision.set(revision.value + 1)
        return run

    view = session.view()
    solara.Style(LAYOUT_CSS)
    PlotlyInline.element(source=source)
    plotly_location.provide("")
    with solara.Column(style={"padding": "4px"}):
        with solara.Div(classes=["docsec-toolbar"]):
            solara.Button("Step", on_click=act(lambda: session.step()), disabled=view.finished, color="primary",
                          classes=["step-button"])
            solara.Button("Run to the end", on_click=act(session.run_to_end), disabled=view.finished,
                          outlined=True, color="primary", classes=["run-to-end"])
            solara.ToggleButtonsSingle(value=view.speed, values=list(SPEEDS), on_value=act(session.set_speed),
                                       dense=True)
            solara.Text(f"{view.scenario}, seed {view.seed} · Day {view.day} of {view.last_day}",
                        classes=["day-counter"], style={"font-weight": "600"})
        previous = view.previous
        LiveCharts(view.daily, view.markers, view.last_day, previous.daily if previous else None,
                   previous.label if previous else "previous run")
        OfficeView(view.offices)


def live_view(scenario: str | DashboardSession = "default", seed: int = 0, speed: int = 7):
    """A live view to show in a notebook cell: a new session of ``scenario`` and ``seed``, or the session given."""
    session = scenario if isinstance(scenario, DashboardSession) else DashboardSession(scenario, seed, speed)
    return LiveView(session)


def figures(session: DashboardSession) -> list[go.Figure]:
    """The live charts of ``session`` as plotly Figures (the previous run faded on each, as on the page)."""
    view = session.view()
    previous = view.previous
    return [as_figure(panel) for panel in live_panels(view.daily, view.markers, view.last_day,
                                                      previous.daily if previous else None,
                                                      previous.label if previous else "previous run")]
