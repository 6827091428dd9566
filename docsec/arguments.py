"""The Python API's arguments turned into validated objects: a scenario and its parameters, a run's
seed and length, sweep and sensitivity specifications, results stores.

Every mistake raises the one-line ``InputError`` the command line prints (it names the argument or
the parameter's ``group.name`` and what is allowed); nothing is run or written before all of it
passes.
"""

from __future__ import annotations

import dataclasses
import difflib
import numbers
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .analysis.sensitivity import SensitivitySpec, load_sensitivity, spec_from_mapping
from .analysis.sweep.design import SweepSpec, load_sweep
from .analysis.sweep.files import MAX_REPLICATES, canonical_text
from .scenarios.loader import Scenario, load_scenario, looks_like_path
from .sim.errors import InputError
from .sim.interventions import Intervention, validate_timeline
from .sim.parameters import GROUPS, ParameterError, Parameters, coerce_value, spec_by_keyword, spec_by_path

#: The shipped study ``compare()`` runs when given none (the study of ``docsec compare``).
DEFAULT_STUDY = "compare"


def _kind(value: Any) -> str:
    return type(value).__name__


# -- parameters -------------------------------------------------------------------------------------
def flat_parameters(mapping: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``{"group.name": value}`` from a mapping by path, by group (``{"custody": {...}}``) or both."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise InputError(f"{where}: keys must be parameter names as 'group.name' (got {key!r})")
        if key in GROUPS and isinstance(value, Mapping):
            flat.update({f"{key}.{name}": v for name, v in value.items()})
        else:
            flat[key] = value
    return flat


def scenario_and_parameters(scenario_or_params: Any) -> tuple[Scenario | None, Parameters]:
    """What to run: a shipped scenario's name or a scenario file (str or Path), a loaded ``Scenario``,
    a ``Parameters`` object, or a mapping of parameters (``{"group.name": value}`` or
    ``{group: {name: value}}``) over the defaults. None means the shipped ``default`` scenario."""
    what = "default" if scenario_or_params is None else scenario_or_params
    if isinstance(what, Scenario):
        return what, what.params
    if isinstance(what, (str, Path)):
        scenario = load_scenario(what)
        return scenario, scenario.params
    if isinstance(what, Parameters):
        return None, what
    if isinstance(what, Mapping):
        return None, Parameters().with_overrides(flat_parameters(what, "parameters"))
    raise InputError("scenario: must be a shipped scenario's name, the path of a scenario .toml file, a Scenario, "
                     f"a Parameters object or a mapping of parameters (got {_kind(what)})")


def apply_overrides(params: Parameters, overrides: Mapping[str, Any] | None, keywords: Mapping[str, Any],
                    days: int | None = None) -> Parameters:
    """``params`` with ``overrides`` by ``group.name``, then ``group__name`` keywords, then ``days``, validated.

    A parameter given twice (in ``overrides`` and as a keyword, or as ``days`` and ``run.days``) is refused
    rather than one silently winning.
    """
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, Mapping):
        raise InputError("overrides: must be a mapping of parameter names to values, e.g. "
                         f"{{'penalty.dismissal_severity': 500}} (got {_kind(overrides)})")
    flat = flat_parameters(overrides, "overrides")
    by_keyword = spec_by_keyword()
    for keyword, value in keywords.items():
        spec = by_keyword.get(keyword)
        if spec is None:
            close = difflib.get_close_matches(keyword, list(by_keyword), n=1, cutoff=0.6)
            raise ParameterError(keyword, "unknown keyword; expected group__name, e.g. penalty__dismissal_severity"
                                 + (f" (did you mean '{close[0]}'?)" if close else ""))
        if spec.path in flat:
            raise InputError(f"{spec.path}: given twice, in overrides and as the keyword {keyword}; give it once")
        flat[spec.path] = value
    params = params.with_overrides(flat)
    if days is not None:
        if "run.days" in flat or "run__days" in keywords:
            raise InputError("days: given twice, as days= and as run.days; give it once")
        try:
            params = params.with_overrides({"run.days": days})
        except ParameterError as err:
            raise ParameterError("days", err.message) from None
    return params


