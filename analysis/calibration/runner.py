"""Running a calibration: the prior sample through the sweep engine, one store per scenario, then rejection ABC.

The prior sample is a Latin hypercube over the parameters' ranges (drawn by the
sweep package's own sampler, so integers are handled as in any sweep), preceded by
the defaults as design point 0. Each scenario a target names runs every point as an
explicit sweep with paired replicate seeds, into ``OUT/stores/<scenario>.sqlite``:
parallel, on Dask, resumable after a crash (``resume``), with provenance. The
analysis reads the stores back, so it can be redone from them at any time.

Files written in OUT: ``samples.csv`` (every point: values, statistics,
distances, accepted), ``accepted.csv`` (the posterior sample), ``posterior.csv``
(per parameter), ``fit.csv`` (per target), ``calibration.json`` (all of it with
provenance) and ``calibration.html`` (the report page).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import abc
from .targets import CalibrationSpec
from ..atomic import replacing
from ..provenance import provenance
from ..results import load_runs
from ..sweep.design import SweepSpec, design_points
from ..sweep.execute import run_sweep
from ...scenarios.loader import load_scenario

METHOD = ("rejection ABC: a Latin-hypercube sample of the prior (uniform over each parameter's range) run "
          "through the sweep engine; the share `accept` of parameter sets closest to the targets is the "
          "posterior sample")


@dataclass(frozen=True)
class CalibrationResult:
    spec: CalibrationSpec
    samples: pd.DataFrame       # point_id, parameters, statistics, distances, accepted
    posterior: pd.DataFrame
    fit: pd.DataFrame
    accepted: list[int]
    defaults: dict[str, float]
    stores: dict[str, str]
    runs: int
    failed: int


def _slug(scenario: str) -> str:
    stem = Path(scenario).stem if scenario.endswith(".toml") else scenario
    return re.sub(r"[^A-Za-z0-9_.-]", "-", stem)[:60] or "scenario"


def _scenario_ref(spec: CalibrationSpec, scenario: str) -> str:
    if scenario.endswith(".toml") and spec.source and not Path(scenario).is_absolute():
        return str(Path(spec.source).parent / scenario)
    return scenario


def prior_sample(spec: CalibrationSpec) -> list[dict[str, Any]]:
    """The Latin-hypercube sample of the prior (``spec.budget`` points)."""
    lhs = SweepSpec(name=spec.name, design="lhs", bounds=dict(spec.bounds), samples=spec.budget,
                    sampling_seed=spec.sampling_seed)
    return design_points(lhs)


def defaults_of(spec: CalibrationSpec) -> dict[str, float]:
    """The calibrated parameters' values in the base scenario (where "the defaults" sit)."""
    params = load_scenario(_scenario_ref(spec, spec.base)).params
    return {p: float(params.get(p)) for p in spec.bounds}


def sweeps(spec: CalibrationSpec) -> dict[str, SweepSpec]:
    """One explicit sweep per scenario: the defaults (point 0), then the prior sample."""
    points = [{}] + prior_sample(spec)
    out = {}
    for scenario in spec.scenarios:
        head: dict[str, Any] = {"name": f"{spec.name}-{_slug(scenario)}", "base": _scenario_ref(spec, scenario),
                                "replicates": spec.replicates, "base_seed": spec.base_seed,
                                "description": f"docsec calibrate {spec.name}: prior sample in {scenario}"}
        if spec.days is not None:
            head["days"] = spec.days
        mapping = {"sweep": head, "design": {"kind": "explicit", "points": points}}
        out[scenario] = SweepSpec.from_mapping(mapping, where=f"{spec.source or spec.name} ({scenario})",
                                               name=head["name"], source=spec.source,
                                               source_text=spec.source_text or None)
    return out


