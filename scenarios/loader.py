"""The scenario loader: a TOML scenario file (or a shipped scenario's name) in, validated ``Scenario`` out.

A scenario file has up to four tables; only ``[scenario]`` with its description
is required::

    [scenario]      description (required), name, extends
    [parameters]    any parameter as group.name (the names of sim.parameters)
    [[timeline]]    interventions: day, note, set.group.name = value
    [[office]]      office profiles: number, note, set.group.name = value (behaviour, documents, custody)
    [narration]     display names used only when narrating a run: offices, custodian, deputy

``extends`` names a shipped scenario (``"lax"``) or a path to another file
(``"base.toml"``, relative to the extending file's folder). The extending file
starts from the resolved parameters, timeline, office profiles and narration names
of the one it extends, sets its own parameters over them, adds its interventions to
the inherited timeline, and sets its office profiles over the inherited ones.

Shipped scenarios are package data, found through ``importlib.resources``, so a
name works from any folder. Every mistake raises ``ScenarioError`` (an
``InputError``) whose one-line message names the file, the key's full path and
what is allowed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ..sim.errors import InputError
from ..sim.interventions import Intervention, validate_timeline
from ..sim.parameters import GROUPS, ParameterError, Parameters, spec_by_path
from ..sim.profiles import NOT_PER_OFFICE, OfficeProfile, may_differ_between_offices, validate_profiles

#: Tables a scenario file may hold, and the keys allowed in each fixed-key table.
TABLES: tuple[str, ...] = ("scenario", "parameters", "timeline", "office", "narration")
SCENARIO_KEYS: tuple[str, ...] = ("name", "description", "extends")
INTERVENTION_KEYS: tuple[str, ...] = ("day", "note", "set")
OFFICE_KEYS: tuple[str, ...] = ("number", "note", "set")
NARRATION_KEYS: tuple[str, ...] = ("offices", "custodian", "deputy")

#: Parameters an intervention may not change: they are fixed when a run starts.
_FIXED_DURING_RUN = "cannot be changed during a run (run length and population are fixed at the start)"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

#: Largest scenario file read (a scenario is a short text; this keeps a wrong path from filling memory).
MAX_FILE_BYTES = 1024 * 1024

#: Shipped scenarios listed first, in this order; the rest follow alphabetically.
_BASELINES: tuple[str, ...] = ("default", "lax", "strict")


class ScenarioError(InputError):
    """A scenario file or name that cannot be used; ``file`` and ``key`` say where."""

    def __init__(self, file: str, key: str, message: str):
        self.file = file
        self.key = key
        self.message = message
        where = f"{file}:{key}" if key else file
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Narration:
    """Display names for narrating a run; they never change what the model does."""

    offices: tuple[str, ...] = ()     # names of Office 1, Office 2, ... in order
    custodian: str = "custodian"      # e.g. "vice secretary"
    deputy: str = "deputy"

    @property
    def roles(self) -> dict[str, str]:
        """Model role word -> display title (only those that differ)."""
        return {role: title for role, title in (("custodian", self.custodian), ("deputy", self.deputy))
                if title != role}


@dataclass(frozen=True)
class Scenario:
    """A resolved, validated scenario: everything a run needs, and where it came from."""

    name: str
    description: str
    params: Parameters
    timeline: tuple[Intervention, ...] = ()
    source: str = ""
    source_hash: str = ""
    narration: Narration = field(default_factory=Narration)
    extends: tuple[str, ...] = ()     # names of the scenarios it extends, nearest first
    office_profiles: tuple[OfficeProfile, ...] = ()

    @property
    def summary(self) -> str:
        """The description's first line (what ``docsec scenarios`` shows)."""
        return first_line(self.description)


def first_line(text: str) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return ""


