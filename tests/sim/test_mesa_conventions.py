"""The model follows Mesa 3.5's conventions: keyword arguments plus rng, AgentSets, picklable collection."""

import pickle

import mesa
import pandas as pd
import pytest

from docsec.sim.agents import Inspector, Official, Worker
from docsec.sim.interventions import Intervention
from docsec.sim.metrics import SUMMARY_NAMES
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import ParameterError, Parameters
from docsec.sim.run import run_simulation


def test_batch_run_with_two_parameter_values_and_two_seeds():
    results = mesa.batch_run(
        DocSecModel,
        parameters={"custody__uncleared_may_handle": [True, False], "population__offices": 3,
                    "run__days": 30},
        rng=[11, 12],
        max_steps=30,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    runs = frame.groupby(["rng", "custody__uncleared_may_handle"])
    assert runs.ngroups == 4
    assert set(frame["rng"]) == {11, 12}
    assert (runs["Step"].max() == 30).all()
    assert set(SUMMARY_NAMES) <= set(frame.columns)
    # each row holds the run summary so far; the last reproduces a direct run's summary, day by day
    for (seed, lax), rows in runs:
        direct = DocSecModel(custody__uncleared_may_handle=bool(lax), population__offices=3, run__days=30, rng=seed)
        direct.run_days()
        daily = direct.daily_table()
        by_step = rows.drop_duplicates("Step").set_index("Step").sort_index()
        assert list(by_step["exposures"]) == list(daily["exposures"].cumsum())
        last = by_step.iloc[-1]
        for name in ("exposures", "documents_received", "external_leaks", "exposures_per_1000_docs"):
            assert last[name] == pytest.approx(direct.summary()[name], nan_ok=True)


def test_batch_run_default_rows_carry_the_year_not_the_last_day():
    """Mesa's default (data_collection_period=-1) keeps one row per run: the run summary."""
    rows = pd.DataFrame(mesa.batch_run(DocSecModel, parameters={"population__offices": 4, "run__days": 60},
                                       rng=[3], max_steps=60, number_processes=1, display_progress=False))
    assert len(rows) == 1
    summary = run_simulation(Parameters().with_overrides({"population.offices": 4, "run.days": 60}), 3).summary
    for name in SUMMARY_NAMES:
        assert rows.iloc[0][name] == pytest.approx(summary[name], nan_ok=True), name
    assert rows.iloc[0]["documents_received"] > 60


def test_numpy_values_from_design_tools_are_accepted():
    import numpy as np
    rows = mesa.batch_run(DocSecModel, parameters={"population__offices": np.arange(2, 4),
                                                   "custody__uncleared_may_handle": [np.bool_(True)],
                                                   "penalty__dismissal_severity": np.float64(300.0),
                                                   "run__days": 10}, rng=[1], max_steps=10,
                          number_processes=1, display_progress=False)
    assert sorted(r["population__offices"] for r in rows) == [2, 3]
    with pytest.raises(ParameterError, match="population.offices: must be an integer"):
        DocSecModel(population__offices=np.float64(2.5), rng=1)


def test_mesa_scenario_seeds_the_run_and_sets_parameters():
    from mesa.experimental.scenarios import Scenario
    model = DocSecModel(scenario=Scenario(rng=7, population__offices=3, run__days=20))
    assert model.seed == 7 and len(model.offices) == 3 and model.params.run.days == 20
    model.run_days()
    same = DocSecModel(population__offices=3, run__days=20, rng=7)
    same.run_days()
    assert pd.Series(model.summary()).equals(pd.Series(same.summary()))
    with pytest.raises(ParameterError, match="unknown keyword"):
        DocSecModel(scenario=Scenario(rng=7, offices=3))


def test_agents_are_grouped_in_agentsets_by_type():
    model = DocSecModel(Parameters().with_overrides({"population.offices": 4, "population.workers_per_office": 5,
                                                      "population.deputies_per_office": 2}), rng=1)
    assert len(model.agents_by_type[Official]) == 4 * 3
    assert len(model.agents_by_type[Worker]) == 4 * 5
    assert len(model.agents_by_type[Inspector]) == model.params.inspection.inspectors
    assert isinstance(model.officials, mesa.agentset.AbstractAgentSet)


def test_model_with_its_datacollector_pickles():
    model = DocSecModel(Parameters().with_overrides({"population.offices": 3}), rng=1)
    model.run_days(10)
    clone = pickle.loads(pickle.dumps(model))
    assert clone.datacollector.get_model_vars_dataframe().equals(model.datacollector.get_model_vars_dataframe())


def test_run_days_moves_mesas_clock_a_step_a_day_and_runs_scheduled_events():
    """``run_days`` runs the days on Mesa's clock: its time and steps are the day, and events a user
    scheduled on it happen on their day, between the days' steps, as with ``step()``."""
    model = DocSecModel(Parameters().with_overrides({"population.offices": 2, "run.days": 30}), rng=1)
    seen = []

    def note():
        seen.append((model.day, model.time))

    model.schedule_event(note, at=7.5)
    model.run_days(10)
    assert (model.day, model.steps, model.time) == (10, 10, 10.0)
    model.step()
    model.run_days()
    assert (model.day, model.steps, model.time) == (30, 30, 30.0)
    assert seen == [(7, 7.5)]
    stepped = DocSecModel(Parameters().with_overrides({"population.offices": 2, "run.days": 30}), rng=1)
    for _ in range(30):
        stepped.step()
    assert repr(stepped.summary()) == repr(model.summary())  # (nan where nothing was detected)


def test_keyword_parameters_reach_the_parameter_object():
    model = DocSecModel(penalty__warnings_before_dismissal=5, external_channel__strength=0.0, rng=1)
    assert model.params.penalty.warnings_before_dismissal == 5
    assert model.params.external_channel.strength == 0.0


@pytest.mark.parametrize("keywords, message", [
    ({"penalty__warnings": 1}, "penalty__warnings: unknown keyword"),
    ({"population__offices": 0}, "population.offices: must be an integer from 1 to 100000 (got 0)"),
    ({"inspection__targeting": "smart"}, "inspection.targeting: must be one of random, scheduled, risk"),
    ({"custody__uncleared_may_handle": "no"}, "custody.uncleared_may_handle: must be true or false"),
    ({"external_channel__strength": 1.5}, "external_channel.strength: must be a number from 0 to 1 (got 1.5)"),
    ({"documents__share_secret": 0.95}, "share_secret + documents.share_top_secret must not exceed 1"),
])
def test_bad_parameters_give_the_documented_error(keywords, message):
    with pytest.raises(ParameterError) as err:
        DocSecModel(rng=1, **keywords)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_group_and_name_suggest_the_right_one():
    with pytest.raises(ParameterError, match=r"penalti: unknown parameter group.*did you mean 'penalty'"):
        Parameters.from_mapping({"penalti": {}})
    with pytest.raises(ParameterError, match=r"penalty.dismisal_severity: unknown parameter.*did you mean "
                                             r"'dismissal_severity'"):
        Parameters().with_overrides({"penalty.dismisal_severity": 3})
    with pytest.raises(ParameterError, match=r"population.offices: must be an integer .* \(got 2.5\)"):
        Parameters().with_overrides({"population.offices": 2.5})


def test_intervention_changes_a_parameter_from_its_day():
    params = Parameters().with_overrides({"external_channel.strength": 0.9, "run.days": 80})
    model = DocSecModel(params, timeline=[Intervention(41, {"external_channel.strength": 0.0}, "crackdown")],
                        rng=3)
    model.run_days()
    daily = model.daily_table()
    assert daily["external_leaks"].iloc[:40].sum() > 0
    assert daily["external_leaks"].iloc[40:].sum() == 0
    assert daily["exposures"].iloc[40:].sum() > 0
    assert model.params.external_channel.strength == 0.0


@pytest.mark.parametrize("timeline, message", [
    ([Intervention(0, {"external_channel.strength": 0.0})], "timeline[0].day: must be a day from 1 to run.days"),
    ([Intervention(5, {"external_channel.strenght": 0.0})], "timeline[0].set.external_channel.strenght: unknown"),
    ([Intervention(5, {"population.offices": 3})], "timeline[0].set.population.offices: cannot be changed"),
])
def test_bad_interventions_are_rejected(timeline, message):
    with pytest.raises(ParameterError) as err:
        DocSecModel(Parameters().with_overrides({"run.days": 30}), timeline=timeline, rng=1)
    assert message in str(err.value)
