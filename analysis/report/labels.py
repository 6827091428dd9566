"""Words for columns: each metric's and parameter's label and unit, from the model's own tables.

The figures take labels and units as arguments (they never import the model); the
report and the command line fetch them here, from ``sim.metrics`` and the
parameter declarations, so a unit is written in one place only.
"""

from __future__ import annotations

from ...sim.metrics import MEANINGS, UNITS
from ...sim.parameters import spec_by_path

_RATE_SUFFIX = "_per_1000_docs"


def _sentence(text: str) -> str:
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def metric_label(name: str) -> str:
    """A short label: ``external_leaks_per_1000_docs`` -> ``External leaks``."""
    base = name[: -len(_RATE_SUFFIX)] if name.endswith(_RATE_SUFFIX) else name
    return _sentence(base)


def metric_unit(name: str) -> str:
    """The metric's unit as declared in ``sim.metrics`` ("" if unknown)."""
    return UNITS.get(name, "")


def metric_meaning(name: str) -> str:
    """One sentence on what the metric counts ("" if unknown)."""
    return MEANINGS.get(name, "")


def metric_is_non_negative(name: str) -> bool:
    """Whether the metric cannot be negative: every metric of ``sim.metrics`` is a count, a rate per
    1,000 documents, a share, hours or days. Intervals of such a metric are cut at zero for display."""
    return name in UNITS


def parameter_label(path: str) -> str:
    """``penalty.dismissal_severity`` -> ``Dismissal severity``."""
    return _sentence(path.split(".", 1)[-1])


def parameter_unit(path: str) -> str:
    """The parameter's declared unit ("" for rules and choices, or if unknown)."""
    spec = spec_by_path().get(path)
    if spec is None or spec.unit in ("rule", "choice"):
        return ""
    return spec.unit


def parameter_title(path: str, *, with_group: bool = False) -> str:
    """``Dismissal severity (utility)``: label with unit, for axes and table headers.

    ``with_group`` prefixes the group (``Penalty: dismissal severity (utility)``),
    for lists of parameters from several groups, where a bare name such as
    "strength" would be ambiguous.
    """
    unit = parameter_unit(path)
    label = parameter_label(path)
    if with_group and "." in path:
        label = f"{_sentence(path.split('.', 1)[0])}: {label[:1].lower() + label[1:]}"
    return f"{label} ({unit})" if unit else label
