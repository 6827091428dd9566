"""The report's tables as rows of text: comparison, per-point summary and provenance, for HTML or a terminal.

Numbers are formatted once here (three significant figures, interval in
parentheses) so the printed table of ``docsec compare`` and the report agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..figures._style import number
from .labels import metric_label, metric_unit, parameter_title
from .page import Table
from .reading import signed


def with_interval(mean: float, low: float, high: float) -> str:
    """``50.7 (49.4 to 52.0)``; the mean alone when there is no interval."""
    if not (math.isfinite(float(low)) and math.isfinite(float(high))):
        return number(mean)
    return f"{number(mean)} ({number(low)} to {number(high)})"


def signed_interval(mean: float, low: float, high: float) -> str:
    """``−28.4 (−29.7 to −27.2)``."""
    if not (math.isfinite(float(low)) and math.isfinite(float(high))):
        return signed(mean)
    return f"{signed(mean)} ({signed(low)} to {signed(high)})"


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
    header = ["Metric", *within, *arms_header, f"Paired difference ({conf} interval)", "Change", "Pairs"]
    order = {m: i for i, m in enumerate(pd.unique(table["metric"]))}
    ordered = table.assign(_m=table["metric"].map(order)).sort_values("_m", kind="stable")
    rows, last = [], None
    for _, r in ordered.iterrows():
        base_cell = with_interval(r["baseline_mean"], r["baseline_low"], r["baseline_high"])
        level_cell = with_interval(r["level_mean"], r["level_low"], r["level_high"])
        if single:
            arms = [base_cell, level_cell]
        elif single_base:
            arms = [base_cell, r["level"], level_cell]
        else:
            arms = [r["baseline"], base_cell, r["level"], level_cell]
        metric = metric_heading(r["metric"]) if r["metric"] != last else ""
        last = r["metric"]
        rows.append([metric, *(r[w] for w in within), *arms,
                     signed_interval(r["difference"], r["difference_low"], r["difference_high"]),
                     change_text(r["relative_change"]), int(r["n_pairs"])])
    arms_numeric = {2: [True, True], 3: [True, False, True], 4: [False, True, False, True]}[len(arms_header)]
    numeric = [False] * (1 + len(within)) + arms_numeric + [True, True, True]
    return Table(header=header, rows=rows, numeric=numeric, caption=caption)


def point_rows(summary: pd.DataFrame, by: Sequence[str], metrics: Sequence[str]) -> Table:
    """Mean and interval of each metric at each design point, one row per point."""
    header = [*by, "Runs", *(metric_heading(m) for m in metrics)]
    rows = []
    for key, group in summary.groupby(list(by), sort=False) if by else [((), summary)]:
        key = key if isinstance(key, tuple) else (key,)
        cells = {r["metric"]: with_interval(r["mean"], r["ci_low"], r["ci_high"]) for _, r in group.iterrows()}
        runs = int(group["n"].max()) if len(group) else 0
        rows.append([*key, runs, *(cells.get(m, "") for m in metrics)])
    return Table(header=header, rows=rows, numeric=[False] * len(by) + [True] * (1 + len(metrics)))


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
    """A table as aligned plain text for the terminal."""
    cells = [list(map(str, table.header))] + [[str(c) for c in row] for row in table.rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.header))]
    numeric = list(table.numeric) + [False] * len(table.header)
    lines = []
    for j, row in enumerate(cells):
        parts = [c.rjust(w) if numeric[i] and j else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(parts).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
