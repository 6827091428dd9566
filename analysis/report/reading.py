"""A short plain-language reading of a study's main contrasts, from its comparison tables.

Every sentence is built from the numbers in the tables (means, paired differences
and their intervals); nothing is asserted that the tables do not show. A
difference is called *clear* when its interval excludes zero, and otherwise *not
distinguishable from no change* with the replicates run.
"""

from __future__ import annotations

import math

import pandas as pd

from ..figures._style import number, percent
from .labels import metric_label, metric_unit
from .study import Factor, Study
from ..stats import interval_excludes_zero

CAVEAT = ("These are results of the model under its stated assumptions, not forecasts. The intervals describe "
          "variation between simulated replicates; they do not cover uncertainty in the assumptions themselves, "
          "which a sensitivity analysis (docsec sensitivity) explores.")


def signed(x: float) -> str:
    """A number with its sign spelt out (``+0.23``, ``−1.5``)."""
    text = number(abs(x))
    return ("−" if x < 0 else "+" if x > 0 else "") + text


def _unit(metric: str) -> str:
    unit = metric_unit(metric)
    return f" {unit}" if unit and unit != "fraction" else ""


def words(metric: str) -> str:
    """The metric's label in running text (``external leaks``)."""
    label = metric_label(metric)
    return label[:1].lower() + label[1:]


def _clear(row: pd.Series) -> bool:
    return interval_excludes_zero(float(row["difference_low"]), float(row["difference_high"]))


def change_phrase(row: pd.Series, metric: str) -> str:
    """``from 50.7 to 22.3 per 1,000 documents, a fall of 28.4 (95% interval 27.2 to 29.7; −56%)``.

    A difference whose interval straddles zero is given signed, with its interval
    signed too, so the reader sees it may go either way.
    """
    diff, lo, hi = float(row["difference"]), float(row["difference_low"]), float(row["difference_high"])
    unit = _unit(metric)
    start = f"from {number(row['baseline_mean'])} to {number(row['level_mean'])}{unit}"
    if diff == 0 and lo == 0 and hi == 0:
        return f"{start}, no change in any replicate"
    rel = row.get("relative_change", math.nan)
    rel_text = f"; {('−' if rel < 0 else '+')}{abs(rel):.0%}" if pd.notna(rel) and math.isfinite(rel) else ""
    conf = percent(row.get("confidence"))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{start}, a change of {signed(diff)}"
    if _clear(row):
        kind, size, a, b = ("a fall of", -diff, -hi, -lo) if diff < 0 else ("a rise of", diff, lo, hi)
        return f"{start}, {kind} {number(size)} ({conf} interval {number(a)} to {number(b)}{rel_text})"
    return f"{start}, a change of {signed(diff)} ({conf} interval {signed(lo)} to {signed(hi)}{rel_text})"


def verdict(row: pd.Series) -> str:
    """Whether the paired replicates tell the two apart."""
    n = int(row["n_pairs"])
    if _clear(row):
        return f"clear over {n} paired replicates"
    return f"not distinguishable from no change over {n} paired replicates"


def _lead(rows: pd.DataFrame, metric: str, level: str, other: Factor, other_base: str) -> str:
    """One sentence on the direction of the contrast across every level of the other factor."""
    col, name = other.title, other.words
    clear = rows[[_clear(r) for _, r in rows.iterrows()]]
    falls, rises = clear[clear["difference"] < 0], clear[clear["difference"] > 0]
    total, what = len(rows), words(metric)
    span = ""
    if len(clear) == total and clear["relative_change"].notna().all() and total > 1:
        ordered = clear.assign(size=clear["relative_change"].abs()).sort_values("size")
        lo, hi = ordered.iloc[0], ordered.iloc[-1]
        if f"{lo['size']:.0%}" == f"{hi['size']:.0%}":
            span = f", by about {lo['size']:.0%} at each"
        else:
            span = f", by {lo['size']:.0%} ({name} {lo[col]}) to {hi['size']:.0%} ({name} {hi[col]})"
    if clear.empty:
        return (f"The replicates cannot tell {level[:1].lower() + level[1:]} from {other_base} in {what} at any "
                f"{name} tested.")
    if len(falls) == total:
        return f"{level} lowered {what} at every {name} tested{span}."
    if len(rises) == total:
        return f"{level} raised {what} at every {name} tested{span}."
    return (f"{level} lowered {what} clearly at {len(falls)} and raised it clearly at {len(rises)} of the "
            f"{total} settings of {name} tested; at the others the replicates cannot tell the two apart.")


def read_contrasts(study: Study, primary_table: pd.DataFrame, secondary_table: pd.DataFrame | None,
                   headline: str, side_metrics: tuple[str, ...] = ()) -> list[str]:
    """Paragraphs (plain text) reading the study's main contrasts, ending with the caveat.

    ``primary_table`` compares the primary factor's levels with its baseline (within
    each level of the secondary factor, if any); ``secondary_table`` compares the
    secondary factor's levels with its baseline within each primary level. The
    reading covers ``headline`` everywhere and ``side_metrics`` at the baselines.
    """
    primary, secondary = study.primary, study.secondary
    out: list[str] = []
    if primary is None or primary_table.empty:
        return [CAVEAT]
    within = secondary.title if secondary else None
    for level in [lvl for lvl in primary.levels if lvl != primary.baseline]:
        mine = primary_table[primary_table["level"] == level]
        head = mine[mine["metric"] == headline]
        if head.empty:
            continue
        parts = []
        if within:
            if len(head) > 1:
                parts.append(_lead(head, headline, level, secondary, primary.baseline.lower()))
            at_base = head[head[within] == secondary.baseline]
            row = at_base.iloc[0] if not at_base.empty else None
            where = f"At {secondary.words} {secondary.baseline}"
        else:
            row, where = head.iloc[0], "Overall"
        if row is not None:
            parts.append(f"{where}, {words(headline)} went {change_phrase(row, headline)} with "
                         f"{level.lower()} instead of {primary.baseline.lower()}: {verdict(row)}.")
        for metric in side_metrics:
            side = mine[mine["metric"] == metric]
            if within:
                side = side[side[within] == secondary.baseline]
            if not side.empty:
                parts.append(f"{words(metric)[:1].upper() + words(metric)[1:]} went "
                             f"{change_phrase(side.iloc[0], metric)}: {verdict(side.iloc[0])}.")
        out.append(" ".join(parts))
    if secondary is not None and secondary_table is not None and not secondary_table.empty:
        others = [lvl for lvl in secondary.levels if lvl != secondary.baseline]
        if others:
            top = others[-1]
            for plevel in primary.levels:
                rows = secondary_table[(secondary_table["level"] == top) & (secondary_table[primary.title] == plevel)]
                bits = [f"{words(m)} went {change_phrase(r.iloc[0], m)}, {verdict(r.iloc[0])}"
                        for m in (headline, *side_metrics) if not (r := rows[rows["metric"] == m]).empty]
                if bits:
                    out.append(f"Under {plevel[:1].lower() + plevel[1:]}, with {secondary.words} {top} instead of "
                               f"{secondary.baseline}: " + "; ".join(bits) + ".")
    out.append(CAVEAT)
    return out
