"""Sensitivity analysis: Morris screening and Sobol indices of chosen outputs, run as a sweep.

A *sensitivity file* (TOML) names the method, the outputs, the parameters to vary
with their bounds (a parameter's declared plausible range ``sweep_min..sweep_max``
unless the file gives ``[low, high]``), fixed values, replicates and seeds::

    [sensitivity]   name, description, method ("morris" | "sobol"), base, outputs,
                    replicates, base_seed, sampling_seed, days
    [morris]        trajectories, levels
    [sobol]         samples (a power of two), second_order
    [parameters]    group.name = "plausible" | [low, high]
    [constants]     group.name = value

SALib draws the sample; its distinct rows become the points of an *explicit* sweep
run by the sweep engine (so it is parallel, distributed, resumable and stored like
any sweep, with its provenance); each point's output is the mean over its
replicates (common seeds at every point); SALib's analysis then gives the indices
with bootstrap intervals. Integer parameters are rounded to the nearest integer
when run; the analysis uses the sample as drawn.

The design (SALib problem, sample and the sample-row -> design-point map) is kept
beside the store in ``sensitivity.json`` so the indices can be recomputed from the
store at any time (``docsec report`` does).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .sweep.design import SweepSpec
from .sweep.files import PLAUSIBLE, flatten_parameters, text_hash
from ..sim.errors import InputError
from ..sim.metrics import SUMMARY_NAMES
from ..sim.parameters import coerce_value, spec_by_path

METHODS: tuple[str, ...] = ("morris", "sobol")
TABLES: dict[str, tuple[str, ...]] = {
    "sensitivity": ("name", "description", "method", "base", "outputs", "replicates", "base_seed",
                    "sampling_seed", "days"),
    "morris": ("trajectories", "levels"),
    "sobol": ("samples", "second_order"),
    "parameters": (),
    "constants": (),
}
#: File beside the store holding the design, so indices can be recomputed from the store.
DESIGN_FILE = "sensitivity.json"
#: Confidence level and bootstrap resamples of SALib's index intervals.
CONFIDENCE = 0.95
RESAMPLES = 1000


class SensitivityFileError(InputError):
    """A sensitivity file key or value that is not allowed; the message names its full path."""


@dataclass(frozen=True)
class SensitivitySpec:
    """A validated sensitivity analysis: method, outputs, parameters with bounds, and how to run it."""

    name: str
    method: str
    outputs: tuple[str, ...]
    bounds: Mapping[str, tuple[float, float]]
    constants: Mapping[str, Any] = field(default_factory=dict)
    base: str = "default"
    description: str = ""
    replicates: int = 1
    base_seed: int = 0
    sampling_seed: int = 0
    days: int | None = None
    trajectories: int = 10
    levels: int = 4
    samples: int = 64
    second_order: bool = False
    source: str | None = None
    source_text: str = ""

    @property
    def problem(self) -> dict[str, Any]:
        """SALib's problem definition."""
        return {"num_vars": len(self.bounds), "names": list(self.bounds),
                "bounds": [list(b) for b in self.bounds.values()]}


# -- reading the file ----------------------------------------------------------------------

def _err(where: str, key: str, message: str) -> SensitivityFileError:
    return SensitivityFileError(f"{where}:{key}: {message}" if where else f"{key}: {message}")


def _int(table: Mapping[str, Any], key: str, default: int, lo: int, hi: int, where: str, tname: str) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _err(where, f"{tname}.{key}", f"must be an integer from {lo} to {hi} (got {value!r})")
    return value


