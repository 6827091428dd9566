"""What a sweep runs: its specification, its design points and its replicate seeds.

A ``SweepSpec`` is the validated content of a sweep file. ``expand`` turns it into
the list of runs (``RunSpec``): one per design point and replicate.

Design points, by ``design``:

- ``grid``: the full factorial of the axes, the first axis varying slowest
  (``itertools.product`` order, axes in file order); no axes gives one point.
- ``lhs`` / ``sobol``: ``samples`` points drawn by ``scipy.stats.qmc``
  (``LatinHypercube`` / scrambled ``Sobol``) from a numpy Generator seeded with
  ``sampling_seed``, then scaled into ``bounds``: a float as ``lo + u * (hi - lo)``,
  an integer uniformly over ``lo..hi`` as ``lo + floor(u * (hi - lo + 1))``.
- ``explicit``: the listed points, in order.

Every run also gets the constants and, if ``days`` is given, ``run.days``.

Seeds (common random numbers): replicate ``i`` runs with the same seed at every
design point,

    seed_i = SeedSequence(base_seed).spawn(replicates)[i].generate_state(1, uint64)[0] >> 1

i.e. the first 64-bit word of child ``i`` of ``base_seed``'s SeedSequence, halved
to fit a signed 64-bit integer. Child ``i`` does not depend on how many replicates
are asked for, so adding replicates keeps the seeds of existing ones.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .files import canonical_text, read_sweep_file, text_hash, validate_sweep_mapping
from ...sim.parameters import spec_by_path


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: a base scenario, a design, replicates, seeds and outputs."""

    name: str
    base: str = "default"
    axes: Mapping[str, tuple] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)
    design: str = "grid"
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    samples: int | None = None
    sampling_seed: int | None = None
    points: tuple[Mapping[str, Any], ...] = ()
    replicates: int = 1
    base_seed: int = 0
    days: int | None = None
    keep_daily: bool = False
    description: str = ""
    source: str | None = None
    source_text: str = ""
    source_hash: str = ""

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], where: str = "", *, name: str | None = None,
                     source: str | None = None, source_text: str | None = None) -> SweepSpec:
        """Build from the tables of a sweep file (``{"sweep": {...}, "parameters": {...}, ...}``).

        Validates exactly as ``load_sweep``; ``where`` prefixes messages. Without a
        ``[sweep] name`` the name is ``name`` (or "sweep").
        """
        fields = validate_sweep_mapping(mapping, where=where)
        text = canonical_text(mapping) if source_text is None else source_text
        fields["name"] = fields["name"] or name or "sweep"
        return cls(**fields, source=source, source_text=text, source_hash=text_hash(text))

    @property
    def varied_paths(self) -> tuple[str, ...]:
        """Parameter paths that change between design points, in design order."""
        if self.design == "grid":
            return tuple(self.axes)
        if self.design == "explicit":
            return tuple(dict.fromkeys(p for point in self.points for p in point))
        return tuple(self.bounds)

    def identity(self) -> dict[str, Any]:
        """Everything that decides which runs the sweep makes (not its name, text or comments)."""
        return {
            "base": self.base, "design": self.design,
            "axes": {k: list(v) for k, v in self.axes.items()}, "constants": dict(self.constants),
            "bounds": {k: list(v) for k, v in self.bounds.items()}, "samples": self.samples,
            "sampling_seed": self.sampling_seed, "points": [dict(p) for p in self.points],
            "replicates": self.replicates, "base_seed": self.base_seed, "days": self.days,
            "keep_daily": self.keep_daily,
        }

    def design_hash(self) -> str:
        """SHA-256 (hex) of ``identity()``: two sweeps with equal hashes make the same runs."""
        blob = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: a design point, a replicate, its seed and its parameter overrides."""

    run_id: str
    point_id: int
    replicate: int
    seed: int
    overrides: Mapping[str, Any]


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; raise ``SweepFileError`` (an InputError) on any problem."""
    data, text = read_sweep_file(path)
    return SweepSpec.from_mapping(data, where=str(path), name=Path(path).stem,
                                  source=str(Path(path).resolve()), source_text=text)


