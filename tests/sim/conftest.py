"""Shared parameter sets for the model's tests."""

import pytest

from docsec.sim.parameters import Parameters

STRICT = {"custody.uncleared_may_handle": False, "custody.key_sharing_permitted": False}


@pytest.fixture
def small():
    """A small, busy organisation: fast to run, with every mechanism active."""
    return Parameters().with_overrides({
        "population.offices": 6,
        "run.days": 120,
        "documents.directives_per_office_per_day": 1.5,
        "documents.circulars_per_office_per_day": 0.5,
        "behaviour.favour_offer_rate": 0.1,
        "behaviour.corruptibility_mean": 0.3,
        "behaviour.favour_value": 5000.0,   # worth a trade even with the liability for a leak
        "behaviour.worker_misplacement": 0.1,
        "behaviour.overdue_loss_per_day": 0.1,
        "behaviour.self_check_rate": 0.2,
        "inspection.audits_per_inspector_per_month": 10.0,
        "external_channel.strength": 0.5,
        "education.campaign_interval_days": 30,
    })


@pytest.fixture
def strict_rules():
    return dict(STRICT)
