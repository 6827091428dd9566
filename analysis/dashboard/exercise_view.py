"""The Exercise tab: a facilitator's projector view and participants' seat views, joined by a short code.

The exercise itself (seats, rounds, paths, injects) lives in ``exercise``; this module draws
it. Every page in the room follows the shared exercise through a worker thread that waits
for it to change (``Exercise.wait_change``) and then redraws its own page: participants'
pages redraw on rounds, injects and seats, the facilitator's also on every seat's decisions.
A browser is known by its Solara session (a cookie), so a reload finds its seat again.
"""

from __future__ import annotations

import html
import threading

import pandas as pd
import solara

from . import catalog, headline
from .after_action import report_html
from .controls import EventFeed, LeverPanel, LiveCharts, Prose, ScenarioPicker
from .exercise import (
    BASELINE,
    CENTRE,
    CENTRE_KNOWS,
    CODE_LENGTH,
    ROOM,
    SEAT_CHOICES,
    Exercise,
    registry,
    seat_office,
)
from .injects import Card, shipped_injects
from .office_view import office_card
from .session import MAX_SEED
from .tables import html_table
from .tabletop import DEFAULT_ROUND_DAYS, ROUND_DAY_CHOICES
from ...sim.errors import InputError

#: How long a page's watcher waits before looking again whether its page is still open.
WATCH_SECONDS = 2.0
HABIT, TAKE, REFUSE = "habit", "take it", "refuse"


def browser_session() -> str:
    """This browser's Solara session id (a cookie: the same after a reload); "local" outside a server."""
    try:
        return solara.get_session_id()
    except RuntimeError:  # rendered outside Solara's server (a notebook, a test)
        return "local"


def use_exercise(exercise: Exercise, room: bool) -> int:
    """Redraw this page whenever ``exercise`` changes (``room``: only on changes every participant sees)."""
    seen = solara.use_reactive(exercise.current(room))

    def watch(cancel: threading.Event):
        last = exercise.current(room)
        while not cancel.is_set():
            if exercise.wait_change(last, WATCH_SECONDS, room=room):
                last = exercise.current(room)
                seen.set(last)

    solara.use_thread(watch, dependencies=[exercise.code, room], intrusive_cancel=False)
    return seen.value


def cards_html(cards: list[Card], empty: str) -> str:
    """Inject cards as HTML (escaped)."""
    if not cards:
        return f'<div data-testid="inject-cards" class="muted"><i>{html.escape(empty)}</i></div>'
    items = "".join(
        f'<div data-testid="inject-card" style="border:1px solid #6a1b9a;border-left:6px solid #6a1b9a;'
        f'border-radius:4px;padding:6px 10px;margin:4px 0;background:#faf5fc"><b style="color:#6a1b9a">'
        f'{html.escape(c.title)}</b> <span style="font-size:12px;color:#607d8b">(day {c.day}'
        f'{", from the scenario" if c.source == "scenario" else ", inject"})</span><br>'
        f'<span style="font-size:14px">{html.escape(c.text)}</span></div>' for c in cards)
    return f'<div data-testid="inject-cards">{items}</div>'


@solara.component
def Cards(cards: list[Card], empty: str = "No news this round."):
    solara.HTML(tag="div", unsafe_innerHTML=cards_html(cards, empty))


# -- setting up and joining --------------------------------------------------------------------------
@solara.component
def ExerciseSetup(session: str, on_created):
    scenario = solara.use_reactive(catalog.FIRST_SCENARIO)
    seed = solara.use_reactive(0)
    round_days = solara.use_reactive(DEFAULT_ROUND_DAYS)
    rounds = solara.use_reactive(6)
    office_seats = solara.use_reactive(4)
    error = solara.use_reactive("")

    def create():
        try:
            registry().create(session, scenario=scenario.value, seed=seed.value, round_days=round_days.value,
                              rounds=rounds.value, office_seats=office_seats.value)
            error.set("")
            on_created()
        except InputError as err:
            error.set(str(err))

    with solara.Card("Run an exercise (facilitator)", style={"max-width": "640px"}):
        Prose("The projector shows this screen; participants join on their own devices with the code it "
              "gives. One seat sets the centre's policy; each office seat plays one office's custodian.")
        ScenarioPicker(scenario.value, scenario.set)
        solara.InputInt(f"Seed (0 to {MAX_SEED:,})", value=seed, continuous_update=False, classes=["exercise-seed"])
        solara.Text("Round length (days)")
        solara.ToggleButtonsSingle(value=round_days, values=list(ROUND_DAY_CHOICES), dense=True)
        solara.InputInt("Rounds", value=rounds, continuous_update=False, classes=["exercise-rounds"])
        solara.InputInt("Office seats (custodians played by people)", value=office_seats, continuous_update=False,
                        classes=["exercise-office-seats"])
        if error.value:
            solara.Error(error.value, classes=["input-error"])
        solara.Button("Create the exercise", color="primary", on_click=create, classes=["create-exercise"])


