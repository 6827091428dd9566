"""From a results store to the report: statistics, figures, reading and page, in one pass.

``analyse_study`` turns a store's tables into everything the report shows (the
study's factors, comparison tables, per-point summary, figures, the plain-language
reading); ``render_report`` lays it out as one self-contained HTML page;
``write_report`` does both for a store on disk. ``docsec compare`` prints the same
comparison table it writes into the report.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .. import figures, stats
from ..figures._style import number
from .labels import metric_is_non_negative, metric_label, metric_unit, parameter_label, parameter_title
from .page import Section, Table, render_page
from .reading import change_phrase, read_contrasts, verdict, words
from .study import Study, describe_study
from .tables import comparison_rows, indices_rows, point_rows, provenance_rows

#: The outcome the study is about, and the ones read beside it.
HEADLINE = "external_leaks_per_1000_docs"
SIDE_METRICS: tuple[str, ...] = ("concealed_losses_per_1000_docs", "custody_hours_per_office_day")
#: Metrics of the comparison table and per-point summary.
TABLE_METRICS: tuple[str, ...] = (
    "external_leaks_per_1000_docs", "exposures_per_1000_docs", "losses_per_1000_docs",
    "concealed_losses_per_1000_docs", "violations_detected_per_1000_docs", "detection_share",
    "custody_hours_per_office_day",
)
#: Metrics of the secondary comparison (e.g. each penalty level against the base one).
SECONDARY_METRICS: tuple[str, ...] = ("external_leaks_per_1000_docs", "losses_per_1000_docs",
                                      "concealed_losses_per_1000_docs", "detection_share")
#: Metrics drawn as bars by factor level.
BAR_METRICS: tuple[str, ...] = ("external_leaks_per_1000_docs", "losses_per_1000_docs",
                                "concealed_losses_per_1000_docs")
#: Detection (x) against concealment (y).
TRADEOFF: tuple[str, str] = ("detection_share", "concealed_losses_per_1000_docs")
#: The daily counter drawn over the run, and the trailing window that smooths it.
DAILY_METRIC = "external_leaks"
DAILY_WINDOW = 14
#: Above this many design points a per-point table and per-point daily lines are not drawn.
MAX_POINTS_SHOWN = 40


@dataclass
class StudyAnalysis:
    """Everything the report shows, computed from a store's tables."""

    study: Study
    provenance: Mapping[str, Any]
    metrics: tuple[str, ...]
    confidence: float
    method: str
    primary_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    secondary_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    point_summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparison_summary: pd.DataFrame = field(default_factory=pd.DataFrame)  # the two compared factors only
    reading: list[str] = field(default_factory=list)
    figures: dict[str, tuple[go.Figure, str]] = field(default_factory=dict)  # name -> (figure, caption)
    indices: pd.DataFrame | None = None
    failed: int = 0
    comparison: bool = False  # whether the study's factors are compared (contrasts, grouped figures)

    @property
    def headline(self) -> str:
        return HEADLINE if HEADLINE in self.metrics else self.metrics[0]


def _metrics_present(runs: pd.DataFrame, provenance: Mapping[str, Any]) -> tuple[str, ...]:
    names = provenance.get("summary_names") or []
    present = [m for m in TABLE_METRICS if m in runs.columns and runs[m].notna().any()]
    return tuple(present) or tuple(m for m in names if m in runs.columns)[:6]


def _markers(provenance: Mapping[str, Any]) -> dict[float, str]:
    """Interventions of the base scenario's timeline, as day -> note."""
    out: dict[float, str] = {}
    for iv in provenance.get("base_timeline") or ():
        note = iv.get("note") or ", ".join(f"{parameter_label(k).lower()} = {v}" for k, v in iv.get("set", {}).items())
        day = float(iv["day"])
        out[day] = f"{out[day]}; {note}" if day in out else note
    return out


