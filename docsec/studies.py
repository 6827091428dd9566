"""Studies from Python: ``sweep()`` into a results store, ``compare()`` (the analysis the report shows),
``sensitivity()`` (Morris or Sobol indices), and the store's tables (``load_runs``, ``load_daily``,
``load_provenance``).

Each is the command of the same name without its printing: ``docsec sweep``, ``docsec compare`` /
``docsec report`` and ``docsec sensitivity`` run through the same functions (``run_sweep``,
``analyse_study``, ``run_sensitivity``), so a store made here and one made on the command line are
the same, and the tables and figures are the report's own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .analysis import results, stats
from .analysis.sensitivity import SensitivitySpec
from .analysis.sweep.design import SweepSpec
from .analysis.sweep.execute import SweepReport, run_sweep
from .arguments import DEFAULT_STUDY, path_of, sensitivity_spec, sweep_spec
from .sim.errors import InputError

if TYPE_CHECKING:  # plotly and the report are imported when a comparison is made, not before
    import plotly.graph_objects as go

    from .analysis.report.build import StudyAnalysis
    from .analysis.report.study import Factor

#: Where a sweep's store goes without ``store=`` (as ``docsec sweep``): results/<sweep name>.sqlite
DEFAULT_STORE_DIR = Path("results")
#: Where ``compare()`` puts the shipped study's store without ``store=`` (as ``docsec compare``).
DEFAULT_COMPARE_STORE = Path("docsec-compare") / "store.sqlite"


# -- sweeps ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sweep:
    """A sweep run into a results store.

    Attributes:
        spec: the sweep that was run (a ``SweepSpec``).
        store: the results store's path.
        report: what this call did (a ``SweepReport``: ``planned``, ``done``, ``failed``, ``pending``,
            ``seconds``, ``engine``).
    The tables are read from the store on each access: ``runs``, ``daily`` and ``provenance``.
    """

    spec: SweepSpec
    store: Path
    report: SweepReport

    @property
    def runs(self) -> pd.DataFrame:
        """One row per finished run: ids, seed, status, the parameters the sweep set, every summary metric."""
        return results.load_runs(self.store)

    @property
    def daily(self) -> pd.DataFrame:
        """Daily series in long form (run_id, point_id, replicate, seed, day, metric, value); empty unless
        the sweep kept them (``[outputs] daily = true``)."""
        return results.load_daily(self.store)

    @property
    def provenance(self) -> dict[str, Any]:
        """The store's provenance: sweep file and hash, design, base scenario, code versions, sessions."""
        return results.load_provenance(self.store)

    def compare(self, *, confidence: float = stats.CONFIDENCE, interval: str = "t") -> Comparison:
        """The analysis of this sweep's store, as ``compare(sweep)`` gives it."""
        return compare(self, confidence=confidence, interval=interval)


def sweep(file_or_spec: str | Path | SweepSpec | Mapping[str, Any], store: str | Path | None = None, *,
          engine: str = "process", workers: int | None = None, resume: bool = False,
          dask_address: str | None = None, replicates: int | None = None, days: int | None = None,
          progress: bool = True) -> Sweep:
    """Run every run of a sweep into a results store and return a ``Sweep`` (its store, its tables).

    ``file_or_spec`` is a sweep file's path, a shipped sweep's name (``"regimes"``, ``"compare"``), a
    ``SweepSpec`` or a mapping of a sweep file's tables, e.g.
    ``{"sweep": {"base": "strict", "replicates": 5}, "parameters": {"inspection.thoroughness": [0.3, 0.9]}}``
    (docs/sweeps.md gives the format). ``store`` defaults to ``results/<sweep name>.sqlite``; an existing
    store is never overwritten: ``resume=True`` continues it (only its missing runs are run), and is
    refused if it holds another sweep. ``engine`` is "process" (``workers`` local processes, default one
    per core), "serial" or "dask" (``dask_address`` a scheduler's address, or None for a local cluster).
    ``replicates`` and ``days`` replace the sweep's own. Every run's summary is stored as it finishes;
    on KeyboardInterrupt the finished runs stay in the store.

    Bad input raises ``InputError`` (one line) before anything runs or is written.
    """
    spec = sweep_spec(file_or_spec, replicates=replicates, days=days)
    path = path_of(store, "store") if store is not None else DEFAULT_STORE_DIR / f"{spec.name}.sqlite"
    report = run_sweep(spec, path, engine=engine, workers=workers, dask_address=dask_address, resume=resume,
                       progress=progress, log=_warn)
    return Sweep(spec=spec, store=path, report=report)


def _warn(note: str) -> None:
    import warnings

    warnings.warn(note, stacklevel=3)


