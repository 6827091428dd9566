"""A tabletop exercise played by people: seats, join codes, rounds, injects and three paths of one run.

One ``Exercise`` is shared by every browser in the room (a facilitator's projector view and
participants' own devices, joined by a short code). Seats:

- ``centre``: sets the centre's policy (the dashboard's levers) before each round;
- ``office-N``: the custodian of office N, making that official's choices for the round
  (``sim.decisions.Choice``: take the shortcut, refuse it, or leave it to the official's habit,
  i.e. the model's rule); the model's rule plays every office nobody holds.

A seat belongs to the browser that took it (its Solara session), so a reload or a dropped
connection keeps it. Rounds are started by the facilitator only, and a round asked for twice
is played once. Three models of the same scenario and seed advance in step:

- the room's path: the centre's policy and the seats' choices;
- ``room policy, model seats``: the centre's policy, every office played by the model's rule;
- ``policy unchanged, model seats``: neither (the scenario's own timeline only).

Injects (the scenario's timeline entries and those the facilitator fires) apply to all three,
so where the paths differ, the room's decisions made the difference, not chance or news.
Participants' pages wait on ``wait_change`` for the exercise to change. No Solara here.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import catalog
from .headline import HEADLINE
from .feed import feed_lines
from .injects import Card, Inject, inject_by_key, timeline_cards
from .live import LiveRun, counter_totals, daily_table, describe_changes, new_model
from .levers import check_changes
from .session import check_seed
from ..narrate import Names
from .tabletop import DEFAULT_ROUND_DAYS, DEFAULT_ROUNDS, check_setup
from ...scenarios.loader import Scenario
from ...sim.decisions import Choice, seat_choices
from ...sim.events import Action
from ...sim.interventions import Intervention
from ...sim.model import DocSecModel
from ...sim.parameters import ParameterError

CENTRE = "centre"
#: Participants' pages redraw a played round at the latest this long after it ends (sooner, once the
#: facilitator's page has drawn it): the projector first, then thirty phones.
PUBLISH_SECONDS = 2.0
#: Letters and digits of a join code: no 0/O, 1/I/L, so a code read off a projector is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 4
#: Offices whose custodians can be seats (the first ones of the organisation), at most this many.
MAX_OFFICE_SEATS = 30
#: Typed names are kept short and plain.
MAX_NAME = 40
#: The choices a seat makes, in the order a participant sees them.
SEAT_CHOICES: tuple[Choice, ...] = tuple(Choice)
#: What the centre learns (detections and their consequences), not what happens unseen.
CENTRE_KNOWS: tuple[str, ...] = ("audits", "violations_detected", "losses_found", "self_reported_losses",
                                 "investigations_opened", "warnings", "dismissals")
SANCTIONS = {Action.WARNING: "was warned", Action.DISMISSAL: "was dismissed",
             Action.HARSHER_SANCTION: "was punished harder"}

ROOM = "room's decisions"
POLICY_ONLY = "room's policy, model plays the offices"
BASELINE = "policy unchanged, model plays the offices"
PATHS = (ROOM, POLICY_ONLY, BASELINE)


def office_seat(number: int) -> str:
    return f"office-{number}"


def seat_office(seat: str) -> int | None:
    """The office number of an office seat (``"office-3"`` -> 3), None for the centre."""
    return int(seat.split("-", 1)[1]) if seat.startswith("office-") else None


def new_code(taken) -> str:
    """A fresh join code not in ``taken``."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def normalise_code(text: Any) -> str:
    """A typed code as stored: capitals, no spaces; ``ParameterError`` if it cannot be one."""
    code = "".join(str(text or "").split()).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise ParameterError("code", f"must be the {CODE_LENGTH}-character code on the facilitator's screen "
                             f"(letters and digits; got {str(text)[:20]!r})")
    return code


def check_name(name: Any) -> str:
    text = " ".join(str(name or "").split())
    if len(text) > MAX_NAME:
        raise ParameterError("name", f"must be at most {MAX_NAME} characters (got {len(text)})")
    return text


def check_seat_choices(choices: Mapping[str, Any]) -> dict[str, bool]:
    """An office seat's choices: ``Choice`` text -> True (take the shortcut) or False (refuse it)."""
    return {choice.value: taken for choice, taken in seat_choices(choices).items()}


def describe_seat_choices(choices: Mapping[str, bool]) -> str:
    if not choices:
        return "left every choice to the official's habit"
    return "; ".join(f"{'takes' if taken else 'refuses'}: {choice}" for choice, taken in choices.items())


