"""The narrated event feed: the model's event log as dated sentences, newest first.

Events are sorted into kinds a teacher talks about (policy, leaks, losses,
violations, detection, sanctions) and routine handling, which the feed hides
unless asked (``analysis.event_kinds``, shared with ``docsec run --narrate``). The
sentences are docsec's narration (``analysis.narrate``), in the scenario's names
(office names, role titles).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..event_kinds import KIND_OF, NOTABLE, Kind  # one definition of what is notable, shared with narration
from ..narrate import Names, sentence
from ...sim.events import Event


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
