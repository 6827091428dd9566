"""The cyclic garbage collector waits while days are run, which is safe because a run makes no cycles."""

import gc

from docsec.sim.model import DocSecModel
from docsec.sim.parameters import Parameters

BUSY = Parameters().with_overrides({"population.offices": 6, "run.days": 200, "behaviour.favour_offer_rate": 0.1,
                                    "inspection.audits_per_inspector_per_month": 6.0})


def test_a_run_leaves_no_garbage_for_the_cycle_collector():
    model = DocSecModel(BUSY, rng=4, record_events=True)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        model.run_days()
        assert model.totals["dismissals"] + model.totals["warnings"] > 0  # sanctions, successors, audits happened
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_the_collector_is_back_as_it_was_after_days_and_steps():
    model = DocSecModel(BUSY, rng=4)
    assert gc.isenabled()
    model.run_days(5)
    model.step()
    assert gc.isenabled()
    gc.disable()
    try:
        model.run_days(5)
        model.step()
        assert not gc.isenabled()
    finally:
        gc.enable()
