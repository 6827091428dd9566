"""The narrated event feed: the model's event log as dated sentences, newest first.

Events are sorted into kinds a teacher talks about (policy, leaks, losses,
violations, detection, sanctions) and routine handling, which the feed hides
unless asked. The sentences are docsec's narration (``analysis.narrate``), in the
scenario's names (office names, role titles).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..narrate import Names, sentence
from ...sim.events import Action, Event


class Kind(enum.StrEnum):
    POLICY = "policy"
    LEAK = "leak"
    LOSS = "loss"
    VIOLATION = "violation"
    DETECTION = "detection"
    SANCTION = "sanction"
    READING = "reading"
    ROUTINE = "routine"


KIND_OF: dict[Action, Kind] = {
    Action.INTERVENTION: Kind.POLICY,
    Action.CAMPAIGN: Kind.POLICY,
    Action.LEAKED: Kind.LEAK,
    Action.INVESTIGATION_OPENED: Kind.LEAK,
    Action.MISPLACED: Kind.LOSS,
    Action.LOSS_REPORTED: Kind.LOSS,
    Action.LOSS_CONCEALED: Kind.LOSS,
    Action.KEY_HANDED: Kind.VIOLATION,
    Action.FAVOUR: Kind.VIOLATION,
    Action.UNREGISTERED: Kind.VIOLATION,
    Action.OVERDUE: Kind.VIOLATION,
    Action.AUDIT: Kind.DETECTION,
    Action.FINDING: Kind.DETECTION,
    Action.INVESTIGATION_SOLVED: Kind.DETECTION,
    Action.INVESTIGATION_FAILED: Kind.DETECTION,
    Action.WARNING: Kind.SANCTION,
    Action.DISMISSAL: Kind.SANCTION,
    Action.HARSHER_SANCTION: Kind.SANCTION,
    Action.REPLACED: Kind.SANCTION,
    Action.READ: Kind.READING,
    Action.DELEGATED: Kind.ROUTINE,
    Action.RECEIVED: Kind.ROUTINE,
    Action.REGISTERED: Kind.ROUTINE,
    Action.CIRCULATED: Kind.ROUTINE,
    Action.COLLECTED: Kind.ROUTINE,
    Action.RETURNED: Kind.ROUTINE,
    Action.KEY_RETURNED: Kind.ROUTINE,
}

#: Kinds the feed shows unless the user asks for everything.
NOTABLE: frozenset[Kind] = frozenset(set(Kind) - {Kind.READING, Kind.ROUTINE})

@dataclass(frozen=True)
class FeedLine:
    """One line of the feed."""

    day: int
    office: str
    kind: Kind
    text: str


def narrate_line(event: Event, names: Names | None = None) -> FeedLine:
    """The feed line of one event, in the scenario's names."""
    names = names or Names()
    return FeedLine(day=event.day, office=names.office(event.office),
                    kind=KIND_OF.get(event.action, Kind.ROUTINE), text=sentence(event, names))


def feed_lines(events: Sequence[Event], *, limit: int = 60, kinds: Iterable[Kind] = NOTABLE,
               names: Names | None = None, since_day: int = 0) -> list[FeedLine]:
    """The newest ``limit`` events of the chosen kinds (on or after ``since_day``), newest first."""
    wanted = frozenset(kinds)
    out: list[FeedLine] = []
    for event in reversed(events):
        if event.day < since_day:
            break
        if KIND_OF.get(event.action, Kind.ROUTINE) in wanted:
            out.append(narrate_line(event, names))
            if len(out) >= limit:
                break
    return out