@solara.component
def JoinExercise(session: str, on_joined):
    code = solara.use_reactive("")
    name = solara.use_reactive("")
    error = solara.use_reactive("")
    found = solara.use_reactive(None)

    def look_up():
        try:
            found.set(registry().get(code.value))
            error.set("")
        except InputError as err:
            error.set(str(err))

    def take(seat: str):
        try:
            found.value.take_seat(seat, session, name.value)
            error.set("")
            on_joined()
        except InputError as err:
            error.set(str(err))

    with solara.Card("Join an exercise (participant)", style={"max-width": "640px"}):
        solara.InputText(f"Code ({CODE_LENGTH} characters, on the projector)", value=code,
                         continuous_update=True, classes=["join-code"])
        solara.InputText("Your name (optional, shown in the report)", value=name, continuous_update=True,
                         classes=["join-name"])
        solara.Button("Find the exercise", color="primary", on_click=look_up, classes=["find-exercise"])
        if error.value:
            solara.Error(error.value, classes=["input-error"])
        if found.value is not None:
            SeatPicker(found.value, take)


@solara.component
def SeatPicker(exercise: Exercise, take):
    """The exercise's seats, free ones to take (kept up to date as others take theirs)."""
    use_exercise(exercise, room=True)
    Prose(f"**Exercise {exercise.code}**: {exercise.scenario.name}. Choose a free seat:")
    for seat in exercise.seat_names:
        taken = seat in exercise.holders
        solara.Button(exercise.seat_title(seat) + (" (taken)" if taken else ""), disabled=taken,
                      on_click=lambda seat=seat: take(seat), classes=["take-seat", f"seat-{seat}"],
                      style={"margin": "3px", "text-transform": "none"})


# -- the facilitator -------------------------------------------------------------------------------------
def round_summary(exercise: Exercise) -> pd.DataFrame:
    rows = []
    for m in headline.HEADLINE:
        row = {"metric": m}
        for r in exercise.results:
            row[f"round {r.round}"] = r.totals[ROOM][m]
        row["unchanged"] = sum(r.totals[BASELINE][m] for r in exercise.results)
        rows.append(row)
    return pd.DataFrame(rows)


