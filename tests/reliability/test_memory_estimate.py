"""The memory estimate of a run bounds what small runs really use, and grows with offices, workers and days."""

from __future__ import annotations

import tracemalloc

from docsec.analysis.memory import estimate_run_bytes
from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation


def measured_peak(params: Parameters) -> int:
    tracemalloc.start()
    try:
        run_simulation(params, 1, collect_daily=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_estimate_bounds_measured_runs_and_grows_with_the_organisation():
    run_simulation(Parameters().with_overrides({"run.days": 1}), 0)  # import and warm the model first
    small = Parameters().with_overrides({"population.offices": 20, "population.workers_per_office": 30,
                                         "run.days": 60})
    large = small.with_overrides({"population.offices": 60})
    for params in (small, large):
        assert measured_peak(params) <= estimate_run_bytes(params)
    assert estimate_run_bytes(large) > estimate_run_bytes(small)
    assert estimate_run_bytes(small.with_overrides({"population.workers_per_office": 300})) > estimate_run_bytes(small)
    assert estimate_run_bytes(small.with_overrides({"run.days": 365})) > estimate_run_bytes(small)
    bounds = small.with_overrides({"population.offices": 100_000, "population.workers_per_office": 500})
    assert estimate_run_bytes(bounds) > 10 * 1024**3  # tens of gigabytes: refused on an ordinary machine