def _suggest(word: str, allowed) -> str:
    close = difflib.get_close_matches(str(word), [str(a) for a in allowed], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# -- locating files ------------------------------------------------------------------------
def shipped_folder() -> Traversable:
    """The folder of the shipped scenario files (package data of ``scenarios``)."""
    return resources.files(__package__)


def shipped_names() -> list[str]:
    """Names of the shipped scenarios: the baselines first, then alphabetically."""
    names = sorted(entry.name[:-5] for entry in shipped_folder().iterdir()
                   if entry.name.endswith(".toml") and entry.is_file())
    return [n for n in _BASELINES if n in names] + [n for n in names if n not in _BASELINES]


def _shipped(name: str) -> Traversable | None:
    entry = shipped_folder() / f"{name}.toml"
    return entry if entry.is_file() else None


def looks_like_path(text: str) -> bool:
    """A name is letters, digits, '-' and '_'; anything else (a '/', a '.toml') is a path."""
    return not _NAME_RE.match(text)


def locate(name_or_path: str | Path) -> Traversable | Path:
    """The file a scenario argument refers to: a shipped scenario's name, or a path."""
    if isinstance(name_or_path, Path):
        return name_or_path
    text = str(name_or_path)
    if not text.strip():
        raise ScenarioError("", "", "no scenario given; name a shipped scenario ("
                            + ", ".join(shipped_names()) + ") or a .toml file")
    if looks_like_path(text):
        return Path(text)
    shipped = _shipped(text)
    if shipped is not None:
        return shipped
    if Path(text).exists():
        return Path(text)
    names = shipped_names()
    raise ScenarioError("", "", f"unknown scenario '{text}'{_suggest(text, names)}; shipped scenarios: "
                        + ", ".join(names) + "; or give the path of a .toml file")


def read_text_file(path: Path, max_bytes: int) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes``; ``OSError``/``ValueError`` otherwise.

    Only regular files are opened (a FIFO would block, a device like /dev/zero never ends), and no
    more than ``max_bytes + 1`` bytes are read whatever the file claims to hold.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise ValueError("is not a regular file")
    # O_NONBLOCK: should the path become a FIFO meanwhile, opening it does not wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("is not a regular file")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"is larger than {max_bytes // (1024 * 1024)} MB; allowed: a text file up to that size")
    return data.decode("utf-8")


class NestedTooDeeply(ValueError):
    """TOML whose arrays or inline tables nest deeper than the parser can follow."""

    def __str__(self) -> str:
        return "arrays or tables nested too deeply"


def parse_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``; arrays or tables nested too deeply for the parser raise ``NestedTooDeeply``
    (instead of a RecursionError with thousands of lines of traceback)."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise NestedTooDeeply() from None


def shipped_scenario(name: Any) -> Scenario:
    """A shipped scenario by name only: what to load for a name from outside (e.g. a browser).

    Anything but the name of a shipped scenario, above all a path, raises ``ScenarioError``; no file
    outside the shipped scenarios is ever opened.
    """
    names = shipped_names()
    if not isinstance(name, str) or name not in names:
        shown = repr(name) if isinstance(name, str) and len(name) <= 60 else "that value"
        raise ScenarioError("", "scenario", f"{shown} is not a shipped scenario; allowed: " + ", ".join(names))
    return _load(_shipped(name), chain=())


def _read(path: Traversable | Path) -> str:
    """The text of a scenario file: a regular file (never a FIFO or a device) of at most ``MAX_FILE_BYTES``."""
    where = str(path)
    if isinstance(path, Path):
        if path.is_dir():
            raise ScenarioError(where, "", "is a directory, not a scenario file (give a .toml file)")
        if not path.exists():
            raise ScenarioError(where, "", "no such scenario file")
    try:
        if isinstance(path, Path):
            return read_text_file(path, MAX_FILE_BYTES)
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(where, "", f"is not UTF-8 text ({err.reason} at byte {err.start})") from None
    except ValueError as err:  # not a regular file, or too large
        raise ScenarioError(where, "", f"{err}; a scenario is a .toml text file") from None
    except OSError as err:
        raise ScenarioError(where, "", f"cannot be read ({err.strerror or err})") from None


# -- loading -------------------------------------------------------------------------------------
def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load, resolve and validate a scenario by shipped name or file path."""
    return _load(locate(name_or_path), chain=())


def list_scenarios() -> list[tuple[str, str]]:
    """``(name, one-line description)`` of every shipped scenario."""
    return [(name, load_scenario(name).summary) for name in shipped_names()]


def _load(path: Traversable | Path, chain: tuple[str, ...]) -> Scenario:
    where = str(path)
    text = _read(path)
    try:
        data = parse_toml(text)
    except (tomllib.TOMLDecodeError, NestedTooDeeply) as err:
        raise ScenarioError(where, "", f"malformed TOML: {err}") from None
    if not data:
        raise ScenarioError(where, "", 'empty scenario file; a scenario needs at least '
                            '[scenario] description = "..."')
    for key in data:
        if key not in TABLES:
            hint = _suggest(key, TABLES)
            if key in GROUPS:
                hint = f" (parameters go under [parameters], e.g. [parameters.{key}])"
            raise ScenarioError(where, key, "unknown table; allowed: " + ", ".join(TABLES) + hint)

    meta = _table(data.get("scenario"), where, "scenario", SCENARIO_KEYS, required=True)
    if "description" not in meta:
        raise ScenarioError(where, "scenario.description", "missing; describe what the scenario represents "
                            "and which observations of the case it draws on")
    description = _string(meta["description"], where, "scenario.description")
    stem = path.name[:-5] if path.name.endswith(".toml") else path.name
    name = _string(meta["name"], where, "scenario.name") if "name" in meta else stem

    parent: Scenario | None = None
    if "extends" in meta:
        target = _string(meta["extends"], where, "scenario.extends")
        parent_path = _extends_target(target, path, where)
        identity = _identity(parent_path)
        if identity in chain or identity == _identity(path):
            loop = " -> ".join(Path(x).name for x in (*chain, _identity(path), identity))
            raise ScenarioError(where, "scenario.extends", f"'{target}' makes a cycle: {loop}")
        parent = _load(parent_path, chain=(*chain, _identity(path)))

    base = parent.params if parent else Parameters()
    params = _parameters(data.get("parameters", {}), base, where)
    inherited = parent.timeline if parent else ()
    own = _timeline(data.get("timeline", []), params, where)
    for iv in inherited:
        if iv.day > params.run.days:
            raise ScenarioError(where, "parameters.run.days",
                                f"{params.run.days} ends the run before the intervention on day {iv.day} "
                                f"inherited from '{parent.name}'; allowed: at least {iv.day}")
    timeline = tuple(sorted((*inherited, *own), key=lambda iv: iv.day))
    try:
        validate_timeline(params, timeline, where="timeline")
    except ParameterError as err:  # a combination of interventions that is not allowed together
        raise ScenarioError(where, err.path, err.message) from None
    profiles = _office_profiles(data.get("office", []), parent.office_profiles if parent else (), params, where)
    narration = _narration(data.get("narration", {}), parent.narration if parent else Narration(),
                           params, where)

    if parent is None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    else:
        digest = resolved_hash(name, description, params, timeline, narration, profiles)
    return Scenario(name=name, description=description.strip(), params=params, timeline=timeline,
                    source=where, source_hash=digest, narration=narration,
                    extends=((parent.name, *parent.extends) if parent else ()), office_profiles=profiles)


def resolved_hash(name: str, description: str, params: Parameters, timeline, narration: Narration,
                  profiles: tuple[OfficeProfile, ...] = ()) -> str:
    """SHA-256 of a scenario's resolved content (used when it extends another)."""
    blob = json.dumps({
        "name": name,
        "description": description.strip(),
        "parameters": params.flat(),
        "timeline": [{"day": iv.day, "note": iv.note, "set": dict(iv.set)} for iv in timeline],
        "narration": {"offices": list(narration.offices), "custodian": narration.custodian,
                      "deputy": narration.deputy},
        **({"offices": [{"number": p.office, "note": p.note, "set": dict(p.set)} for p in profiles]}
           if profiles else {}),
    }, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _identity(path: Traversable | Path) -> str:
    if isinstance(path, Path):
        try:
            return str(path.resolve())
        except OSError:
            return str(path)
    return str(path)


def _extends_target(target: str, path: Traversable | Path, where: str) -> Traversable | Path:
    """The file ``extends`` names: a shipped scenario, or a .toml file in the extending file's folder.

    A path is taken relative to the extending file's folder (for a shipped scenario, the shipped
    folder) and must stay inside it once resolved (no absolute paths, no '..' out of it, no link
    out of it), so a scenario can never make docsec read, or echo in a message, any other file.
    """
    if looks_like_path(target):
        allowed = ("allowed: a shipped scenario's name or a .toml file in this file's folder "
                   "(or below it), given relative to that folder")
        folder = path.parent if isinstance(path, Path) else None
        if Path(target).is_absolute() or not target.endswith(".toml"):
            raise ScenarioError(where, "scenario.extends", f"'{target}' is refused; {allowed}")
        if folder is None:  # a shipped scenario: only its siblings
            shipped = _shipped(target[:-5]) if "/" not in target and "\\" not in target else None
            if shipped is None:
                raise ScenarioError(where, "scenario.extends", f"'{target}' is refused; {allowed}")
            return shipped
        candidate = folder / target
        try:
            inside = candidate.resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            raise ScenarioError(where, "scenario.extends", f"'{target}' lies outside this file's folder; {allowed}")
        if not candidate.is_file():
            state = "is a directory" if candidate.is_dir() else "does not exist"
            raise ScenarioError(where, "scenario.extends", f"'{target}' {state} ({candidate}); allowed: a shipped "
                                "scenario's name or the path of a .toml file, relative to this file's folder")
        return candidate
    shipped = _shipped(target)
    if shipped is None:
        names = shipped_names()
        raise ScenarioError(where, "scenario.extends", f"unknown scenario '{target}'{_suggest(target, names)}; "
                            "allowed: " + ", ".join(names) + ", or the path of a .toml file")
    return shipped


# -- the tables --------------------------------------------------------------------------------------
def _table(value: Any, where: str, key: str, allowed: tuple[str, ...], required: bool = False) -> Mapping:
    if value is None:
        if required:
            raise ScenarioError(where, key, f"missing; a scenario needs [{key}] with a description")
        return {}
    if not isinstance(value, Mapping):
        raise ScenarioError(where, key, f"must be a table [{key}] (got {value!r})")
    for k in value:
        if k not in allowed:
            raise ScenarioError(where, f"{key}.{k}", f"unknown key; allowed in [{key}]: "
                                + ", ".join(allowed) + _suggest(k, allowed))
    return value


def _string(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(where, key, f"must be a non-empty string (got {value!r})")
    return value


def flatten_settings(table: Any, where: str, key: str) -> dict[str, Any]:
    """``{group: {name: v}}`` or ``{"group.name": v}`` as ``{"group.name": v}``, in file order."""
    if not isinstance(table, Mapping):
        raise ScenarioError(where, key, f"must be a table of parameters as group.name = value (got {table!r})")
    flat: dict[str, Any] = {}

    def put(path: str, value: Any) -> None:
        if path in flat:
            raise ScenarioError(where, f"{key}.{path}", "is given twice (as a quoted \"group.name\" key and "
                                "within its group); give each parameter once")
        flat[path] = value

    for group, value in table.items():
        if isinstance(value, Mapping):
            for name, v in value.items():
                if isinstance(v, Mapping):
                    raise ScenarioError(where, f"{key}.{group}.{name}", "must be a value, not a table "
                                        "(parameters are addressed as group.name)")
                put(f"{group}.{name}", v)
        elif "." in group:
            put(group, value)
        else:
            raise ScenarioError(where, f"{key}.{group}", _unknown_bare_name(group))
    return flat


def _unknown_bare_name(name: str) -> str:
    paths = [p for p in spec_by_path() if p.split(".", 1)[1] == name]
    if paths:
        return f"a parameter is addressed as group.name (did you mean '{paths[0]}'?)"
    if name in GROUPS:
        return f"must be a table of the {name} group's parameters"
    return ("unknown parameter; expected group.name with group one of " + ", ".join(GROUPS)
            + _suggest(name, list(GROUPS) + list(spec_by_path())))


def _apply(params: Parameters, flat: Mapping[str, Any], where: str, key: str) -> Parameters:
    for path, value in flat.items():
        if isinstance(value, (list, Mapping)):
            spec = spec_by_path().get(path)
            allowed = spec.describe_allowed() if spec else "a single value"
            raise ScenarioError(where, f"{key}.{path}", f"must be {allowed} (got {value!r})")
    try:
        return params.with_overrides(flat)
    except ParameterError as err:
        raise ScenarioError(where, f"{key}.{err.path}", err.message) from None


def _parameters(table: Any, base: Parameters, where: str) -> Parameters:
    return _apply(base, flatten_settings(table, where, "parameters"), where, "parameters")


def _array_of_tables(entries: Any, where: str, table: str, keys: tuple[str, ...]):
    """Each ``(key, entry)`` of a ``[[table]]`` array, with its type and its keys checked."""
    if not isinstance(entries, list):
        raise ScenarioError(where, table, f"must be an array of tables, written [[{table}]] (got {entries!r})")
    for i, entry in enumerate(entries):
        key = f"{table}[{i}]"
        if not isinstance(entry, Mapping):
            raise ScenarioError(where, key, f"must be a table with {', '.join(keys[:-1])} and {keys[-1]} "
                                f"(got {entry!r})")
        for k in entry:
            if k not in keys:
                raise ScenarioError(where, f"{key}.{k}", "unknown key; allowed: " + ", ".join(keys)
                                    + _suggest(k, keys))
        yield key, entry


def _timeline(entries: Any, params: Parameters, where: str) -> list[Intervention]:
    out = []
    for key, entry in _array_of_tables(entries, where, "timeline", INTERVENTION_KEYS):
        if "day" not in entry:
            raise ScenarioError(where, f"{key}.day", f"missing; the day (1 to run.days = {params.run.days}) "
                                "on which the intervention takes effect")
        day = entry["day"]
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= params.run.days:
            raise ScenarioError(where, f"{key}.day", f"must be a day from 1 to run.days = {params.run.days} "
                                f"(got {day!r})")
        note = entry.get("note", "")
        if "note" in entry:
            note = _string(note, where, f"{key}.note")
        if "set" not in entry:
            raise ScenarioError(where, f"{key}.set", "missing; the parameters to set, e.g. "
                                "set.penalty.dismissal_severity = 1000")
        settings = flatten_settings(entry["set"], where, f"{key}.set")
        if not settings:
            raise ScenarioError(where, f"{key}.set", "sets nothing; give at least one group.name = value")
        for path in settings:
            if path == "run.days" or path.startswith("population."):
                if path in spec_by_path():
                    raise ScenarioError(where, f"{key}.set.{path}", _FIXED_DURING_RUN)
        changed = _apply(params, settings, where, f"{key}.set").flat()
        out.append(Intervention(day=day, set={path: changed[path] for path in settings}, note=note.strip()))
    return out


def _office_profiles(entries: Any, inherited: tuple[OfficeProfile, ...], params: Parameters,
                     where: str) -> tuple[OfficeProfile, ...]:
    """``[[office]]`` tables: per-office parameters, set over the inherited profiles."""
    merged = {p.office: p for p in inherited}
    own: set[int] = set()
    for key, entry in _array_of_tables(entries, where, "office", OFFICE_KEYS):
        number = entry.get("number")
        n = params.population.offices
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= n:
            raise ScenarioError(where, f"{key}.number", f"must be an office number from 1 to "
                                f"population.offices = {n} (got {number!r})")
        if number in own:
            raise ScenarioError(where, f"{key}.number", f"office {number} already has an [[office]] table")
        own.add(number)
        note = _string(entry["note"], where, f"{key}.note").strip() if "note" in entry else ""
        settings = flatten_settings(entry.get("set", {}), where, f"{key}.set")
        for path in settings:
            if path in spec_by_path() and not may_differ_between_offices(path):
                raise ScenarioError(where, f"{key}.set.{path}", NOT_PER_OFFICE)
        _apply(params, settings, where, f"{key}.set")
        earlier = merged.get(number)
        combined = {**(dict(earlier.set) if earlier else {}), **settings}
        merged[number] = OfficeProfile(number, combined, note or (earlier.note if earlier else ""))
    profiles = tuple(merged[k] for k in sorted(merged))
    try:
        validate_profiles(params, profiles, where="office")
    except ParameterError as err:
        raise ScenarioError(where, err.path, err.message) from None
    return profiles


def _narration(table: Any, inherited: Narration, params: Parameters, where: str) -> Narration:
    table = _table(table, where, "narration", NARRATION_KEYS)
    offices = inherited.offices
    if "offices" in table:
        names = table["offices"]
        if not isinstance(names, list):
            raise ScenarioError(where, "narration.offices", f"must be a list of office names (got {names!r})")
        for i, n in enumerate(names):
            _string(n, where, f"narration.offices[{i}]")
            if n.strip() in [m.strip() for m in names[:i]]:
                raise ScenarioError(where, f"narration.offices[{i}]", f"repeats the name {n!r}; "
                                    "each office needs its own name")
        offices = tuple(n.strip() for n in names)
    if len(offices) > params.population.offices:
        raise ScenarioError(where, "narration.offices", f"names {len(offices)} offices but the organisation has "
                            f"population.offices = {params.population.offices}; allowed: at most that many names")
    custodian = _string(table["custodian"], where, "narration.custodian").strip() \
        if "custodian" in table else inherited.custodian
    deputy = _string(table["deputy"], where, "narration.deputy").strip() if "deputy" in table else inherited.deputy
    return Narration(offices=offices, custodian=custodian, deputy=deputy)
