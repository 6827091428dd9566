"""The report's tables as rows of text: comparison, per-point summary and provenance, for HTML or a terminal.

Numbers are formatted once here (three significant figures, interval in
parentheses) so the printed table of ``docsec compare`` and the report agree.
Intervals of a mean of a quantity that cannot be negative are cut at zero (a t
interval over a few replicates of a rare count can reach below it), and the table's
notes say so; paired differences are never cut. A comparison marks each difference
*clear* when its interval excludes zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..figures._style import number
from ..stats import interval_excludes_zero
from .labels import metric_is_non_negative, metric_label, metric_unit, parameter_title
from .page import Stacked, Table
from .reading import signed

#: Metrics per table of every design point, so that the table fits the page.
POINT_METRICS_PER_TABLE = 4
#: What tables say when they cut an interval at zero.
CUT_NOTE = ("Intervals of means are cut at zero where they reach below it: these quantities cannot be negative "
            "(paired differences are not cut).")


def floor(low: float, metric: str) -> float:
    """An interval's lower end, raised to zero for a metric that cannot be negative."""
    low = float(low)
    return 0.0 if metric_is_non_negative(metric) and math.isfinite(low) and low < 0 else low


def _cuts(low: float, metric: str) -> bool:
    return floor(low, metric) != float(low) and math.isfinite(float(low))


def interval_only(low: float, high: float) -> str:
    """``(49.4 to 52.0)``; "" when there is no interval."""
    if not (math.isfinite(float(low)) and math.isfinite(float(high))):
        return ""
    return f"({number(low)} to {number(high)})"


def clear_mark(low: float, high: float) -> str:
    """``yes`` when a difference's interval excludes zero, ``no`` when it does not, "" without one."""
    if not (math.isfinite(float(low)) and math.isfinite(float(high))):
        return ""
    return "yes" if interval_excludes_zero(float(low), float(high)) else "no"


def stacked_interval(mean: float, low: float, high: float) -> Stacked:
    """The mean above its interval (one line as text: ``50.7 (49.4 to 52.0)``)."""
    return Stacked(number(mean), interval_only(low, high))


def stacked_signed(mean: float, low: float, high: float) -> Stacked:
    """A signed difference above its signed interval (one line as text: ``−28.4 (−29.7 to −27.2)``)."""
    if not (math.isfinite(float(low)) and math.isfinite(float(high))):
        return Stacked(signed(mean))
    return Stacked(signed(mean), f"({signed(low)} to {signed(high)})")


def metric_heading(metric: str) -> str:
    """``External leaks (per 1,000 documents)``."""
    unit = metric_unit(metric)
    return f"{metric_label(metric)} ({unit})" if unit else metric_label(metric)


def change_text(rel: float) -> str:
    """A relative change as a signed whole percentage (``−56%``, ``+4%``, ``0%``)."""
    if not (pd.notna(rel) and math.isfinite(rel)):
        return "n/a"
    if round(abs(rel) * 100) == 0:
        return "0%"
    return f"{'−' if rel < 0 else '+'}{abs(rel):.0%}"


