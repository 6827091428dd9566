"""The robustness section of the compare report: its sweep design, its paired contrasts by year, the section."""

from __future__ import annotations

import numpy as np
import pandas as pd

from docsec.analysis.report import robustness as rb
from docsec.analysis.report.page import render_page
from docsec.analysis.sweep.design import SweepSpec, design_points


def small_study() -> SweepSpec:
    return SweepSpec.from_mapping({
        "sweep": {"name": "s", "base": "lax", "replicates": 3, "base_seed": 5},
        "design": {"kind": "explicit", "points": [
            {"custody.uncleared_may_handle": True, "custody.key_sharing_permitted": True},
            {"custody.uncleared_may_handle": False, "custody.key_sharing_permitted": False},
        ]}}, name="s")


def test_the_design_crosses_every_study_point_with_parameter_sets_around_the_defaults():
    from docsec.sim.parameters import Parameters, spec_by_path
    spec = rb.robustness_spec(small_study())
    points = design_points(spec)
    assert len(points) == 2 * rb.SAMPLES and spec.days == rb.DAYS and spec.keep_daily and spec.replicates == 1
    assert spec.base_seed == 5
    base = Parameters()
    for path in rb.PARAMETERS:
        if path not in spec_by_path():
            continue
        values = [p[path] for p in points]
        assert min(values) >= max(rb.LOW * base.get(path), spec_by_path()[path].sweep_min) - 1e-12
        assert max(values) <= min(rb.HIGH * base.get(path), spec_by_path()[path].sweep_max) + 1e-12
        assert values[0] == values[1]  # both regimes of a set share its values
    assert {p["custody.uncleared_may_handle"] for p in points} == {True, False}


def _fixture():
    """Two parameter sets x two regimes x two penalty levels; strict leaks 1 a day less in year 2 only."""
    runs, daily = [], []
    for s, norm in enumerate((2.0, 4.0)):
        for lax in (True, False):
            for level in (200.0, 800.0):
                run_id = f"r{s}{int(lax)}{int(level)}"
                runs.append({"run_id": run_id, "status": "done", "custody.uncleared_may_handle": lax,
                             "penalty.dismissal_severity": level, "behaviour.compliance_norm_mean": norm})
                for day in range(1, rb.DAYS + 1):
                    leaks = 2.0 if lax or day <= 365 else 1.0
                    daily += [{"run_id": run_id, "day": day, "metric": "external_leaks", "value": leaks},
                              {"run_id": run_id, "day": day, "metric": "documents_received", "value": 10.0}]
    return pd.DataFrame(runs), pd.DataFrame(daily)


def test_contrasts_pair_strict_and_lax_within_a_set_and_level_by_year():
    runs, daily = _fixture()
    diffs = rb.contrasts(runs, daily, base_level=200.0)
    assert len(diffs) == 2 * 2 * len(rb.WINDOWS)
    assert set(diffs["level"]) == {1.0, 4.0}
    year1 = diffs[diffs["window"] == rb.WINDOWS[0][0]]
    year2 = diffs[diffs["window"] == rb.WINDOWS[1][0]]
    assert np.allclose(year1["difference"], 0.0)
    assert np.allclose(year2["difference"], -100.0)  # 1 leak a day fewer per 10 documents: -100 per 1,000
    table = rb.summary(diffs)
    second = table[table["window"] == rb.WINDOWS[1][0]]
    assert (second["strict_lower"] == 1.0).all() and np.allclose(second["mean"], -100.0)
    assert (table[table["window"] == rb.WINDOWS[0][0]]["strict_lower"] == 0.0).all()


def test_the_figure_has_one_trace_per_year_and_the_section_is_absent_without_its_store(tmp_path):
    runs, daily = _fixture()
    fig = rb.figure(rb.contrasts(runs, daily, 200.0))
    assert [t.name for t in fig.data] == [w[0] for w in rb.WINDOWS]
    assert "Penalty level" in fig.layout.xaxis.title.text
    assert rb.robustness_section(None) is None
    assert rb.robustness_section(tmp_path / "store.sqlite") is None
    assert "How robust" not in render_page("t", "s", [])
