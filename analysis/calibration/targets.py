"""Targets files: the patterns a calibration must reproduce, the parameters it may move, and how hard it tries.

A targets file (TOML)::

    [calibration]   name, description, base (scenario), replicates, base_seed, days,
                    budget (parameter sets drawn), sampling_seed, accept (share kept)
    [parameters]    group.name = "plausible" | [low, high]   (or a list of names, each "plausible")
    [[target]]      name, statistic, value (+ tolerance) or range = [low, high], weight, scenario, note

A *statistic* is a summary metric of a run (``losses``), a sum of metrics
(``losses + external_leaks``) or a ratio of sums (``undatable_losses / losses``,
``warnings / (dismissals)``), pooled over a parameter set's replicates (the sum of
numerators over the sum of denominators). A target's ``scenario`` (default: the
calibration's ``base``) is where it is measured: every parameter set runs in each
scenario a target names, with the same calibrated values.

Every problem raises ``TargetsFileError`` (an InputError) whose one-line message
names the file and the field's full path (``targets[2].range``) and what is allowed.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..sweep.files import PLAUSIBLE, flatten_parameters, text_hash
from ...scenarios.loader import load_scenario, read_text_file
from ...sim.errors import InputError
from ...sim.metrics import SUMMARY_NAMES
from ...sim.parameters import coerce_value, spec_by_path

TABLES = ("calibration", "parameters", "target")
CALIBRATION_KEYS = ("name", "description", "base", "replicates", "base_seed", "days", "budget", "sampling_seed",
                    "accept")
TARGET_KEYS = ("name", "statistic", "value", "tolerance", "range", "weight", "scenario", "note")
#: Tolerance of a ``value`` target without one: this share of the value.
DEFAULT_TOLERANCE = 0.25
MAX_FILE_BYTES = 1024 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class TargetsFileError(InputError):
    """A targets file key or value that is not allowed; the message names its full path."""


@dataclass(frozen=True)
class Statistic:
    """A run statistic: the sum of ``numerator`` metrics over the sum of ``denominator`` ones (if any)."""

    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        num = " + ".join(self.numerator)
        if not self.denominator:
            return num
        den = " + ".join(self.denominator)
        return f"{num if len(self.numerator) == 1 else f'({num})'} / {den if len(self.denominator) == 1 else f'({den})'}"


@dataclass(frozen=True)
class Target:
    """One pattern: a statistic, the value (with tolerance) or range it should take, a weight and where."""

    name: str
    statistic: Statistic
    scenario: str
    low: float
    high: float
    value: float | None = None
    tolerance: float | None = None
    weight: float = 1.0
    note: str = ""

    def distance(self, x: float) -> float:
        """How far ``x`` lies from the target, in target units (0 inside a range; inf when undefined)."""
        if not math.isfinite(x):
            return math.inf
        if self.value is not None:
            return abs(x - self.value) / self.tolerance
        if self.low <= x <= self.high:
            return 0.0
        width = self.high - self.low
        return (self.low - x if x < self.low else x - self.high) / width

    def describe(self) -> str:
        if self.value is not None:
            return f"{self.value:g} ± {self.tolerance:g}"
        return f"{self.low:g} to {self.high:g}"


@dataclass(frozen=True)
class CalibrationSpec:
    """A validated targets file."""

    name: str
    base: str
    bounds: Mapping[str, tuple[float, float]]
    targets: tuple[Target, ...]
    description: str = ""
    replicates: int = 2
    base_seed: int = 0
    days: int | None = None
    budget: int = 200
    sampling_seed: int = 0
    accept: float = 0.1
    source: str | None = None
    source_text: str = ""
    source_hash: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def scenarios(self) -> tuple[str, ...]:
        """The scenarios the targets are measured in, in order of first mention."""
        return tuple(dict.fromkeys(t.scenario for t in self.targets))


def _err(where: str, key: str, message: str) -> TargetsFileError:
    return TargetsFileError(f"{where}:{key}: {message}" if where else f"{key}: {message}")


def parse_statistic(text: Any, where: str, key: str) -> Statistic:
    """``"a + b"`` or ``"(a + b) / (c + d)"`` into a Statistic; each name a summary metric."""
    if not isinstance(text, str) or not text.strip():
        raise _err(where, key, "must be a summary metric, a sum of them (a + b) or a ratio of sums "
                               f"((a + b) / c), e.g. \"undatable_losses / losses\" (got {text!r})")
    parts = text.split("/")
    if len(parts) > 2:
        raise _err(where, key, f"at most one '/' (a ratio of two sums); got {text!r}")
    sides = []
    for part in parts:
        part = part.strip()
        if part.startswith("(") and part.endswith(")"):
            part = part[1:-1]
        names = tuple(n.strip() for n in part.split("+"))
        for n in names:
            if n not in SUMMARY_NAMES:
                raise _err(where, key, f"unknown metric {n!r} in {text!r}; allowed: " + ", ".join(SUMMARY_NAMES))
        sides.append(names)
    return Statistic(sides[0], sides[1] if len(sides) > 1 else ())


def _number(table: Mapping[str, Any], key: str, where: str, path: str, lo: float, hi: float,
            default: Any = None, integer: bool = False) -> Any:
    value = table.get(key, default)
    kind = "an integer" if integer else "a number"
    ok = not isinstance(value, bool) and isinstance(value, int if integer else (int, float))
    if not ok or not math.isfinite(value) or not lo <= value <= hi:
        raise _err(where, path, f"must be {kind} from {lo:g} to {hi:g} (got {value!r})")
    return value


def _bounds(table: Any, where: str) -> dict[str, tuple[float, float]]:
    if isinstance(table, list):
        if not all(isinstance(p, str) for p in table):
            raise _err(where, "parameters", "a list of parameters must hold names (\"group.name\")")
        table = {p: PLAUSIBLE for p in table}
    if not isinstance(table, Mapping):
        raise _err(where, "parameters", "must be a table of group.name = \"plausible\" or [low, high]")
    flat = flatten_parameters(table, f"{where}:parameters" if where else "parameters")
    if not flat:
        raise _err(where, "parameters", "name at least one parameter to calibrate")
    bounds = {}
    for path, value in flat.items():
        spec = spec_by_path()[path]
        key = f"parameters.{path}"
        if spec.type not in (int, float):
            raise _err(where, key, f"only numeric parameters can be calibrated; {path} is {spec.describe_allowed()}")
        if value == PLAUSIBLE:
            lo, hi = spec.sweep_min, spec.sweep_max
        elif isinstance(value, list) and len(value) == 2:
            lo, hi = (coerce_value(spec, v, f"{where}:{key}[{i}]") for i, v in enumerate(value))
        else:
            raise _err(where, key, f"must be [low, high], each {spec.describe_allowed()}, or \"{PLAUSIBLE}\" for "
                                   f"its declared range {spec.sweep_min} to {spec.sweep_max} (got {value!r})")
        if not lo < hi:
            raise _err(where, key, f"low must be below high (got [{lo!r}, {hi!r}])")
        bounds[path] = (float(lo), float(hi))
    return bounds


def _target(table: Any, i: int, base: str, where: str) -> Target:
    at = f"target[{i}]"
    if not isinstance(table, Mapping):
        raise _err(where, at, "must be a table ([[target]])")
    for key in table:
        if key not in TARGET_KEYS:
            raise _err(where, f"{at}.{key}", "unknown key; allowed in [[target]]: " + ", ".join(TARGET_KEYS))
    if "statistic" not in table:
        raise _err(where, f"{at}.statistic", "missing: name the statistic the target is about")
    stat = parse_statistic(table["statistic"], where, f"{at}.statistic")
    name = table.get("name", stat.text)
    if not isinstance(name, str) or not name.strip():
        raise _err(where, f"{at}.name", f"must be a non-empty string (got {name!r})")
    has_value, has_range = "value" in table, "range" in table
    if has_value == has_range:
        raise _err(where, at, "give either value (with an optional tolerance) or range = [low, high]")
    value = tolerance = None
    if has_value:
        value = float(_number(table, "value", where, f"{at}.value", -1e15, 1e15))
        default_tol = abs(value) * DEFAULT_TOLERANCE or 1.0
        tolerance = float(_number(table, "tolerance", where, f"{at}.tolerance", 1e-12, 1e15, default=default_tol))
        low, high = value - tolerance, value + tolerance
    else:
        rng = table["range"]
        ok = (isinstance(rng, list) and len(rng) == 2
              and all(not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v) for v in rng))
        if not ok or not rng[0] < rng[1]:
            raise _err(where, f"{at}.range", f"must be [low, high] with low below high (got {rng!r})")
        low, high = float(rng[0]), float(rng[1])
        if "tolerance" in table:
            raise _err(where, f"{at}.tolerance", "only a value target takes a tolerance; a range is its own")
    weight = float(_number(table, "weight", where, f"{at}.weight", 1e-9, 1e6, default=1.0))
    scenario = table.get("scenario", base)
    if not isinstance(scenario, str) or not scenario.strip():
        raise _err(where, f"{at}.scenario", f"must be a scenario name or file (got {scenario!r})")
    note = table.get("note", "")
    if not isinstance(note, str):
        raise _err(where, f"{at}.note", f"must be a string (got {note!r})")
    return Target(name.strip(), stat, scenario, low, high, value, tolerance, weight, note)


def _check_scenarios(targets: tuple[Target, ...], bounds: Mapping[str, Any], where: str, folder: Path | None) -> None:
    """Each target's scenario loads, and none sets a parameter the calibration moves itself."""
    seen: dict[str, int] = {}
    for i, t in enumerate(targets):
        seen.setdefault(t.scenario, i)
    for scenario, i in seen.items():
        ref = scenario
        if folder is not None and scenario.endswith(".toml") and not Path(scenario).is_absolute():
            ref = str(folder / scenario)
        try:
            sc = load_scenario(ref)
        except InputError as err:
            raise _err(where, f"target[{i}].scenario", str(err)) from None
        defaults = {p: s.default for p, s in spec_by_path().items()}
        clash = [p for p in bounds if sc.params.get(p) != defaults[p]]
        if clash:
            raise _err(where, f"target[{i}].scenario", f"'{scenario}' sets {', '.join(clash)} itself, which the "
                                                      "calibration moves; measure this target in another scenario "
                                                      "or calibrate other parameters")


