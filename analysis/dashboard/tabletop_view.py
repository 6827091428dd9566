"""The tabletop page: set up a game, set the room's policy before each round, see the round, debrief.

The game itself (both paths, rounds, counterfactual, decision effects) lives in
``tabletop``; this module only draws it and passes the room's choices on. Each
browser session has its own game (component state).
"""

from __future__ import annotations

import pandas as pd
import solara

from . import catalog, charts, headline
from .controls import EventFeed, LeverPanel, LiveCharts, Prose, ScenarioPicker
from .plotly_view import Chart
from .session import MAX_SEED
from .tables import html_table, round_matrix
from .tabletop import (
    DEFAULT_ROUND_DAYS,
    DEFAULT_ROUNDS,
    ROUND_DAY_CHOICES,
    Debrief,
    TabletopGame,
    max_rounds,
    round_table,
)
from ...sim.errors import InputError

UNITS = {m: headline.unit(m) for m in headline.HEADLINE}


@solara.component
def Setup(on_start):
    """Choose the scenario, seed, round length and number of rounds."""
    scenario = solara.use_reactive(catalog.FIRST_SCENARIO)
    seed = solara.use_reactive(0)
    round_days = solara.use_reactive(DEFAULT_ROUND_DAYS)
    rounds = solara.use_reactive(DEFAULT_ROUNDS)
    run_days = catalog.scenario(scenario.value).params.run.days
    most = max(1, max_rounds(run_days, round_days.value))
    with solara.Card("A new tabletop game", style={"max-width": "720px"}):
        Prose(
            "The run advances in rounds. Before each round the room sets the policy; after it, the dashboard "
            "shows what happened. At the end, the debrief compares the room's path with the same organisation "
            "and the same seed **with the policy left unchanged**, so the difference is the room's doing, "
            "not chance.")
        ScenarioPicker(scenario.value, scenario.set)
        solara.InputInt(f"Seed (0 to {MAX_SEED:,})", value=seed, continuous_update=False, classes=["tabletop-seed"])
        solara.Text("Round length (days)")
        solara.ToggleButtonsSingle(value=round_days, values=list(ROUND_DAY_CHOICES), dense=True,
                                   classes=["round-days-toggle"])
        solara.SliderInt(f"Rounds ({min(rounds.value, most)} of at most {most})", value=min(rounds.value, most),
                         min=1, max=most, on_value=rounds.set)
        solara.Button("Start the game", color="primary", classes=["start-game"],
                      on_click=lambda: on_start(scenario.value, seed.value, round_days.value,
                                                min(rounds.value, most)))


def effects_table(debrief: Debrief) -> pd.DataFrame:
    """One row per decision, one column per metric: the decision's own effect on the game's totals."""
    effects = debrief.effects
    if effects.empty:
        return pd.DataFrame(columns=["decision"])
    effects = effects.assign(decision=[f"Round {r} (from day {d}): {text}" for r, d, text
                                       in zip(effects["round"], effects["day"], effects["decision"], strict=True)])
    wide = effects.pivot_table(index=["round", "decision"], columns="metric", values="effect", aggfunc="sum")
    return wide.reset_index().drop(columns="round")


@solara.component
def DebriefView(debrief: Debrief):
    metrics = list(headline.HEADLINE)
    labels = headline.LABELS
    with solara.Card("Debrief: the room's choices against the policy left unchanged (same seed)",
                     classes=["debrief"]):
        Prose("Both paths share every random draw (the model's named random streams), so the "
              "differences below come from the room's decisions. Colours say what a difference means: "
              "green is better for the organisation (fewer leaks, losses or violations, fewer custody hours, "
              "more detections), orange is worse, grey is neither (sanctions and investigations follow "
              "from what was found).")
        columns = {"room": "room's choices", "unchanged": "policy unchanged", "difference": "difference"}
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            debrief.totals, columns, test_id="debrief-totals", row_label="metric", row_labels=labels,
            differences=("difference",), better=headline.BETTER))
        Prose("**Round by round** (room minus unchanged):")
        diff = round_matrix(debrief.rounds, "difference", metrics)
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            diff, {c: c for c in diff.columns if c != "metric"}, test_id="debrief-rounds", row_label="metric",
            row_labels=labels, differences=[c for c in diff.columns if c != "metric"], better=headline.BETTER))
        figure = solara.use_memo(lambda: charts.debrief_chart(
            debrief.daily, headline.DEBRIEF_PANELS, labels=labels, units=UNITS,
            paths=[TabletopGame.ROOM, TabletopGame.UNCHANGED], markers=debrief.markers), [id(debrief)])
        Chart(figure, css_class="debrief-chart")
        Prose("**Each decision's own effect** on the game's totals: the room's path against a replay "
              "with that one decision left out and every other decision kept. Effects need not add up "
              "to the total difference: decisions interact.")
        table = effects_table(debrief)
        if table.empty:
            Prose("_The room made no changes: both paths are the same._")
        else:
            solara.HTML(tag="div", unsafe_innerHTML=html_table(
                table, {m: labels.get(m, m) for m in metrics if m in table.columns}, test_id="debrief-effects",
                row_label="decision", differences=metrics, better=headline.BETTER))


