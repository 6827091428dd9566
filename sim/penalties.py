"""The penalty ladder: warnings, dismissal, harsher sanctions; the leak sanction; replacement of the dismissed.

Each detected offence moves the responsible official one step up his ladder:
offences 1..k bring a warning, offence k+1 dismissal (O3); a grave offence
(favour trading, concealment, or one tied to a leak) that dismisses him also
brings the harsher sanction if the policy has one (O12). A leak traced to an
official brings the leak sanction: dismissal regardless of his place on the
ladder, or one rung (``penalty.leak_sanction``, O10). Publicised sanctions
raise every official's perceived chance of detection (O8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .agents import Official
from .documents import Classification
from .events import Action
from .parameters import LeakSanction

if TYPE_CHECKING:
    from .model import DocSecModel


class PenaltyPolicy:
    """Applies sanctions for the model."""

    def __init__(self, model: DocSecModel):
        self.model = model

    def sanction_leak(self, official: Official, classification: Classification, reason: str) -> None:
        """A leak traced to ``official``: the leak sanction the policy sets (O10)."""
        m = self.model
        if not official.active:
            return
        m.today["leak_sanctions"] += 1
        if m.params.penalty.leak_sanction is LeakSanction.RUNG:
            self.sanction(official, classification, grave=True, reason=reason)
        else:
            self.sanction(official, classification, grave=True, reason=reason, dismiss=True)

    def sanction(self, official: Official, classification: Classification, grave: bool, reason: str,
                 dismiss: bool = False) -> None:
        """One offence for ``official``: the next step of his ladder (or dismissal outright, if ``dismiss``)."""
        m = self.model
        if not official.active:
            return  # already dismissed: nothing more to do to him
        p = m.params.penalty
        office = official.office
        official.offences += 1
        if not dismiss and official.offences <= p.warnings_before_dismissal:
            official.warnings += 1
            m.today["warnings"] += 1
            m.log(office, official, Action.WARNING, None, f"warning {official.warnings} for {reason}")
            official.learn_from_own_sanction()
        else:
            m.today["dismissals"] += 1
            m.log(office, official, Action.DISMISSAL, None,
                  f"dismissed for {reason} after {official.warnings} warnings")
            if grave and p.harsher_sanctions:
                m.today["harsher_sanctions"] += 1
                m.log(office, official, Action.HARSHER_SANCTION, None, f"for {reason}")
            self.replace(official)
        if p.publicised:
            m.publicise()

    def replace(self, official: Official) -> None:
        """A dismissed official leaves; a newly hired one takes his post."""
        m = self.model
        office = official.office
        official.active = False
        official.leave_post()
        successor = Official(m, office, official.role, official.post)
        if official.role == "custodian":
            office.custodian = successor
            if office.key_holder is official or office.key_holder is None:
                office.key_holder = successor
                office.key_released_by = None
            else:
                office.return_key(f"taken back when {successor.title} took office")
        else:
            office.deputies[office.deputies.index(official)] = successor
        office.staff_changed()
        for doc in m.documents_held_by(official):
            doc.holder = successor
            if doc.issuer is official:
                doc.issuer = successor
        official.remove()
        m.today["staff_turnover"] += 1
        m.log(office, successor, Action.REPLACED, None, f"replaces {official.title}")
