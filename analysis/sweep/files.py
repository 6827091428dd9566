"""Sweep files: reading the TOML and checking every key before anything runs.

A sweep file has four tables (only ``[sweep]`` is required)::

    [sweep]          name, description, base, replicates, base_seed, days
    [design]         kind, samples, sampling_seed, bounds, points
    [parameters]     a list is an axis, a single value a constant
    [outputs]        daily

``validate_sweep_mapping`` turns the parsed tables into the keyword arguments of
``SweepSpec`` (see ``analysis.sweep.design``). Every problem raises
``SweepFileError``, an ``InputError`` whose one-line message names the file, the
key's full path and what is allowed.
"""

from __future__ import annotations

import difflib
import enum
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...scenarios.loader import NestedTooDeeply, parse_toml, read_text_file
from ...sim.errors import InputError
from ...sim.parameters import ParamSpec, Parameters, coerce_value, spec_by_path

#: Design kinds a sweep file may name in ``design.kind``.
DESIGN_KINDS: tuple[str, ...] = ("grid", "lhs", "sobol", "explicit")

#: Allowed keys of each table, with a short description used in messages and docs.
TABLES: dict[str, tuple[str, ...]] = {
    "sweep": ("name", "description", "base", "replicates", "base_seed", "days"),
    "design": ("kind", "samples", "sampling_seed", "bounds", "points"),
    "parameters": (),
    "outputs": ("daily",),
}

MAX_REPLICATES = 1_000_000
MAX_SAMPLES = 10_000_000
MAX_SEED = 2**63 - 1

#: Largest sweep file read (a sweep file is a short text; this keeps a wrong path from filling memory).
MAX_FILE_BYTES = 16 * 1024 * 1024

#: What a sweep's name may be: it names the default store (``results/<name>.sqlite``), so it must stay a
#: plain file name: letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100 characters.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
NAME_ALLOWED = ("letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100 characters "
                "(it names the results store)")

#: A bound written as this string takes the parameter's declared plausible range
#: (``ParamSpec.sweep_min`` to ``sweep_max``).
PLAUSIBLE = "plausible"


class SweepFileError(InputError):
    """A sweep file (or mapping) key or value that is not allowed; ``path`` names it."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


def read_sweep_file(path: str | Path) -> tuple[dict[str, Any], str]:
    """Parse a sweep file; return its tables and its text.

    A missing file, anything but a regular file, or malformed TOML raises
    ``SweepFileError`` naming the file (and the line, for TOML errors).
    """
    p = Path(path)
    if not p.exists():
        raise SweepFileError(str(p), "no such sweep file")
    if not p.is_file():
        raise SweepFileError(str(p), "is not a file")
    try:
        text = read_text_file(p, MAX_FILE_BYTES)
    except UnicodeDecodeError as err:
        raise SweepFileError(str(p), f"cannot be read ({err})") from None
    except ValueError as err:
        raise SweepFileError(str(p), str(err)) from None
    except OSError as err:
        raise SweepFileError(str(p), f"cannot be read ({err})") from None
    try:
        data = parse_toml(text)
    except (tomllib.TOMLDecodeError, NestedTooDeeply) as err:
        raise SweepFileError(str(p), f"malformed TOML: {err}") from None
    return data, text


def canonical_text(mapping: Mapping[str, Any]) -> str:
    """A stable text form of a mapping built in code (its 'source' when no file exists)."""
    return json.dumps(mapping, sort_keys=True, default=str, indent=1)


def text_hash(text: str) -> str:
    """SHA-256 (hex) of a sweep file's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _suggest(word: str, allowed) -> str:
    close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Where:
    """Builds full key paths ``file:table.key`` for messages."""

    def __init__(self, where: str):
        self.where = where

    def __call__(self, dotted: str) -> str:
        return f"{self.where}:{dotted}" if self.where else dotted


def _check_table(value: Any, key: str, at: _Where) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SweepFileError(at(key), f"must be a table (got {value!r})")
    allowed = TABLES[key]
    for k in value:
        if allowed and k not in allowed:
            raise SweepFileError(at(f"{key}.{k}"), f"unknown key; allowed in [{key}]: "
                                 + ", ".join(allowed) + _suggest(k, allowed))
    return value


