"""Option parsing shared by sub-commands: ``--set group.name=value`` overrides."""

from __future__ import annotations

import tomllib

from ...sim.errors import InputError


def parse_assignment(text: str) -> tuple[str, object]:
    """``"penalty.dismissal_severity=500"`` -> ``("penalty.dismissal_severity", 500)``.

    The value is read as a TOML value (numbers, true/false, "strings"); a bare word is a string.
    """
    if "=" not in text:
        raise InputError(f"--set {text}: expected group.name=value, e.g. penalty.dismissal_severity=500")
    path, raw = (part.strip() for part in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value


def parse_assignments(items: list[str] | None) -> dict[str, object]:
    """All ``--set`` options as one overrides mapping."""
    return dict(parse_assignment(item) for item in items or ())
