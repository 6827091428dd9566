"""Inspections and investigations: how violations and losses are found (O4, O5, O8).

An audit compares the office's register with its storage room and with who holds
what. Each violation whose evidence is present, and each registered document
missing without report, is found with probability ``thoroughness``; a key found in
a worker's hands is taken back. A loss of an unregistered document leaves no trace
in the register, so no audit can notice or date it (O6). A leak that surfaces
outside, and a known loss of a registered document, open an investigation, which
may trace it to the responsible official or fail (O5). Audit effort may adapt to
what audits find (``inspection.effort_adaptation``): nothing found, less auditing
(the trust trap).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from .documents import Classification, Document
from .events import Action
from .parameters import Targeting
from .violations import ViolationKind

#: Kinds of investigation.
LEAK = "leak"
LOSS = "loss"

if TYPE_CHECKING:
    from .agents import Inspector, Official
    from .model import DocSecModel
    from .office import Office


class InspectionService:
    """Chooses offices to audit, audits them, and resolves investigations."""

    def __init__(self, model: DocSecModel):
        self.model = model
        self._next_scheduled = 0
        self.effort = 1.0  # share of the inspectors' capacity in use (adapts if effort_adaptation > 0)

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
            weights = [1.0 + o.findings() for o in offices]
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
        key_found = False
        for v in office.open_violations:
            if v.evidence_present(office, m.day) and s.chance(theta):
                m.detect(office, v, inspector.title)
                offences[v.official].append((v.classification, v.kind.grave, v.kind.value))
                key_found |= v.kind is ViolationKind.KEY_SHARING
            else:
                still_open.append(v)
        office.open_violations = still_open
        found = sum(len(x) for x in offences.values())
        for doc in list(office.unreported_losses):
            if s.chance(theta):
                self.find_loss(office, doc, inspector.title)
                found += 1
                self.open_loss_investigation(doc)
        if key_found:
            office.return_key(f"taken back after {inspector.title}'s audit found it with a worker")
        elif (office.worker_has_key() and not office.params.custody.key_sharing_permitted
              and office.open_key_violation() is None and s.chance(theta)):
            # the key went out while the rules allowed it; under today's rules the audit takes it back
            office.return_key(f"taken back after {inspector.title}'s audit: the rules no longer allow it")
            found += 1
        if found:
            office.add_findings(found)
        self._adapt_effort(found > 0)
        # what the officials of the office learn from it: detection is real; or they got away with it
        offenders = {v.official for v in still_open}
        for official in office.officials:
            official.learn_from_audit(got_away=official in offenders and official not in offences)
        self._sanction_each(offences)

    def _adapt_effort(self, found: bool) -> None:
        """Audit effort moves toward full capacity after findings and toward its floor after none."""
        i = self.model.params.inspection
        a = i.effort_adaptation
        if a <= 0.0:
            return
        if found:
            self.effort += a * (1.0 - self.effort)
        else:
            self.effort -= a * (self.effort - min(i.min_effort, 1.0))

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

    def open_loss_investigation(self, doc: Document) -> None:
        """A known loss of a registered document may open an investigation into it (O5)."""
        m = self.model
        i = m.params.investigation
        if not m.streams.investigations.chance(i.loss_investigation):
            return
        m.today["investigations_opened"] += 1
        m.log(doc.office, None, Action.INVESTIGATION_OPENED, doc, "the document is missing")
        m.schedule_investigation(doc, m.day + i.delay_days, LOSS)

    def resolve(self, doc: Document, kind: str) -> None:
        if kind == LOSS:
            self.resolve_loss_investigation(doc)
        else:
            self.resolve_investigation(doc)

    def resolve_loss_investigation(self, doc: Document) -> None:
        """An investigation into a lost document ends: it finds who answers for the loss, or fails (O5)."""
        m = self.model
        office = doc.office
        if not m.streams.investigations.chance(m.params.investigation.success):
            m.log(office, None, Action.INVESTIGATION_FAILED, doc, "whereabouts still unknown")
            return
        m.today["investigations_solved"] += 1
        # the official whose choice put it in uncleared hands, else the custodian in charge when it went missing
        official = doc.responsible or doc.loss_custodian
        m.log(office, official, Action.INVESTIGATION_SOLVED, doc, "its loss traced to " + official.title)
        if doc.loss_reported or doc.loss_concealed:
            return  # a reported loss was dealt with under the leniency rule; a concealed one as concealment
        self.model.penalties.sanction(official, doc.classification, grave=False, reason=f"the loss of {doc.label}")

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
            # the official through whose choice the contents got out answers for the leak (O10)
            offences.pop(official, None)  # his violations about this document are part of the leak
            self.model.penalties.sanction_leak(official, doc.classification, f"the leak of {doc.label}")
        self._sanction_each(offences)
