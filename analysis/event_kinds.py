"""Which events of the log are notable: the kinds a teacher or an analyst talks about.

Each kind of event (``sim.events.Action``) belongs to one ``Kind``: policy, leaks,
losses, violations, detection, sanctions, readings by uncleared staff, or routine
handling. ``NOTABLE`` leaves out readings and routine handling, which make up most
of a year's log. The dashboard's feed and ``docsec run --narrate`` both show the
notable events unless asked for everything, by this one definition.
"""

from __future__ import annotations

import enum

from ..sim.events import Action, Event


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

#: Kinds shown unless the user asks for everything.
NOTABLE: frozenset[Kind] = frozenset(set(Kind) - {Kind.READING, Kind.ROUTINE})

#: The kinds of event (actions) that are notable.
NOTABLE_ACTIONS: frozenset[Action] = frozenset(a for a in Action if KIND_OF.get(a, Kind.ROUTINE) in NOTABLE)


def kind_of(action: Action) -> Kind:
    """The kind an action belongs to (routine for any the table does not name)."""
    return KIND_OF.get(action, Kind.ROUTINE)


def is_notable(event: Event) -> bool:
    """Whether an event is of a notable kind."""
    return kind_of(event.action) in NOTABLE
