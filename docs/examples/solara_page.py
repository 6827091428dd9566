"""A Mesa SolaraViz page of docsec: the custody rules and penalties as controls, leaks and workload as plots.

Serve it with ``solara run docs/examples/solara_page.py`` (needs ``pip install 'docsec[mesa-viz]'``)
and open http://localhost:8765. Reset builds a new ``DocSecModel`` from the controls, the way
Mesa 3.5's SolaraViz does it: ``DocSecModel(scenario=..., rng=..., group__name=...)``.

The controls' defaults and ranges come from docsec's parameter declarations, so they cannot
drift from the model's. docsec's own classroom dashboard (``docsec dashboard``) is a fuller
page; this one shows docsec inside Mesa's standard tools.
"""

from __future__ import annotations

import math

import solara
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from docsec.sim.model import DocSecModel
from docsec.sim.parameters import spec_by_path

#: Parameters a user may set on the page, by ``group.name``, with the slider step of numbers.
CONTROLS: dict[str, float | None] = {
    "population.offices": 1,
    "custody.uncleared_may_handle": None,
    "custody.key_sharing_permitted": None,
    "penalty.dismissal_severity": 50.0,
    "inspection.audits_per_inspector_per_month": 0.5,
}
#: Upper ends of sliders where the declared range is far wider than a page needs.
SLIDER_MAX: dict[str, float] = {"population.offices": 50, "penalty.dismissal_severity": 2000.0,
                                "inspection.audits_per_inspector_per_month": 10.0}


def model_params() -> dict[str, object]:
    """SolaraViz's ``model_params``: one control per parameter, by its keyword ``group__name``.

    There is no seed control: Reset draws a new seed (see docs/mesa-and-ema.md).
    """
    specs = spec_by_path()
    out: dict[str, object] = {}
    for path, step in CONTROLS.items():
        spec = specs[path]
        label = f"{spec.path} ({spec.unit})" if spec.unit not in ("rule", "choice") else spec.path
        if spec.type is bool:
            out[spec.keyword] = {"type": "Checkbox", "value": spec.default, "label": label}
        else:
            out[spec.keyword] = {"type": "SliderInt" if spec.type is int else "SliderFloat", "value": spec.default,
                                 "min": spec.min, "max": SLIDER_MAX.get(path, spec.max), "step": step,
                                 "label": label}
    return out


def _shown(value: float, digits: int) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


@solara.component
def Rates(model: DocSecModel):
    """The run summary so far: rates per 1,000 documents and the cost of custody."""
    update_counter.get()  # drawn again after each step, like Mesa's own components
    summary = model.summary()
    solara.Markdown(
        f"**Day {model.day}** · external leaks {_shown(summary['external_leaks_per_1000_docs'], 1)} and "
        f"exposures {_shown(summary['exposures_per_1000_docs'], 0)} per 1,000 documents · custody "
        f"{_shown(summary['custody_hours_per_office_day'], 2)} h per office-day")


#: The page's components: totals so far (the DataCollector's rows are the run summary so far).
COMPONENTS = [
    make_plot_component(["external_leaks", "losses"]),
    make_plot_component(["custody_workload_hours"]),
    Rates,
]

page = SolaraViz(DocSecModel(rng=1), components=COMPONENTS, model_params=model_params(), name="docsec")
