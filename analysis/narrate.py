"""Narration of a run's event log: short plain sentences in day order, filters, and the log as a file.

``narrate`` turns ``sim.events.Event`` records into sentences such as
"Day 37 — Railway Factory: the vice secretary O-1 handed registration of directive
D-112 (secret) to worker W-14." Display names (an office's name, a custodian's
title) come from a scenario's ``[narration]`` table and change only the words, never
the log. ``select`` filters events by office, kind and count (by default the
notable kinds of ``event_kinds``); ``write_events`` stores the structured log as CSV
or JSON Lines, each row with the run's provenance.

Two kinds of event are told with care:

- circulated material an official keeps himself (in an office where he has no
  cleared colleague to hand it to, the model records him as its recipient) is told
  as kept to read, not as "handed out to" the same person, and so is its
  collection and any delay;
- a storage key taken back is told by who took it and why (an audit that found it
  with a worker, an audit applying rules that no longer allow it, the custodian
  himself, a successor taking office) and, when the rest of the log is known
  (``Context``), who handed it over and on which day.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import replacing
from .event_kinds import NOTABLE_ACTIONS
from ..sim.errors import InputError
from ..sim.events import EVENT_FIELDS, Action, Event

#: File formats ``write_events`` knows, by file suffix.
EVENT_FORMATS: dict[str, str] = {".csv": "CSV", ".jsonl": "JSON Lines"}

#: How organisation-wide events (campaigns, interventions) are introduced.
ORGANISATION = "All offices"

_OFFICE_RE = re.compile(r"^Office (\d+)$")
_DOC_RE = re.compile(r"^(D-\d+) \((restricted|secret|top secret) (.+)\)$")
_ROLE_RE = re.compile(r"\b(custodian|deputy) (O-\d+)")
_FINDING_RE = re.compile(r"^(?P<by>.+?) found (?P<what>.+) \(day (?P<day>\d+)\)$")
_LOSS_FOUND_RE = re.compile(r"^(?P<by>.+?) found it missing; (?P<rest>.+)$")
_SETTING_RE = re.compile(r"^[a-z_]+\.[a-z_]+ = ")
_KEY_FOUND_RE = re.compile(r"^taken back after (?P<by>.+)'s audit found it with a worker$")
_KEY_RULES_RE = re.compile(r"^taken back after (?P<by>.+)'s audit: the rules no longer allow it$")
_KEY_BY_RE = re.compile(r"^taken back by (?P<by>.+)$")
_KEY_SUCCESSOR_RE = re.compile(r"^taken back when (?P<by>.+) took office$")


@dataclass(frozen=True)
class Names:
    """Display names: ``offices[i]`` names "Office i+1"; ``roles`` maps "custodian"/"deputy" to titles."""

    offices: Sequence[str] = ()
    roles: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, narration) -> Names:
        """From a scenario's ``Narration`` (anything with ``offices`` and ``roles``), or None."""
        if narration is None:
            return cls()
        return cls(tuple(narration.offices), dict(narration.roles))

    def office(self, office: str) -> str:
        if not office:
            return ORGANISATION
        m = _OFFICE_RE.match(office)
        if m and int(m.group(1)) <= len(self.offices):
            return self.offices[int(m.group(1)) - 1]
        return office

    def person(self, title: str) -> str:
        """ "custodian O-3" -> "the vice secretary O-3"; "worker W-14" stays as it is."""
        if not title:
            return ""
        return _ROLE_RE.sub(lambda m: f"the {self.roles.get(m.group(1), m.group(1))} {m.group(2)}", title)

    def text(self, detail: str) -> str:
        """Titles inside free text, renamed the same way."""
        return self.person(detail)


