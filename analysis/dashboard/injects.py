"""Injects of a tabletop exercise: news that changes the situation, shown to the room as cards.

Two sources:

- the scenario's own ``[[timeline]]`` entries: each is a card at the start of the round that
  holds its day (``timeline_cards``), since the model applies it that day on every path;
- the shipped list (``scenarios/injects/injects.toml``) a facilitator can fire during play: its
  parameter changes take effect on the next round's first day, on every path.

Each shipped inject's changes are checked as a timeline entry is (known parameters, values in
range, settable during a run) when the list is first read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ...scenarios.loader import Scenario, parse_toml
from ...sim.interventions import Intervention, validate_timeline
from ...sim.parameters import ParameterError, Parameters

INJECTS_FILE = "injects/injects.toml"


@dataclass(frozen=True)
class Inject:
    """One piece of news: a key, a card's title and text, and the parameter changes it brings."""

    key: str
    title: str
    text: str
    set: Mapping[str, Any]

    def intervention(self, day: int) -> Intervention:
        return Intervention(day=day, set=dict(self.set), note=f"inject: {self.title}")


@dataclass(frozen=True)
class Card:
    """An inject as the room sees it at the start of a round."""

    round: int
    day: int
    title: str
    text: str
    source: str  # "scenario" (its timeline) or "facilitator" (fired from the shipped list)


def parse_injects(text: str, where: str = INJECTS_FILE) -> tuple[Inject, ...]:
    """Injects from TOML text; a bad entry raises ``ParameterError`` naming it."""
    data = parse_toml(text)
    unknown = set(data) - {"inject"}
    if unknown:
        raise ParameterError(f"{where}.{sorted(unknown)[0]}", "unknown table; allowed: inject")
    out, seen = [], set()
    for i, entry in enumerate(data.get("inject", [])):
        at = f"{where}.inject[{i}]"
        if not isinstance(entry, dict):
            raise ParameterError(at, "must be a table with key, title, text and set")
        extra = set(entry) - {"key", "title", "text", "set"}
        if extra:
            raise ParameterError(f"{at}.{sorted(extra)[0]}", "unknown key; allowed: key, title, text, set")
        for name in ("key", "title", "text"):
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                raise ParameterError(f"{at}.{name}", "must be a non-empty text")
        if entry["key"] in seen:
            raise ParameterError(f"{at}.key", f"'{entry['key']}' is used twice; each inject needs its own key")
        seen.add(entry["key"])
        changes = entry.get("set", {})
        if not isinstance(changes, dict) or not changes:
            raise ParameterError(f"{at}.set", "must set at least one parameter (group.name = value)")
        try:
            validate_timeline(Parameters(), [Intervention(day=2, set=dict(changes))])
        except ParameterError as err:
            field = err.path.removeprefix("timeline[0].set.").removeprefix("timeline[0].")
            raise ParameterError(f"{at}.set.{field}", err.message) from None
        out.append(Inject(entry["key"], entry["title"].strip(), " ".join(entry["text"].split()), dict(changes)))
    return tuple(out)


@cache
def shipped_injects() -> tuple[Inject, ...]:
    """The injects shipped with docsec, in file order."""
    text = (resources.files("docsec.scenarios") / INJECTS_FILE).read_text(encoding="utf-8")
    return parse_injects(text)


def inject_by_key(key: str) -> Inject:
    """A shipped inject by key; a ``ParameterError`` names the allowed keys."""
    for inject in shipped_injects():
        if inject.key == key:
            return inject
    raise ParameterError("inject", f"unknown inject {key!r}; allowed: " + ", ".join(i.key for i in shipped_injects()))


def timeline_cards(scenario: Scenario, round_number: int, first_day: int, last_day: int) -> list[Card]:
    """The scenario's timeline entries falling in days ``first_day``..``last_day``, as cards."""
    cards = []
    for iv in scenario.timeline:
        if first_day <= iv.day <= last_day:
            changes = ", ".join(f"{k} = {v}" for k, v in iv.set.items())
            cards.append(Card(round_number, iv.day, iv.note or "A change of policy",
                              f"From day {iv.day}: {changes}.", "scenario"))
    return cards