def analyse_study(runs: pd.DataFrame, provenance: Mapping[str, Any], *, daily: pd.DataFrame | None = None,
                  sensitivity_design: Any = None, confidence: float = stats.CONFIDENCE,
                  method: str = "t") -> StudyAnalysis:
    """Statistics, figures and reading of one study's finished runs."""
    confidence = stats.check_confidence(confidence)
    method = stats.interval_method(method).value
    failed = int((runs["status"] == "failed").sum()) if "status" in runs.columns else 0
    done = runs[runs["status"] == "done"] if "status" in runs.columns else runs
    study = describe_study(done, provenance.get("base_parameters"))
    metrics = _metrics_present(study.runs, provenance)
    out = StudyAnalysis(study=study, provenance=provenance, metrics=metrics, confidence=confidence,
                        method=method, failed=failed)
    if study.runs.empty:
        return out
    kw = {"confidence": confidence, "method": method}
    titles = [f.title for f in study.factors]
    # contrasts need a designed comparison, not a sample drawn for sensitivity or space-filling
    sampled = (provenance.get("design") or {}).get("design") in ("lhs", "sobol") or sensitivity_design is not None
    comparison = study.is_comparison and not sampled
    out.comparison = comparison
    by = titles if comparison else ["point_id", *titles]
    out.point_summary = stats.summarise(study.runs, metrics, by=by, **kw)
    primary, secondary = study.primary, study.secondary
    if comparison:
        within = [secondary.title] if secondary else []
        runs_compared = study.held_at_baseline()
        out.comparison_summary = stats.summarise(runs_compared, metrics, by=titles[:2], **kw)
        out.primary_table = _ordered(stats.comparison_table(
            runs_compared, metrics, factor=primary.title, baseline=primary.baseline, within=within, **kw),
            secondary, metrics)
        if secondary is not None:
            second = [m for m in SECONDARY_METRICS if m in metrics] or list(metrics)
            out.secondary_table = _ordered(stats.comparison_table(
                runs_compared, second, factor=secondary.title, baseline=secondary.baseline, within=[primary.title],
                **kw), primary, metrics, level_order=secondary.levels)
        side = tuple(m for m in SIDE_METRICS if m in metrics and m != out.headline)
        out.reading = read_contrasts(study, out.primary_table, out.secondary_table, out.headline, side)
        if study.held:
            out.reading.insert(0, held_sentence(study))
        out.figures.update(_comparison_figures(out))
    if daily is not None and not daily.empty:
        fig = _daily_figure(out, daily)
        if fig is not None:
            out.figures["daily"] = _captioned("daily", fig)
    if sensitivity_design is not None:
        from ..sensitivity import analyse as analyse_sensitivity

        out.indices = analyse_sensitivity(sensitivity_design, done)
        for output in out.indices["output"].unique():
            part = out.indices[out.indices["output"] == output]
            out.figures[f"sensitivity:{output}"] = _captioned("sensitivity", figures.sensitivity_bars(
                part, output_label=metric_label(output), unit=metric_unit(output),
                parameter_labels={p: parameter_title(p, with_group=True) for p in part["parameter"].unique()}))
    return out


def held_sentence(study: Study) -> str:
    """Which further factors the comparison holds fixed, and at what."""
    held = "; ".join(f"{f.words} at {f.baseline}" for f in study.held)
    return (f"The contrasts below hold the study's other factors at their baselines ({held}); the table of "
            "every design point covers all their levels.")


def _captioned(kind: str, fig: go.Figure) -> tuple[go.Figure, str]:
    return fig, _FIGURE_NOTES[kind]


def _ordered(table: pd.DataFrame, within: Any, metrics: Sequence[str],
             level_order: Sequence[str] = ()) -> pd.DataFrame:
    """Rows in reading order: by the ``within`` factor's levels, then compared level, then metric."""
    keys = {"_metric": table["metric"].map({m: i for i, m in enumerate(metrics)}),
            "_level": table["level"].map({lvl: i for i, lvl in enumerate(level_order)}).fillna(0)}
    if within is not None:
        keys["_within"] = table[within.title].map({lvl: i for i, lvl in enumerate(within.levels)})
    cols = [c for c in ("_within", "_level", "_metric") if c in keys]
    return table.assign(**keys).sort_values(cols, kind="stable").drop(columns=list(keys)).reset_index(drop=True)