def spec_from_mapping(data: Mapping[str, Any], where: str = "", *, name: str = "sensitivity",
                      source: str | None = None, source_text: str = "") -> SensitivitySpec:
    """Check the tables of a sensitivity file and return the spec; every problem names its key."""
    if not isinstance(data, Mapping):
        raise _err(where, "sensitivity", "must be a table")
    for key in data:
        if key not in TABLES:
            raise _err(where, key, "unknown table; allowed: " + ", ".join(TABLES))
    for tname, allowed in TABLES.items():
        table = data.get(tname, {})
        if tname == "parameters" and isinstance(table, list):
            continue  # parameters = ["group.name", ...]: each over its plausible range
        if not isinstance(table, Mapping):
            raise _err(where, tname, f"must be a table (got {table!r})")
        for key in table if allowed else ():
            if key not in allowed:
                raise _err(where, f"{tname}.{key}", f"unknown key; allowed in [{tname}]: " + ", ".join(allowed))
    head = data.get("sensitivity")
    if not head:
        raise _err(where, "sensitivity", "missing: a sensitivity file needs a [sensitivity] table "
                   "with method and outputs")
    method = head.get("method")
    if method not in METHODS:
        raise _err(where, "sensitivity.method", f"must be one of {', '.join(METHODS)} (got {method!r})")
    outputs = head.get("outputs")
    if isinstance(outputs, str):
        outputs = [outputs]
    if not isinstance(outputs, list) or not outputs:
        raise _err(where, "sensitivity.outputs", "must list at least one summary metric, e.g. "
                   "[\"external_leaks_per_1000_docs\"]")
    for i, out in enumerate(outputs):
        if out not in SUMMARY_NAMES:
            raise _err(where, f"sensitivity.outputs[{i}]", f"unknown metric {out!r}; allowed: "
                       + ", ".join(SUMMARY_NAMES))
    text_keys = {}
    for key in ("name", "description", "base"):
        value = head.get(key)
        if value is not None and (not isinstance(value, str) or (key != "description" and not value.strip())):
            raise _err(where, f"sensitivity.{key}", f"must be a non-empty string (got {value!r})")
        text_keys[key] = value
    bounds = _bounds(data.get("parameters", {}), f"{where}:parameters" if where else "parameters")
    constants = {}
    cwhere = f"{where}:constants" if where else "constants"
    for path, value in flatten_parameters(data.get("constants", {}), cwhere).items():
        if path in bounds:
            raise _err(where, f"constants.{path}", "is also a varied parameter; set it in one place only")
        if isinstance(value, (list, Mapping)):
            raise _err(where, f"constants.{path}", f"must be a single value (got {value!r})")
        value = coerce_value(spec_by_path()[path], value, f"{cwhere}.{path}")
        constants[path] = getattr(value, "value", value)
    days = head.get("days")
    if days is not None:
        days = coerce_value(spec_by_path()["run.days"], days, f"{where}:sensitivity.days")
    morris, sobol = data.get("morris", {}), data.get("sobol", {})
    samples = _int(sobol, "samples", 64, 2, 1 << 20, where, "sobol")
    if samples & (samples - 1):
        raise _err(where, "sobol.samples", f"must be a power of two, e.g. 64 or 128 (got {samples})")
    second = sobol.get("second_order", False)
    if not isinstance(second, bool):
        raise _err(where, "sobol.second_order", f"must be true or false (got {second!r})")
    levels = _int(morris, "levels", 4, 2, 100, where, "morris")
    if levels % 2:
        raise _err(where, "morris.levels", f"must be an even number of grid levels, e.g. 4 (got {levels})")
    return SensitivitySpec(
        name=text_keys["name"] or name, method=method, outputs=tuple(outputs), bounds=bounds, constants=constants,
        base=text_keys["base"] or "default", description=text_keys["description"] or "",
        replicates=_int(head, "replicates", 1, 1, 10_000, where, "sensitivity"),
        base_seed=_int(head, "base_seed", 0, 0, 2**63 - 1, where, "sensitivity"),
        sampling_seed=_int(head, "sampling_seed", 0, 0, 2**32 - 1, where, "sensitivity"),
        days=days, trajectories=_int(morris, "trajectories", 10, 2, 100_000, where, "morris"), levels=levels,
        samples=samples, second_order=second, source=source, source_text=source_text,
    )


def _bounds(table: Any, where: str) -> dict[str, tuple[float, float]]:
    if isinstance(table, list):  # parameters = ["group.name", ...]: each over its plausible range
        table = {p: PLAUSIBLE for p in table} if all(isinstance(p, str) for p in table) else table
    flat = flatten_parameters(table, where)
    if len(flat) < 2:
        raise SensitivityFileError(f"{where}: list at least two parameters to vary, each = \"{PLAUSIBLE}\" "
                                   "or [low, high]")
    bounds: dict[str, tuple[float, float]] = {}
    for path, value in flat.items():
        spec = spec_by_path()[path]
        key = f"{where}.{path}"
        if spec.type not in (int, float):
            raise SensitivityFileError(f"{key}: only numeric parameters can be varied; {path} is "
                                       f"{spec.describe_allowed()}: fix it under [constants]")
        if value == PLAUSIBLE:
            lo, hi = spec.sweep_min, spec.sweep_max
        elif isinstance(value, list) and len(value) == 2:
            lo, hi = (coerce_value(spec, v, f"{key}[{i}]") for i, v in enumerate(value))
        else:
            raise SensitivityFileError(f"{key}: must be [low, high], each {spec.describe_allowed()}, or "
                                       f"\"{PLAUSIBLE}\" for its declared range {spec.sweep_min} to "
                                       f"{spec.sweep_max} (got {value!r})")
        if not lo < hi:
            raise SensitivityFileError(f"{key}: low must be below high (got [{lo!r}, {hi!r}])")
        bounds[path] = (float(lo), float(hi))
    return bounds


