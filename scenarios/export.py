"""A resolved scenario written back as a standalone scenario file (TOML); scenario text made safe for CSV.

``to_toml`` writes every parameter, the whole timeline, the office profiles and the narration names,
with no ``extends``: the text loads back into the same parameters, timeline and
names. Parameters that differ from their declared default carry a comment with
the default, so a reader sees at once what the scenario changes.
"""

from __future__ import annotations

import enum
import json

from .loader import Narration, Scenario
from ..sim.parameters import GROUPS, spec_by_path


#: First characters that make a spreadsheet read a cell as a formula (or, for tab and CR, hide one).
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell that a spreadsheet shows as text: one starting like a formula gets a leading apostrophe.

    Narration names, notes and scenario names written to CSV pass through this, so a name like
    ``=HYPERLINK(...)`` never becomes a live formula when the file is opened. Anything but a string
    is returned unchanged (numbers stay numbers, negative ones included).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def toml_value(value) -> str:
    """A TOML literal for a parameter value, string, or list of strings."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _multiline(text: str) -> str:
    body = text.strip().replace("\\", "\\\\").replace('"""', '""\\"')
    return f'"""\n{body}\n"""'


def _array_entry(table: str, first: str, note: str, settings) -> list[str]:
    """The lines of one ``[[table]]`` entry: its first key, its note, its ``set.group.name`` values."""
    lines = ["", f"[[{table}]]", first]
    if note:
        lines.append(f"note = {toml_value(note)}")
    lines += [f"set.{path} = {toml_value(value)}" for path, value in settings.items()]
    return lines


def to_toml(scenario: Scenario, changed_only: bool = False) -> str:
    """The scenario as TOML text; with ``changed_only``, only parameters that differ from their defaults."""
    lines = [
        f"# Scenario '{scenario.name}', fully resolved from {scenario.source or '(no file)'}",
        f"# sha256 {scenario.source_hash}" if scenario.source_hash else "# (no file hash)",
    ]
    if scenario.extends:
        lines.append("# extends " + " -> ".join(scenario.extends))
    lines += ["", "[scenario]", f"name = {toml_value(scenario.name)}",
              f"description = {_multiline(scenario.description)}", "", "[parameters]"]
    flat = scenario.params.flat()
    specs = spec_by_path()
    for group in GROUPS:
        for path, value in flat.items():
            if not path.startswith(group + "."):
                continue
            spec = specs[path]
            default = spec.default.value if isinstance(spec.default, enum.Enum) else spec.default
            differs = value != default
            if changed_only and not differs:
                continue
            note = f"  # default: {toml_value(default)}" if differs else ""
            lines.append(f"{path} = {toml_value(value)}{note}")
    for iv in scenario.timeline:
        lines += _array_entry("timeline", f"day = {iv.day}", iv.note, iv.set)
    for profile in scenario.office_profiles:
        lines += _array_entry("office", f"number = {profile.office}", profile.note, profile.set)
    n = scenario.narration
    if n != Narration():
        lines += ["", "[narration]"]
        if n.offices:
            lines.append(f"offices = {toml_value(list(n.offices))}")
        if n.custodian != Narration().custodian:
            lines.append(f"custodian = {toml_value(n.custodian)}")
        if n.deputy != Narration().deputy:
            lines.append(f"deputy = {toml_value(n.deputy)}")
    return "\n".join(lines) + "\n"