def _comparison_figures(a: StudyAnalysis) -> dict[str, go.Figure]:
    study, out = a.study, {}
    primary, secondary = study.primary, study.secondary
    summary = a.comparison_summary
    x, colour_by = (secondary, primary) if secondary else (primary, None)
    for metric in BAR_METRICS:
        if metric in a.metrics:
            out[f"bars:{metric}"] = _captioned("bars", figures.comparison_bars(
                summary, metric=metric, x=x.title, colour_by=colour_by.title if colour_by else None,
                label=metric_label(metric), unit=metric_unit(metric), x_title=x.title,
                colour_title=colour_by.title if colour_by else None, x_order=x.levels,
                colour_order=colour_by.levels if colour_by else None, non_negative=metric_is_non_negative(metric)))
    if secondary is not None:
        out["heatmap"] = _captioned("heatmap", figures.parameter_heatmap(
            summary, metric=a.headline, x=secondary.title, y=primary.title, label=metric_label(a.headline),
            unit=metric_unit(a.headline), x_order=secondary.levels, y_order=primary.levels,
            non_negative=metric_is_non_negative(a.headline)))
    if all(m in a.metrics for m in TRADEOFF):
        xm, ym = TRADEOFF
        out["tradeoff"] = _captioned("tradeoff", figures.tradeoff(
            summary, x_metric=xm, y_metric=ym, colour_by=primary.title if secondary else None,
            point_label=(secondary or primary).title, x_label=metric_label(xm), x_unit=metric_unit(xm),
            y_label=metric_label(ym), y_unit=metric_unit(ym), colour_order=primary.levels,
            point_order=(secondary or primary).levels, point_title=(secondary or primary).title,
            non_negative=metric_is_non_negative(xm) and metric_is_non_negative(ym),
            title=f"Detection against concealment: each point one design point, "
                  f"{'joined by ' + secondary.words if secondary else 'by ' + primary.words}"))
    return out


def _daily_figure(a: StudyAnalysis, daily: pd.DataFrame) -> go.Figure | None:
    study = a.study
    if DAILY_METRIC not in set(daily["metric"]):
        return None
    labels = study.runs[["run_id", *(f.title for f in study.factors)]]
    data = daily[daily["metric"] == DAILY_METRIC].merge(labels, on="run_id", how="inner")
    colour_by, where = None, ""
    if a.comparison:
        primary, secondary = study.primary, study.secondary
        colour_by = primary.title
        for f in [secondary, *study.held] if secondary is not None else []:
            data = data[data[f.title] == f.baseline]
        if secondary is not None:
            where = " at " + ", ".join(f"{f.words} {f.baseline}" for f in [secondary, *study.held])
    elif data["point_id"].nunique() <= 8 and study.factors:
        data = data.assign(**{"Design point": data["point_id"].map(lambda p: f"point {p}")})
        colour_by = "Design point"
    elif data["point_id"].nunique() > 1:
        return None
    bands = stats.daily_bands(data, DAILY_METRIC, by=[colour_by] if colour_by else [], window=DAILY_WINDOW,
                              confidence=a.confidence)
    label = metric_label(DAILY_METRIC)
    return figures.daily_series(
        bands, metric=DAILY_METRIC, colour_by=colour_by, label=label, unit=f"{metric_unit(DAILY_METRIC)} per day",
        markers=_markers(a.provenance), colour_title=colour_by, non_negative=metric_is_non_negative(DAILY_METRIC),
        colour_order=study.primary.levels if a.comparison else None,
        smoothing=f"{DAILY_WINDOW}-day mean",
        title=f"{label} per day{where} ({DAILY_WINDOW}-day mean): mean over replicates with "
              f"{a.confidence:.0%} band")


# -- the page ------------------------------------------------------------------------------------

_FIGURE_NOTES = {
    "bars": "Bars are means over replicates; whiskers their confidence intervals. Hover a bar for the numbers.",
    "heatmap": "Each cell is the mean over the replicates of one design point; hover for its interval.",
    "tradeoff": ("Each marker is one design point: its mean detection share (violations detected / committed) "
                 "against its mean concealed losses, with intervals both ways. The marker's shape gives the "
                 "level (see the legend); hover a marker for its numbers."),
    "daily": "Lines are means over replicates of each run's trailing mean; the band is their confidence interval.",
    "sensitivity": "Bars are SALib's indices; whiskers their bootstrap confidence intervals.",
}


