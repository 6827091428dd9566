"""The outcomes the dashboard puts in front of a class: chart panels and headline metrics.

Names are the model's counter names (``sim.metrics``), so the same words appear in
charts, tables and the CSV files of the rest of docsec; units come from
``sim.metrics.UNITS``. Short labels are the dashboard's own wording.
"""

from __future__ import annotations

import enum

from ...sim.metrics import COUNTER_NAMES, UNITS

#: Short labels for the counters the dashboard shows.
LABELS: dict[str, str] = {
    "external_leaks": "Leaks outside",
    "investigations_opened": "Investigations opened",
    "exposures": "Readings by uncleared staff",
    "losses": "Documents lost",
    "undatable_losses": "Losses no audit can date",
    "concealed_losses": "Losses concealed",
    "violations_committed": "Violations committed",
    "violations_detected": "Violations detected",
    "losses_found": "Losses found by audits",
    "warnings": "Warnings",
    "dismissals": "Dismissals",
    "harsher_sanctions": "Harsher sanctions",
    "custody_workload_hours": "Officials' custody hours",
}

#: The live charts: (title, counters shown as cumulative lines); the first unit is the axis unit.
PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Leaks", ("external_leaks", "investigations_opened")),
    ("Losses", ("losses", "undatable_losses", "concealed_losses")),
    ("Detections", ("violations_committed", "violations_detected", "losses_found")),
    ("Sanctions", ("warnings", "dismissals", "harsher_sanctions")),
    ("Cost of custody", ("custody_workload_hours",)),  # what the rules cost officials in time
)

#: Per-round and debrief metrics, in the order tables show them.
HEADLINE: tuple[str, ...] = (
    "external_leaks", "exposures", "losses", "violations_committed", "violations_detected",
    "warnings", "dismissals", "custody_workload_hours",
)

#: Metrics the debrief chart compares, one panel each.
DEBRIEF_PANELS: tuple[str, ...] = ("external_leaks", "losses", "violations_detected", "dismissals")

for _name in (*LABELS, *HEADLINE, *DEBRIEF_PANELS):
    if _name not in COUNTER_NAMES:  # pragma: no cover - guards against a renamed counter
        raise ValueError(f"dashboard metric {_name!r} is not one of the model's counters")


def unit(name: str) -> str:
    """A counter's unit, as the model declares it."""
    return UNITS[name]


class Better(enum.StrEnum):
    """Which way of a metric is good news: the one place the dashboard's colours take direction from."""

    LOWER = "lower"      # fewer is better (leaks, losses, violations; custody hours are a cost)
    HIGHER = "higher"    # more is better (detections: violations and losses found)
    NEITHER = "neither"  # a consequence, neither good nor bad in itself (sanctions, investigations)


#: What each metric the dashboard shows means for the organisation.
BETTER: dict[str, Better] = {
    "external_leaks": Better.LOWER,
    "investigations_opened": Better.NEITHER,  # follow leaks that surfaced: more leaks or a keener centre
    "exposures": Better.LOWER,
    "losses": Better.LOWER,
    "undatable_losses": Better.LOWER,
    "concealed_losses": Better.LOWER,
    "violations_committed": Better.LOWER,
    "violations_detected": Better.HIGHER,
    "losses_found": Better.HIGHER,
    "warnings": Better.NEITHER,               # follow detections: more violations, or more of them caught
    "dismissals": Better.NEITHER,
    "harsher_sanctions": Better.NEITHER,
    "custody_workload_hours": Better.LOWER,   # the price of custody in officials' time
}

for _name in LABELS:
    if _name not in BETTER:  # pragma: no cover - guards against a metric shown without a meaning
        raise ValueError(f"dashboard metric {_name!r} has no direction in BETTER")


#: The readouts beside the live charts: the running totals a class notes down.
READOUTS: tuple[str, ...] = HEADLINE


def readouts(daily, previous=None) -> list[dict]:
    """Each readout's running total so far, and the previous run's at the same day (or None).

    ``daily`` and ``previous`` are daily tables (``day`` plus counters); ``previous`` may be None.
    """
    day = int(daily["day"].iloc[-1]) if len(daily) else 0
    earlier = previous[previous["day"] <= day] if previous is not None and len(previous) else None
    rows = []
    for m in READOUTS:
        rows.append({"metric": m, "label": LABELS[m], "unit": UNITS[m], "value": float(daily[m].sum()),
                     "previous": float(earlier[m].sum()) if earlier is not None else None})
    return rows