def check_seed(seed: Any) -> int:
    """The run's seed as an int: a whole number, 0 or more."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InputError(f"seed: must be a whole number, 0 or more (got {seed!r})")
    return int(seed)


def timeline_within(scenario: Scenario | None, params: Parameters) -> tuple[tuple[Intervention, ...], tuple[str, ...]]:
    """The scenario's interventions that fall within the run, checked against the final parameters,
    and a note for each one after the run's last day (it cannot take effect)."""
    if scenario is None:
        return (), ()
    kept, notes = [], []
    for iv in scenario.timeline:
        if iv.day <= params.run.days:
            kept.append(iv)
        else:
            notes.append(f"the intervention on day {iv.day} ({iv.note or ', '.join(iv.set)}) falls after the "
                         f"run's last day ({params.run.days}) and does not take effect")
    try:
        validate_timeline(params, kept, where=f"{scenario.source}:timeline")
    except ParameterError as err:
        raise InputError(f"the overrides conflict with the scenario's timeline: {err}") from None
    return tuple(kept), tuple(notes)


# -- study files: sweeps and sensitivity analyses ------------------------------------------------------
def shipped_files(folder: str) -> dict[str, Path]:
    """The shipped study files of one folder of ``docsec.scenarios`` (``sweeps``, ``sensitivity``), by name."""
    root = resources.files("docsec.scenarios").joinpath(folder)
    return {entry.name[:-5]: Path(str(entry)) for entry in sorted(root.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".toml")}


def study_file(what: str | Path, folder: str, kind: str) -> Path:
    """A study file by path, or a shipped one by name (``"compare"``, ``"screening"``)."""
    if isinstance(what, str) and not looks_like_path(what):
        shipped = shipped_files(folder)
        if what in shipped:
            return shipped[what]
        if not Path(what).exists():
            raise InputError(f"{what}: no shipped {kind} of that name; shipped: {', '.join(shipped)}; "
                             "or give the path of a .toml file")
    return Path(what)


def _replicates(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= value <= MAX_REPLICATES:
        raise InputError(f"replicates: must be a whole number from 1 to {MAX_REPLICATES} (got {value!r})")
    return int(value)


def _days(value: Any) -> int:
    return coerce_value(spec_by_path()["run.days"], value, "days")


def sweep_spec(file_or_spec: Any, *, replicates: int | None = None, days: int | None = None) -> SweepSpec:
    """A validated sweep from a sweep file's path, a shipped sweep's name (``"regimes"``), a
    ``SweepSpec``, or a mapping of a sweep file's tables (``{"sweep": {...}, "parameters": {...}}``);
    with ``replicates`` or ``days`` replacing the sweep's own."""
    if isinstance(file_or_spec, SweepSpec):
        spec = file_or_spec
    elif isinstance(file_or_spec, Mapping):
        spec = SweepSpec.from_mapping(file_or_spec, name="sweep", source_text=canonical_text(file_or_spec))
    elif isinstance(file_or_spec, (str, Path)):
        spec = load_sweep(study_file(file_or_spec, "sweeps", "sweep"))
    else:
        raise InputError("sweep: must be the path of a sweep file, a shipped sweep's name ("
                         + ", ".join(shipped_files("sweeps")) + f"), a SweepSpec or a mapping of its tables "
                         f"(got {_kind(file_or_spec)})")
    changes: dict[str, Any] = {}
    if replicates is not None:
        changes["replicates"] = _replicates(replicates)
    if days is not None:
        changes["days"] = _days(days)
    return dataclasses.replace(spec, **changes) if changes else spec


def sensitivity_spec(file_or_spec: Any) -> SensitivitySpec:
    """A validated sensitivity analysis from a sensitivity file's path, a shipped one's name
    (``"screening"``), a ``SensitivitySpec``, or a mapping of its tables."""
    if isinstance(file_or_spec, SensitivitySpec):
        return file_or_spec
    if isinstance(file_or_spec, Mapping):
        return spec_from_mapping(file_or_spec, name="sensitivity", source_text=canonical_text(file_or_spec))
    if isinstance(file_or_spec, (str, Path)):
        return load_sensitivity(study_file(file_or_spec, "sensitivity", "sensitivity analysis"))
    raise InputError("sensitivity: must be the path of a sensitivity file, a shipped one's name ("
                     + ", ".join(shipped_files("sensitivity")) + "), a SensitivitySpec or a mapping of its tables "
                     f"(got {_kind(file_or_spec)})")


def path_of(value: Any, argument: str) -> Path:
    """A file or folder argument as a Path."""
    if not isinstance(value, (str, Path)) or not str(value).strip():
        raise InputError(f"{argument}: must be a path (got {value!r})")
    return Path(value)