def spec_from_mapping(data: Any, where: str = "", *, name: str = "calibration", source: str | None = None,
                      source_text: str = "", folder: Path | None = None) -> CalibrationSpec:
    """Check the tables of a targets file and return the spec; every problem names its field."""
    if not isinstance(data, Mapping):
        raise _err(where, "calibration", "must be a table")
    for key in data:
        if key not in TABLES:
            raise _err(where, key, "unknown table; allowed: " + ", ".join(TABLES))
    head = data.get("calibration", {})
    if not isinstance(head, Mapping):
        raise _err(where, "calibration", "must be a table")
    for key in head:
        if key not in CALIBRATION_KEYS:
            raise _err(where, f"calibration.{key}", "unknown key; allowed in [calibration]: "
                       + ", ".join(CALIBRATION_KEYS))
    cname = head.get("name", name)
    if not isinstance(cname, str) or not _NAME.match(cname):
        raise _err(where, "calibration.name", "must be letters, digits, '-', '_' and '.', starting with a letter or "
                                              f"digit (got {cname!r})")
    base = head.get("base", "default")
    if not isinstance(base, str) or not base.strip():
        raise _err(where, "calibration.base", f"must be a scenario name or file (got {base!r})")
    description = head.get("description", "")
    if not isinstance(description, str):
        raise _err(where, "calibration.description", f"must be a string (got {description!r})")
    days = head.get("days")
    if days is not None:
        days = coerce_value(spec_by_path()["run.days"], days, f"{where}:calibration.days")
    if "parameters" not in data:
        raise _err(where, "parameters", "missing: name the parameters to calibrate and their prior ranges")
    bounds = _bounds(data["parameters"], where)
    raw_targets = data.get("target")
    if not isinstance(raw_targets, list) or not raw_targets:
        raise _err(where, "target", "missing: give at least one [[target]] with a statistic and a value or range")
    targets = tuple(_target(t, i, base, where) for i, t in enumerate(raw_targets))
    names = [t.name for t in targets]
    for i, n in enumerate(names):
        if n in names[:i]:
            raise _err(where, f"target[{i}].name", f"repeats target[{names.index(n)}]'s name {n!r}")
    _check_scenarios(targets, bounds, where, folder)
    return CalibrationSpec(
        name=cname, base=base, bounds=bounds, targets=targets, description=description,
        replicates=_number(head, "replicates", where, "calibration.replicates", 1, 10_000, 2, integer=True),
        base_seed=_number(head, "base_seed", where, "calibration.base_seed", 0, 2**63 - 1, 0, integer=True),
        days=days,
        budget=_number(head, "budget", where, "calibration.budget", 2, 1_000_000, 200, integer=True),
        sampling_seed=_number(head, "sampling_seed", where, "calibration.sampling_seed", 0, 2**32 - 1, 0,
                              integer=True),
        accept=float(_number(head, "accept", where, "calibration.accept", 1e-6, 1.0, 0.1)),
        source=source, source_text=source_text, source_hash=text_hash(source_text) if source_text else "")


def load_targets(path: str | Path) -> CalibrationSpec:
    """Read and validate a targets file."""
    p = Path(path)
    if not p.is_file():
        raise TargetsFileError(f"{p}: no such targets file")
    try:
        text = read_text_file(p, MAX_FILE_BYTES)
    except (OSError, ValueError) as err:
        raise TargetsFileError(f"{p}: cannot be read ({err})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TargetsFileError(f"{p}: malformed TOML: {err}") from None
    return spec_from_mapping(data, str(p), name=p.stem, source=str(p.resolve()), source_text=text,
                             folder=p.resolve().parent)