def replicate_seeds(base_seed: int, replicates: int) -> list[int]:
    """The seed of each replicate, derived from ``base_seed`` (see the module docstring)."""
    children = np.random.SeedSequence(base_seed).spawn(replicates)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def _sampled_points(spec: SweepSpec) -> list[dict[str, Any]]:
    from scipy.stats import qmc

    rng = np.random.default_rng(spec.sampling_seed)
    dims = len(spec.bounds)
    if spec.design == "lhs":
        unit = qmc.LatinHypercube(d=dims, rng=rng).random(spec.samples)
    else:
        unit = qmc.Sobol(d=dims, scramble=True, rng=rng).random_base2(int(math.log2(spec.samples)))
    points = []
    for row in unit:
        point = {}
        for u, (path, (lo, hi)) in zip(row.tolist(), spec.bounds.items()):
            if spec_by_path()[path].type is int:
                point[path] = min(int(lo + math.floor(u * (hi - lo + 1))), int(hi))
            else:
                point[path] = lo + u * (hi - lo)
        points.append(point)
    return points


def count_points(spec: SweepSpec) -> int:
    """How many design points the sweep has, computed without making them."""
    if spec.design == "grid":
        return math.prod(len(values) for values in spec.axes.values())
    if spec.design == "explicit":
        return len(spec.points)
    return int(spec.samples or 0)


def count_runs(spec: SweepSpec) -> int:
    """How many runs the sweep makes (design points x replicates), computed without making them."""
    return count_points(spec) * spec.replicates


def iter_design_points(spec: SweepSpec) -> Iterator[dict[str, Any]]:
    """The design points (varied parameters only), in order, one at a time (a grid is never held whole)."""
    if spec.design == "grid":
        paths = list(spec.axes)
        return (dict(zip(paths, combo)) for combo in itertools.product(*(spec.axes[p] for p in paths)))
    if spec.design == "explicit":
        return (dict(p) for p in spec.points)
    return iter(_sampled_points(spec))


def design_points(spec: SweepSpec) -> list[dict[str, Any]]:
    """The design points (varied parameters only), in order; point ``i`` has point_id ``i``."""
    return list(iter_design_points(spec))


def iter_runs(spec: SweepSpec) -> Iterator[RunSpec]:
    """Every run of the sweep, point by point, replicates within a point, made one at a time."""
    fixed = dict(spec.constants)
    if spec.days is not None:
        fixed["run.days"] = spec.days
    seeds = replicate_seeds(spec.base_seed, spec.replicates)
    for point_id, point in enumerate(iter_design_points(spec)):
        overrides = {**fixed, **point}
        for replicate, seed in enumerate(seeds):
            yield RunSpec(run_id=f"p{point_id:04d}-r{replicate:03d}", point_id=point_id,
                          replicate=replicate, seed=seed, overrides=overrides)


def expand(spec: SweepSpec) -> list[RunSpec]:
    """Every run of the sweep, point by point, replicates within a point."""
    return list(iter_runs(spec))


def largest_values(spec: SweepSpec, paths: Iterable[str]) -> dict[str, Any]:
    """For each numeric parameter path, the largest value any design point gives it (constants, axes,
    bounds, explicit points, ``days``), without making the design; paths the sweep never sets are left out."""
    out: dict[str, Any] = {}

    def offer(path: str, value: Any) -> None:
        if path in wanted and isinstance(value, (int, float)) and not isinstance(value, bool):
            out[path] = max(out.get(path, value), value)

    wanted = set(paths)
    for path, value in spec.constants.items():
        offer(path, value)
    for path, values in spec.axes.items():
        for value in values:
            offer(path, value)
    for path, (_, hi) in spec.bounds.items():
        offer(path, hi)
    for point in spec.points:
        for path, value in point.items():
            offer(path, value)
    if spec.days is not None:
        offer("run.days", spec.days)
    return out
