"""Education campaigns raise norms and knowledge, with decay (O9)."""

import pytest

from docsec.sim.model import DocSecModel
from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation


def test_campaign_raises_norm_and_awareness_and_decays():
    params = Parameters().with_overrides({"population.offices": 2, "education.campaign_interval_days": 10,
                                          "education.norm_boost": 4.0, "education.decay_per_day": 0.1,
                                          "education.knowledge_gain": 0.5,
                                          "behaviour.initial_severity_awareness": 0.2})
    model = DocSecModel(params, rng=1)
    official = model.offices[0].custodian
    norm_before = official.norm()
    model.run_days(10)  # campaign on day 10
    assert model.education_level() == pytest.approx(4.0)
    assert official.norm() == pytest.approx(norm_before + 4.0)
    assert official.severity_awareness() == pytest.approx(0.6)
    model.run_days(5)
    assert model.education_level() == pytest.approx(4.0 * 0.9 ** 5)
    # what a campaign teaches fades back toward the initial level (perception decay)
    assert official.severity_awareness() == pytest.approx(0.2 + 0.4 * 0.99 ** 5)


def test_campaigns_reduce_violations_under_strict_custody(strict_rules):
    base = Parameters().with_overrides({**strict_rules, "run.days": 180})
    taught = base.with_overrides({"education.campaign_interval_days": 30, "education.norm_boost": 10.0})
    for seed in range(3):
        plain = run_simulation(base, seed, collect_daily=False).summary
        educated = run_simulation(taught, seed, collect_daily=False).summary
        assert educated["violations_committed"] < plain["violations_committed"]
