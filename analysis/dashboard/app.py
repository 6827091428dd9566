"""The dashboard's Solara app: the page, and free play (choose, set, step, play, pause, run to the end, reset).

Solara renders ``Page`` once per browser session (one virtual kernel each), and
``FreePlay`` keeps its ``DashboardSession`` in that render tree (``use_memo``), so
every browser session drives its own model. Play runs in a worker thread that
steps the session and asks the page to redraw, waiting for each step to be drawn
before the next (``pacing``: otherwise a busy machine never reads Pause); the
session's lock keeps the model consistent between the thread and the controls.
Play and Pause are two buttons with one meaning each, so a click does what its
label said even when it is read after the page has changed.
"""

from __future__ import annotations

import threading

import solara

from .controls import LAYOUT_CSS, EventFeed, LeverPanel, LiveCharts, OfficeView, Prose, ScenarioPicker
from .live_panels import PREVIOUS
from .exercise import registry
from .exercise_view import ExerciseTab, browser_session
from .feed import NOTABLE, Kind
from .pacing import DrawPacer, play
from .session import MAX_SEED, SPEEDS, DashboardSession
from .tabletop_view import Tabletop
from ...sim.errors import InputError


@solara.component
def FreePlay():
    session: DashboardSession = solara.use_memo(DashboardSession, [])
    pacer: DrawPacer = solara.use_memo(DrawPacer, [])
    revision = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    everything = solara.use_reactive(False)
    show_previous = solara.use_reactive(True)
    error = solara.use_reactive("")

    def redraw() -> int:
        shown = pacer.ask()  # numbered by the pacer: redraws asked from two threads never share a number
        revision.set(shown)
        return shown

    def guarded(action):
        def run(*args):
            try:
                action(*args)
                error.set("")
            except InputError as err:
                error.set(str(err))
            redraw()
        return run

    def advance() -> bool:
        if session.step() == 0 or session.finished:
            playing.set(False)
            return False
        return True

    def play_loop(cancel: threading.Event):
        play(advance, lambda: playing.value, redraw, pacer, cancel)

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    drawing = revision.value  # redraw on every change of the session
    solara.use_effect(lambda: pacer.drawn(drawing), [drawing])  # effects run once the render is done
    kinds = set(Kind) if everything.value else NOTABLE
    view = session.view(feed_kinds=kinds)

    def reset(scenario=None, seed=None):
        playing.set(False)
        session.reset(scenario=scenario, seed=seed)

    # one meaning per button: a Pause read late (after the run ended, or twice) still only pauses
    def start_playing():
        if not session.finished:
            playing.set(True)

    def pause():
        playing.set(False)

    def run_to_end():
        playing.set(False)
        session.run_to_end()

    previous = view.previous if show_previous.value else None
    with solara.Div(classes=["docsec-layout"]):
        with solara.Div(classes=["docsec-side"]):
            ScenarioPicker(view.scenario, guarded(lambda name: reset(scenario=name)))
            with solara.Details("About this scenario"):
                Prose(view.description)
            solara.InputInt(f"Seed (0 to {MAX_SEED:,})", value=view.seed,
                            on_value=guarded(lambda seed: reset(seed=seed)), continuous_update=False,
                            classes=["seed-input"])
            Prose("**Levers.** A change takes effect from the next day. "
                  "Reset restarts the scenario with its own settings.")
            LeverPanel(view.policy, guarded(lambda path, value: session.set_levers({path: value})),
                       disabled=view.finished)
        with solara.Div(classes=["docsec-main"]):
            with solara.Div(classes=["docsec-toolbar"]):
                solara.Button("Reset", on_click=guarded(reset), color="primary", outlined=True,
                              classes=["reset-button"])
                solara.Button("Step", on_click=guarded(lambda: session.step()), color="primary",
                              disabled=playing.value or view.finished, classes=["step-button"])
                solara.Button("Play", color="primary", on_click=start_playing,
                              disabled=playing.value or view.finished, classes=["play-button"])
                solara.Button("Pause", color="primary", on_click=pause, disabled=not playing.value,
                              classes=["pause-button"])
                solara.Button("Run to the end", color="primary", outlined=True, on_click=guarded(run_to_end),
                              disabled=view.finished, classes=["run-to-end"])
                solara.Text("Days per step:")
                solara.ToggleButtonsSingle(value=view.speed, values=list(SPEEDS),
                                           on_value=guarded(session.set_speed), dense=True,
                                           classes=["speed-toggle"])
                status = f"Day {view.day} of {view.last_day}" + (" — the run is over" if view.finished else "")
                solara.Text(status, classes=["day-counter"], style={"font-weight": "600", "font-size": "16px"})
            if error.value:
                solara.Error(error.value, classes=["input-error"])
            LiveCharts(view.daily, view.markers, view.last_day, previous.daily if previous else None,
                       previous.label if previous else PREVIOUS)
            with solara.Div(classes=["docsec-toolbar"]):
                solara.FileDownload(session.daily_csv, filename=csv_name(view),
                                    label="Download the daily table (CSV)", mime_type="text/csv")
                if view.previous is not None:
                    with solara.Div(classes=["show-previous"]):
                        solara.Checkbox(label=f"show the {view.previous.label} (faded)", value=show_previous)
            OfficeView(view.offices)
            with solara.Div(classes=["docsec-toolbar"]):
                Prose("**What happened** (newest first)")
                solara.Checkbox(label="also show readings and routine handling", value=everything)
            EventFeed(view.feed, empty="Nothing notable yet: step or play the model.")


def csv_name(view) -> str:
    """``docsec-lax-seed-0-days-1-120.csv``: what the downloaded daily table holds."""
    return f"docsec-{view.scenario}-seed-{view.seed}-days-1-{view.day}.csv"


@solara.component
def Page():
    solara.Title("docsec: document security, live")
    solara.Style(".v-application--wrap { min-height: auto; }" + LAYOUT_CSS)
    with solara.Column(classes=["docsec-page"], style={"padding": "8px 16px"}):
        Prose("Keeping confidential documents: custody rules and penalties, live", tag="h2",
              classes=["docsec-title"])
        session = browser_session()
        in_exercise = registry().of_facilitator(session) or registry().of_participant(session)
        with solara.lab.Tabs(lazy=False, value=2 if in_exercise else 0):  # a reload returns to a held seat
            with solara.lab.Tab("Free play", classes=["tab-free-play"]):
                with solara.Div(classes=["free-play"]):
                    FreePlay()
            with solara.lab.Tab("Tabletop", classes=["tab-tabletop"]):
                with solara.Div(classes=["tabletop"]):
                    Tabletop()
            with solara.lab.Tab("Exercise", classes=["tab-exercise"]):
                with solara.Div(classes=["exercise"]):
                    ExerciseTab()