# -- reading stores ----------------------------------------------------------------------------------
def _store(store: str | Path | Sweep | sqlite3.Connection) -> str | Path | sqlite3.Connection:
    if isinstance(store, Sweep):
        return store.store
    if isinstance(store, sqlite3.Connection):
        return store
    return path_of(store, "store")


def load_runs(store: str | Path | Sweep, *, include_pending: bool = False) -> pd.DataFrame:
    """A results store's runs: one row per finished run (done or failed; ``include_pending`` adds the
    rest), in design order, with ``run_id, point_id, replicate, seed, status, error, duration_s``, one
    column per parameter the sweep set (``group.name``) and every summary metric (floats, NaN where
    undefined). ``store`` is a store's path or a ``Sweep``."""
    return results.load_runs(_store(store), include_pending=include_pending)


def load_daily(store: str | Path | Sweep, *, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """A results store's daily series in long form: one row per run, day and metric (``run_id, point_id,
    replicate, seed, day, metric, value``), only ``metrics`` if given; empty if the sweep kept none."""
    return results.load_daily(_store(store), metrics=metrics)


def load_provenance(store: str | Path | Sweep) -> dict[str, Any]:
    """A results store's provenance as a dict: the sweep file and its SHA-256, the design, the base
    scenario, the code that made the store (docsec version, git revision, Mesa, Python) and every
    session that ran it (``sessions``)."""
    return results.load_provenance(_store(store))


# -- comparisons -------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False, eq=False)
class Comparison:
    """The analysis of one study's store: everything ``docsec report`` shows, as DataFrames and plotly figures.

    ``analysis`` is the report's own ``StudyAnalysis``; the properties name its parts.
    """

    store: Path
    analysis: StudyAnalysis

    @property
    def table(self) -> pd.DataFrame:
        """The comparison table: per metric (and level of the second factor), each arm's mean with its
        interval, the paired difference (level − baseline, same seeds) with its interval, the relative
        change and the number of pairs. Empty when the study has no factor to compare."""
        return self.analysis.primary_table

    @property
    def secondary_table(self) -> pd.DataFrame:
        """The second factor's levels against its baseline, within each level of the first (or empty)."""
        return self.analysis.secondary_table

    @property
    def means(self) -> pd.DataFrame:
        """Every design point's (or factor level's) mean of each metric: ``n, mean, sd, ci_low, ci_high``."""
        return self.analysis.point_summary

    @property
    def reading(self) -> list[str]:
        """The plain-language reading of the main contrasts, one paragraph per string."""
        return list(self.analysis.reading)

    @property
    def figures(self) -> dict[str, go.Figure]:
        """The report's figures by name (``"bars:<metric>"``, ``"heatmap"``, ``"tradeoff"``, ``"daily"``,
        ``"sensitivity:<output>"``, as the study allows), each a plotly ``Figure``."""
        return {name: fig for name, (fig, _) in self.analysis.figures.items()}

    @property
    def captions(self) -> dict[str, str]:
        """How to read each figure, by the same names as ``figures``."""
        return {name: caption for name, (_, caption) in self.analysis.figures.items()}

    @property
    def indices(self) -> pd.DataFrame | None:
        """Sensitivity indices (``method, output, parameter, index, value, conf``) for a sensitivity store, else None."""
        return self.analysis.indices

    @property
    def factors(self) -> tuple[Factor, ...]:
        """What the study varied, as named factors with labelled levels (primary first)."""
        return self.analysis.study.factors

    @property
    def runs(self) -> pd.DataFrame:
        """The finished runs, with a label column per factor (e.g. "Custody regime", "Penalty level")."""
        return self.analysis.study.runs

    @property
    def provenance(self) -> Mapping[str, Any]:
        """The store's provenance (as ``load_provenance``)."""
        return self.analysis.provenance

    @property
    def failed(self) -> int:
        """Runs that failed and are left out of every statistic."""
        return self.analysis.failed

    def write_report(self, path: str | Path) -> Path:
        """Write the study's self-contained HTML report (as ``docsec report``) to ``path``; return the path."""
        from .analysis.report import write_html

        return write_html(self.analysis, path_of(path, "path"), source=str(self.store))

    def __repr__(self) -> str:
        factors = "; ".join(f"{f.title}: {', '.join(f.levels)}" for f in self.factors) or "no factors"
        return (f"<docsec Comparison of {self.store}: {len(self.runs)} runs; {factors}; "
                f"figures: {', '.join(self.figures) or 'none'}>")


#: The suffix of results stores: such a path given to ``compare`` is a store, never a sweep file.
STORE_SUFFIX = ".sqlite"
#: Options of ``compare`` that only apply when it runs a study.
_RUN_OPTIONS = ("store", "replicates", "days", "engine", "workers", "dask_address", "resume")


def _existing_store(study: Any) -> Path | None:
    if isinstance(study, Sweep):
        return study.store
    if isinstance(study, (str, Path)):
        path = Path(study)
        if path.suffix == STORE_SUFFIX or (path.suffix != ".toml" and path.is_file()):
            return path  # a missing .sqlite file is reported as a missing store, not as a missing sweep file
    return None


def compare(study: str | Path | Sweep | SweepSpec | Mapping[str, Any] | None = None, *,
            store: str | Path | None = None, replicates: int | None = None, days: int | None = None,
            engine: str | None = None, workers: int | None = None, dask_address: str | None = None,
            resume: bool = False, progress: bool = True, confidence: float = stats.CONFIDENCE,
            interval: str = "t") -> Comparison:
    """The analysis the report shows, as a ``Comparison``: comparison tables (DataFrames), per-point
    means, the plain-language reading, and the figures (plotly objects).

    ``study`` is what to analyse: a ``Sweep`` or the path of an existing results store (analysed as it
    is), or a study to run first, as ``sweep`` takes it (a sweep file, a shipped sweep's name, a
    ``SweepSpec`` or a mapping); None runs the shipped study of ``docsec compare`` (lax delegation
    against strict custody at five penalty levels, paired replicates). A study is run into ``store``
    (default ``docsec-compare/store.sqlite`` for the shipped study, ``results/<name>.sqlite`` for
    others) with ``replicates``, ``days``, ``engine`` (default "process"), ``workers``,
    ``dask_address`` and ``resume`` as for ``sweep``; these options are refused with an existing store.
    ``confidence`` (default 0.95) and ``interval`` ("t" or "bootstrap") set every interval.

    Bad input raises ``InputError`` (one line) before anything runs.
    """
    confidence = stats.check_confidence(confidence)
    interval = stats.interval_method(interval).value
    path = _existing_store(study)
    if path is not None:
        given = {"store": store, "replicates": replicates, "days": days, "engine": engine, "workers": workers,
                 "dask_address": dask_address, "resume": resume or None}
        extra = [name for name in _RUN_OPTIONS if given[name] is not None]
        if extra:
            raise InputError(f"{extra[0]}: applies only when compare runs a study; {path} is a results store "
                             "that has already run (use sweep(..., resume=True) to continue it)")
    else:
        chosen = DEFAULT_STUDY if study is None else study
        if store is None and study is None:
            store = DEFAULT_COMPARE_STORE
        path = sweep(chosen, store, engine=engine or "process", workers=workers, resume=resume,
                     dask_address=dask_address, replicates=replicates, days=days, progress=progress).store
    return _analyse(path, confidence, interval)


def _analyse(path: Path, confidence: float, interval: str) -> Comparison:
    from .analysis.report import analyse_study, load_study

    runs, prov, daily, design = load_study(path)
    analysis = analyse_study(runs, prov, daily=daily, sensitivity_design=design, confidence=confidence,
                             method=interval)
    return Comparison(store=path, analysis=analysis)


# -- sensitivity ---------------------------------------------------------------------------------------
def sensitivity(file_or_spec: str | Path | SensitivitySpec | Mapping[str, Any], out: str | Path | None = None, *,
                engine: str = "process", workers: int | None = None, resume: bool = False,
                dask_address: str | None = None, progress: bool = True) -> Comparison:
    """Morris screening or Sobol indices, run as a sweep; returns a ``Comparison`` whose ``indices`` is
    the table of indices (``method, output, parameter, index, value, conf``) and whose ``figures`` hold
    one bar chart per output (``"sensitivity:<output>"``).

    ``file_or_spec`` is a sensitivity file's path, a shipped one's name (``"screening"``), a
    ``SensitivitySpec`` or a mapping of its tables (docs/analysis.md gives the format). ``out`` is the
    folder for ``store.sqlite``, ``sensitivity.json`` (the design) and ``indices.csv``; default
    ``results/sensitivity-<name>``. ``engine``, ``workers``, ``resume`` and ``dask_address`` are as for
    ``sweep``. Bad input raises ``InputError`` (one line) before anything runs.
    """
    from .analysis.sensitivity import run_sensitivity

    spec = sensitivity_spec(file_or_spec)
    folder = path_of(out, "out") if out is not None else DEFAULT_STORE_DIR / f"sensitivity-{spec.name}"
    result = run_sensitivity(spec, folder, engine=engine, workers=workers, dask_address=dask_address,
                             resume=resume, progress=progress, log=_warn)
    return _analyse(result.store, stats.CONFIDENCE, "t")