def _run_summary(a: StudyAnalysis) -> str:
    p, runs = a.provenance, a.study.runs
    points = runs["point_id"].nunique() if not runs.empty else 0
    days = (p.get("design") or {}).get("days") or (p.get("base_parameters") or {}).get("run.days")
    text = (f"{points} design point{'s' if points != 1 else ''} × {p.get('replicates', '?')} replicates of the model "
            f"from the base scenario '{p.get('base_scenario', '?')}'" + (f", {days} days each" if days else "")
            + f": {len(runs)} runs finished" + (f", {a.failed} failed (left out)" if a.failed else "") + ". "
            "Replicate i runs with the same seed at every design point (common random numbers), so contrasts "
            "between points are paired.")
    return text


def _factor_table(a: StudyAnalysis) -> Table:
    """The factors compared (with levels and baseline), or for a sampled design the ranges covered."""
    study = a.study
    if a.comparison:
        rows = [[f.title, ", ".join(f.levels), f.baseline, ", ".join(f.paths), f.note] for f in study.factors]
        return Table(header=["Factor", "Levels", "Baseline", "Parameters", "Note"], rows=rows)
    rows = []
    for path in study.varied:
        values = study.runs[path]
        rows.append([parameter_title(path, with_group=True), path,
                     f"{number(values.min())} to {number(values.max())}", values.nunique()])
    return Table(header=["Parameter varied", "Path", "Range run", "Distinct values"], rows=rows,
                 numeric=[False, False, True, True])


def _sensitivity_note(indices: pd.DataFrame) -> str:
    if indices["method"].iloc[0] == "morris":
        return ("Morris screening: μ* is the mean absolute change of the output when a parameter moves across "
                "its range (in the output's unit), σ the spread of that change (large when the effect depends "
                "on other parameters or is non-linear). ± is the half-width of μ*'s 95% bootstrap interval.")
    return ("Sobol indices: S1 is the share of the output's variance due to a parameter alone, ST the share "
            "involving it at all (interactions included). ± is the half-width of each index's 95% bootstrap "
            "interval; indices from one replicate per point include the model's own noise.")


def _methods(a: StudyAnalysis) -> list[str]:
    conf = f"{a.confidence:.0%}"
    how = ("Student-t intervals (mean ± t × standard error over replicates)" if a.method == "t" else
           "bias-corrected and accelerated (BCa) bootstrap intervals")
    return [
        f"Every interval is a {conf} confidence interval: {how}.",
        "Paired differences are computed replicate by replicate (the same seed under both arms), then averaged; "
        "a difference is called clear when its interval excludes zero.",
        "Every metric is a count, a rate, a share or a time, so it cannot be negative: where the interval of a "
        "mean reaches below zero (a t interval over a few replicates of a rare event can), tables, bars, bands "
        "and whiskers are cut at zero, and each says so. Sensitivity indices are cut at zero the same way. "
        "Paired differences are not cut: they can be negative.",
        "Rates are per 1,000 documents received, so runs with different numbers of documents compare.",
    ]


def headline_section(a: StudyAnalysis) -> Section | None:
    """The key contrast first: the primary factor's effect on the headline metric (and the side metrics) at
    the other factors' baselines, each marked clear or not, with the headline figure."""
    study, table = a.study, a.primary_table
    if not a.comparison or table.empty or study.primary is None:
        return None
    primary, secondary = study.primary, study.secondary
    rows = table
    where = ""
    if secondary is not None:
        rows = rows[rows[secondary.title] == secondary.baseline]
        where = f" at {secondary.words} {secondary.baseline}"
    bullets = []
    for level in (lvl for lvl in primary.levels if lvl != primary.baseline):
        mine = rows[rows["level"] == level]
        for metric in (a.headline, *(m for m in SIDE_METRICS if m != a.headline)):
            row = mine[mine["metric"] == metric]
            if row.empty:
                continue
            r = row.iloc[0]
            mark = "Clear" if verdict(r).startswith("clear") else "Not clear"
            bullets.append(f"{mark}: {words(metric)} went {change_phrase(r, metric)} with {level.lower()} "
                           f"instead of {primary.baseline.lower()}{where} ({verdict(r)}).")
    if not bullets:
        return None
    lead = (f"The key contrast: {primary.words} — each level against {primary.baseline.lower()}{where}. "
            "A difference is clear when its interval excludes zero.")
    headline_fig = a.figures.get(f"bars:{a.headline}")
    return Section("Headline", paragraphs=[lead], bullets=bullets,
                   figures=[headline_fig] if headline_fig else [], css_class="headline")


