"""Office profiles: parameters that differ for one office (its officials' traits, its workload, its rules).

A profile sets parameters of the groups that can differ between offices
(``behaviour``, ``documents``, ``custody``) for one office, by its number (1-based).
The office's officials, including those hired to replace dismissed ones, are
drawn from the office's own parameters. Organisation-wide groups (penalty,
inspection, investigation, education, external channel, population, run) cannot
be set per office. Interventions change the organisation's parameters; a value a
profile sets stays as the profile sets it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .parameters import ParameterError, Parameters

#: Parameter groups an office profile may set.
PROFILE_GROUPS: tuple[str, ...] = ("behaviour", "documents", "custody")
#: Parameters of those groups that act organisation-wide (publicity of sanctions, announcements), so not per office.
ORGANISATION_WIDE: tuple[str, ...] = ("behaviour.publicity_learning", "behaviour.perception_decay_per_day",
                                      "behaviour.announcement_reach_per_day", "behaviour.word_of_mouth_per_day")


@dataclass(frozen=True)
class OfficeProfile:
    """For office number ``office`` (1-based), set each ``group.name`` in ``set``."""

    office: int
    set: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


#: Why a parameter cannot be set for one office (the message of a rejected path).
NOT_PER_OFFICE = ("cannot differ between offices; an office profile may set "
                  + ", ".join(f"{g}.*" for g in PROFILE_GROUPS) + " except " + ", ".join(ORGANISATION_WIDE))


def may_differ_between_offices(path: str) -> bool:
    """Whether an office profile may set the parameter at ``path``."""
    return path.split(".", 1)[0] in PROFILE_GROUPS and path not in ORGANISATION_WIDE


def validate_profiles(params: Parameters, profiles: Sequence[OfficeProfile], where: str = "offices") -> None:
    """Check office numbers, groups and values; raise ParameterError naming ``where[i]...``."""
    seen: set[int] = set()
    n = params.population.offices
    for i, profile in enumerate(profiles):
        number = profile.office
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= n:
            raise ParameterError(f"{where}[{i}].office",
                                 f"must be an office number from 1 to population.offices = {n} (got {number!r})")
        if number in seen:
            raise ParameterError(f"{where}[{i}].office", f"office {number} already has a profile")
        seen.add(number)
        for path in profile.set:
            if not may_differ_between_offices(path):
                raise ParameterError(f"{where}[{i}].set.{path}", NOT_PER_OFFICE)
        office_parameters(params, profile, where=f"{where}[{i}].set")


def office_parameters(params: Parameters, profile: OfficeProfile | None, where: str = "") -> Parameters:
    """The parameters in force in one office: the organisation's, with its profile applied."""
    if profile is None or not profile.set:
        return params
    return params.with_overrides(profile.set, where=where)
