"""The base scenario of a sweep and the full parameters of each of its design points.

``sweep.base`` is a shipped scenario's name (``"default"``, the default
organisation: every parameter at its declared default, no timeline; ``"lax"``,
``"strict"``, ...) or the path of a scenario file, read by
``scenarios.loader.load_scenario``; a relative path is taken from the sweep
file's folder first, then from the current folder.

``check_points`` builds and validates every design point's parameters (and the
base timeline against each point's run length) before anything runs, so a bad
combination stops the sweep with a one-line message instead of failing runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .design import RunSpec, SweepSpec
from ...sim.errors import InputError
from ...sim.interventions import Intervention, validate_timeline
from ...sim.profiles import OfficeProfile, validate_profiles
from ...sim.parameters import ParameterError, Parameters

@dataclass(frozen=True)
class Base:
    """The scenario a sweep varies: its parameters, timeline and where it came from."""

    name: str
    params: Parameters
    timeline: tuple[Intervention, ...] = ()
    source: str | None = None
    source_hash: str = ""
    office_profiles: tuple[OfficeProfile, ...] = ()


def _scenario_argument(spec: SweepSpec) -> str:
    base = spec.base
    looks_like_path = base.endswith(".toml") or "/" in base or "\\" in base
    if looks_like_path and spec.source and not Path(base).is_absolute():
        beside = Path(spec.source).parent / base
        if beside.exists():
            return str(beside)
    return base


def resolve_base(spec: SweepSpec) -> Base:
    """The sweep's base scenario; an unknown scenario raises the loader's InputError."""
    from ...scenarios.loader import load_scenario

    try:
        scenario = load_scenario(_scenario_argument(spec))
    except InputError as err:
        where = f"{spec.source}:sweep.base" if spec.source else "sweep.base"
        raise InputError(f"{where}: {err}") from None
    return Base(scenario.name, scenario.params, tuple(scenario.timeline),
                str(scenario.source) if scenario.source else None, scenario.source_hash or "",
                tuple(scenario.office_profiles))


def check_points(spec: SweepSpec, base: Base, runs: Sequence[RunSpec]) -> list[tuple[int, dict[str, Any], str]]:
    """Each design point as ``(point_id, parameter values, parameters hash)``, all validated.

    The values cover every parameter the sweep sets at any point (constants, axes,
    sampled or explicit paths, run length); a path a point leaves alone holds the
    base scenario's value there.
    """
    where = spec.source or spec.name
    columns: dict[str, None] = {}
    first: dict[int, RunSpec] = {}
    for run in runs:
        first.setdefault(run.point_id, run)
        columns.update(dict.fromkeys(run.overrides))
    out = []
    for point_id, run in first.items():
        try:
            params = base.params.with_overrides(run.overrides)
            validate_timeline(params, base.timeline, where=f"base scenario '{base.name}' timeline")
            validate_profiles(params, base.office_profiles, where=f"base scenario '{base.name}' office")
        except ParameterError as err:
            shown = ", ".join(f"{k}={v!r}" for k, v in run.overrides.items() if k in spec.varied_paths)
            raise ParameterError(f"{where}: design point {point_id}" + (f" ({shown})" if shown else ""),
                                 err.message if err.path == "" else f"{err.path}: {err.message}") from None
        flat = params.flat()
        values = {path: flat[path] for path in columns}
        out.append((point_id, values, params.spec_hash()))
    return out