@dataclass(frozen=True)
class Context:
    """What the rest of a run's log says about an event: who handed out the storage key a return takes back.

    ``key_handed`` maps each key return (the event) to ``(day, custodian)`` of the
    hand-over that put the key in that worker's hands. Build it from the whole log
    with ``Context.of``, so a filtered narration still knows it.
    """

    key_handed: Mapping[Event, tuple[int, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, events: Iterable[Event]) -> Context:
        out_since: dict[str, tuple[int, str]] = {}  # office -> the hand-over of the key now out
        handed: dict[Event, tuple[int, str]] = {}
        for e in events:
            if e.action is Action.KEY_HANDED:
                out_since[e.office] = (e.day, e.actor)
            elif e.action is Action.KEY_RETURNED and e.office in out_since:
                handed[e] = out_since.pop(e.office)
        return cls(handed)


def document_phrase(document: str) -> str:
    """ "D-112 (secret directive)" -> "directive D-112 (secret)"; other text unchanged."""
    m = _DOC_RE.match(document)
    if not m:
        return document
    label, level, kind = m.groups()
    return f"{kind} {label} ({level})"


def _key_returned(e: Event, who: str, x: str, names: Names, context: Context) -> str:
    detail = e.detail
    if m := _KEY_FOUND_RE.match(detail):
        text = f"{m['by']}'s audit found the storage-room key with {who} and took it back"
    elif m := _KEY_RULES_RE.match(detail):
        text = (f"{m['by']}'s audit took the storage-room key back from {who}: the rules no longer allow a worker "
                "to hold it")
    elif m := _KEY_BY_RE.match(detail):
        text = f"{names.person(m['by'])} took the storage-room key back from {who}"
    elif m := _KEY_SUCCESSOR_RE.match(detail):
        text = f"the storage-room key went back from {who} when {names.person(m['by'])} took office"
    else:
        text = f"the storage-room key went back from {who}" + (f" ({x})" if x else "")
    if e in context.key_handed:
        day, custodian = context.key_handed[e]
        text += f" (handed over by {names.person(custodian)} on day {day})"
    return text


def _sentence_body(e: Event, names: Names, context: Context) -> str:
    a = e.action
    who = names.person(e.actor) or "someone"
    doc = document_phrase(e.document) if e.document else "a document"
    x = names.text(e.detail)
    to_self = bool(e.actor) and e.detail == e.actor  # circulated material the official holds himself
    if a is Action.RECEIVED:
        return f"{doc} arrived; {who} took it in"
    if a is Action.REGISTERED:
        return f"{who} registered {doc} and stored it"
    if a is Action.UNREGISTERED:
        return f"{who} stored {doc} without entering it in the register"
    if a is Action.DELEGATED:
        return f"{who} handed registration of {doc} to {x}"
    if a is Action.KEY_HANDED:
        return f"{who} handed the storage-room key to {x}"
    if a is Action.KEY_RETURNED:
        return _key_returned(e, who, x, names, context)
    if a is Action.READ:
        return f"{who}, who is not cleared, read {doc}"
    if a is Action.LEAKED:
        return f"the contents of {doc} left the organisation through {who}"
    if a is Action.MISPLACED:
        return f"{doc} went missing" + (f" in the hands of {who}" if e.actor else "")
    if a is Action.CIRCULATED:
        return f"{who} kept {doc} to read, due back by its deadline" if to_self else f"{who} handed out {doc} to {x}"
    if a is Action.COLLECTED:
        return f"{who} returned {doc} after keeping it to read" if to_self else f"{who} collected {doc} back from {x}"
    if a is Action.OVERDUE:
        if to_self:
            return f"{who} kept {doc} past its deadline instead of returning it"
        return f"{who} left {doc} uncollected with {x} past its deadline"
    if a is Action.FAVOUR:
        return f"{who} handed {x} in return for a favour"
    if a is Action.RETURNED:
        return f"{who} returned {doc}"
    if a is Action.LOSS_REPORTED:
        return f"{who} found {doc} missing and reported the loss"
    if a is Action.LOSS_CONCEALED:
        return f"{who} found {doc} missing and concealed the loss"
    if a is Action.AUDIT:
        return f"{who} audited the office"
    if a is Action.FINDING:
        m = _LOSS_FOUND_RE.match(x)
        if m:
            return f"{m['by']} found {doc} missing; the {m['rest']}"
        m = _FINDING_RE.match(x)
        if m:
            about = f", concerning {doc}" if e.document else ""
            return f"{m['by']} found {who} {m['what']}{about} (committed on day {m['day']})"
        return f"finding about {who}: {x}"
    if a is Action.INVESTIGATION_OPENED:
        if x == "the document is missing":
            return f"{doc} is missing, and an investigation into its whereabouts opened"
        return f"the contents of {doc} surfaced outside, and an investigation opened"
    if a is Action.INVESTIGATION_SOLVED:
        if x.startswith("its loss traced to"):
            return f"the investigation into {doc} traced its loss to {who if e.actor else 'no official'}"
        return f"the investigation into {doc} traced the leak to {who if e.actor else 'no official'}"
    if a is Action.INVESTIGATION_FAILED:
        return f"the investigation into {doc} failed: {x or 'the leak could not be traced'}"
    if a is Action.WARNING:
        return f"{who} received {x}"
    if a is Action.DISMISSAL:
        return f"{who} was {x}"
    if a is Action.HARSHER_SANCTION:
        return f"{who} suffered a harsher sanction beyond dismissal, {x}"
    if a is Action.REPLACED:
        replaced = x[len("replaces "):] if x.startswith("replaces ") else x
        return f"{who} took the post of {replaced}"
    if a is Action.CAMPAIGN:
        return f"an education campaign was held ({x})"
    if a is Action.INTERVENTION:  # the scenario's note, or the settings themselves when it has none
        return f"the policy changed: {x}" if _SETTING_RE.match(x) else (x or "the policy changed")
    raise ValueError(f"no sentence for event kind {a!r}")  # pragma: no cover - every Action is covered


def sentence(event: Event, names: Names | None = None, context: Context | None = None) -> str:
    """One event as one sentence, e.g. "Day 37 — Railway Factory: the vice secretary O-1 handed ..."."""
    names = names or Names()
    return f"Day {event.day} — {names.office(event.office)}: {_sentence_body(event, names, context or Context())}."


def narrate(events: Iterable[Event], names: Names | None = None, *, log: Iterable[Event] | None = None) -> list[str]:
    """Sentences for ``events`` in day order (events of one day keep the order they happened in).

    ``log`` is the run's whole event log when ``events`` is a selection of it: what
    the rest of the log says (an audit's findings) is read from it.
    """
    events = list(events)
    context = Context.of(events if log is None else log)
    return [sentence(e, names, context) for e in sorted(events, key=lambda e: e.day)]


# -- filters -----------------------------------------------------------------------------------------
#: The kinds of event narrated unless the user asks for others (``--kind``) or for all (``--all``).
NOTABLE_KINDS: frozenset[Action] = NOTABLE_ACTIONS


def _suggest(word: str, allowed) -> str:
    close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_kinds(requested: Iterable[str], option: str = "--kind") -> frozenset[Action]:
    """Kinds of event by name (``key_handed``, ``warning``...); commas separate several in one value."""
    allowed = {a.value: a for a in Action}
    kinds = set()
    for item in requested:
        for word in (w.strip() for w in item.split(",")):
            if not word:
                continue
            key = word.lower().replace("-", "_")
            if key not in allowed:
                raise InputError(f"{option} {word}: unknown kind of event{_suggest(key, allowed)}; allowed: "
                                 + ", ".join(allowed))
            kinds.add(allowed[key])
    return frozenset(kinds)


def parse_offices(requested: Iterable[str], n_offices: int, names: Names | None = None,
                  option: str = "--office") -> frozenset[str]:
    """Offices by number ("3"), model name ("Office 3") or display name ("Railway Factory").

    Returns the model's office names. Commas separate several in one value.
    """
    names = names or Names()
    present = list(names.offices[:n_offices])  # a --set may leave fewer offices than the scenario names
    display = {n.lower(): f"Office {i + 1}" for i, n in enumerate(present)}
    chosen = set()
    for item in requested:
        for word in (w.strip() for w in item.split(",")):
            if not word:
                continue
            m = _OFFICE_RE.match(word.title()) if word.lower().startswith("office ") else None
            number = int(word) if word.isdigit() else (int(m.group(1)) if m else None)
            if number is not None and 1 <= number <= n_offices:
                chosen.add(f"Office {number}")
            elif word.lower() in display:
                chosen.add(display[word.lower()])
            else:
                allowed = f"a number from 1 to {n_offices}, or 'Office N'"
                if present:
                    allowed += ", or one of " + ", ".join(f"'{n}'" for n in present)
                hint = _suggest(word, present) if present else ""
                raise InputError(f"{option} {word}: no such office{hint}; allowed: {allowed}")
    return frozenset(chosen)


def select(events: Iterable[Event], offices: frozenset[str] | None = None,
           kinds: frozenset[Action] | None = None, first: int | None = None) -> list[Event]:
    """Events in day order, kept by office and kind, at most ``first`` of them.

    With an office filter, organisation-wide events (campaigns, interventions) are
    kept too: they concern every office. ``kinds=NOTABLE_KINDS`` keeps the notable ones.
    """
    out: list[Event] = []
    if first is not None and first <= 0:
        return out
    for e in sorted(events, key=lambda e: e.day):
        if offices and e.office and e.office not in offices:
            continue
        if kinds and e.action not in kinds:
            continue
        out.append(e)
        if first is not None and len(out) >= first:
            break
    return out


# -- the log as a file --------------------------------------------------------------------------------
def event_format(path: str | Path, option: str = "--events") -> str:
    """The format a file name asks for (``.csv`` or ``.jsonl``); anything else is an InputError."""
    suffix = Path(path).suffix.lower()
    if suffix not in EVENT_FORMATS:
        raise InputError(f"{option} {path}: unknown file type '{suffix or '(none)'}'; allowed: "
                         + ", ".join(f"{s} ({n})" for s, n in EVENT_FORMATS.items()))
    parent = Path(path).parent
    if not parent.is_dir():
        raise InputError(f"{option} {path}: folder '{parent}' does not exist")
    if Path(path).is_dir():
        raise InputError(f"{option} {path}: is a directory; give a file name ending in .csv or .jsonl")
    return suffix


def event_rows(events: Iterable[Event], names: Names | None = None,
               provenance: Mapping[str, object] | None = None) -> list[dict[str, object]]:
    """Tidy rows: the event's fields, the office's display name, then the run's provenance columns."""
    names = names or Names()
    extra = dict(provenance or {})
    rows = []
    for e in events:
        row: dict[str, object] = dict(zip(EVENT_FIELDS, e, strict=True))
        row["action"] = e.action.value
        row["office_name"] = names.office(e.office) if e.office else ""
        row.update(extra)
        rows.append(row)
    return rows


def write_events(events: Iterable[Event], path: str | Path, names: Names | None = None,
                 provenance: Mapping[str, object] | None = None, option: str = "--events") -> int:
    """Write the log as CSV or JSON Lines (by suffix); returns the number of rows written.

    The file is written beside its destination and moved into place only when
    complete, so a failure never leaves a half-written file over an earlier one.
    """
    suffix = event_format(path, option)
    rows = event_rows(events, names, provenance)
    columns = [*EVENT_FIELDS, "office_name", *(provenance or {})]
    with replacing(path, option) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        if suffix == ".csv":
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        else:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)