def _integer(value: Any, path: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise SweepFileError(path, f"must be an integer from {lo} to {hi} (got {value!r})")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SweepFileError(path, f"must be a non-empty string (got {value!r})")
    return value


def check_name(value: Any, path: str) -> str:
    """A sweep's name, which must be a plain file name (it names the store); else ``SweepFileError``."""
    if not isinstance(value, str) or not NAME_PATTERN.match(value) or ".." in value:
        raise SweepFileError(path, f"must be a name of {NAME_ALLOWED} (got {value!r})")
    return value


def _plain(value: Any) -> Any:
    """Enum members as their string values, so specs are JSON- and TOML-ready."""
    return value.value if isinstance(value, enum.Enum) else value


def param_spec(path: str, where: str) -> ParamSpec:
    """The declaration of ``group.name``; an unknown path raises with the allowed names.

    ``where`` is the message prefix of the table holding the path (``file:parameters``).
    """
    spec = spec_by_path().get(path)
    if spec is None:
        # Parameters.with_overrides words unknown paths with the allowed names and a suggestion.
        Parameters().with_overrides({path: None}, where=where)
        raise SweepFileError(f"{where}.{path}", "unknown parameter")  # pragma: no cover
    return spec


def flatten_parameters(table: Any, where: str) -> dict[str, Any]:
    """``{group: {name: v}}`` or ``{"group.name": v}`` as ``{"group.name": v}`` (order kept)."""
    if not isinstance(table, Mapping):
        raise SweepFileError(where, f"must be a table of parameter groups (got {table!r})")
    flat: dict[str, Any] = {}

    def put(path: str, value: Any) -> None:
        if path in flat:
            raise SweepFileError(f"{where}.{path}", "is given twice (as a quoted \"group.name\" key and within "
                                 "its group); give each parameter once")
        flat[path] = value

    for key, value in table.items():
        if isinstance(value, Mapping):
            for name, v in value.items():
                if isinstance(v, Mapping):
                    raise SweepFileError(f"{where}.{key}.{name}", "must be a value, not a table "
                                         "(parameters are addressed as group.name)")
                put(f"{key}.{name}", v)
        elif "." in key:
            put(key, value)
        else:
            # a bare name outside any group: let the parameter checker name the groups
            param_spec(key, where)
    for path in flat:
        param_spec(path, where)
    return flat


def _value(spec: ParamSpec, value: Any, path: str) -> Any:
    if isinstance(value, (list, Mapping)):
        raise SweepFileError(path, f"must be {spec.describe_allowed()} (got {value!r})")
    return _plain(coerce_value(spec, value, path))


def _parameters(table: Any, kind: str, at: _Where) -> tuple[dict[str, tuple], dict[str, Any]]:
    where = at("parameters")
    axes: dict[str, tuple] = {}
    constants: dict[str, Any] = {}
    for path, value in flatten_parameters(table, where).items():
        spec = spec_by_path()[path]
        key = f"{where}.{path}"
        if isinstance(value, list):
            if kind != "grid":
                raise SweepFileError(key, f"a list makes an axis, which only a grid design has "
                                     f"(design.kind = '{kind}'); give a single value"
                                     + (" or sample it through design.bounds" if kind in ("lhs", "sobol") else ""))
            if not value:
                raise SweepFileError(key, "an axis must list at least one value")
            values = tuple(_value(spec, v, f"{key}[{i}]") for i, v in enumerate(value))
            for i, v in enumerate(values):
                if v in values[:i]:
                    raise SweepFileError(f"{key}[{i}]", f"repeats the value {v!r}; each axis value must be distinct")
            axes[path] = values
        else:
            constants[path] = _value(spec, value, key)
    return axes, constants


def _bounds(table: Any, at: _Where) -> dict[str, tuple[float, float]]:
    where = at("design.bounds")
    bounds: dict[str, tuple[float, float]] = {}
    flat = flatten_parameters(table, where)
    if not flat:
        raise SweepFileError(where, "a sampled design needs at least one parameter with [low, high] bounds")
    for path, value in flat.items():
        spec = spec_by_path()[path]
        key = f"{where}.{path}"
        if spec.type not in (int, float):
            raise SweepFileError(key, f"only numeric parameters can be sampled; {path} is "
                                 f"{spec.describe_allowed()}: make it a grid axis instead")
        if value == PLAUSIBLE:
            lo, hi = spec.sweep_min, spec.sweep_max
        elif isinstance(value, list) and len(value) == 2:
            lo = coerce_value(spec, value[0], f"{key}[0]")
            hi = coerce_value(spec, value[1], f"{key}[1]")
        else:
            raise SweepFileError(key, f"must be [low, high], each {spec.describe_allowed()}, or \"{PLAUSIBLE}\" "
                                 f"for its declared range {spec.sweep_min} to {spec.sweep_max} (got {value!r})")
        if not lo < hi:
            raise SweepFileError(key, f"low must be below high (got [{lo!r}, {hi!r}])")
        bounds[path] = (spec.type(lo), spec.type(hi))
    return bounds


def _points(value: Any, at: _Where) -> tuple[dict[str, Any], ...]:
    where = at("design.points")
    if not isinstance(value, list) or not value:
        raise SweepFileError(where, "must be an array of tables ([[design.points]]), at least one")
    points = []
    for i, table in enumerate(value):
        pw = f"{where}[{i}]"
        point = {path: _value(spec_by_path()[path], v, f"{pw}.{path}")
                 for path, v in flatten_parameters(table, pw).items()}
        if point in points:
            raise SweepFileError(pw, f"repeats design.points[{points.index(point)}]; each point must be distinct")
        points.append(point)
    return tuple(points)


def validate_sweep_mapping(data: Any, where: str = "") -> dict[str, Any]:
    """Check a parsed sweep file (or a mapping of the same shape) and return ``SweepSpec`` fields.

    ``where`` (usually the file's path) prefixes every message. Source fields
    (``source``, ``source_text``, ``source_hash``) are left to the caller.
    """
    at = _Where(where)
    if not isinstance(data, Mapping):
        raise SweepFileError(where, "must be a table of [sweep], [design], [parameters], [outputs]")
    for key in data:
        if key not in TABLES:
            raise SweepFileError(at(key), "unknown table; allowed: " + ", ".join(TABLES) + _suggest(key, TABLES))
    if "sweep" not in data:
        raise SweepFileError(at("sweep"), "missing: a sweep file needs a [sweep] table with at least replicates")
    sweep = _check_table(data["sweep"], "sweep", at)
    design = _check_table(data.get("design", {}), "design", at)
    outputs = _check_table(data.get("outputs", {}), "outputs", at)

    if "replicates" not in sweep:
        raise SweepFileError(at("sweep.replicates"), f"missing: give the number of replicates (1 to {MAX_REPLICATES})")
    fields: dict[str, Any] = {
        "name": check_name(sweep["name"], at("sweep.name")) if "name" in sweep else None,
        "description": sweep.get("description", ""),
        "base": _string(sweep.get("base", "default"), at("sweep.base")),
        "replicates": _integer(sweep["replicates"], at("sweep.replicates"), 1, MAX_REPLICATES),
        "base_seed": _integer(sweep.get("base_seed", 0), at("sweep.base_seed"), 0, MAX_SEED),
        "days": None,
        "keep_daily": False,
    }
    if not isinstance(fields["description"], str):
        raise SweepFileError(at("sweep.description"), f"must be a string (got {fields['description']!r})")
    if "days" in sweep:
        fields["days"] = _value(spec_by_path()["run.days"], sweep["days"], at("sweep.days"))
    if "daily" in outputs:
        if not isinstance(outputs["daily"], bool):
            raise SweepFileError(at("outputs.daily"), f"must be true or false (got {outputs['daily']!r})")
        fields["keep_daily"] = outputs["daily"]

    kind = design.get("kind", "grid")
    if kind not in DESIGN_KINDS:
        raise SweepFileError(at("design.kind"), f"must be one of {', '.join(DESIGN_KINDS)} (got {kind!r})"
                             + (_suggest(kind, DESIGN_KINDS) if isinstance(kind, str) else ""))
    sampled = kind in ("lhs", "sobol")
    for key, needed_by in (("samples", "lhs or sobol"), ("sampling_seed", "lhs or sobol"),
                           ("bounds", "lhs or sobol"), ("points", "explicit")):
        wanted = sampled if needed_by != "explicit" else kind == "explicit"
        if key in design and not wanted:
            raise SweepFileError(at(f"design.{key}"), f"only a design of kind {needed_by} takes {key} "
                                 f"(design.kind = '{kind}')")
        if key not in design and wanted and key != "sampling_seed":
            raise SweepFileError(at(f"design.{key}"), f"missing: design.kind = '{kind}' needs {key}")
    axes, constants = _parameters(data.get("parameters", {}), kind, at)
    fields.update(design=kind, axes=axes, constants=constants, bounds={}, samples=None,
                  sampling_seed=None, points=())
    if sampled:
        fields["samples"] = _integer(design["samples"], at("design.samples"), 1, MAX_SAMPLES)
        if kind == "sobol" and fields["samples"] & (fields["samples"] - 1):
            raise SweepFileError(at("design.samples"), "a Sobol design needs a power of two "
                                 f"(e.g. {1 << max(fields['samples'].bit_length() - 1, 0)} or "
                                 f"{1 << fields['samples'].bit_length()}; got {fields['samples']})")
        fields["sampling_seed"] = _integer(design.get("sampling_seed", 0), at("design.sampling_seed"), 0, MAX_SEED)
        fields["bounds"] = _bounds(design["bounds"], at)
    if kind == "explicit":
        fields["points"] = _points(design["points"], at)

    # A parameter is set in one place only.
    varied = set(fields["bounds"]) | {p for pt in fields["points"] for p in pt}
    for path in varied:
        if path in constants:
            table = "design.bounds" if path in fields["bounds"] else "design.points"
            raise SweepFileError(at(f"parameters.{path}"), f"is also varied in {table}; set it in one place only")
    if fields["days"] is not None and ("run.days" in axes or "run.days" in constants or "run.days" in varied):
        raise SweepFileError(at("sweep.days"), "run.days is also set under the design or [parameters]; "
                             "give the run length once")
    return fields
