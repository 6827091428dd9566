"""The scenarios a dashboard session can choose: the shipped scenarios, loaded once.

A thin layer over ``scenarios.loader``: names with their one-line descriptions,
and the resolved ``Scenario`` (parameters, timeline, narration names) by name. A name
comes from the browser, so only the names of shipped scenarios are accepted
(``shipped_scenario``): a path, or anything else, is refused and no file is opened.
Office and role display names come from the scenario's narration table.
"""

from __future__ import annotations

from functools import cache

from ...scenarios.loader import Scenario, list_scenarios, shipped_scenario

#: The scenario a new session starts with.
FIRST_SCENARIO = "default"


@cache
def scenario_names() -> tuple[tuple[str, str], ...]:
    """``(name, one-line description)`` of every shipped scenario, baselines first."""
    return tuple(list_scenarios())


def scenario(name: str) -> Scenario:
    """The shipped scenario ``name`` (a ``ScenarioError`` names the allowed ones; never a path)."""
    if not isinstance(name, str):
        return shipped_scenario(name)  # refused, with the allowed names
    return _shipped(name)


@cache
def _shipped(name: str) -> Scenario:
    return shipped_scenario(name)


def office_names(chosen: Scenario) -> dict[str, str]:
    """Model office name (``"Office 3"``) -> the scenario's display name, where it gives one."""
    return {f"Office {i + 1}": name for i, name in enumerate(chosen.narration.offices)}


def timeline_notes(chosen: Scenario) -> dict[int, str]:
    """Day -> what the scenario's own timeline changes that day (for chart markers)."""
    notes: dict[int, list[str]] = {}
    for iv in chosen.timeline:
        notes.setdefault(iv.day, []).append(iv.note or ", ".join(f"{k} = {v}" for k, v in iv.set.items()))
    return {day: "; ".join(parts) for day, parts in sorted(notes.items())}
