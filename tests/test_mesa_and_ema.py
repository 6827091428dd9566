"""docsec in Mesa's and the EMA Workbench's tools, as docs/mesa-and-ema.md shows it.

- ``mesa.batch_run`` as the README calls it: each row carries the run summary of the
  year, the same as ``run_simulation`` gives for the same parameters and seed;
- the SolaraViz page of ``docs/examples/solara_page.py``: built, stepped, and reset
  through Mesa's own controller (its Reset button), no browser needed;
- the EMA Workbench example ``docs/examples/ema_custody.py``, run when ``ema_workbench``
  is installed (``pip install 'docsec[ema]'``), skipped otherwise.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import runpy
import warnings
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from docsec.sim.metrics import SUMMARY_NAMES
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def _same(a, b) -> bool:
    return (math.isnan(a) and math.isnan(b)) if isinstance(a, float) and math.isnan(a) else a == pytest.approx(b)


# -- mesa.batch_run ------------------------------------------------------------------------------------------
def test_batch_run_as_the_readme_shows_carries_each_years_summary():
    rows = pd.DataFrame(mesa.batch_run(DocSecModel, parameters={"custody__uncleared_may_handle": [True, False]},
                                       rng=[1, 2], display_progress=False))
    assert len(rows) == 4
    assert set(zip(rows["custody__uncleared_may_handle"], rows["rng"])) == {(True, 1), (True, 2), (False, 1),
                                                                             (False, 2)}
    assert set(SUMMARY_NAMES) <= set(rows.columns)
    for _, row in rows.iterrows():
        params = Parameters().with_overrides({"custody.uncleared_may_handle": bool(row["custody__uncleared_may_handle"])})
        summary = run_simulation(params, seed=int(row["rng"]), collect_daily=False).summary
        mismatched = [n for n in SUMMARY_NAMES if not _same(row[n], summary[n])]
        assert not mismatched, mismatched
        assert row["Step"] == params.run.days
    # the year's totals, not the last day's counters: a year has many leaks, a day a handful
    assert rows["external_leaks"].min() > 5 * rows["external_leaks_per_1000_docs"].min() / 1000


# -- the SolaraViz page -------------------------------------------------------------------------------------
def _viz_available() -> str | None:
    for module in ("solara", "altair", "matplotlib", "ipyvuetify"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed: install the mesa-viz extra (pip install -e '.[mesa-viz]')"
    return None


needs_viz = pytest.mark.skipif(_viz_available() is not None, reason=str(_viz_available()))


@pytest.fixture
def solara_page():
    """The example page rendered the way a browser session renders it (in-process, widgets only)."""
    import solara

    ns = runpy.run_path(str(EXAMPLES / "solara_page.py"))
    page = ns["page"]
    _, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    return ns, page, rc


@needs_viz
def test_the_solara_page_is_built_from_the_models_parameters(solara_page):
    import ipyvuetify as v
    from mesa.visualization.solara_viz import _check_model_params

    ns, page, rc = solara_page
    model = page.args[0]
    assert isinstance(model, DocSecModel)
    params = ns["model_params"]()
    _check_model_params(model, params)  # SolaraViz's own check: every control is a parameter of the model
    assert params["custody__uncleared_may_handle"] == {"type": "Checkbox", "value": True,
                                                       "label": "custody.uncleared_may_handle"}
    assert params["population__offices"]["value"] == Parameters().population.offices
    boxes = {w.label for w in rc.find(v.Checkbox).widgets}
    assert {"custody.uncleared_may_handle", "custody.key_sharing_permitted"} <= boxes
    sliders = {w.label: w.v_model for w in rc.find(v.Slider).widgets}
    assert sliders["penalty.dismissal_severity (utility)"] == Parameters().penalty.dismissal_severity
    assert [b.children for b in rc.find(v.Btn).widgets] == [["Reset"], ["▶"], ["Step"]]


@needs_viz
def test_the_solara_page_steps_and_resets_as_solaraviz_does(solara_page):
    import ipyvuetify as v
    from mesa.visualization import solara_viz

    ns, page, rc = solara_page
    first = page.args[0]
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert first.day == 1
    made = []
    real_init = DocSecModel.__init__

    @functools.wraps(real_init)  # Mesa reads the model's signature: keep it
    def watching_init(self, *args, **kwargs):
        made.append((self, kwargs))
        real_init(self, *args, **kwargs)

    rc.find(v.Checkbox, label="custody.uncleared_may_handle").widget.v_model = False
    rc.find(v.Slider, label="population.offices (offices)").widget.v_model = 3
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DocSecModel, "__init__", watching_init)
        rc.find(v.Btn, children=["Reset"]).widget.click()  # Mesa's ModelController.do_reset
    assert len(made) == 1
    model, kwargs = made[0]
    assert isinstance(kwargs["scenario"], solara_viz.Scenario)  # Mesa 3.5 passes its scenario on reset
    assert model is not first and model.day == 0
    assert model.params.custody.uncleared_may_handle is False and model.params.population.offices == 3
    assert not rc.find(v.Alert).widgets  # no error shown under the controls
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.day == 1 and first.day == 1  # the page now steps the new model


@needs_viz
def test_a_seed_control_survives_reset():
    import ipyvuetify as v
    import solara
    from mesa.visualization import SolaraViz

    ns = runpy.run_path(str(EXAMPLES / "solara_page.py"))
    params = {"rng": {"type": "InputText", "value": 5, "label": "Seed"}, **ns["model_params"]()}
    page = SolaraViz(DocSecModel(rng=5), components=ns["COMPONENTS"], model_params=params, name="docsec")
    _, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert not rc.find(v.Alert).widgets


def test_a_numpy_integer_seed_runs_like_the_same_python_integer():
    a = run_simulation(Parameters().with_overrides({"population.offices": 2, "run.days": 20}), seed=np.int64(3))
    b = run_simulation(Parameters().with_overrides({"population.offices": 2, "run.days": 20}), seed=3)
    assert pd.Series(a.summary).equals(pd.Series(b.summary)) and a.seed == b.seed == 3


# -- the EMA Workbench example --------------------------------------------------------------------------------
@pytest.mark.skipif(importlib.util.find_spec("ema_workbench") is None,
                    reason="ema_workbench is not installed: install the ema extra (pip install -e '.[ema]')")
def test_the_ema_example_runs_experiments_over_uncertainties_and_levers():
    with warnings.catch_warnings():  # the workbench notes at import that ipyparallel is absent
        warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
        ns = runpy.run_path(str(EXAMPLES / "ema_custody.py"))
    model = ns["docsec_model"](offices=3, days=30)
    assert [u.name for u in model.uncertainties] == ["behaviour__workload_pressure", "behaviour__worker_curiosity",
                                                     "external_channel__strength", "seed"]
    levers = {lever.name: lever for lever in model.levers}
    assert list(levers["custody_regime"].categories) and {c.value for c in levers["custody_regime"].categories} \
        == {"lax delegation", "strict custody"}
    results = ns["main"](scenarios=4, policies=3, offices=3, days=30)
    assert len(results) == 12
    # the workbench's samples are seeded: the same call gives the same experiments and outcomes (the
    # workbench numbers its scenarios and policies anew on each call, so those labels are left out)
    again_all = ns["main"](scenarios=4, policies=3, offices=3, days=30)
    labels = ["scenario", "policy", "model"]
    pd.testing.assert_frame_equal(results.drop(columns=labels), again_all.drop(columns=labels))
    other = ns["main"](scenarios=4, policies=3, offices=3, days=30, sampling_seed=7)
    assert not results["seed"].equals(other["seed"])
    outcomes = list(ns["OUTCOMES"])
    assert outcomes == ["external_leaks_per_1000_docs", "concealed_losses_per_1000_docs", "detection_share",
                        "custody_hours_per_office_day"]
    assert set(outcomes) <= set(results.columns)
    # each experiment's outcomes are docsec's run summary for its parameters and seed
    row = results.iloc[0]
    again = ns["docsec_year"](custody_regime=row["custody_regime"], seed=int(row["seed"]), offices=3, days=30,
                              **{k: row[k] for k in ("behaviour__workload_pressure", "behaviour__worker_curiosity",
                                                     "external_channel__strength",
                                                     "inspection__audits_per_inspector_per_month",
                                                     "penalty__dismissal_severity")})
    assert all(_same(float(row[k]), again[k]) for k in outcomes)
    # strict custody costs officials more time than lax delegation, whatever the uncertainties
    hours = results.groupby("custody_regime", observed=True)["custody_hours_per_office_day"].mean()
    assert hours["strict custody"] > hours["lax delegation"]