def comparison_rows(table: pd.DataFrame, within: Sequence[str] = (), caption: str = "") -> Table:
    """The comparison table (from ``stats.comparison_table``) as display rows, grouped by metric.

    Columns: metric (on the first row of its group), the ``within`` factors, the
    baseline and compared level with their means and intervals, the paired
    difference with its interval, the relative change and the number of pairs.
    With one baseline and one compared level (lax vs strict) the two are named in
    the header instead of in every row.
    """
    if table.empty:
        return Table(header=[], rows=[])
    conf = f"{100 * float(table['confidence'].iloc[0]):g}%"
    single_base = table["baseline"].nunique() == 1
    single = single_base and table["level"].nunique() == 1
    base = table["baseline"].iloc[0]
    if single:
        arms_header = [f"{base} ({conf} interval)", f"{table['level'].iloc[0]} ({conf} interval)"]
    elif single_base:
        arms_header = [f"{base} ({conf} interval)", "Compared with", f"Mean ({conf} interval)"]
    else:
        arms_header = ["Baseline", f"Baseline mean ({conf} interval)", "Compared with", f"Mean ({conf} interval)"]
    header = ["Metric", *within, *arms_header, f"Paired difference ({conf} interval)", "Clear?", "Change", "Pairs"]
    order = {m: i for i, m in enumerate(pd.unique(table["metric"]))}
    ordered = table.assign(_m=table["metric"].map(order)).sort_values("_m", kind="stable")
    rows, last, cut = [], None, False
    for _, r in ordered.iterrows():
        m = r["metric"]
        cut = cut or _cuts(r["baseline_low"], m) or _cuts(r["level_low"], m)
        base_cell = stacked_interval(r["baseline_mean"], floor(r["baseline_low"], m), r["baseline_high"])
        level_cell = stacked_interval(r["level_mean"], floor(r["level_low"], m), r["level_high"])
        if single:
            arms = [base_cell, level_cell]
        elif single_base:
            arms = [base_cell, r["level"], level_cell]
        else:
            arms = [r["baseline"], base_cell, r["level"], level_cell]
        metric = metric_heading(r["metric"]) if r["metric"] != last else ""
        last = r["metric"]
        rows.append([metric, *(r[w] for w in within), *arms,
                     stacked_signed(r["difference"], r["difference_low"], r["difference_high"]),
                     clear_mark(r["difference_low"], r["difference_high"]),
                     change_text(r["relative_change"]), int(r["n_pairs"])])
    arms_numeric = {2: [True, True], 3: [True, False, True], 4: [False, True, False, True]}[len(arms_header)]
    numeric = [False] * (1 + len(within)) + arms_numeric + [True, False, True, True]
    notes = [f"Clear?: yes when the paired difference's {conf} interval excludes zero; no when it includes zero "
             "(the replicates cannot tell the two apart)."]
    if cut:
        notes.append(CUT_NOTE)
    return Table(header=header, rows=rows, numeric=numeric, caption=caption, notes=notes,
                 marked=len(header) - 3)


def point_rows(summary: pd.DataFrame, by: Sequence[str], metrics: Sequence[str],
               per_table: int = POINT_METRICS_PER_TABLE) -> list[Table]:
    """Mean and interval of each metric at each design point, one row per point.

    To fit the page the metrics are split over tables of at most ``per_table``
    metrics, each repeating the design point's columns, and each cell holds the mean
    with its interval on a second line (joined on one line as plain text).
    """
    groups = list(summary.groupby(list(by), sort=False)) if by else [((), summary)]
    chunks = [list(metrics[i:i + per_table]) for i in range(0, len(metrics), per_table)] or [[]]
    conf = f"{100 * float(summary['confidence'].iloc[0]):g}%" if "confidence" in summary.columns and len(summary) \
        else "confidence"
    tables = []
    for k, chunk in enumerate(chunks):
        header: list[object] = [*by, "Runs", *(Stacked(metric_label(m), metric_unit(m)) for m in chunk)]
        rows, cut = [], False
        for key, group in groups:
            key = key if isinstance(key, tuple) else (key,)
            cells: dict[str, Stacked] = {}
            for _, r in group.iterrows():
                if r["metric"] in chunk:
                    cut = cut or _cuts(r["ci_low"], r["metric"])
                    cells[r["metric"]] = stacked_interval(r["mean"], floor(r["ci_low"], r["metric"]), r["ci_high"])
            runs = int(group["n"].max()) if len(group) else 0
            rows.append([*key, runs, *(cells.get(m, "") for m in chunk)])
        caption = (f"Metrics {k + 1} of {len(chunks)}: " + ", ".join(metric_label(m).lower() for m in chunk)
                   if len(chunks) > 1 else "")
        notes = [f"Each cell: the mean over the design point's replicates, its {conf} interval below."]
        if cut:
            notes.append(CUT_NOTE)
        tables.append(Table(header=header, rows=rows, numeric=[False] * len(by) + [True] * (1 + len(chunk)),
                            caption=caption, notes=notes))
    return tables


