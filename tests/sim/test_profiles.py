"""Office profiles: one office's officials, workload and rules can differ from the rest."""

import pytest

from docsec.sim.events import Action
from docsec.sim.interventions import Intervention
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import ParameterError, Parameters
from docsec.sim.profiles import OfficeProfile

BASE = Parameters().with_overrides({"population.offices": 5, "run.days": 200,
                                    "behaviour.corruptibility_mean": 0.0,
                                    "behaviour.favour_offer_rate": 0.2})
CORRUPT = OfficeProfile(2, {"behaviour.corruptibility_mean": 0.9, "behaviour.favour_value": 200.0})


def test_only_the_profiled_office_trades_documents_for_favours():
    model = DocSecModel(BASE, office_profiles=[CORRUPT], record_events=True, rng=4)
    model.run_days()
    trades = [e for e in model.events if e.action is Action.FAVOUR]
    assert trades and {e.office for e in trades} == {"Office 2"}
    assert model.offices[1].custodian.corruptibility > 0.3
    assert all(o.custodian.corruptibility == 0.0 for i, o in enumerate(model.offices) if i != 1)


def test_successors_are_hired_under_the_office_profile():
    model = DocSecModel(BASE, office_profiles=[CORRUPT], rng=4)
    office = model.offices[1]
    model.penalties.replace(office.custodian)
    assert office.custodian.corruptibility > 0.3
    other = model.offices[0]
    model.penalties.replace(other.custodian)
    assert other.custodian.corruptibility == 0.0


def test_per_office_arrival_rates():
    quiet = OfficeProfile(1, {"documents.directives_per_office_per_day": 0.0,
                              "documents.circulars_per_office_per_day": 0.0})
    model = DocSecModel(BASE, office_profiles=[quiet], rng=1)
    model.run_days(60)
    assert all(d.office is not model.offices[0] for d in model.documents)
    assert any(d.office is model.offices[1] for d in model.documents)


def test_interventions_change_the_organisation_but_not_what_a_profile_sets():
    strict_office = OfficeProfile(3, {"custody.uncleared_may_handle": False})
    timeline = [Intervention(10, {"custody.uncleared_may_handle": False, "documents.registration_hours": 2.0})]
    model = DocSecModel(BASE, timeline=timeline, office_profiles=[OfficeProfile(1, {"custody.uncleared_may_handle": True}),
                                                                  strict_office], rng=1)
    model.run_days(10)
    assert model.offices[0].params.custody.uncleared_may_handle is True  # the profile holds
    assert model.offices[1].params.custody.uncleared_may_handle is False  # the intervention reached it
    assert model.offices[2].params.custody.uncleared_may_handle is False
    assert all(o.params.documents.registration_hours == 2.0 for o in model.offices)


def test_a_profile_with_no_changes_leaves_results_unchanged():
    a = DocSecModel(BASE, rng=9)
    b = DocSecModel(BASE, office_profiles=[OfficeProfile(1, {})], rng=9)
    a.run_days()
    b.run_days()
    assert a.totals == b.totals


@pytest.mark.parametrize("profiles, message", [
    ([OfficeProfile(0, {})], "offices[0].office: must be an office number from 1 to population.offices = 5 (got 0)"),
    ([OfficeProfile(6, {})], "offices[0].office: must be an office number from 1 to population.offices = 5"),
    ([OfficeProfile(1, {}), OfficeProfile(1, {})], "offices[1].office: office 1 already has a profile"),
    ([OfficeProfile(1, {"penalty.dismissal_severity": 5.0})],
     "offices[0].set.penalty.dismissal_severity: cannot differ between offices"),
    ([OfficeProfile(1, {"behaviour.corruptibility_mean": 2.0})],
     "offices[0].set.behaviour.corruptibility_mean: must be a number from 0 to 1 (got 2.0)"),
    ([OfficeProfile(1, {"behaviour.corruptiblity_mean": 0.5})], "did you mean 'corruptibility_mean'"),
])
def test_bad_profiles_are_rejected(profiles, message):
    with pytest.raises(ParameterError) as err:
        DocSecModel(BASE, office_profiles=profiles, rng=1)
    assert message in str(err.value)


def test_offices_with_the_same_parameters_share_their_hazards_and_a_profiled_office_has_its_own():
    careless = OfficeProfile(3, {"behaviour.worker_curiosity": 0.9})
    model = DocSecModel(BASE, office_profiles=[careless], rng=1)
    hazards = [office.hazards() for office in model.offices]
    assert all(h is hazards[0] for i, h in enumerate(hazards) if i != 2)  # one set, shared
    assert hazards[2] is not hazards[0]
    assert hazards[2].delegation[0] > hazards[0].delegation[0]  # the curious workers' office risks more leaks
    model.params = model.params.with_overrides({"behaviour.worker_curiosity": 0.0})
    model._refresh_office_parameters()  # as an intervention does: the hazards follow the new parameters
    assert model.offices[0].hazards().delegation[0] == 0.0
