"""The structured event log: who did what to which document, day by day.

Recording is optional (``record_events``); when off, logging costs one branch.
Narration of these events into sentences lives in ``analysis``.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class Action(enum.StrEnum):
    """Kinds of events in the log."""

    RECEIVED = "received"                  # a document arrived at an office
    REGISTERED = "registered"              # an official registered and stored it himself
    UNREGISTERED = "left_unregistered"     # stored without a register entry
    DELEGATED = "delegated"                # an official handed registration to a worker (O1)
    KEY_HANDED = "key_handed"              # the custodian handed the storage key to a worker (O2)
    KEY_RETURNED = "key_returned"          # the key went back to the custodian
    READ = "read"                          # an uncleared person read a document (exposure)
    LEAKED = "leaked"                      # contents crossed the external channel (O11)
    MISPLACED = "misplaced"                # a document went missing (loss)
    CIRCULATED = "circulated"              # circulated material handed out (O7)
    COLLECTED = "collected"                # circulated material collected back
    OVERDUE = "left_overdue"               # collection postponed past the deadline (O7)
    FAVOUR = "favour_trade"                # documents handed over for a favour (O4)
    RETURNED = "returned"                  # documents lent for a favour came back
    LOSS_REPORTED = "loss_reported"        # a discovered loss was reported (self-report)
    LOSS_CONCEALED = "loss_concealed"      # a discovered loss was concealed
    AUDIT = "audit"                        # an inspector audited an office (O8)
    FINDING = "finding"                    # a violation found by an audit or investigation
    INVESTIGATION_OPENED = "investigation_opened"  # a leak surfaced outside (O4)
    INVESTIGATION_SOLVED = "investigation_solved"
    INVESTIGATION_FAILED = "investigation_failed"  # O5: whereabouts still unknown
    WARNING = "warning"                    # O3
    DISMISSAL = "dismissal"                # O3
    HARSHER_SANCTION = "harsher_sanction"  # O12
    REPLACED = "replaced"                  # a new official took the dismissed one's post
    CAMPAIGN = "education_campaign"        # O9
    INTERVENTION = "intervention"          # a scenario's timeline changed a policy


class Event(NamedTuple):
    """One line of the event log."""

    day: int
    office: str       # office name, or "" for organisation-wide events
    actor: str        # e.g. "custodian O-3", "worker W-14", "inspector I-1"
    action: Action
    document: str     # e.g. "D-112 (secret directive)", or ""
    detail: str       # free text: the counterpart, the offence, the note


EVENT_FIELDS: tuple[str, ...] = Event._fields
