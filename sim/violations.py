"""Violations: rule breaches committed by officials, awaiting detection.

Whether a practice is a violation depends on the custody regime in force on the
day it is done (delegation is a violation only where uncleared staff may not
handle documents). Each record knows whether its evidence is still there for an
audit to find.
"""

from __future__ import annotations

import enum

from .documents import Classification, State


class ViolationKind(enum.StrEnum):
    DELEGATION = "handing custody to an uncleared worker"      # O1 (strict regimes)
    KEY_SHARING = "handing the storage key to a worker"        # O2
    UNREGISTERED = "leaving a document unregistered"           # O6
    OVERDUE = "leaving circulated material uncollected"        # O7
    UNCLEARED_RECIPIENT = "handing circulated material to an uncleared worker"  # O7 (strict regimes)
    FAVOUR_TRADING = "handing documents over for a favour"     # O4
    CONCEALMENT = "concealing a lost document"                 # O9

    @property
    def grave(self) -> bool:
        """Grave offences can bring the harsher sanction on dismissal (O12)."""
        return self in (ViolationKind.FAVOUR_TRADING, ViolationKind.CONCEALMENT)


class Violation:
    """One violation: who, what, when, about which document (or key), and whether detected."""

    __slots__ = ("kind", "official", "day", "document", "worker", "detected_day")

    def __init__(self, kind: ViolationKind, official, day: int, document=None, worker=None):
        self.kind = kind
        self.official = official
        self.day = day
        self.document = document
        self.worker = worker
        self.detected_day = -1

    @property
    def classification(self) -> Classification:
        return self.document.classification if self.document is not None else Classification.SECRET

    def evidence_present(self, office, day: int) -> bool:
        """Whether an audit comparing register, storage room and holders could see it today."""
        doc = self.document
        kind = self.kind
        if kind is ViolationKind.DELEGATION:
            return doc.registered  # the register shows a worker's hand; a skipped entry shows nothing
        if kind is ViolationKind.KEY_SHARING:
            return office.key_holder is self.worker and office.custodian is self.official
        if kind is ViolationKind.UNREGISTERED:
            return doc.state is State.STORED and not doc.registered
        if kind is ViolationKind.UNCLEARED_RECIPIENT:
            return doc.state is State.HANDED_OUT and doc.holder is self.worker
        if kind is ViolationKind.OVERDUE:
            return doc.state is State.HANDED_OUT and day > doc.due_day
        if kind is ViolationKind.FAVOUR_TRADING:
            return doc.state is State.HANDED_OUT and doc.holder is self.worker
        if kind is ViolationKind.CONCEALMENT:
            return doc.state is State.LOST and doc.registered
        raise ValueError(f"unknown violation kind {kind!r}")  # pragma: no cover