@solara.component
def FacilitatorView(exercise: Exercise):
    use_exercise(exercise, room=False)
    request = solara.use_reactive(None)
    error = solara.use_reactive("")
    inject_key = solara.use_reactive(shipped_injects()[0].key)
    freeing = solara.use_reactive("")  # the seat to hand back (a participant whose device is gone)

    def play_requested():
        number = request.value
        if number is None:
            return
        try:
            exercise.play_round(number)
            error.set("")
        except InputError as err:
            error.set(str(err))
        finally:
            request.set(None)

    solara.use_thread(play_requested, dependencies=[request.value], intrusive_cancel=False)
    played = len(exercise.results)
    solara.use_effect(lambda: exercise.publish() if played else None, [played])  # drawn here: now the room
    busy = request.value is not None or exercise.playing

    def start(number: int):
        if request.value is None and number == exercise.next_round and not exercise.finished:
            request.set(number)

    def fire():
        try:
            exercise.fire(inject_key.value)
            error.set("")
        except InputError as err:
            error.set(str(err))

    status = (f"Round {exercise.next_round} of {exercise.rounds}: days {exercise.days_played + 1} to "
              f"{min(exercise.days_played + exercise.round_days, exercise.room.last_day)}"
              if not exercise.finished else f"All {exercise.rounds} rounds played")
    with solara.Div(classes=["docsec-toolbar"]):
        solara.HTML(tag="div", unsafe_innerHTML=f'<span style="font-size:15px">Join code</span> '
                    f'<b data-testid="join-code" style="font-size:34px;letter-spacing:6px">{exercise.code}</b>')
        solara.Text(f"{exercise.scenario.name}, seed {exercise.seed} · {status}", classes=["exercise-status"],
                    style={"font-weight": "600", "font-size": "16px"})
    if error.value:
        solara.Error(error.value, classes=["input-error"])
    with solara.Div(classes=["docsec-layout"]):
        with solara.Div(classes=["docsec-side"]):
            ready = exercise.ready()
            rows = []
            for seat in exercise.seat_names:
                holder = exercise.holders.get(seat)
                state = ("free: the model plays it" if holder is None else
                         ("decided" if ready.get(seat) else "deciding…"))
                rows.append({"seat": exercise.seat_title(seat), "held by": (holder.name or "someone")
                             if holder else "", "next round": state})
            solara.HTML(tag="div", unsafe_innerHTML=html_table(
                pd.DataFrame(rows), {"held by": "held by", "next round": "next round"}, test_id="seat-table",
                row_label="seat"))
            held = [seat for seat in exercise.seat_names if seat in exercise.holders]
            if held:
                with solara.Div(classes=["docsec-toolbar"]):
                    solara.Select(label="Seat", value=freeing.value if freeing.value in held else held[0],
                                  values=held, on_value=freeing.set, classes=["free-seat-select"])
                    solara.Button("Free this seat", outlined=True, classes=["free-seat"],
                                  on_click=lambda: exercise.free_seat(freeing.value if freeing.value in held
                                                                      else held[0]))
            if not exercise.finished:
                n = exercise.next_round
                solara.Button(f"Playing round {n}…" if busy else f"Start round {n}", color="primary",
                              on_click=lambda: start(n), disabled=busy, loading=busy,
                              classes=["start-round"] + (["busy"] if busy else [])).key(f"start-round-{n}")
                Prose("**Fire an inject** (its card opens the next round; it applies from that round's first day):")
                solara.Select(label="Inject", value=inject_key, values=[i.key for i in shipped_injects()],
                              classes=["inject-select"])
                solara.Button("Fire", on_click=fire, outlined=True, disabled=busy, classes=["fire-inject"])
            if exercise.results:
                solara.FileDownload(lambda: report_html(exercise), filename=f"after-action-{exercise.code}.html",
                                    label="After-action report (HTML)", mime_type="text/html")
        with solara.Div(classes=["docsec-main"]):
            if not exercise.finished:
                Prose(f"**Round {exercise.next_round} opens with:**")
                Cards(exercise.pending_cards(), empty="No news for the next round.")
            if exercise.results:
                last = exercise.results[-1]
                with solara.Card(f"Round {last.round}: days {last.first_day} to {last.last_day}",
                                 classes=["exercise-round"]):
                    Cards(list(last.cards), empty="No news opened this round.")
                    decisions = "; ".join(f"{d.who}: {d.describe()}" for d in last.decisions)
                    Prose("**Decisions:** " + (decisions or "_none_"), classes=["exercise-decisions"])
                    table = round_summary(exercise)
                    solara.HTML(tag="div", unsafe_innerHTML=html_table(
                        table, {c: c for c in table.columns if c != "metric"}, test_id="exercise-rounds",
                        row_label="metric", row_labels=headline.LABELS))
            LiveCharts(exercise.room.daily(), exercise.markers(), exercise.rounds * exercise.round_days)


# -- a participant ---------------------------------------------------------------------------------------
@solara.component
def CentreSeat(exercise: Exercise, session: str, version: int = 0):
    error = solara.use_reactive("")
    saved = solara.use_reactive(0)  # this page's own changes (others' drafts do not redraw it)
    _ = saved.value
    draft = exercise.drafts.get(CENTRE, {})
    policy = exercise.room.policy()

    def choose(path, value):
        try:
            exercise.set_draft(CENTRE, session, {**draft, path: value})
            error.set("")
            saved.set(saved.value + 1)
        except InputError as err:
            error.set(str(err))

    Prose(f"**The centre's policy for round {exercise.next_round}.** Your changes reach the offices on the "
          "round's first day. You see what the centre learns: audits, detections and sanctions, not what "
          "stays hidden.")
    if error.value:
        solara.Error(error.value, classes=["input-error"])
    known = exercise.centre_view()
    if len(known):
        wide = known.set_index("round").T.reset_index().rename(columns={"index": "metric"})
        wide.columns = ["metric", *[f"round {c}" for c in wide.columns[1:]]]
        labels = {m: headline.LABELS.get(m, m.replace("_", " ")) for m in CENTRE_KNOWS}
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            wide, {c: c for c in wide.columns if c != "metric"}, test_id="centre-knows", row_label="metric",
            row_labels=labels))
    LeverPanel({**policy, **draft}, choose, changed=list(draft), disabled=exercise.finished or exercise.playing)