def analyse(spec: CalibrationSpec, runs_by_scenario: dict[str, pd.DataFrame]) -> tuple:
    """Samples table, accepted points, posterior and fit from the stores' run tables."""
    first = next(iter(runs_by_scenario.values()))
    params = first.drop_duplicates("point_id").set_index("point_id")
    defaults = defaults_of(spec)
    samples = pd.DataFrame(index=sorted(params.index))
    for path in spec.bounds:
        samples[path] = params[path] if path in params.columns else math.nan
    samples.loc[abc.DEFAULTS_POINT, list(spec.bounds)] = [defaults[p] for p in spec.bounds]
    stats = abc.statistics(runs_by_scenario, spec.targets)
    dist = abc.distances(stats, spec.targets)
    accepted = abc.accepted_points(dist["distance"], spec.accept)
    table = samples.join(stats.add_prefix("statistic: ")).join(dist.add_prefix("distance: "))
    table = table.rename(columns={"distance: distance": "distance"})
    table["accepted"] = table.index.isin(accepted)
    table["defaults"] = table.index == abc.DEFAULTS_POINT
    table.index.name = "point_id"
    post = abc.posterior(samples, accepted, spec.bounds, defaults)
    fitted = abc.fit(stats, dist, accepted, spec.targets)
    return table, accepted, post, fitted, defaults


def _plain(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    item = getattr(x, "item", None)
    return _plain(item()) if callable(item) else x


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in table.to_dict("records")]


def document(result: CalibrationResult) -> dict[str, Any]:
    """calibration.json."""
    s = result.spec
    samples = result.samples
    defaults_row = samples.loc[abc.DEFAULTS_POINT]
    drawn = samples.drop(index=abc.DEFAULTS_POINT)
    rank = float((drawn["distance"] < defaults_row["distance"]).mean()) if len(drawn) else math.nan
    return {
        "name": s.name, "description": s.description, "method": METHOD, "targets_file": s.source,
        "targets_file_hash": s.source_hash, "budget": s.budget, "accept": s.accept, "replicates": s.replicates,
        "base_seed": s.base_seed, "sampling_seed": s.sampling_seed, "base": s.base, "days": s.days,
        "prior": {p: list(b) for p, b in s.bounds.items()},
        "accepted": len(result.accepted), "runs": result.runs, "failed_runs": result.failed,
        "defaults": {"values": result.defaults, "distance": _plain(float(defaults_row["distance"])),
                     "share_of_draws_closer": _plain(rank)},
        "acceptance_distance": _plain(float(samples.loc[result.accepted, "distance"].max()))
        if result.accepted else None,
        "posterior": _records(result.posterior), "fit": _records(result.fit),
        "accepted_sets": _records(samples.loc[result.accepted].reset_index()),
        "stores": result.stores, "provenance": provenance(),
    }


def write_outputs(result: CalibrationResult, out: Path) -> dict[str, Path]:
    """The CSV files, calibration.json and calibration.html in ``out``."""
    from .page import render

    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, table, index in (("samples.csv", result.samples, True),
                               ("accepted.csv", result.samples.loc[result.accepted], True),
                               ("posterior.csv", result.posterior, False), ("fit.csv", result.fit, False)):
        with replacing(out / name, "--out") as tmp:
            table.to_csv(tmp, index=index)
        files[name] = out / name
    doc = document(result)
    with replacing(out / "calibration.json", "--out") as tmp:
        tmp.write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    files["calibration.json"] = out / "calibration.json"
    with replacing(out / "calibration.html", "--out") as tmp:
        tmp.write_text(render(result, doc), encoding="utf-8")
    files["calibration.html"] = out / "calibration.html"
    return files


def run_calibration(spec: CalibrationSpec, out: str | Path, *, budget: int | None = None, engine: str = "process",
                    workers: int | None = None, dask_address: str | None = None, resume: bool = False,
                    progress: bool = True, runner: Callable[..., Any] | None = None,
                    log: Callable[[str], None] | None = None) -> CalibrationResult:
    """Run (or continue) the prior sample in every target scenario, analyse, and write the outputs."""
    if budget is not None:
        spec = dataclasses.replace(spec, budget=budget)
    out = Path(out)
    by_scenario = sweeps(spec)
    stores, runs_by_scenario = {}, {}
    total = failed = 0
    for scenario, sweep in by_scenario.items():
        store = out / "stores" / f"{_slug(scenario)}.sqlite"
        report = run_sweep(sweep, store, engine=engine, workers=workers, dask_address=dask_address, resume=resume,
                           progress=progress, runner=runner, log=log)
        total += report.planned
        runs = load_runs(store)
        failed += int((runs["status"] == "failed").sum())
        stores[scenario] = str(store)
        runs_by_scenario[scenario] = runs
    samples, accepted, post, fitted, defaults = analyse(spec, runs_by_scenario)
    result = CalibrationResult(spec, samples, post, fitted, accepted, defaults, stores, total, failed)
    write_outputs(result, out)
    return result