def load_sensitivity(path: str | Path) -> SensitivitySpec:
    """Read and validate a sensitivity file."""
    p = Path(path)
    if not p.is_file():
        raise SensitivityFileError(f"{p}: no such sensitivity file")
    text = p.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SensitivityFileError(f"{p}: malformed TOML: {err}") from None
    return spec_from_mapping(data, str(p), name=p.stem, source=str(p.resolve()), source_text=text)


# -- design ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SensitivityDesign:
    """SALib's sample and how its rows map onto the sweep's design points."""

    spec: SensitivitySpec
    sample: np.ndarray          # rows as SALib drew them (floats)
    row_points: np.ndarray      # design point of each sample row
    points: tuple[dict[str, Any], ...]  # distinct parameter values run (integers rounded)


def draw_sample(spec: SensitivitySpec) -> np.ndarray:
    """The SALib sample of the spec's method, reproducible from ``sampling_seed``."""
    if spec.method == "morris":
        from SALib.sample import morris as morris_sample

        return morris_sample.sample(spec.problem, spec.trajectories, num_levels=spec.levels,
                                    seed=spec.sampling_seed)
    from SALib.sample import sobol as sobol_sample

    return sobol_sample.sample(spec.problem, spec.samples, calc_second_order=spec.second_order,
                               seed=spec.sampling_seed)


def make_design(spec: SensitivitySpec) -> SensitivityDesign:
    """Draw the sample and merge its repeated rows into distinct design points."""
    sample = np.asarray(draw_sample(spec), dtype=float)
    specs = spec_by_path()
    index: dict[tuple, int] = {}
    points: list[dict[str, Any]] = []
    row_points = np.empty(len(sample), dtype=int)
    for i, row in enumerate(sample):
        point = {}
        for path, value in zip(spec.bounds, row.tolist()):
            point[path] = int(round(value)) if specs[path].type is int else float(value)
        key = tuple(point.values())
        if key not in index:
            index[key] = len(points)
            points.append(point)
        row_points[i] = index[key]
    return SensitivityDesign(spec, sample, row_points, tuple(points))


def sweep_spec(design: SensitivityDesign) -> SweepSpec:
    """The explicit sweep that runs the design's points with the spec's replicates and seeds."""
    spec = design.spec
    head: dict[str, Any] = {"name": spec.name, "base": spec.base, "replicates": spec.replicates,
                            "base_seed": spec.base_seed,
                            "description": spec.description or f"{spec.method} sensitivity analysis"}
    if spec.days is not None:
        head["days"] = spec.days
    mapping = {"sweep": head, "design": {"kind": "explicit", "points": [dict(p) for p in design.points]},
               "parameters": dict(spec.constants)}
    return SweepSpec.from_mapping(mapping, where=f"{spec.source or spec.name} (as a sweep)", name=spec.name,
                                  source=spec.source, source_text=spec.source_text or None)


# -- analysis ------------------------------------------------------------------------------------

def point_outputs(runs: pd.DataFrame, design: SensitivityDesign, output: str) -> np.ndarray:
    """Each sample row's output: the mean over its design point's finished replicates."""
    done = runs[runs["status"] == "done"] if "status" in runs.columns else runs
    means = done.groupby("point_id")[output].mean()
    missing = [p for p in range(len(design.points)) if p not in means.index or not np.isfinite(means[p])]
    if missing:
        raise SensitivityIncomplete(f"{len(missing)} of {len(design.points)} design points have no finished run "
                                    f"with a finite {output} (first: point {missing[0]})")
    return means.reindex(range(len(design.points))).to_numpy(dtype=float)[design.row_points]


class SensitivityIncomplete(RuntimeError):
    """The store lacks results needed for the indices (runs failed or are still pending)."""


