"""Same parameters and seed give identical results; a different seed gives different ones."""

import pandas as pd

from docsec.sim.run import run_simulation


def test_same_seed_identical_frames(small):
    a = run_simulation(small, 42, record_events=True)
    b = run_simulation(small, 42, record_events=True)
    pd.testing.assert_frame_equal(a.daily, b.daily)
    assert a.summary == b.summary or all(
        (x == y) or (x != x and y != y) for x, y in zip(a.summary.values(), b.summary.values()))
    assert a.events == b.events


def test_different_seed_different_frames(small):
    a = run_simulation(small, 1)
    b = run_simulation(small, 2)
    assert not a.daily.equals(b.daily)


def test_recording_events_does_not_change_results(small):
    a = run_simulation(small, 7, record_events=True)
    b = run_simulation(small, 7, record_events=False)
    pd.testing.assert_frame_equal(a.daily, b.daily)
    assert len(a.events) > 0 and b.events == []


def test_common_random_numbers_across_regimes(small, strict_rules):
    """Arrivals do not depend on the regime, so paired comparisons share them."""
    lax = run_simulation(small, 3)
    strict = run_simulation(small.with_overrides(strict_rules), 3)
    pd.testing.assert_series_equal(lax.daily["documents_received"], strict.daily["documents_received"])


def test_skipping_daily_collection_leaves_the_summary_unchanged(small):
    with_daily = run_simulation(small, 11, collect_daily=True)
    without = run_simulation(small, 11, collect_daily=False)
    assert without.daily is None
    assert with_daily.daily["exposures"].sum() == without.summary["exposures"] > 0
    for name, value in with_daily.summary.items():
        assert value == without.summary[name] or (value != value and without.summary[name] != without.summary[name])


_RUN_SCENARIOS = """
import json, sys
from docsec.scenarios.loader import load_scenario
from docsec.sim.model import DocSecModel
from docsec.sim.metrics import COUNTER_NAMES
out = {}
for name in ("lax", "crackdown"):
    sc = load_scenario(name)
    m = DocSecModel(sc.params, timeline=sc.timeline, office_profiles=sc.office_profiles, rng=3)
    m.run_days()
    out[name] = {"summary": m.summary(), "counts": m.daily_table()[list(COUNTER_NAMES)].values.tolist(),
                 "detection": m.daily_table()["mean_perceived_detection"].tolist()}
json.dump(out, sys.stdout)
"""


def _scenario_year(env_extra: dict[str, str]) -> dict:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, **env_extra}
    done = subprocess.run([sys.executable, "-c", _RUN_SCENARIOS], env=env, capture_output=True, text=True,
                          check=True, timeout=600)
    return json.loads(done.stdout)


def test_a_run_is_the_same_on_a_processor_without_avx512():
    """numpy's array exp, expm1, tanh and powers may differ in the last bit between vector instruction sets
    (ODD.md, Stochasticity): every count and every summary value stays the same, the daily perceived
    detection within a rounding. NPY_DISABLE_CPU_FEATURES makes numpy use its narrower kernels here (a name
    this processor lacks is ignored, and then both runs use the same kernels)."""
    import math

    wide = _scenario_year({})
    narrow = _scenario_year({"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR AVX512_SKX"})
    for name in wide:
        assert wide[name]["counts"] == narrow[name]["counts"], name
        for column, value in wide[name]["summary"].items():
            other = narrow[name]["summary"][column]
            assert (math.isnan(value) and math.isnan(other)) or math.isclose(value, other, rel_tol=1e-12), \
                (name, column)
        for a, b in zip(wide[name]["detection"], narrow[name]["detection"], strict=True):
            assert math.isclose(a, b, rel_tol=1e-12)
