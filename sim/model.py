"""The Mesa model: an organisation of offices over days, and its daily schedule.

Daily schedule (one ``step`` is one day; ODD "process overview and scheduling"):

1. interventions of the scenario's timeline for this day take effect; a change of penalties is
   announced, and officials who have not heard of it yet may hear of it today (O9);
2. an education campaign runs if one is due (O9);
3. documents arrive at each office (directives and circulated material);
4. each arrival is taken in by an official of its office: registered and stored
   by him, or delegated to a worker (O1, O6); circulated material is handed out (O7);
5. each custodian still holding the storage key keeps it or hands it to a worker; where a worker
   holds it, the custodian may reconsider and take it back (O2);
6. where a worker (still) holds the key, workers read stored documents at will (O2);
7. favours are offered for documents and accepted or refused (O4);
8. circulated material due back is collected or left overdue; overdue material may go missing (O7);
9. documents lent for favours come back, or are misplaced;
10. custodians check their register against the storage room, and report or conceal losses (O6, O9);
11. inspectors carry out their audits (O8); sanctions follow the ladder (O3, O10, O12);
12. investigations into surfaced leaks and into lost documents end (O4, O5);
13. the day's counters are collected.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import mesa
import numpy as np

from . import hazards
from .agents import Inspector, Official, Worker
from .collection import SummaryCollector
from .decisions import Choice, seat_choices
from .documents import Classification, Document, Kind, State
from .events import Action, Event
from .inspection import LEAK, InspectionService
from .interventions import Intervention, validate_timeline
from .keys import Keys
from .metrics import DAILY_NAMES, GAUGE_NAMES, new_counters, summarise
from .office import Office
from .parameters import ParameterError, Parameters
from .penalties import PenaltyPolicy
from .posts import Posts
from .profiles import OfficeProfile, office_parameters, validate_profiles
from .streams import DailyChances, Streams, poisson_cdf
from .violations import Violation, ViolationKind


class Decision(NamedTuple):
    """One choice of an official (kept when events are recorded): for tabletop debriefs."""

    day: int
    office: int          # office number, 1-based
    official: str        # e.g. "custodian O-3"
    choice: Choice
    taken: bool          # True: he took the shortcut
    by_seat: bool        # True: a person holding the seat decided, not the model's rule


class DocSecModel(mesa.Model):
    """Offices that receive, register, store, hand out, lose and leak confidential documents.

    Args:
        params: a ``Parameters`` object (default: the default organisation).
        timeline: interventions over time (``Intervention`` objects).
        office_profiles: parameters that differ for particular offices (``OfficeProfile`` objects).
        record_events: keep the structured event log in ``self.events``.
        collect_daily: collect each day's counters with the DataCollector (run totals are kept either way;
            turning it off saves about a sixth of a run's time when only the summary is wanted).
        rng: the run's seed (Mesa's convention); every random stream derives from it.
        scenario: a Mesa ``mesa.experimental.scenarios.Scenario`` (as SolaraViz passes on reset): its
            ``rng`` seeds the run and any of its entries named ``group__name`` set parameters.
        **keywords: any parameter as ``group__name=value`` (e.g. ``penalty__dismissal_severity=500``),
            applied on top of ``params``; this is how ``mesa.batch_run`` drives the model.

    The DataCollector's rows hold the run summary so far (``collection.summary_so_far``); the daily table
    (each day's counters and levels) is ``daily_table()``.
    """

    def __init__(self, params: Parameters | None = None, *, timeline: Sequence[Intervention] = (),
                 office_profiles: Sequence[OfficeProfile] = (), record_events: bool = False,
                 collect_daily: bool = True, rng=None, scenario=None, **keywords):
        if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng < 0:
            raise ParameterError("seed", f"must be a whole number, 0 or more (got {rng})")
        if isinstance(rng, np.integer):
            rng = int(rng)  # design tools give numpy integers; Mesa's random.Random takes Python ones
        if scenario is not None:
            entries = {k: v for k, v in scenario.to_dict().items() if k not in ("rng", "model", "_scenario_id")}
            keywords = {**entries, **keywords}
            if rng is None:
                rng = scenario.rng
            elif scenario.rng is None:
                # SolaraViz's Reset passes a seed control's rng beside a fresh Scenario(rng=None)
                scenario = type(scenario)(rng=rng, **entries)
        super().__init__(rng=rng, scenario=scenario)
        params = parameters_of(params)
        if keywords:
            params = Parameters.from_keywords(base=params, **keywords)
        validate_timeline(params, timeline)
        validate_profiles(params, office_profiles)
        self.params = params
        self.office_profiles = {p.office: p for p in office_profiles}
        self.seed = int(self._seed)
        self.streams = Streams(self.seed)
        self.day = 0
        self.today: dict[str, float] = new_counters()
        self.totals: dict[str, float] = new_counters()
        self.events: list[Event] | None = [] if record_events else None
        self.collect_daily = collect_daily
        self.timeline: dict[int, list[Intervention]] = {}
        for iv in timeline:
            self.timeline.setdefault(iv.day, []).append(iv)
        self.documents: list[Document] = []
        self.key_classification = Classification.SECRET
        self.penalty_version = 0          # rises each time a change of penalties is announced
        self._unaware: list[Official] = []  # officials who have not yet heard of the latest change
        self._seats: dict[int, dict[Choice, bool]] = {}  # office index -> choices made by a person
        self.decisions_log: list[Decision] | None = [] if record_events else None
        self._daily_rows: list[tuple] = []
        self._day_end = -1  # the last day whose row the daily table holds (its end: SummaryCollector)
        self._summary_cache: tuple[int, dict[str, float]] | None = None
        self._publicity = (0.0, 0)   # (level, day of last update)
        self._publicity_today = (-1, None, None, 0.0)  # (day, _publicity, params, level on that day)
        self._education = (0.0, 0)
        self._queue_seq = 0
        self._hazards: dict[int, tuple[Parameters, hazards.Hazards]] = {}  # by id of the parameters: hazards_of
        self._collections: list = []     # (day, seq, document) circulated material due
        self._loans: list = []           # (day, seq, document) favour loans due back
        self._investigations: list = []  # (day, seq, document) investigation outcomes
        self._overdue: dict[int, Document] = {}
        self.handed_out = 0              # documents handed out now (kept as they go out and come back)
        self.penalties = PenaltyPolicy(self)
        self.inspection = InspectionService(self)
        pop = params.population
        self.posts = Posts(self, pop.offices, 1 + pop.deputies_per_office)
        self.keys = Keys(self, pop.offices)
        self._favour_draws = DailyChances(self.streams.favours, pop.offices)  # which offices get a favour offer
        self._check_draws = DailyChances(self.streams.checks, pop.offices)    # which custodians check storage
        self._campaign_start = 0          # campaigns fall every interval counted from this day
        self._build_organisation()
        self._refresh_office_parameters()
        self.officials = self.agents_by_type[Official]
        self.workers = self.agents_by_type.get(Worker)
        self.datacollector = SummaryCollector()

    def _build_organisation(self) -> None:
        pop = self.params.population
        self.offices: list[Office] = []
        for i in range(pop.offices):
            office = Office(self, i, f"Office {i + 1}",
                            office_parameters(self.params, self.office_profiles.get(i + 1)))
            first = i * (1 + pop.deputies_per_office)  # the office's posts: its custodian's, then its deputies'
            office.custodian = Official(self, office, "custodian", first)
            office.deputies = [Official(self, office, "deputy", first + 1 + k) for k in range(pop.deputies_per_office)]
            office.workers = [Worker(self, office) for _ in range(pop.workers_per_office)]
            office.key_holder = office.custodian
            self.offices.append(office)
        self._staff_inspectorate()

    def _staff_inspectorate(self) -> None:
        """Hire or retire inspectors so their number is ``inspection.inspectors`` (interventions may change it)."""
        inspectors = sorted(self.agents_by_type.get(Inspector, ()), key=lambda i: i.number)
        wanted = self.params.inspection.inspectors
        for n in range(len(inspectors), wanted):
            Inspector(self, n + 1)
        for inspector in inspectors[wanted:]:
            inspector.remove()
        self.inspectors = self.agents_by_type.get(Inspector)

    def _refresh_office_parameters(self) -> None:
        """Each office's parameters (organisation's plus its profile), and per-office daily rates."""
        for office in self.offices:
            office.params = office_parameters(self.params, self.office_profiles.get(office.index + 1))
        offices = self.offices
        self.posts.set_parameters([o.params for o in offices])
        self.keys.refresh()
        # directives per office, then circulated material per office: one Poisson count each, in that order
        rates = ([o.params.documents.directives_per_office_per_day for o in offices]
                 + [o.params.documents.circulars_per_office_per_day for o in offices])
        tables = {rate: poisson_cdf(rate) for rate in set(rates)}  # (one table for each rate in use)
        self._arrival_cdfs = [tables[rate] for rate in rates]
        self._favour_rates = [o.params.behaviour.favour_offer_rate for o in offices]
        self._check_rates = [o.params.behaviour.self_check_rate for o in offices]

    # -- the day ----------------------------------------------------------------
    def step(self) -> None:
        """One day, in the order given in the module docstring.

        Python's cyclic garbage collector waits until the day is over: a day creates no cycles to
        collect, and a national organisation's millions of documents would otherwise be scanned
        over and over in the middle of it.
        """
        if not gc.isenabled():
            self._day()
            return
        gc.disable()
        try:
            self._day()
        finally:
            gc.enable()

    def _day(self) -> None:
        self.day += 1
        self.today = new_counters()
        for iv in self.timeline.get(self.day, ()):
            if "education.campaign_interval_days" in iv.set:
                self._campaign_start = self.day
            self.params = self.params.with_overrides(iv.set)
            self._refresh_office_parameters()
            self._staff_inspectorate()
            self.log(None, None, Action.INTERVENTION, None,
                     iv.note or ", ".join(f"{k} = {v}" for k, v in iv.set.items()))
            if any(path.startswith("penalty.") for path in iv.set):
                self.announce_penalties()
        if self._unaware:
            self._spread_announcement()
        interval = self.params.education.campaign_interval_days
        if interval and (self.day - self._campaign_start) % interval == 0:
            self.campaign()
        self._arrivals()
        self.keys.day()
        self._favours()
        self._collections_due()
        self._loans_due()
        self._self_checks()
        if self.inspectors is not None:
            for inspector in self.inspectors:  # (as AgentSet.do would, in the order they were hired)
                inspector.work_day()
        self._investigations_due()
        today = self.today
        totals = self.totals
        for name, count in today.items():
            if count:  # (most of a day's counters are 0, and adding 0 changes no total)
                totals[name] += count
        if self.collect_daily:
            self._daily_rows.append((*today.values(), *self._gauge_levels()))
            self._day_end = self.day  # (the daily table's last row is today's: SummaryCollector)
            self.datacollector.collect(self)
        if self.day >= self.params.run.days:
            self.running = False

    def _arrivals(self) -> None:
        s = self.streams.arrivals
        counts = s.poisson_counts(self._arrival_cdfs)
        total = sum(counts)
        if not total:
            return
        # each document's classification draw, in order of arrival (office by office, directives first)
        draws = s.uniforms(total)
        d = self.streams.decisions
        documents = self.documents
        day = self.day
        offices = self.offices
        n_offices = len(offices)
        posts = self.posts
        if posts.workload_day != day:
            posts.workloads()  # (today's draw: the first of the day's choices would draw it)
        workload = posts.workload_list  # (no official is hired or dismissed while documents arrive)
        top, secret, restricted = Classification.TOP_SECRET, Classification.SECRET, Classification.RESTRICTED
        directive_kind, circular_kind = Kind.DIRECTIVE, Kind.CIRCULAR
        k = top_secret = 0
        for i in range(n_offices):
            n_directives = counts[i]
            arrived = n_directives + counts[n_offices + i]
            if not arrived:
                continue
            office = offices[i]
            officials = office._officials or office.officials  # (the property, without its call)
            n_officials = len(officials)
            share_top = office.params.documents.share_top_secret
            share_top_or_secret = share_top + office.params.documents.share_secret
            for n in range(arrived):
                u = draws[k]
                k += 1
                if u < share_top:
                    cls = top
                    top_secret += 1
                else:
                    cls = secret if u < share_top_or_secret else restricted
                directive = n < n_directives
                doc = Document(len(documents) + 1, office, cls, directive_kind if directive else circular_kind, day)
                documents.append(doc)
                j = d._ui  # the official who takes it in (Stream.pick, written out: a call less for every document)
                try:
                    v = d._u[j]
                except IndexError:
                    v, j = d._next_block(), 0
                d._ui = j + 1
                j = int(v * n_officials)
                official = officials[j if j < n_officials else n_officials - 1]
                if directive:
                    office.take_in(doc, official, workload[official._post])
                else:
                    office.circulate(doc, official, workload[official._post])
        self.today["documents_received"] += k
        self.today["documents_received_top_secret"] += top_secret

    def _favours(self) -> None:
        offices = self.offices
        for i in self._favour_draws.today(self.day, self._favour_rates):  # (one draw per office, in office order)
            offices[i].favour_offer()

    def _collections_due(self) -> None:
        for number, doc in list(self._overdue.items()):
            doc.office.overdue_day(doc)
            if doc.office.collect(doc):
                del self._overdue[number]
                doc.office.awaited.pop(number, None)
        q = self._collections
        while q and q[0][0] <= self.day:
            _, _, doc = heapq.heappop(q)
            if doc.office.collect(doc):
                doc.office.awaited.pop(doc.number, None)
            else:
                self._overdue[doc.number] = doc

    def _loans_due(self) -> None:
        q = self._loans
        while q and q[0][0] <= self.day:
            _, _, doc = heapq.heappop(q)
            doc.office.awaited.pop(doc.number, None)
            doc.office.loan_return(doc)

    def _self_checks(self) -> None:
        offices = self.offices
        for i in self._check_draws.today(self.day, self._check_rates):  # (one draw per office, in office order)
            if offices[i].unreported_losses:
                offices[i].self_check()

    def _investigations_due(self) -> None:
        q = self._investigations
        while q and q[0][0] <= self.day:
            _, _, (doc, kind) = heapq.heappop(q)
            self.inspection.resolve(doc, kind)

    # -- shared operations used by offices, inspectors and penalties --------------
    def hazards_of(self, params: Parameters) -> hazards.Hazards:
        """The hazards of shortcuts under ``params``, worked out once for each set of parameters in use."""
        known = self._hazards.get(id(params))
        if known is None or known[0] is not params:
            known = self._hazards[id(params)] = (params, hazards.of(params))
        return known[1]

    def _push(self, queue: list, day: int, item) -> None:
        self._queue_seq += 1
        heapq.heappush(queue, (day, self._queue_seq, item))

    def schedule_investigation(self, doc: Document, day: int, kind: str) -> None:
        self._push(self._investigations, day, (doc, kind))

    def documents_held_by(self, person) -> list[Document]:
        """Documents of his office handed out to ``person`` (circulated material, favour loans) and still out.

        Only the documents his office awaits back are looked at, so a dismissal costs the same in a
        national organisation as in a small one.
        """
        return [doc for doc in person.office.awaited.values()
                if doc.holder is person and doc.state is State.HANDED_OUT]

    def documents_out(self) -> int:
        """Documents handed out now: every one is awaited by a collection or a loan's return.

        (A lost document never comes back, so the documents lost are the run's losses so far.)
        """
        out = {doc.number for _, _, doc in self._collections if doc.state is State.HANDED_OUT}
        out.update(doc.number for doc in self._overdue.values() if doc.state is State.HANDED_OUT)
        out.update(doc.number for _, _, doc in self._loans if doc.state is State.HANDED_OUT)
        return len(out)

    def schedule_collection(self, doc: Document, day: int) -> None:
        doc.office.awaited[doc.number] = doc
        self._push(self._collections, day, doc)

    def schedule_loan_return(self, doc: Document, day: int) -> None:
        doc.office.awaited[doc.number] = doc
        self._push(self._loans, day, doc)

    def register(self, doc: Document) -> None:
        """Enter a document in its office's register."""
        if not doc.registered:
            doc.registered = True
            self.today["documents_registered"] += 1

    def expose(self, doc: Document, reader) -> None:
        """An uncleared person reads a document; its contents may cross the external channel (O11)."""
        if doc.readers is None:
            doc.readers = set()
        if reader.unique_id in doc.readers:
            return
        doc.readers.add(reader.unique_id)
        doc.exposed = True
        self.today["exposures"] += 1
        self.log(doc.office, reader, Action.READ, doc)
        if doc.leaked or not self.streams.channel.chance(self.params.external_channel.strength):
            return
        doc.leaked = True
        doc.leak_responsible = doc.responsible
        self.today["external_leaks"] += 1
        if doc.classification is Classification.TOP_SECRET:
            self.today["external_leaks_top_secret"] += 1
        self.log(doc.office, reader, Action.LEAKED, doc)
        if self.streams.channel.chance(self.params.investigation.leak_surfacing):
            self.today["investigations_opened"] += 1
            self.log(doc.office, None, Action.INVESTIGATION_OPENED, doc, "the contents surfaced outside")
            self.schedule_investigation(doc, self.day + self.params.investigation.delay_days, LEAK)

    def lose(self, doc: Document, by) -> None:
        """A document goes missing. Only a registered one can ever be noticed or dated (O6)."""
        if doc.state is State.HANDED_OUT:
            self.handed_out -= 1
        doc.state = State.LOST
        doc.holder = None
        doc.lost_day = self.day
        doc.loss_custodian = doc.office.custodian
        self.today["losses"] += 1
        if doc.registered:
            doc.office.unreported_losses.append(doc)
        else:
            self.today["undatable_losses"] += 1
        self.log(doc.office, by, Action.MISPLACED, doc, "" if doc.registered else "unregistered: no record of it")

    def commit(self, office: Office, violation: Violation) -> None:
        """Record a violation committed today; it waits for an audit or an investigation."""
        self.today["violations_committed"] += 1
        office.open_violations.append(violation)

    def detect(self, office: Office, violation: Violation, by: str) -> None:
        """A violation is found (the caller removes it from the office's open list)."""
        violation.detected_day = self.day
        self.today["violations_detected"] += 1
        self.today["detection_delay_days"] += self.day - violation.day
        doc = violation.document
        if violation.kind is ViolationKind.UNREGISTERED and doc.state is State.STORED:
            self.register(doc)  # the audit enters the unregistered document in the register
        self.log(office, violation.official, Action.FINDING, doc,
                 f"{by} found {violation.kind.value} (day {violation.day})")

    # -- perceptions shared by all officials ---------------------------------------
    def _decayed(self, level_and_day: tuple[float, int], decay_per_day: float, day: int | None = None) -> float:
        """A shared level decayed from the day it was last set to ``day`` (default: today)."""
        level, since = level_and_day
        day = self.day if day is None else day
        if level == 0.0 or since == day:
            return level
        return level * (1.0 - decay_per_day) ** (day - since)

    def publicity_level(self) -> float:
        """How much publicised sanctions currently raise everyone's perceived detection (O8).

        The same for every official on a day, so it is worked out once a day (and again after a
        sanction is publicised or the parameters change).
        """
        day, publicity, params, level = self._publicity_today
        if day == self.day and publicity is self._publicity and params is self.params:
            return level
        level = self._decayed(self._publicity, self.params.behaviour.perception_decay_per_day)
        self._publicity_today = (self.day, self._publicity, self.params, level)
        return level

    def publicity_level_on(self, day: int) -> float:
        """``publicity_level`` on ``day`` (today or a day ahead), if no sanction is publicised meanwhile."""
        return self._decayed(self._publicity, self.params.behaviour.perception_decay_per_day, day)

    def publicise(self) -> None:
        level = self.publicity_level()
        step = -math.expm1(-self.params.behaviour.publicity_learning / len(self.offices))
        self._publicity = (level + step * (1.0 - level), self.day)
        self.posts.changed()

    def education_level(self) -> float:
        """The current norm boost left by education campaigns (O9)."""
        return self.education_level_on(self.day)

    def education_level_on(self, day: int) -> float:
        """``education_level`` on ``day`` (today or a day ahead), if no campaign falls meanwhile."""
        if self._education[0] == 0.0:
            return 0.0  # no campaign yet
        return self._decayed(self._education, self.params.education.decay_per_day, day)

    def campaign(self) -> None:
        """An education campaign: norms rise, officials learn the penalties in force and how severe they are."""
        e = self.params.education
        self._education = (self.education_level() + e.norm_boost, self.day)
        self.posts.changed()
        for official in self.officials:
            official.learn_severity(e.knowledge_gain)
            official.hear_penalties()
        self._unaware = []
        self.log(None, None, Action.CAMPAIGN, None, "education on the rules of secrecy")

    def announce_penalties(self) -> None:
        """The centre announces new penalties: officials believe the old ones until they hear (O9)."""
        self.penalty_version += 1
        self._unaware = [o for o in self.officials if o.penalty_version < self.penalty_version]

    def _spread_announcement(self) -> None:
        """Officials who have not heard of the change may hear today: directly, or from those who know."""
        b = self.params.behaviour
        active = [o for o in self._unaware if o.active]
        share_aware = 1.0 - len(active) / max(len(self.officials), 1)
        chance = min(1.0, b.announcement_reach_per_day + b.word_of_mouth_per_day * share_aware)
        s = self.streams.awareness
        still = []
        for official in active:
            if s.chance(chance):
                official.hear_penalties()
            else:
                still.append(official)
        self._unaware = still

    def aware_share(self) -> float:
        """Share of officials who know the penalties in force."""
        return sum(o.penalty_version == self.penalty_version for o in self.officials) / max(len(self.officials), 1)

    # -- seats held by people (tabletop exercises) ------------------------------------
    def set_seat(self, office_number: int, choices: Mapping[Choice | str, bool] | None) -> None:
        """Let a person decide for the custodian of office ``office_number`` (1-based).

        ``choices`` maps each ``Choice`` (or its text) to True (take the shortcut) or False; choices not
        given stay with the model's rule. ``None`` hands the seat back to the model.
        """
        if isinstance(office_number, bool) or not isinstance(office_number, (int, np.integer)) \
                or not 1 <= office_number <= len(self.offices):
            raise ParameterError("seat.office", f"must be an office number from 1 to {len(self.offices)} "
                                 f"(got {office_number!r})")
        if choices is None:
            self._seats.pop(int(office_number) - 1, None)
            return
        self._seats[int(office_number) - 1] = seat_choices(choices)

    def seat_decision(self, official: Official, choice: Choice) -> bool | None:
        """What the person holding this official's seat chose, or None if the model's rule decides."""
        if not self._seats or official.role != "custodian":
            return None
        seat = self._seats.get(official.office.index)
        return None if seat is None else seat.get(choice)

    def record_decision(self, official: Official, choice: Choice, taken: bool, by_seat: bool) -> None:
        if self.decisions_log is not None:
            self.decisions_log.append(Decision(self.day, official.office.index + 1, official.title, choice,
                                               taken, by_seat))

    # -- event log --------------------------------------------------------------------
    def log(self, office: Office | None, actor, action: Action, doc: Document | None, detail: str = "") -> None:
        if self.events is None:
            return
        self.events.append(Event(self.day, office.name if office is not None else "",
                                 actor.title if actor is not None else "", action,
                                 doc.describe() if doc is not None else "", detail))

    # -- views ------------------------------------------------------------------------
    def gauges(self) -> dict[str, float]:
        """Levels read at the end of a day: officials' mean perceived detection, audit effort."""
        return dict(zip(GAUGE_NAMES, self._gauge_levels(), strict=True))

    def _gauge_levels(self) -> tuple[float, float]:
        """The gauges' levels now, in the order of ``GAUGE_NAMES``."""
        detection = self.posts.mean_perceived_detection() if len(self.posts) else float("nan")
        return detection, self.inspection.effort

    def summary(self) -> dict[str, float]:
        """The run summary as of today: totals, rates per 1,000 documents and levels."""
        if self._summary_cache is not None and self._summary_cache[0] == self.day:
            return self._summary_cache[1]
        summary = summarise(self.totals, offices=len(self.offices), day=self.day, out_at_end=self.handed_out,
                            gauges=self.gauges())
        self._summary_cache = (self.day, summary)
        return summary

    def daily_table(self):
        """One row per day collected: ``day``, that day's counters and the levels at its end (a DataFrame)."""
        import pandas as pd

        frame = pd.DataFrame(self._daily_rows, columns=list(DAILY_NAMES))
        frame.insert(0, "day", range(1, len(frame) + 1))
        return frame

    def state_counts(self) -> dict[str, int]:
        """Documents by lifecycle state (for accounting checks and the dashboard)."""
        counts = dict.fromkeys((s.value for s in State), 0)
        for doc in self.documents:
            counts[doc.state.value] += 1
        return counts

    def run_days(self, days: int | None = None) -> None:
        """Step until the run's last day (or ``days`` more days).

        Python's cyclic garbage collector waits until the days are run (as ``step`` makes it wait
        until a day is over): a run creates no reference cycles, so this saves scanning the run's
        documents again and again as they accumulate, and leaves memory as it was.
        """
        target = self.params.run.days if days is None else min(self.day + days, self.params.run.days)
        collecting = gc.isenabled()
        if collecting:
            gc.disable()
        try:
            if self.day < target:
                self.run_for(target - self.day)  # (Mesa's clock: one step a unit of time, as step() moves it)
        finally:
            if collecting:
                gc.enable()


def parameters_of(params: Parameters | Mapping | None) -> Parameters:
    """Accept a Parameters object or a nested mapping of groups."""
    if params is None or isinstance(params, Parameters):
        return params or Parameters()
    return Parameters.from_mapping(params)