def render_report(a: StudyAnalysis, *, source: str = "") -> str:
    """The report of an analysed study as one HTML document (plotly.js embedded, no network requests)."""
    p, study = a.provenance, a.study
    sections: list[Section] = []
    headline = headline_section(a)
    if headline is not None:
        sections.append(headline)
    what = [_run_summary(a)]
    if p.get("sweep_description"):
        what.insert(0, str(p["sweep_description"]).strip())
    sections.append(Section("What was run", paragraphs=what,
                            tables=[_factor_table(a)] if study.factors else []))
    if a.reading:
        sections.append(Section("The main contrasts in plain words", bullets=a.reading))
    if not a.primary_table.empty:
        primary, secondary = study.primary, study.secondary
        within = [secondary.title] if secondary else []
        comp = [comparison_rows(a.primary_table, within, caption=(
            f"{primary.title}: each level against {primary.baseline.lower()}"
            + (f", at each {secondary.words}" if secondary else "")))]
        if secondary is not None and not a.secondary_table.empty:
            comp.append(comparison_rows(a.secondary_table, [primary.title], caption=(
                f"{secondary.title}: each level against {secondary.baseline}, within each "
                f"{primary.words}")))
        sections.append(Section("Comparison tables", tables=comp))
    if a.indices is not None and not a.indices.empty:
        sections.append(Section("Sensitivity indices", paragraphs=[_sensitivity_note(a.indices)],
                                tables=[indices_rows(a.indices)]))
    shown_first = {id(f) for f, _ in headline.figures} if headline is not None else set()
    rest = [fc for fc in a.figures.values() if id(fc[0]) not in shown_first]
    if rest:
        sections.append(Section("Figures", figures=rest))
    if not a.point_summary.empty and len(a.point_summary) <= MAX_POINTS_SHOWN * len(a.metrics):
        by = [c for c in a.point_summary.columns[: list(a.point_summary.columns).index("metric")]]
        sections.append(Section("Every design point", tables=point_rows(a.point_summary, by, a.metrics)))
    from .robustness import robustness_section  # the store beside the study's, if `docsec compare --robustness` ran
    robust = robustness_section(source)
    if robust is not None:
        sections.append(robust)
    sections.append(Section("Provenance", paragraphs=["What produced these results, and from which files."],
                            tables=[provenance_rows(p)]))
    sections.append(Section("Methods", paragraphs=_methods(a)))
    title = f"docsec report: {p.get('sweep_name', 'study')}"
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"Written {stamp}" + (f" from {source}" if source else "") + "."
    return render_page(title, subtitle, sections)


def load_study(store: str | Path) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame | None, Any]:
    """A store's runs, provenance, the daily counter the report draws (if kept) and its sensitivity design."""
    from ..results import load_daily, load_provenance, load_runs
    from ..sensitivity import design_beside

    prov = load_provenance(store)
    runs = load_runs(store)
    daily = load_daily(store, metrics=[DAILY_METRIC]) if prov.get("keep_daily") else None
    return runs, prov, daily, design_beside(store, prov)


def write_report(store: str | Path, out: str | Path, *, confidence: float = stats.CONFIDENCE,
                 method: str = "t") -> tuple[Path, StudyAnalysis]:
    """Analyse the study in ``store`` and write its report to ``out``; return the path and the analysis."""
    runs, prov, daily, design = load_study(store)
    analysis = analyse_study(runs, prov, daily=daily, sensitivity_design=design, confidence=confidence,
                             method=method)
    return write_html(analysis, out, source=str(store)), analysis


def write_html(analysis: StudyAnalysis, out: str | Path, *, source: str = "") -> Path:
    """Write the report of an analysed study, atomically (a temporary file renamed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".writing")
    tmp.write_text(render_report(analysis, source=source), encoding="utf-8")
    tmp.replace(out)
    return out


__all__ = ("StudyAnalysis", "analyse_study", "load_study", "render_report", "write_html",
                          "write_report")
