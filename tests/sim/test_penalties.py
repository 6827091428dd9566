"""The penalty ladder (O3) and its effect on perceptions (O8)."""

import pytest

from docsec.sim.agents import Official
from docsec.sim.documents import Classification
from docsec.sim.events import Action
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import Parameters


def _model(**overrides):
    params = Parameters().with_overrides({"population.offices": 2, **overrides})
    return DocSecModel(params, record_events=True, rng=1)


@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_repeat_offender_is_dismissed_at_offence_k_plus_1(k):
    model = _model(**{"penalty.warnings_before_dismissal": k})
    office = model.offices[0]
    offender = office.custodian
    for offence in range(1, k + 1):
        model.penalties.sanction(offender, Classification.SECRET, grave=False, reason="handing the key")
        assert offender.active and offender.warnings == offence
        assert office.custodian is offender
    model.penalties.sanction(offender, Classification.SECRET, grave=False, reason="handing the key")
    assert not offender.active
    assert office.custodian is not offender and office.custodian.offences == 0
    assert model.today["warnings"] == k and model.today["dismissals"] == 1
    assert model.today["staff_turnover"] == 1 and model.today["harsher_sanctions"] == 0
    assert offender not in model.agents  # removed from Mesa's agent sets
    assert [e.action for e in model.events if e.actor == offender.title] == [Action.WARNING] * k + [Action.DISMISSAL]


def test_grave_offence_at_dismissal_brings_the_harsher_sanction():
    model = _model(**{"penalty.warnings_before_dismissal": 0})
    model.penalties.sanction(model.offices[0].custodian, Classification.RESTRICTED, grave=True, reason="a favour")
    assert model.today["harsher_sanctions"] == 1
    model2 = _model(**{"penalty.warnings_before_dismissal": 0, "penalty.harsher_sanctions": False})
    model2.penalties.sanction(model2.offices[0].custodian, Classification.RESTRICTED, grave=True, reason="a favour")
    assert model2.today["harsher_sanctions"] == 0 and model2.today["dismissals"] == 1


def test_dismissals_in_a_run_follow_the_ladder():
    """Emergent check: every dismissal in a whole run came after exactly k warnings."""
    for k in (1, 3):
        params = Parameters().with_overrides({"penalty.warnings_before_dismissal": k,
                                              "inspection.audits_per_inspector_per_month": 8.0,
                                              "custody.uncleared_may_handle": False})
        model = DocSecModel(params, record_events=True, rng=2)
        model.run_days()
        dismissals = [e for e in model.events if e.action is Action.DISMISSAL]
        assert dismissals, "the run should dismiss someone"
        for e in dismissals:
            warnings = [w for w in model.events if w.action is Action.WARNING and w.actor == e.actor]
            if "the leak of" in e.detail:  # a traced leak dismisses regardless of the ladder (O10)
                assert len(warnings) <= k
            else:
                assert len(warnings) == k
                assert f"after {k} warnings" in e.detail


def test_sanctions_raise_perceived_detection_of_the_sanctioned_and_if_publicised_of_others():
    model = _model(**{"penalty.publicised": True})
    offender, other = model.offices[0].custodian, model.offices[1].custodian
    before_offender, before_other = offender.perceived_detection(), other.perceived_detection()
    model.penalties.sanction(offender, Classification.SECRET, grave=False, reason="x")
    assert offender.perceived_detection() > before_offender
    assert other.perceived_detection() > before_other
    quiet = _model(**{"penalty.publicised": False})
    other = quiet.offices[1].custodian
    before = other.perceived_detection()
    quiet.penalties.sanction(quiet.offices[0].custodian, Classification.SECRET, grave=False, reason="x")
    assert other.perceived_detection() == before


def test_uniform_penalties_weigh_a_restricted_document_like_top_secret():
    prop = _model()
    uni = _model(**{"penalty.scaling": "uniform"})
    p_off: Official = prop.offices[0].custodian
    u_off: Official = uni.offices[0].custodian
    assert p_off.offence_severity(Classification.RESTRICTED, False) == pytest.approx(
        p_off.offence_severity(Classification.TOP_SECRET, False) / 3)
    assert u_off.offence_severity(Classification.RESTRICTED, False) == \
        u_off.offence_severity(Classification.TOP_SECRET, False)
