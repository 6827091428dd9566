"""Inspections and investigations: how violations and losses are found (O4, O5, O8).

An audit compares the office's register with its storage room and with who holds
what. Each violation whose evidence is present, and each registered document
missing without report, is found with probability ``thoroughness``. A loss of an
unregistered document leaves no trace in the register, so no audit can notice
or date it (O6). A leak that surfaces outside opens an investigation, which may
trace it to the responsible official or fail (O5).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from .documents import Classification, Document
from .events import Action
from .parameters import Targeting

if TYPE_CHECKING:
    from .agents import Inspector, Official
    from .model import DocSecModel
    from .office import Office


class InspectionService:
    """Chooses offices to audit, audits them, and resolves investigations."""

    def __init__(self, model: DocSecModel):
        self.model = model
        self._next_scheduled = 0

    def choose_office(self) -> Office:
        m = self.model
        offices = m.offices
        targeting = m.params.inspection.targeting
        s = m.streams.inspections
        if targeting is Targeting.SCHEDULED:
            office = offices[self._next_scheduled % len(offices)]
            self._next_scheduled += 1
            return office
        if targeting is Targeting.RISK:
            weights = [1.0 + o.findings for o in offices]
            target = s.uniform() * sum(weights)
            acc = 0.0
            for office, w in zip(offices, weights, strict=True):
                acc += w
                if target < acc:
                    return office
            return offices[-1]
        if targeting is Targeting.RANDOM:
            return s.pick(offices)
        raise ValueError(f"unknown targeting {targeting!r}")  # pragma: no cover

    def audit(self, office: Office, inspector: Inspector) -> None:
        """Compare register, storage room and holders; findings go to the penalty policy."""
        m = self.model
        s = m.streams.inspections
        theta = m.params.inspection.thoroughness
        m.today["audits"] += 1
        m.log(office, inspector, Action.AUDIT, None, "")
        offences: dict[Official, list] = defaultdict(list)
        still_open = []
        for v in office.open_violations:
            if v.evidence_present(office, m.day) and s.chance(theta):
                m.detect(office, v, inspector.title)
                offences[v.official].append((v.classification, v.kind.grave, v.kind.value))
            else:
                still_open.append(v)
        office.open_violations = still_open
        for doc in list(office.unreported_losses):
            if s.chance(theta):
                self.find_loss(office, doc, inspector.title)
                if not doc.loss_concealed:  # a concealed loss is punished as concealment above
                    # the custodian in charge when it went missing answers for it
                    offences[doc.loss_custodian].append((doc.classification, False, "a lost document"))
        if office.worker_has_key() and not office.params.custody.key_sharing_permitted and s.chance(theta):
            # the audit sees the key in a worker's hands: it goes back to the custodian
            office.return_key(f"taken back after {inspector.title}'s audit")
        if offences:
            office.findings += sum(len(x) for x in offences.values())
        self._sanction_each(offences)

    def _sanction_each(self, offences: dict[Official, list]) -> None:
        """One offence for each official found at fault, weighed by his gravest finding."""
        for official, items in offences.items():
            gravest = max(c for c, _, _ in items)
            grave = any(g for _, g, _ in items)
            reasons = "; ".join(sorted({r for _, _, r in items}))
            self.model.penalties.sanction(official, Classification(gravest), grave, reasons)

    def find_loss(self, office: Office, doc: Document, finder: str) -> None:
        """A missing registered document is found missing; the register dates its loss."""
        m = self.model
        office.unreported_losses.remove(doc)
        doc.loss_known = True
        m.today["losses_found"] += 1
        m.log(office, None, Action.FINDING, doc,
              f"{finder} found it missing; register shows it last on day {doc.received_day}, "
              f"lost on day {doc.lost_day}")

    def resolve_investigation(self, doc: Document) -> None:
        """An investigation into a surfaced leak ends: it traces the leak, or fails (O5)."""
        m = self.model
        office = doc.office
        if not m.streams.investigations.chance(m.params.investigation.success):
            m.log(office, None, Action.INVESTIGATION_FAILED, doc, "the leak could not be traced")
            return
        m.today["investigations_solved"] += 1
        official = doc.leak_responsible
        m.log(office, official, Action.INVESTIGATION_SOLVED, doc,
              "traced to " + (official.title if official is not None else "no official"))
        offences: dict[Official, list] = defaultdict(list)
        still_open = []
        for v in office.open_violations:
            if v.document is doc:
                m.detect(office, v, "the investigation")
                offences[v.official].append((v.classification, v.kind.grave, v.kind.value))
            else:
                still_open.append(v)
        office.open_violations = still_open
        if official is not None:
            # the official through whose hands the contents got out answers for the leak (O10)
            offences[official].append((doc.classification, True, f"the leak of {doc.label}"))
        self._sanction_each(offences)