@dataclass
class Holder:
    """Who holds a seat: the browser session that took it, and the name typed (optional)."""

    seat: str
    session: str
    name: str = ""


@dataclass(frozen=True)
class SeatDecision:
    """What one seat decided before a round: the centre's lever changes, or an office's choices."""

    round: int
    day: int
    seat: str
    who: str                      # the seat's title, with the typed name if any
    changes: Mapping[str, Any]    # centre: lever path -> value; office: Choice text -> taken

    def describe(self) -> str:
        return describe_changes(self.changes) if self.seat == CENTRE else describe_seat_choices(self.changes)


@dataclass(frozen=True)
class ExerciseRound:
    """A played round: its days, the cards shown, the decisions, and each path's counter totals."""

    round: int
    first_day: int
    last_day: int
    cards: tuple[Card, ...]
    decisions: tuple[SeatDecision, ...]
    totals: Mapping[str, Mapping[str, float]]   # path -> counter -> total over the round


class Exercise:
    """One exercise: its scenario and seed, rounds, seats and the three paths."""

    def __init__(self, code: str, scenario: Scenario | str = catalog.FIRST_SCENARIO, seed: int = 0,
                 round_days: int = DEFAULT_ROUND_DAYS, rounds: int | None = None, facilitator: str = "",
                 office_seats: int = 4):
        self.code = code
        self.scenario = scenario if isinstance(scenario, Scenario) else catalog.scenario(scenario)
        self.seed = check_seed(seed)
        run_days = self.scenario.params.run.days
        if rounds is None:
            rounds = min(DEFAULT_ROUNDS, max(1, run_days // round_days))
        self.round_days, self.rounds = check_setup(run_days, round_days, rounds)
        offices = self.scenario.params.population.offices
        if isinstance(office_seats, bool) or not isinstance(office_seats, int) \
                or not 0 <= office_seats <= min(offices, MAX_OFFICE_SEATS):
            raise ParameterError("exercise.office_seats", f"must be a whole number from 0 to "
                                 f"{min(offices, MAX_OFFICE_SEATS)} (got {office_seats!r})")
        self.seat_names = [CENTRE] + [office_seat(n) for n in range(1, office_seats + 1)]
        self.facilitator = facilitator
        self.room = LiveRun(self.scenario, self.seed)
        self.policy_only = new_model(self.scenario, self.seed, record_events=False)
        self.baseline = new_model(self.scenario, self.seed, record_events=False)
        self.holders: dict[str, Holder] = {}
        self.drafts: dict[str, dict[str, Any]] = {}
        self.results: list[ExerciseRound] = []
        self.fired: list[tuple[int, Inject]] = []   # (round it takes effect in, inject)
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self.version = 0          # any change (the facilitator's view follows these)
        self.room_version = 0     # rounds, injects and seats (participants' views follow these)
        self.playing = False
        self.published = 0        # rounds participants' pages have been told of
        self._office_views: dict[tuple[int, int], dict[str, Any]] = {}
        self._effects: tuple[int, pd.DataFrame] | None = None

    # -- state -----------------------------------------------------------------------------------
    @property
    def next_round(self) -> int:
        return len(self.results) + 1

    @property
    def finished(self) -> bool:
        return len(self.results) >= self.rounds

    @property
    def days_played(self) -> int:
        return self.room.day

    def seat_title(self, seat: str) -> str:
        office = seat_office(seat)
        if office is None:
            return "the centre (policy)"
        names = catalog.office_names(self.scenario)
        role = self.scenario.narration.roles.get("custodian", "custodian")
        return f"{role} of {names.get(f'Office {office}', f'Office {office}')}"

    def who(self, seat: str) -> str:
        holder = self.holders.get(seat)
        title = self.seat_title(seat)
        return f"{title} ({holder.name})" if holder and holder.name else title

    def seat_of(self, session: str) -> str | None:
        with self.lock:
            for seat, holder in self.holders.items():
                if holder.session == session:
                    return seat
            return None

    def pending_cards(self) -> list[Card]:
        """The cards the next round will open with (scenario timeline and fired injects)."""
        with self.lock:
            first = self.room.day + 1
            cards = timeline_cards(self.scenario, self.next_round, first, first + self.round_days - 1)
            cards += [Card(r, first, inject.title, inject.text, "facilitator") for r, inject in self.fired
                      if r == self.next_round]
            return cards

    def markers(self) -> dict[int, str]:
        """Day -> what changed that day on the room's path: the scenario's timeline, the centre, injects."""
        with self.lock:
            notes = dict(self.room.markers())
            for r, inject in self.fired:
                if r <= len(self.results):
                    day = self.results[r - 1].first_day
                    notes[day] = f"{notes[day]}; inject: {inject.title}" if day in notes else f"inject: {inject.title}"
            return dict(sorted(notes.items()))

    # -- changes, seen by every page in the room ---------------------------------------------------
    def _touch(self, room: bool = True) -> None:
        """Mark a change; ``room=False`` for one only the facilitator's view shows (a seat's draft)."""
        self.version += 1
        if room:
            self.room_version += 1
        self._changed.notify_all()

    def current(self, room: bool) -> int:
        return self.room_version if room else self.version

    def wait_change(self, seen: int, timeout: float, room: bool = False) -> bool:
        """Wait until the exercise changes after version ``seen`` (or ``timeout`` seconds); whether it did.

        ``room=True`` waits for changes every participant sees (rounds, injects, seats), not drafts:
        thirty phones need not redraw each time one of them moves a lever.
        """
        with self._changed:
            if self.current(room) == seen:
                self._changed.wait(timeout)
            return self.current(room) != seen

    # -- seats -----------------------------------------------------------------------------------
    def take_seat(self, seat: str, session: str, name: str = "") -> str:
        """Give ``seat`` to a browser session; the same session taking it again keeps it (a reload)."""
        name = check_name(name)
        with self.lock:
            if seat not in self.seat_names:
                raise ParameterError("seat", f"unknown seat {seat!r}; allowed: " + ", ".join(self.seat_names))
            holder = self.holders.get(seat)
            if holder is not None and holder.session != session:
                raise ParameterError("seat", f"{self.seat_title(seat)} is taken; choose a free seat")
            current = self.seat_of(session)
            if current is not None and current != seat:
                raise ParameterError("seat", f"this browser already holds {self.seat_title(current)}")
            self.holders[seat] = Holder(seat, session, name or (holder.name if holder else ""))
            self._touch()
            return seat

    def free_seat(self, seat: str) -> None:
        """The facilitator hands a seat back (its office returns to the model's rule from the next round)."""
        with self.lock:
            self.holders.pop(seat, None)
            self.drafts.pop(seat, None)
            self._touch()

    def set_draft(self, seat: str, session: str, changes: Mapping[str, Any]) -> None:
        """A seat's decisions for the next round (replacing its earlier draft); only its holder may set them."""
        with self.lock:
            holder = self.holders.get(seat)
            if holder is None or holder.session != session:
                raise ParameterError("seat", "this browser does not hold that seat; join it first")
            if self.finished:
                raise ParameterError("exercise.round", "every round is played")
            if seat == CENTRE:
                checked = check_changes(dict(changes), where="centre")
                policy = self.room.policy()
                checked = {k: v for k, v in checked.items() if policy.get(k) != v}
                self.room.model.params.with_overrides(checked)  # the combination must be valid
            else:
                checked = check_seat_choices(changes)
            self.drafts[seat] = checked
            self._touch(room=False)

    def ready(self) -> dict[str, bool]:
        """Per held seat: whether it has made its decisions for the next round."""
        with self.lock:
            return {seat: seat in self.drafts for seat in self.holders}

    # -- injects ---------------------------------------------------------------------------------
    def fire(self, key: str) -> Inject:
        """Fire a shipped inject: its card opens the next round, its changes apply from that round's first day."""
        inject = inject_by_key(key)
        with self.lock:
            if self.finished:
                raise ParameterError("inject", "every round is played")
            target = self.next_round + (1 if self.playing else 0)  # fired while a round runs: the one after
            if any(r == target and i.key == key for r, i in self.fired):
                raise ParameterError("inject", f"'{inject.title}' is already fired for round {target}")
            self.fired.append((target, inject))
            self._touch()
            return inject

    # -- a round ---------------------------------------------------------------------------------
    def play_round(self, number: int) -> ExerciseRound | None:
        """Play round ``number``; None (nothing played) if it is not the next round or a round is under way."""
        with self.lock:
            if number != self.next_round or self.playing or self.finished:
                return None
            self.playing = True
            drafts = {seat: dict(ch) for seat, ch in self.drafts.items() if seat in self.holders}
            self._touch(room=False)  # the facilitator's page shows that the round is under way
        try:
            result = self._play(number, drafts)
        finally:
            with self.lock:
                self.playing = False
                self._touch(room=False)
            # the facilitator's page draws the round first; participants' pages follow once it has
            # (``publish``), or after ``PUBLISH_SECONDS`` if no facilitator's page is open
            timer = threading.Timer(PUBLISH_SECONDS, self.publish)
            timer.daemon = True
            timer.start()
        return result

    def publish(self) -> None:
        """Let participants' pages redraw the rounds played so far (once; later calls change nothing)."""
        with self.lock:
            if self.published < len(self.results):
                self.published = len(self.results)
                self._touch()

    def _play(self, number: int, drafts: Mapping[str, dict[str, Any]]) -> ExerciseRound:
        first = self.room.day + 1
        last = min(first + self.round_days - 1, self.room.last_day)
        cards = tuple(self.pending_cards())
        for r, inject in self.fired:
            if r == number:
                for model in (self.room.model, self.policy_only, self.baseline):
                    model.timeline.setdefault(first, []).append(inject.intervention(first))
        decisions = []
        centre = drafts.get(CENTRE, {})
        if centre:
            change = self.room.set_policy(centre, source=f"the centre's decision for round {number}")
            if change is not None:
                self.policy_only.timeline.setdefault(first, []).append(change.intervention())
                decisions.append(SeatDecision(number, first, CENTRE, self.who(CENTRE), dict(change.changes)))
        for seat in self.seat_names[1:]:
            # an office's choices hold until its seat changes them: a decision is recorded when they change
            choices = dict(drafts.get(seat) or {}) if seat in self.holders else {}
            if choices != self.in_force(seat):
                decisions.append(SeatDecision(number, first, seat, self.who(seat), choices))
            self.room.model.set_seat(seat_office(seat), choices or None)
        self.room.advance(last - first + 1)
        self.policy_only.run_days(last - first + 1)
        self.baseline.run_days(last - first + 1)
        totals = {ROOM: counter_totals(self.room.daily(), first, last),
                  POLICY_ONLY: counter_totals(daily_table(self.policy_only), first, last),
                  BASELINE: counter_totals(daily_table(self.baseline), first, last)}
        result = ExerciseRound(number, first, last, cards, tuple(decisions), totals)
        with self.lock:
            self.results.append(result)
            if self.drafts.get(CENTRE) == drafts.get(CENTRE):  # played; a newer draft made meanwhile stays
                self.drafts.pop(CENTRE, None)                  # offices keep theirs for the next round
        return result

    # -- what each seat sees ---------------------------------------------------------------------
    def office_view(self, office: int) -> dict[str, Any]:
        """What the custodian of ``office`` sees: his office, its events, his warnings, rumours from elsewhere.

        Made once per office and round (thirty pages redraw it after each round).
        """
        with self.lock:
            key = (office, len(self.results))
            if key not in self._office_views:
                self._office_views = {k: v for k, v in self._office_views.items() if k[1] == key[1]}
                self._office_views[key] = self._make_office_view(office)
            return self._office_views[key]

    def _make_office_view(self, office: int) -> dict[str, Any]:
        model = self.room.model
        row = self.room.offices().iloc[office - 1].to_dict()
        name = f"Office {office}"
        events = model.events or []
        mine = feed_lines([e for e in events[-20000:] if e.office == name], limit=25,
                          names=Names.of(self.scenario.narration))
        custodian = model.offices[office - 1].custodian
        rumours = []
        if model.params.penalty.publicised:  # sanctions made known to every official
            for e in reversed(events):
                if e.action in SANCTIONS and e.office and e.office != name:
                    rumours.append(f"Day {e.day}: word reaches you that an official in another office "
                                   f"{SANCTIONS[e.action]}.")
                    if len(rumours) >= 8:
                        break
        since = self.results[-1].first_day if self.results else 1
        shortcuts: dict[str, list[int]] = {}
        for d in reversed(model.decisions_log or []):
            if d.day < since:
                break
            if d.office == office and d.official.startswith("custodian"):
                taken, asked = shortcuts.get(d.choice.value, [0, 0])
                shortcuts[d.choice.value] = [taken + int(d.taken), asked + 1]
        return {"office": row, "warnings": int(custodian.warnings), "feed": mine, "rumours": rumours,
                "shortcuts": dict(sorted(shortcuts.items()))}

    def centre_view(self) -> pd.DataFrame:
        """What the centre knows, per round played: detections and their consequences."""
        with self.lock:
            rows = [{"round": r.round, **{m: r.totals[ROOM][m] for m in CENTRE_KNOWS}} for r in self.results]
            return pd.DataFrame(rows, columns=["round", *CENTRE_KNOWS])

    # -- after the exercise ------------------------------------------------------------------------
    def decisions(self) -> list[SeatDecision]:
        return [d for r in self.results for d in r.decisions]

    def in_force(self, seat: str, through_round: int | None = None) -> dict[str, bool]:
        """An office seat's choices in force after round ``through_round`` (default: every round played)."""
        last = len(self.results) if through_round is None else through_round
        latest: dict[str, bool] = {}
        for result in self.results[:last]:
            for d in result.decisions:
                if d.seat == seat:
                    latest = dict(d.changes)
        return latest

    def replay_totals(self, leave_out: SeatDecision | None = None) -> dict[str, float]:
        """Counter totals over the days played, replaying the room's path with one decision left out.

        A centre's decision left out is a policy change never made; an office's, choices left to the
        model's rule for as long as that decision held (until the seat's next decision).
        """
        injects = [i.intervention(self.results[r - 1].first_day) for r, i in self.fired if r <= len(self.results)]
        centre = [Intervention(day=d.day, set=dict(d.changes), note="") for d in self.decisions()
                  if d.seat == CENTRE and d is not leave_out]
        model: DocSecModel = new_model(self.scenario, self.seed, [*injects, *centre], record_events=False)
        holding: dict[str, SeatDecision] = {}
        for result in self.results:
            for d in result.decisions:
                if d.seat != CENTRE:
                    holding[d.seat] = d
            for seat in self.seat_names[1:]:
                d = holding.get(seat)
                model.set_seat(seat_office(seat), dict(d.changes) or None if d is not None and d is not leave_out
                               else None)
            model.run_days(result.last_day - result.first_day + 1)
        return counter_totals(daily_table(model))

    def effects(self, metrics: tuple[str, ...] = HEADLINE) -> pd.DataFrame:
        """Each decision's own effect on the totals: the room's path against a replay without it.

        One replay per decision (made once per round played, however often the report is made).
        """
        with self.lock:
            key = len(self.results)
            if self._effects is not None and self._effects[0] == key:
                return self._effects[1]
            room_total = counter_totals(self.room.daily())
            rows = []
            for d in self.decisions():
                without = self.replay_totals(leave_out=d)
                for m in metrics:
                    rows.append({"round": d.round, "seat": d.seat, "who": d.who, "decision": d.describe(),
                                 "metric": m, "effect": room_total[m] - without[m]})
            table = pd.DataFrame(rows, columns=["round", "seat", "who", "decision", "metric", "effect"])
            self._effects = (key, table)
            return table

    def path_totals(self) -> pd.DataFrame:
        """Totals over the exercise on each path (metric, one column per path)."""
        rows = {m: {p: sum(r.totals[p][m] for r in self.results) for p in PATHS} for m in HEADLINE}
        return pd.DataFrame([{"metric": m, **v} for m, v in rows.items()], columns=["metric", *PATHS])


@dataclass
class Registry:
    """The exercises this server runs, by join code."""

    exercises: dict[str, Exercise] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, facilitator: str, **setup) -> Exercise:
        with self.lock:
            code = new_code(self.exercises)
            exercise = Exercise(code, facilitator=facilitator, **setup)
            self.exercises[code] = exercise
            return exercise

    def get(self, code: Any) -> Exercise:
        code = normalise_code(code)
        with self.lock:
            exercise = self.exercises.get(code)
        if exercise is None:
            raise ParameterError("code", f"no exercise has the code {code}; check the facilitator's screen")
        return exercise

    def of_facilitator(self, session: str) -> Exercise | None:
        with self.lock:
            mine = [e for e in self.exercises.values() if e.facilitator == session]
        return mine[-1] if mine else None

    def of_participant(self, session: str) -> Exercise | None:
        with self.lock:
            exercises = list(self.exercises.values())
        for exercise in reversed(exercises):
            if exercise.seat_of(session) is not None:
                return exercise
        return None


_registry: Registry | None = None
_registry_lock = threading.Lock()


def registry() -> Registry:
    """The server's registry of exercises (made on first use, shared by every browser session)."""
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = Registry()
        return _registry