def indices_rows(indices: pd.DataFrame) -> Table:
    """Sensitivity indices, one row per output and parameter, most influential first.

    Morris: μ* with its interval half-width and σ; Sobol: S1 and ST with theirs.
    """
    method = str(indices["method"].iloc[0]) if len(indices) else "sobol"
    shown = ("mu_star", "sigma") if method == "morris" else ("S1", "ST")
    names = {"mu_star": "μ*", "sigma": "σ", "S1": "S1", "ST": "ST"}
    rank = "mu_star" if method == "morris" else "ST"
    rows = []
    for output in pd.unique(indices["output"]):
        part = indices[indices["output"] == output]
        wide = part.pivot_table(index="parameter", columns="index", values=["value", "conf"], aggfunc="first",
                                dropna=False)
        order = part[part["index"] == rank].sort_values("value", ascending=False)["parameter"]
        for param in order:
            cells = []
            for idx in shown:
                value = wide.loc[param, ("value", idx)]
                conf = wide.loc[param, ("conf", idx)] if ("conf", idx) in wide.columns else math.nan
                cells.append(number(value) + (f" ± {number(conf)}" if pd.notna(conf) else ""))
            rows.append([metric_heading(output), parameter_title(param, with_group=True), *cells])
    return Table(header=["Output", "Parameter", *(names[i] for i in shown)], rows=rows,
                 numeric=[False, False, True, True])


#: Provenance keys shown, in order, with their labels.
PROVENANCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("sweep_name", "Study (sweep) name"),
    ("sweep_file", "Sweep file"),
    ("sweep_file_hash", "Sweep file SHA-256"),
    ("design_hash", "Design hash"),
    ("base_scenario", "Base scenario"),
    ("base_scenario_file", "Base scenario file"),
    ("base_scenario_hash", "Base scenario SHA-256"),
    ("replicates", "Replicates per design point"),
    ("base_seed", "Base seed (replicate seeds derive from it)"),
    ("runs_planned", "Runs planned"),
    ("docsec_version", "docsec version"),
    ("git_revision", "Git revision"),
    ("mesa_version", "Mesa version"),
    ("python_version", "Python version"),
    ("created_at", "Store created (UTC)"),
)


def provenance_rows(prov: Mapping[str, Any]) -> Table:
    """What was run and by which code, as a two-column table."""
    rows = [[label, "(none: built in code)" if prov.get(key) is None else prov.get(key)]
            for key, label in PROVENANCE_FIELDS if key in prov]
    status = prov.get("runs_by_status") or {}
    if status:
        rows.append(["Runs by status", ", ".join(f"{k}: {v}" for k, v in sorted(status.items()))])
    for s in prov.get("sessions") or ():
        rows.append([f"Session {s.get('session_id')}",
                     f"{s.get('engine')} engine, {s.get('workers') or 1} worker(s), started {s.get('started_at')}, "
                     f"{s.get('outcome') or 'running'}; {s.get('runs_done', 0)} runs done, "
                     f"{s.get('runs_failed', 0)} failed"])
    return Table(header=["Item", "Value"], rows=rows)


def text_table(table: Table) -> str:
    """A table as aligned plain text for the terminal, its notes under it."""
    cells = [list(map(str, table.header))] + [[str(c) for c in row] for row in table.rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.header))]
    numeric = list(table.numeric) + [False] * len(table.header)
    lines = []
    for j, row in enumerate(cells):
        parts = [c.rjust(w) if numeric[i] and j else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(parts).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    if table.notes:
        lines.append("")
        lines.extend(table.notes)
    return "\n".join(lines)
