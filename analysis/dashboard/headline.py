"""The outcomes the dashboard puts in front of a class: chart panels and headline metrics.

Names are the model's counter names (``sim.metrics``), so the same words appear in
charts, tables and the CSV files of the rest of docsec; units come from
``sim.metrics.UNITS``. Short labels are the dashboard's own wording.
"""

from __future__ import annotations

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