@solara.component
def OfficeSeat(exercise: Exercise, session: str, seat: str, version: int = 0):
    error = solara.use_reactive("")
    saved = solara.use_reactive(0)  # this page's own changes (others' drafts do not redraw it)
    _ = saved.value
    office = seat_office(seat)
    draft = exercise.drafts.get(seat, {})
    view = exercise.office_view(office)

    def choose(choice: str, value: str):
        chosen = dict(draft)
        chosen.pop(choice, None)
        if value != HABIT:
            chosen[choice] = value == TAKE
        try:
            exercise.set_draft(seat, session, chosen)
            error.set("")
            saved.set(saved.value + 1)
        except InputError as err:
            error.set(str(err))

    Prose(f"**Your choices from round {exercise.next_round} on** (they stay until you change them). "
          "_Habit_ leaves a choice to the official's own habit (the model's rule).")
    if error.value:
        solara.Error(error.value, classes=["input-error"])
    for choice in SEAT_CHOICES:
        value = HABIT if choice.value not in draft else (TAKE if draft[choice.value] else REFUSE)
        with solara.Div(classes=["seat-choice", "choice-" + choice.name.lower()]):
            solara.Text(choice.value[:1].upper() + choice.value[1:], style={"font-size": "13px"})
            locked = exercise.finished or exercise.playing
            solara.ToggleButtonsSingle(value=value, values=[HABIT, TAKE, REFUSE], dense=True,
                                       on_value=None if locked else (lambda v, c=choice.value: choose(c, v)))
    Prose("**Your office now**")
    solara.HTML(tag="div", unsafe_innerHTML=f'<div data-testid="my-office">{office_card(pd.Series(view["office"]))}'
                f'</div><p data-testid="my-warnings">Warnings on your record: {view["warnings"]}</p>')
    if view["shortcuts"]:
        lines = "; ".join(f"{c}: {t} of {n}" for c, (t, n) in view["shortcuts"].items())
        Prose(f"Shortcuts taken in your office last round (taken of times it arose): {lines}",
              classes=["my-shortcuts"])
    Prose("**Word from other offices**")
    solara.HTML(tag="ul", unsafe_innerHTML="".join(f"<li>{line}</li>" for line in view["rumours"])
                or "<li><i>No word of punishments elsewhere reaches you.</i></li>", classes=["rumours"])
    Prose("**What happened in your office** (newest first)")
    EventFeed(view["feed"], empty="Nothing notable in your office yet.")


@solara.component
def ParticipantView(exercise: Exercise, session: str, seat: str):
    version = use_exercise(exercise, room=True)  # passed on: a child with unchanged arguments is not redrawn
    if exercise.seat_of(session) != seat:
        solara.Warning("The facilitator has handed your seat back: reload the page to join again.",
                       classes=["seat-freed"])
        return
    status = (f"round {exercise.next_round} of {exercise.rounds}" if not exercise.finished
              else "all rounds played: the facilitator shows the debrief")
    if exercise.playing:
        status = f"round {exercise.next_round} is being played…"
    solara.Text(f"You hold: {exercise.who(seat)} · exercise {exercise.code} · {status}", classes=["my-seat"],
                style={"font-weight": "600", "font-size": "16px"})
    if not exercise.finished:
        Prose(f"**Round {exercise.next_round} opens with:**")
        Cards(exercise.pending_cards(), empty="No news for the next round.")
    if exercise.results:
        Prose(f"**Round {exercise.results[-1].round} opened with:**")
        Cards(list(exercise.results[-1].cards), empty="No news.")
    if seat == CENTRE:
        CentreSeat(exercise, session, version)
    else:
        OfficeSeat(exercise, session, seat, version)


@solara.component
def ExerciseTab():
    session = browser_session()
    joined = solara.use_reactive(0)  # a seat was taken: look again
    created = registry()
    _ = joined.value
    facilitated = created.of_facilitator(session)
    if facilitated is not None:
        FacilitatorView(facilitated)
        return
    participating = created.of_participant(session)
    if participating is not None:
        ParticipantView(participating, session, participating.seat_of(session))
        return
    with solara.Div(classes=["docsec-layout"]):
        with solara.Div(classes=["docsec-main"]):
            JoinExercise(session, lambda: joined.set(joined.value + 1))
        with solara.Div(classes=["docsec-main"]):
            ExerciseSetup(session, lambda: joined.set(joined.value + 1))