@solara.component
def RoundResultCard(game: TabletopGame, played: int):
    """The last round's result: its decision, the rounds so far as a table and bars, its events.

    Drawn again only when a round has been played (``played``), not when the room moves a lever.
    """
    last = game.results[played - 1]
    rounds = solara.use_memo(lambda: round_table(game.results[:played]), [game, played])
    figure = solara.use_memo(lambda: charts.round_bars(rounds, headline.HEADLINE, labels=headline.LABELS,
                                                       units=UNITS), [rounds])
    with solara.Card(f"Round {last.round}: what happened (days {last.first_day} to {last.last_day})",
                     classes=["round-result"]):
        Prose("Decision before this round: "
              + (f"**{last.decision.describe()}**" if last.decision else "_none_"))
        matrix = round_matrix(rounds, "value", headline.HEADLINE)
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            matrix, {c: c for c in matrix.columns if c != "metric"}, test_id="round-table",
            row_label="metric", row_labels=headline.LABELS))
        Chart(figure, css_class="round-chart")
        Prose("**Events of the round** (newest first)")
        EventFeed(last.feed, empty="Nothing notable happened this round.")


@solara.component
def Tabletop():
    game = solara.use_reactive(None)
    revision = solara.use_reactive(0)
    draft = solara.use_reactive({})
    debrief = solara.use_reactive(None)
    error = solara.use_reactive("")
    request = solara.use_reactive(None)  # (round, changes) being played, or None
    _ = revision.value

    def start(scenario, seed, round_days, rounds):
        try:
            game.set(TabletopGame(scenario, seed, round_days, rounds))
            error.set("")
        except InputError as err:
            error.set(str(err))
        draft.set({})
        debrief.set(None)

    current: TabletopGame | None = game.value

    def play_requested():
        """Plays the requested round in a worker thread, so the page shows that it is busy meanwhile."""
        asked = request.value
        if asked is None or current is None:
            return
        number, changes = asked
        try:
            if current.play_round(changes, number=number) is not None:
                # what was played is in force; a lever moved while the round ran stays for the next one
                draft.set({k: v for k, v in draft.value.items() if changes.get(k, object()) != v})
                debrief.set(None)  # a debrief from before this round would be out of date
            error.set("")
        except InputError as err:
            error.set(str(err))
        finally:
            request.set(None)
            revision.set(revision.value + 1)

    solara.use_thread(play_requested, dependencies=[request.value], intrusive_cancel=False)

    if error.value:
        solara.Error(error.value, classes=["input-error"])
    if current is None:
        Setup(start)
        return

    policy = current.policy()
    busy = request.value is not None

    def choose(path, value):
        chosen = dict(draft.value)
        if value == policy[path]:
            chosen.pop(path, None)
        else:
            chosen[path] = value
        draft.set(chosen)

    def play(number: int):
        # one request at a time, for this round only: a second click (or a click read late) does nothing
        if request.value is None and number == current.next_round and not current.finished:
            request.set((number, dict(draft.value)))

    def run_debrief():
        debrief.set(current.debrief())  # replays the run once per decision: a few seconds at most

    def new_game():
        game.set(None)
        debrief.set(None)
        draft.set({})

    shown = {**policy, **draft.value}
    with solara.Div(classes=["docsec-toolbar"]):
        heading = (f"Round {current.next_round} of {current.rounds}: days {current.days_played + 1} to "
                   f"{current.days_played + current.round_days}" if not current.finished
                   else f"All {current.rounds} rounds played (days 1 to {current.days_played})")
        solara.Text(f"{current.scenario.name}, seed {current.seed} · {heading}", classes=["round-status"],
                    style={"font-weight": "600", "font-size": "16px"})
        solara.Button("New game", on_click=new_game, outlined=True, classes=["new-game"], disabled=busy)
    with solara.Div(classes=["docsec-layout"]):
        with solara.Div(classes=["docsec-side"]):
            if not current.finished:
                Prose(f"**The room's policy for round {current.next_round}.** Changes take effect on "
                      "the round's first day.")
                number = current.next_round
                # one button per round (its own widget): a click read after its round was played belongs
                # to a button that is gone, and plays nothing
                solara.Button(f"Playing round {number}…" if busy else f"Play round {number}", color="primary",
                              on_click=lambda: play(number), disabled=busy, loading=busy,
                              classes=["play-round"] + (["busy"] if busy else [])).key(f"play-round-{number}")
                LeverPanel(shown, choose, changed=list(draft.value))  # (disabling 15 controls and back costs a round trip)
            if current.results:
                solara.Button("Debrief" if current.finished else "End here and debrief", color="secondary",
                              on_click=run_debrief, classes=["run-debrief"], style={"margin-top": "8px"},
                              disabled=busy)
        with solara.Div(classes=["docsec-main"]):
            if debrief.value is not None:
                DebriefView(debrief.value)
            if current.results:
                RoundResultCard(current, len(current.results))
            LiveCharts(current.room.daily(), current.room.markers(), current.rounds * current.round_days)
