"""The model's DataCollector collects exactly what Mesa's own DataCollector collects with the same reporters."""

from functools import partial

import pandas as pd
import pytest
from mesa.datacollection import DataCollector

from docsec.sim.collection import SummaryCollector, summary_so_far
from docsec.sim.metrics import SUMMARY_NAMES
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import Parameters

SMALL = Parameters().with_overrides({"population.offices": 4, "run.days": 40, "behaviour.favour_offer_rate": 0.1})


def _run(collector=None) -> DocSecModel:
    model = DocSecModel(SMALL, rng=5)
    if collector is not None:
        model.datacollector = collector
    model.run_days()
    return model


def test_rows_equal_those_of_mesas_datacollector():
    ours = _run()
    assert isinstance(ours.datacollector, SummaryCollector)
    mesas = _run(DataCollector(model_reporters={n: partial(summary_so_far, name=n) for n in SUMMARY_NAMES}))
    a, b = ours.datacollector.get_model_vars_dataframe(), mesas.datacollector.get_model_vars_dataframe()
    assert len(a) == 40 and list(a.columns) == list(SUMMARY_NAMES)
    assert a.equals(b)
    assert ours.datacollector._collection_steps == mesas.datacollector._collection_steps
    assert a.iloc[-1].equals(pd.Series(ours.summary(), dtype=float))  # the last row is the run summary


def test_rows_read_during_a_run_and_after_it_equal_those_of_mesas_datacollector():
    # the rows of the model's days are worked out when read: reading some, then running on, changes nothing
    mesas = _run(DataCollector(model_reporters={n: partial(summary_so_far, name=n) for n in SUMMARY_NAMES}))
    ours = DocSecModel(SMALL, rng=5)
    ours.datacollector.collect(ours)  # a collection of the user's before the first day, read at once
    ours.run_days(15)
    assert len(ours.datacollector._pending) == 15  # (the model's days, noted, not yet worked out)
    early = ours.datacollector.get_model_vars_dataframe()
    ours.run_days()
    frame = ours.datacollector.get_model_vars_dataframe()
    expected = mesas.datacollector.get_model_vars_dataframe()
    assert len(early) == 16 and len(frame) == 41
    assert frame.iloc[1:].reset_index(drop=True).equals(expected)
    assert early.equals(frame.iloc[:16])
    assert frame.iloc[0]["documents_received"] == 0  # day 0: nothing yet
    assert ours.datacollector._collection_steps == [0, *mesas.datacollector._collection_steps]


def test_a_day_collected_again_by_the_user_repeats_that_days_row():
    model = DocSecModel(SMALL, rng=5)
    model.run_days(12)
    model.datacollector.collect(model)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 13
    assert frame.iloc[12].equals(frame.iloc[11])
    assert frame.iloc[12].equals(pd.Series(model.summary(), dtype=float, name=12))


def test_a_reporter_added_by_the_user_is_collected_too():
    model = DocSecModel(SMALL, rng=5)
    model.datacollector._new_model_reporter("offices", lambda m: len(m.offices))
    model.run_days(10)
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame["offices"]) == [4] * 10
    assert list(frame["documents_received"]) == sorted(frame["documents_received"])  # totals so far


def test_the_days_mean_perceived_detection_is_the_mean_of_every_officials_perception():
    # thorough, frequent audits under strict rules: sanctions are publicised, and audits move perceptions
    model = DocSecModel(SMALL.with_overrides({"inspection.audits_per_inspector_per_month": 8.0,
                                              "inspection.thoroughness": 1.0, "custody.uncleared_may_handle": False,
                                              "custody.key_sharing_permitted": False}), rng=2)
    model.run_days()
    officials = list(model.officials)
    assert model.publicity_level() > 0.0
    assert len({o.perceived_detection_own() for o in officials}) > 1
    mean = sum(o.perceived_detection() for o in officials) / len(officials)
    assert model.gauges()["mean_perceived_detection"] == pytest.approx(mean, rel=1e-12)
