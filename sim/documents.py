"""Documents: classification, kind, registration, holder, readers and lifecycle.

A document is in exactly one lifecycle state at the end of every day (stored,
handed out, returned, lost). Exposure (read by someone uncleared) and leak
(contents carried outside) are separate flags: a document can be lost, exposed
and leaked at once (brief: loss and leak are different outcomes).
"""

from __future__ import annotations

import enum


class Classification(enum.IntEnum):
    """Classification level; its value is its weight in proportional penalties (O10)."""

    RESTRICTED = 1
    SECRET = 2
    TOP_SECRET = 3

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


class Kind(enum.StrEnum):
    """A directive is registered and stored; circulated material is handed out and collected (O7)."""

    DIRECTIVE = "directive"
    CIRCULAR = "circulated material"


class State(enum.StrEnum):
    """Lifecycle state of a document."""

    STORED = "stored"          # in the office's storage room
    HANDED_OUT = "handed out"  # held by a person (circulated, or lent for a favour)
    RETURNED = "returned"      # circulated material collected back and returned to the centre
    LOST = "lost"              # missing


class Document:
    """One confidential document and everything that happened to it."""

    __slots__ = (
        "number", "office", "classification", "kind", "received_day", "registered", "state",
        "holder", "readers", "exposed", "leaked", "due_day", "issuer", "lost_day", "loss_known",
        "loss_concealed", "loss_reported", "responsible", "leak_responsible", "loss_custodian", "slot",
    )

    def __init__(self, number: int, office, classification: Classification, kind: Kind, day: int):
        self.number = number
        self.office = office
        self.classification = classification
        self.kind = kind
        self.received_day = day
        self.registered = False
        self.state: State | None = None   # set by the office on the day of arrival
        self.holder = None                # the agent holding it when handed out
        self.readers: set[int] | None = None  # unique ids of uncleared readers
        self.exposed = False
        self.leaked = False
        self.due_day = -1                 # circulated material: day it must be back
        self.issuer = None                # official who handed circulated material out
        self.lost_day = -1
        self.loss_known = False           # the custodian (or the authorities) know it is missing
        self.loss_concealed = False
        self.loss_reported = False        # the official who discovered it reported it (self-report)
        self.responsible = None           # official whose choice put it in uncleared hands
        self.leak_responsible = None      # that official at the moment its contents leaked
        self.loss_custodian = None        # the office's custodian when it went missing
        self.slot = -1                    # index in the office's storage list

    @property
    def label(self) -> str:
        return f"D-{self.number}"

    def describe(self) -> str:
        """E.g. 'D-112 (secret directive)'."""
        return f"{self.label} ({self.classification.label} {self.kind.value})"
