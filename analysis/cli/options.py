"""Option parsing shared by sub-commands: ``--set group.name=value`` overrides."""

from __future__ import annotations

import tomllib

from ...scenarios.loader import NestedTooDeeply, parse_toml
from ...sim.errors import InputError


def parse_assignment(text: str) -> tuple[str, object]:
    """``"penalty.dismissal_severity=500"`` -> ``("penalty.dismissal_severity", 500)``.

    The value is read as a TOML value (numbers, true/false, "strings"); a bare word is a string.
    """
    if "=" not in text:
        raise InputError(f"--set {text}: expected group.name=value, e.g. penalty.dismissal_severity=500")
    path, raw = (part.strip() for part in text.split("=", 1))
    try:
        value = parse_toml(f"v = {raw}")["v"]
    except NestedTooDeeply:
        raise InputError(f"--set {path}: the value nests arrays or tables too deeply; give a single value") \
            from None
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value


def parse_assignments(items: list[str] | None) -> dict[str, object]:
    """All ``--set`` options as one overrides mapping; a parameter set twice is refused."""
    out: dict[str, object] = {}
    for item in items or ():
        path, value = parse_assignment(item)
        if path in out:
            raise InputError(f"--set {path}: is given twice ({out[path]!r} and {value!r}); give each parameter once")
        out[path] = value
    return out
