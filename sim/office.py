"""An office: its officials and workers, its storage room and key, its register,
and the custody procedures carried out there each day.

Procedures: taking in directives (register and store, or delegate: O1, O6),
circulating and collecting material (O7), who holds the storage key (O2; the
day's key choices and the reading of stored documents are in ``keys.py``),
favour trades (O4), workers reading and misplacing (O1, O5), leaks through the
external channel (O11), and the custodian's own checks for missing documents (O6, O9).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import hazards
from .agents import Official, Worker
from .decisions import Choice
from .documents import Document, State
from .events import Action
from .parameters import Parameters
from .violations import Violation, ViolationKind

if TYPE_CHECKING:
    from .model import DocSecModel


# The states and choices met by every document, looked up once: reading an enum's member looks it up on
# its class each time, and these are read for every document that arrives or comes back.
_STORED, _HANDED_OUT, _RETURNED, _LOST = State.STORED, State.HANDED_OUT, State.RETURNED, State.LOST
_DELEGATE, _SKIP_REGISTER = Choice.DELEGATE, Choice.SKIP_REGISTER
_COPY_TO_WORKER, _POSTPONE_COLLECTION = Choice.COPY_TO_WORKER, Choice.POSTPONE_COLLECTION


class Office:
    """A work unit with one custodian, deputies, workers, one storage room with one key, and a register."""

    __slots__ = ("model", "index", "name", "params", "custodian", "deputies", "workers", "_key_holder",
                 "key_released_by", "storage", "open_violations", "unreported_losses", "awaited", "_findings", "_officials",
                 "_hazards_for", "_hazards_now")

    def __init__(self, model: DocSecModel, index: int, name: str, params: Parameters):
        self.model = model
        self.index = index
        self.name = name
        self.params = params                 # the organisation's parameters with this office's profile
        self.custodian: Official | None = None
        self.deputies: list[Official] = []
        self.workers: list[Worker] = []
        self._key_holder = None              # the custodian, or a worker he handed it to (key_holder)
        self.key_released_by: Official | None = None  # the official who let the key out (answers for storage reads)
        self.storage: list[Document] = []    # documents in the storage room
        self.open_violations: list[Violation] = []
        self.unreported_losses: list[Document] = []  # lost, registered, not known to the authorities
        self.awaited: dict[int, Document] = {}  # by number: handed out, awaited back by a collection or a loan
        self._findings = (0.0, 0)            # past audit findings, decaying (risk-targeted inspection), and its day
        self._officials: list[Official] | None = None  # (officials)
        self._hazards_for: Parameters | None = None  # the parameters that _hazards_now was worked out for
        self._hazards_now: hazards.Hazards | None = None

    # -- staff ---------------------------------------------------------------
    @property
    def officials(self) -> list[Official]:
        """The custodian, then the deputies (as their posts are numbered)."""
        if self._officials is None:
            self._officials = [self.custodian, *self.deputies]
        return self._officials

    def staff_changed(self) -> None:
        """The custodian or a deputy was replaced."""
        self._officials = None

    @property
    def key_holder(self):
        """Who holds the storage key: the custodian, or a worker he handed it to (O2)."""
        return self._key_holder

    @key_holder.setter
    def key_holder(self, holder) -> None:
        self._key_holder = holder
        self.model.keys.out[self.index] = isinstance(holder, Worker)

    def worker_has_key(self) -> bool:
        return isinstance(self._key_holder, Worker)

    def hazards(self) -> hazards.Hazards:
        """The hazards of this office's shortcuts under its parameters (worked out again when they change;
        offices with the same parameters share them)."""
        if self._hazards_for is not self.params:
            self._hazards_for = self.params
            self._hazards_now = self.model.hazards_of(self.params)
        return self._hazards_now

    def findings(self) -> float:
        """Past audit findings as a risk weight, decayed at ``inspection.risk_weight_decay_per_day``."""
        level, day = self._findings
        if level == 0.0 or day == self.model.day:
            return level
        return level * (1.0 - self.model.params.inspection.risk_weight_decay_per_day) ** (self.model.day - day)

    def add_findings(self, count: int) -> None:
        self._findings = (self.findings() + count, self.model.day)

    # -- storage -------------------------------------------------------------
    def store(self, doc: Document) -> None:
        doc.state = _STORED
        doc.holder = None
        doc.slot = len(self.storage)
        self.storage.append(doc)

    def take_from_storage(self, doc: Document) -> None:
        last = self.storage.pop()
        if last is not doc:
            self.storage[doc.slot] = last
            last.slot = doc.slot
        doc.slot = -1

    # -- arrivals ------------------------------------------------------------
    def take_in(self, doc: Document, official: Official, workload: float | None = None) -> None:
        """A directive arrives: the official registers and stores it himself, or delegates (O1).

        ``workload``: his ``workload()`` today, if the caller has it at hand.
        """
        m = self.model
        p = self.params
        logging = m.events is not None
        if logging:
            m.log(self, official, Action.RECEIVED, doc)
        gain = (official.workload() if workload is None else workload) * p.documents.registration_hours
        delegation_forbidden = not p.custody.uncleared_may_handle
        leak, loss = (self._hazards_now if self._hazards_for is p else self.hazards()).delegation  # (hazards())
        cls = doc.classification
        # (decide's arguments: choice, gain, forbidden, classification, grave, leak, loss)
        if self.workers and official.decide(_DELEGATE, gain, delegation_forbidden, cls, False, leak, loss):
            worker = m.streams.decisions.pick(self.workers)
            doc.responsible = official
            if logging:
                m.log(self, official, Action.DELEGATED, doc, worker.title)
            if delegation_forbidden:
                m.commit(self, Violation(ViolationKind.DELEGATION, official, m.day, doc, worker))
            self.worker_registers(doc, worker)
            return
        # the official does it himself: registering costs his time, unless he skips it (O6)
        required = p.custody.registration_required
        if official.decide(_SKIP_REGISTER, gain, required, cls):
            m.log(self, official, Action.UNREGISTERED, doc)
            if required:
                m.commit(self, Violation(ViolationKind.UNREGISTERED, official, m.day, doc))
        else:
            today = m.today
            today["custody_workload_hours"] += p.documents.registration_hours
            doc.registered = True  # (m.register, written out: a document that has just arrived is not registered yet)
            today["documents_registered"] += 1
            if logging:
                m.log(self, official, Action.REGISTERED, doc)
        misplacement = p.behaviour.official_misplacement
        if misplacement > 0.0:  # (Stream.chance, written out)
            h = m.streams.handling
            j = h._ui
            try:
                u = h._u[j]
            except IndexError:
                u, j = h._next_block(), 0
            h._ui = j + 1
            lost = u < misplacement
        else:
            lost = False
        if lost:
            m.lose(doc, official)
        else:  # (store, written out: every directive an official takes in goes through here)
            storage = self.storage
            doc.state = _STORED
            doc.holder = None
            doc.slot = len(storage)
            storage.append(doc)

    def worker_registers(self, doc: Document, worker: Worker) -> None:
        """A worker given a document to register and store: he may read it, skip the register, misplace it."""
        m = self.model
        b = self.params.behaviour
        h = m.streams.handling
        m.today["uncleared_handling"] += 1
        if h.chance(b.worker_curiosity):
            m.expose(doc, worker)
        if h.chance(1.0 - b.registration_lapse):
            m.register(doc)  # a lapse leaves it out of the register, unnoticed by anyone (O6)
        if h.chance(b.worker_misplacement):
            m.lose(doc, worker)
        else:
            self.store(doc)

    def circulate(self, doc: Document, official: Official, workload: float | None = None) -> None:
        """Circulated material is logged and handed out, due back by a deadline (O7).

        The official hands the copy to a worker (saving the time of keeping it among cleared staff;
        a violation where uncleared staff may not handle documents), or to a cleared colleague.
        ``workload``: his ``workload()`` today, if the caller has it at hand.
        """
        m = self.model
        p = self.params
        logging = m.events is not None
        if logging:
            m.log(self, official, Action.RECEIVED, doc)
        m.register(doc)
        forbidden = not p.custody.uncleared_may_handle
        leak, loss = (self._hazards_now if self._hazards_for is p else self.hazards()).copy_to_worker
        gain = (official.workload() if workload is None else workload) * p.documents.briefing_hours
        to_worker = bool(self.workers) and official.decide(_COPY_TO_WORKER, gain, forbidden, doc.classification,
                                                           False, leak, loss)
        if to_worker:
            recipient = m.streams.decisions.pick(self.workers)
        else:  # a cleared colleague (himself, if he has none)
            recipient = m.streams.decisions.pick([o for o in self.officials if o is not official] or [official])
        doc.state = _HANDED_OUT
        m.handed_out += 1
        doc.holder = recipient
        doc.issuer = official
        doc.due_day = m.day + p.documents.circular_return_days
        if logging:
            m.log(self, official, Action.CIRCULATED, doc, recipient.title)
        if to_worker:
            doc.responsible = official
            m.today["uncleared_handling"] += 1
            if forbidden:
                m.commit(self, Violation(ViolationKind.UNCLEARED_RECIPIENT, official, m.day, doc, recipient))
            if m.streams.handling.chance(p.behaviour.worker_curiosity):
                m.expose(doc, recipient)
        else:
            m.today["custody_workload_hours"] += p.documents.briefing_hours
        m.schedule_collection(doc, doc.due_day)

    # -- collection of circulated material -----------------------------------
    def collect(self, doc: Document) -> bool:
        """The material is due: collect it, or postpone (a violation). Returns True when settled."""
        m = self.model
        p = self.params
        official = doc.issuer if doc.issuer.active else self.custodian
        if doc.state is _LOST:
            # the material is not where it should be; he may notice it is missing, or assume it came back
            if m.streams.handling.chance(p.behaviour.loss_discovery):
                self.notice_loss(doc, official)
            return True
        if doc.state is not _HANDED_OUT:
            return True
        gain = official.workload() * p.documents.collection_hours
        leak, loss = (self._hazards_now if self._hazards_for is p else self.hazards()).postponed_collection
        if official.decide(_POSTPONE_COLLECTION, gain, True, doc.classification, False, leak, loss):
            if m.day == doc.due_day:
                if m.events is not None:
                    m.log(self, official, Action.OVERDUE, doc, doc.holder.title)
                m.commit(self, Violation(ViolationKind.OVERDUE, official, m.day, doc))
            return False
        m.today["custody_workload_hours"] += p.documents.collection_hours
        doc.state = _RETURNED
        m.handed_out -= 1
        if m.events is not None:
            m.log(self, official, Action.COLLECTED, doc, doc.holder.title)
        doc.holder = None
        return True

    def overdue_day(self, doc: Document) -> None:
        """Overdue material may go missing each day it stays out (O7)."""
        if doc.state is State.HANDED_OUT and self.model.streams.handling.chance(
                self.params.behaviour.overdue_loss_per_day):
            self.model.lose(doc, doc.holder)

    # -- the storage key (each day's choices: keys.Keys) ------------------------
    def open_key_violation(self) -> Violation | None:
        """The open key-sharing violation whose evidence (the key in that worker's hands) is present, if any."""
        for v in self.open_violations:
            if v.kind is ViolationKind.KEY_SHARING and v.evidence_present(self, self.model.day):
                return v
        return None

    def return_key(self, reason: str | None = None) -> None:
        """The key comes back to the custodian; ``reason`` is the event log's detail (None: he took it back)."""
        if self.key_holder is not self.custodian:
            if self.model.events is not None:
                self.model.log(self, self.key_holder, Action.KEY_RETURNED, None,
                               reason or f"taken back by {self.custodian.title}")
            self.key_holder = self.custodian
            self.key_released_by = None

    # -- favours (O4) ---------------------------------------------------------
    def favour_offer(self) -> None:
        """A worker offers an official a favour for documents; the official may accept."""
        m = self.model
        p = self.params
        if not self.workers or not self.storage:
            return
        d = m.streams.decisions
        official = d.pick(self.officials)
        worker = d.pick(self.workers)
        count = min(p.behaviour.favour_documents, len(self.storage))
        docs = [self.storage[i] for i in sorted(set(_sample(d, len(self.storage), count)))]
        gravest = max(doc.classification for doc in docs)
        gain = p.behaviour.favour_value * official.corruptibility
        leak, loss = hazards.favour(p, len(docs))
        if not official.decide(Choice.ACCEPT_FAVOUR, gain, forbidden=True, classification=gravest, grave=True,
                               leak=leak, loss=loss):
            return
        m.today["favour_trades"] += 1
        m.log(self, official, Action.FAVOUR, None, f"{len(docs)} documents to {worker.title}")
        for doc in docs:
            self.take_from_storage(doc)
            doc.state = State.HANDED_OUT
            m.handed_out += 1
            doc.holder = worker
            doc.responsible = official
            m.today["uncleared_handling"] += 1
            m.commit(self, Violation(ViolationKind.FAVOUR_TRADING, official, m.day, doc, worker))
            m.expose(doc, worker)
            m.schedule_loan_return(doc, m.day + p.behaviour.loan_days)

    def loan_return(self, doc: Document) -> None:
        """A worker returns a document lent for a favour, unless he has misplaced it."""
        m = self.model
        if doc.state is not State.HANDED_OUT:
            return
        worker = doc.holder
        if m.streams.handling.chance(self.params.behaviour.worker_misplacement):
            m.lose(doc, worker)
            return
        m.log(self, worker, Action.RETURNED, doc)
        m.handed_out -= 1
        self.store(doc)

    # -- the custodian's own check (O6, O9) -----------------------------------
    def self_check(self) -> None:
        """The custodian compares the register with the storage room: only registered losses can show."""
        b = self.params.behaviour
        for doc in list(self.unreported_losses):
            if not doc.loss_known and self.model.streams.handling.chance(b.loss_discovery):
                self.notice_loss(doc, self.custodian)

    def notice_loss(self, doc: Document, official: Official) -> None:
        """A loss is discovered by an official: he reports it or conceals it."""
        m = self.model
        if doc.loss_known or not doc.registered:
            return
        doc.loss_known = True
        if official.conceals(doc.classification):
            doc.loss_concealed = True
            m.today["concealed_losses"] += 1
            m.log(self, official, Action.LOSS_CONCEALED, doc)
            m.commit(self, Violation(ViolationKind.CONCEALMENT, official, m.day, doc))
            return
        m.today["self_reported_losses"] += 1
        self.unreported_losses.remove(doc)
        doc.loss_reported = True
        m.log(self, official, Action.LOSS_REPORTED, doc)
        if not m.streams.investigations.chance(m.params.penalty.self_report_leniency):
            m.penalties.sanction(official, doc.classification, grave=False, reason="a reported loss")
        m.inspection.open_loss_investigation(doc)


def _sample(stream, n: int, k: int) -> list[int]:
    """k distinct indices from range(n), drawn from ``stream``."""
    if k >= n:
        return list(range(n))
    chosen: set[int] = set()
    while len(chosen) < k:
        chosen.add(stream.index(n))
    return list(chosen)