def analyse(design: SensitivityDesign, runs: pd.DataFrame, outputs: Sequence[str] | None = None) -> pd.DataFrame:
    """Indices of each output: columns ``method, output, parameter, index, value, conf``.

    Morris gives ``mu``, ``mu_star`` (with its interval half-width ``conf``) and
    ``sigma``; Sobol gives ``S1`` and ``ST`` (and ``S2`` for pairs "a × b" when
    second-order indices were sampled), each with ``conf``.
    """
    spec = design.spec
    rows = []
    for output in outputs or spec.outputs:
        y = point_outputs(runs, design, output)
        if spec.method == "morris":
            from SALib.analyze import morris as morris_analyze

            res = morris_analyze.analyze(spec.problem, design.sample, y, num_resamples=RESAMPLES,
                                         conf_level=CONFIDENCE, num_levels=spec.levels, seed=spec.sampling_seed)
            for i, name in enumerate(spec.bounds):
                rows.append(("morris", output, name, "mu_star", res["mu_star"][i], res["mu_star_conf"][i]))
                rows.append(("morris", output, name, "sigma", res["sigma"][i], math.nan))
                rows.append(("morris", output, name, "mu", res["mu"][i], math.nan))
        else:
            from SALib.analyze import sobol as sobol_analyze

            res = sobol_analyze.analyze(spec.problem, y, calc_second_order=spec.second_order,
                                        num_resamples=RESAMPLES, conf_level=CONFIDENCE, seed=spec.sampling_seed)
            names = list(spec.bounds)
            for i, name in enumerate(names):
                rows.append(("sobol", output, name, "S1", res["S1"][i], res["S1_conf"][i]))
                rows.append(("sobol", output, name, "ST", res["ST"][i], res["ST_conf"][i]))
            if spec.second_order:
                for i in range(len(names)):
                    for j in range(i + 1, len(names)):
                        rows.append(("sobol", output, f"{names[i]} × {names[j]}", "S2", res["S2"][i, j],
                                     res["S2_conf"][i, j]))
    table = pd.DataFrame(rows, columns=["method", "output", "parameter", "index", "value", "conf"])
    return table.astype({"value": "float64", "conf": "float64"})


# -- files beside the store ------------------------------------------------------------------------

def save_design(design: SensitivityDesign, path: str | Path, design_hash: str) -> None:
    """Write the design (spec, sample, row map) as JSON, tied to the store by its design hash."""
    spec = asdict(design.spec)
    spec["bounds"] = {k: list(v) for k, v in design.spec.bounds.items()}
    blob = {"design_hash": design_hash, "spec": spec, "sample": design.sample.tolist(),
            "row_points": design.row_points.tolist(), "points": list(design.points),
            "spec_text_hash": text_hash(design.spec.source_text)}
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(json.dumps(blob, indent=1), encoding="utf-8")
    tmp.replace(path)


def load_design(path: str | Path) -> tuple[SensitivityDesign, str]:
    """A design saved by ``save_design`` and the design hash of the store it belongs to."""
    blob = json.loads(Path(path).read_text(encoding="utf-8"))
    raw = blob["spec"]
    raw["bounds"] = {k: tuple(v) for k, v in raw["bounds"].items()}
    raw["outputs"] = tuple(raw["outputs"])
    spec = SensitivitySpec(**raw)
    design = SensitivityDesign(spec, np.asarray(blob["sample"], dtype=float),
                               np.asarray(blob["row_points"], dtype=int), tuple(blob["points"]))
    return design, blob["design_hash"]


def design_beside(store: str | Path, provenance: Mapping[str, Any]) -> SensitivityDesign | None:
    """The sensitivity design saved beside a store, if there is one and it belongs to that store."""
    path = Path(store).with_name(DESIGN_FILE)
    if not path.is_file():
        return None
    design, design_hash = load_design(path)
    return design if design_hash == provenance.get("design_hash") else None


@dataclass(frozen=True)
class SensitivityResult:
    """What ``run_sensitivity`` produced."""

    indices: pd.DataFrame
    store: Path
    design_file: Path
    report: Any


def run_sensitivity(spec: SensitivitySpec, out_dir: str | Path, *, engine: str = "process",
                    workers: int | None = None, dask_address: str | None = None, resume: bool = False,
                    progress: bool = True, runner: Callable[..., Any] | None = None,
                    log: Callable[[str], None] | None = None) -> SensitivityResult:
    """Sample, run the points through the sweep engine into ``out_dir/store.sqlite``, analyse.

    Writes ``store.sqlite`` (the sweep store), ``sensitivity.json`` (the design)
    and ``indices.csv`` (the indices) in ``out_dir``. ``runner`` replaces the model
    (as in ``run_sweep``); the other options are ``run_sweep``'s.
    """
    from .results import load_runs
    from .sweep.execute import run_sweep

    out = Path(out_dir)
    design = make_design(spec)
    sweep = sweep_spec(design)
    store = out / "store.sqlite"
    design_file = out / DESIGN_FILE
    report = run_sweep(sweep, store, engine=engine, workers=workers, dask_address=dask_address, resume=resume,
                       progress=progress, runner=runner, log=log)
    save_design(design, design_file, sweep.design_hash())
    indices = analyse(design, load_runs(store))
    indices.to_csv(out / "indices.csv", index=False)
    return SensitivityResult(indices=indices, store=store, design_file=design_file, report=report)
