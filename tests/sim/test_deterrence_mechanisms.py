"""Each deterrence mechanism acts, and a broken version of it would fail a test here (issue: Model 2).

Own-sanction learning, punishment avoidance, audit salience, leniency, investigation failure, leak
liability, the harsher sanction's size, publicity, key retrieval and reconsideration, adaptive
inspection, announcements, and seats held by people. Unit checks drive one official or one audit
directly; run checks compare paired seeds with one lever changed.
"""

import pytest

from docsec.sim.decisions import Choice
from docsec.sim.documents import Classification, Document, Kind
from docsec.sim.events import Action
from docsec.sim.interventions import Intervention
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import ParameterError, Parameters
from docsec.sim.run import run_simulation
from docsec.sim.violations import Violation, ViolationKind

from .conftest import STRICT

SECRET = Classification.SECRET


def _model(seed=1, **overrides):
    params = Parameters().with_overrides({"population.offices": 3, "run.days": 60, **overrides})
    return DocSecModel(params, rng=seed)


def _total(params, name, seeds=range(6)):
    return sum(run_simulation(params, s, collect_daily=False).summary[name] for s in seeds)


# -- perceptions -----------------------------------------------------------------------------------
def test_own_sanction_raises_perceived_detection_only_when_learning_is_on():
    for learning, rises in ((0.5, True), (0.0, False)):
        model = _model(**{"behaviour.own_sanction_learning": learning, "penalty.publicised": False})
        official = model.offices[0].custodian
        before = official.perceived_detection()
        model.penalties.sanction(official, SECRET, grave=False, reason="test")
        assert (official.perceived_detection() > before) is rises


def test_an_audit_that_misses_open_violations_emboldens_and_one_that_finds_nothing_to_miss_does_not():
    model = _model(**{"behaviour.avoidance_learning": 0.5, "behaviour.audit_salience": 0.0,
                      "inspection.thoroughness": 0.0})
    office = model.offices[0]
    offender, honest = office.custodian, office.deputies[0]
    office.open_violations.append(Violation(ViolationKind.KEY_SHARING, offender, 0, None, office.workers[0]))
    before = offender.perceived_detection_own()
    model.inspection.audit(office, model.inspectors[0])
    assert offender.perceived_detection_own() == pytest.approx(before * 0.5)
    assert honest.perceived_detection_own() == pytest.approx(before)
    # switched off, getting away with it teaches nothing
    off = _model(**{"behaviour.avoidance_learning": 0.0, "behaviour.audit_salience": 0.0,
                    "inspection.thoroughness": 0.0})
    o = off.offices[0]
    o.open_violations.append(Violation(ViolationKind.KEY_SHARING, o.custodian, 0, None, o.workers[0]))
    before = o.custodian.perceived_detection_own()
    off.inspection.audit(o, off.inspectors[0])
    assert o.custodian.perceived_detection_own() == pytest.approx(before)


def test_audits_make_detection_salient_to_everyone_in_the_office():
    model = _model(**{"behaviour.audit_salience": 0.2})
    office, elsewhere = model.offices[0], model.offices[1]
    before, other = office.deputies[0].perceived_detection_own(), elsewhere.custodian.perceived_detection_own()
    model.inspection.audit(office, model.inspectors[0])
    assert office.deputies[0].perceived_detection_own() == pytest.approx(before + 0.2 * (1 - before))
    assert elsewhere.custodian.perceived_detection_own() == other


def test_punishment_avoidance_raises_violations_in_a_run():
    base = Parameters().with_overrides({**STRICT, "inspection.thoroughness": 0.3,
                                        "inspection.audits_per_inspector_per_month": 6.0, "run.days": 240})
    bold = base.with_overrides({"behaviour.avoidance_learning": 0.6})
    none = base.with_overrides({"behaviour.avoidance_learning": 0.0})
    assert _total(bold, "violations_committed") > _total(none, "violations_committed")


def test_publicity_reaches_others_only_when_sanctions_are_publicised():
    for publicised in (True, False):
        model = _model(**{"penalty.publicised": publicised})
        other = model.offices[1].custodian
        before = other.perceived_detection()
        model.penalties.sanction(model.offices[0].custodian, SECRET, grave=False, reason="test")
        assert (other.perceived_detection() > before) is publicised


def test_a_change_nobody_hears_of_does_nothing_and_one_announced_acts_with_a_lag():
    base = Parameters().with_overrides({**STRICT, "run.days": 200})
    harsher = [Intervention(60, {"penalty.dismissal_severity": 5000.0, "penalty.warning_severity": 200.0})]
    deaf = base.with_overrides({"behaviour.announcement_reach_per_day": 0.0, "behaviour.word_of_mouth_per_day": 0.0})
    for seed in range(3):
        unchanged = run_simulation(deaf, seed)
        unheard = run_simulation(deaf, seed, timeline=harsher)
        # nobody perceives the change: choices, and so every outcome, stay as they were
        assert unheard.summary["violations_committed"] == unchanged.summary["violations_committed"]
        assert unheard.daily["violations_committed"].equals(unchanged.daily["violations_committed"])
    model = DocSecModel(base, timeline=harsher, rng=1)
    model.run_days(60)
    assert model.aware_share() < 0.2  # announced today: few have heard yet
    model.run_days(30)
    assert 0.5 < model.aware_share() <= 1.0  # word spreads over weeks
    instant = DocSecModel(base.with_overrides({"behaviour.announcement_reach_per_day": 1.0}), timeline=harsher, rng=1)
    instant.run_days(60)
    assert instant.aware_share() == 1.0


def test_severity_awareness_decays_back_after_a_campaign():
    model = _model(**{"education.campaign_interval_days": 25, "behaviour.initial_severity_awareness": 0.2,
                      "behaviour.perception_decay_per_day": 0.05})
    model.run_days(25)
    official = model.offices[0].custodian
    taught = official.severity_awareness()
    model.run_days(20)
    assert 0.2 < official.severity_awareness() < taught


# -- the decision rule: liability, severity, certainty ------------------------------------------------------
def test_permitted_shortcuts_carry_liability_for_the_leaks_they_risk():
    model = _model()
    official = model.offices[0].custodian
    assert official.expected_cost(False, SECRET) == 0.0
    assert official.expected_cost(False, SECRET, leak=0.05) > 0.0
    harsh = _model(**{"penalty.harsher_severity": 20_000.0})
    assert harsh.offices[0].custodian.expected_cost(False, SECRET, leak=0.05) > \
        _model(**{"penalty.harsher_severity": 0.0}).offices[0].custodian.expected_cost(False, SECRET, leak=0.05)


def test_harsher_sanctions_size_moves_choices_under_lax_delegation():
    """O12: the harsher sanction's size is felt through liability for leaks, under lax rules too."""
    base = Parameters().with_overrides({"run.days": 180})
    mild = base.with_overrides({"penalty.harsher_severity": 0.0})
    severe = base.with_overrides({"penalty.harsher_severity": 20_000.0})
    assert _total(severe, "uncleared_handling") < _total(mild, "uncleared_handling")


def test_risk_attitude_decides_whether_certainty_or_severity_weighs_more():
    # doubling the chance vs doubling the severity of a sanction, for an official with curvature alpha
    for alpha, certainty_wins in ((0.6, True), (1.4, False)):
        model = _model(**{"behaviour.severity_curvature_mean": alpha, "behaviour.trait_dispersion": 0.0,
                          "behaviour.probability_weighting": 1.0})
        o = model.offices[0].custodian
        base = o.threat(0.1, 100.0)
        assert (o.threat(0.2, 100.0) > o.threat(0.1, 200.0)) is certainty_wins
        assert base > 0


def test_ladder_foresight_makes_early_warnings_weigh_more():
    near = _model(**{"behaviour.ladder_foresight": 0.8}).offices[0].custodian
    myopic = _model(**{"behaviour.ladder_foresight": 0.0}).offices[0].custodian
    assert myopic.offence_severity(Classification.TOP_SECRET, False) == 5.0
    assert near.offence_severity(Classification.TOP_SECRET, False) == pytest.approx(5.0 + 0.8 ** 2 * 200.0)
    near.offences = 1
    assert near.offence_severity(Classification.TOP_SECRET, False) == pytest.approx(5.0 + 0.8 * 200.0)
    near.offences = 2
    assert near.offence_severity(Classification.TOP_SECRET, True) == pytest.approx(200.0 + 2000.0)


def test_delegation_rises_smoothly_with_workload_pressure_under_both_regimes():
    for rules in ({}, STRICT):
        shares = []
        for pressure in (0.0, 0.25, 1.0, 4.0):
            p = Parameters().with_overrides({**rules, "behaviour.workload_pressure": pressure, "run.days": 120,
                                             "behaviour.corruptibility_mean": 0.0})
            s = [run_simulation(p, seed, collect_daily=False).summary for seed in range(3)]
            shares.append(sum(x["uncleared_handling"] for x in s) / sum(x["documents_received"] for x in s))
        assert shares[0] == 0.0  # no pressure, no corruptibility: nobody hands documents to workers
        assert shares == sorted(shares) and 0.0 < shares[1] < shares[-1]


# -- leniency and concealment -------------------------------------------------------------------------------
def test_leniency_for_self_reports_pulls_concealment_back():
    def conceal_p(leniency):
        model = _model(**{"penalty.self_report_leniency": leniency, "behaviour.compliance_norm_mean": 0.5})
        o = model.offices[0].custodian
        n, taken = 4000, 0
        for _ in range(n):
            taken += o.conceals(SECRET)
        return taken / n
    assert conceal_p(0.0) > conceal_p(0.9) + 0.02


def test_leniency_lowers_concealed_losses_in_a_run():
    base = Parameters().with_overrides({"behaviour.worker_misplacement": 0.08, "behaviour.self_check_rate": 0.2,
                                        "behaviour.compliance_norm_mean": 1.0, "run.days": 240})
    harsh = base.with_overrides({"penalty.self_report_leniency": 0.0})
    lenient = base.with_overrides({"penalty.self_report_leniency": 1.0})
    assert _total(lenient, "concealed_losses", range(8)) < _total(harsh, "concealed_losses", range(8))


# -- investigations --------------------------------------------------------------------------------------
def test_investigations_open_for_lost_documents_and_can_fail(small):
    fail = small.with_overrides({"investigation.success": 0.0})
    result = run_simulation(fail, 1, record_events=True)
    opened = [e for e in result.events if e.action is Action.INVESTIGATION_OPENED]
    assert any(e.detail == "the document is missing" for e in opened)
    assert result.summary["investigations_solved"] == 0 and result.summary["leak_sanctions"] == 0
    assert any(e.action is Action.INVESTIGATION_FAILED and e.detail == "whereabouts still unknown"
               for e in result.events)
    solved = run_simulation(small.with_overrides({"investigation.success": 1.0}), 1, record_events=True)
    assert solved.summary["investigations_solved"] > 0
    assert not any(e.action is Action.INVESTIGATION_FAILED for e in solved.events)


def test_a_traced_leak_dismisses_regardless_of_the_ladder_or_takes_one_rung():
    for sanction, dismissed in (("dismissal", True), ("rung", False)):
        model = _model(**{"penalty.leak_sanction": sanction})
        office = model.offices[0]
        official = office.custodian
        doc = Document(1, office, SECRET, Kind.DIRECTIVE, 0)
        model.documents.append(doc)
        office.store(doc)
        doc.leaked, doc.leak_responsible = True, official
        model.params = model.params.with_overrides({"investigation.success": 1.0})
        model.inspection.resolve_investigation(doc)
        assert model.today["leak_sanctions"] == 1
        assert (not official.active) is dismissed
        assert model.today["dismissals"] == int(dismissed) and model.today["warnings"] == int(not dismissed)


# -- keys ---------------------------------------------------------------------------------------------------
def test_a_detected_key_violation_always_takes_the_key_back():
    model = _model(**STRICT, **{"inspection.thoroughness": 1.0})
    office = model.offices[0]
    worker = office.workers[0]
    office.key_holder, office.key_released_by = worker, office.custodian
    office.open_violations.append(Violation(ViolationKind.KEY_SHARING, office.custodian, 0, None, worker))
    model.inspection.audit(office, model.inspectors[0])
    assert office.key_holder is office.custodian and office.key_released_by is None
    assert model.today["violations_detected"] == 1


def test_a_key_left_with_a_worker_stays_out_until_reconsidered():
    never = Parameters().with_overrides({"custody.key_reconsideration_per_day": 0.0, "inspection.inspectors": 0,
                                         "run.days": 120, "documents.key_keeping_hours": 1.0})
    often = never.with_overrides({"custody.key_reconsideration_per_day": 1.0})
    kept = sum(run_simulation(never, s, collect_daily=False).summary["key_out_days"] for s in range(3))
    back = sum(run_simulation(often, s, collect_daily=False).summary["key_out_days"] for s in range(3))
    assert kept > back > 0


def test_storage_reads_are_charged_to_whoever_let_the_key_out():
    model = _model(**{"behaviour.storage_reading_rate": 1.0})
    office = model.offices[0]
    doc = Document(1, office, SECRET, Kind.DIRECTIVE, 0)
    model.documents.append(doc)
    office.store(doc)
    deputy = office.deputies[0]
    office.key_holder, office.key_released_by = office.workers[0], deputy
    doc.responsible = office.custodian
    model.keys.read_from_storage(office)
    assert doc.exposed and doc.responsible is deputy


# -- inspection that adapts --------------------------------------------------------------------------------
def test_audit_effort_falls_when_audits_find_nothing_and_stays_full_when_adaptation_is_off():
    quiet = {**STRICT, "behaviour.workload_pressure": 0.0, "behaviour.corruptibility_mean": 0.0,
             "behaviour.worker_misplacement": 0.0, "behaviour.official_misplacement": 0.0, "run.days": 200,
             "inspection.audits_per_inspector_per_month": 10.0}
    adaptive = Parameters().with_overrides({**quiet, "inspection.effort_adaptation": 0.2, "inspection.min_effort": 0.1})
    fixed = Parameters().with_overrides(quiet)
    a, f = run_simulation(adaptive, 1), run_simulation(fixed, 1)
    assert a.summary["violations_detected"] == 0
    assert a.summary["inspection_effort"] == pytest.approx(0.1, abs=0.02)
    assert a.summary["audits"] < 0.5 * f.summary["audits"]
    assert (f.daily["inspection_effort"] == 1.0).all()


def test_findings_raise_audit_effort_again():
    model = _model(**{"inspection.effort_adaptation": 0.5, "inspection.min_effort": 0.0,
                      "inspection.thoroughness": 1.0})
    model.inspection.effort = 0.2
    office = model.offices[0]
    office.open_violations.append(Violation(ViolationKind.KEY_SHARING, office.custodian, 0, None, office.workers[0]))
    office.key_holder, office.key_released_by = office.workers[0], office.custodian
    model.inspection.audit(office, model.inspectors[0])
    assert model.inspection.effort == pytest.approx(0.6)


def test_risk_weights_decay():
    model = _model(**{"inspection.risk_weight_decay_per_day": 0.1})
    office = model.offices[0]
    office.add_findings(4)
    model.run_days(5)
    assert office.findings() == pytest.approx(4 * 0.9 ** 5)


# -- seats held by people (tabletop) ------------------------------------------------------------------------
def test_a_seat_decides_for_its_custodian_and_hands_back_to_the_model():
    params = Parameters().with_overrides({"population.offices": 2, "run.days": 30,
                                          "documents.directives_per_office_per_day": 2.0})
    model = DocSecModel(params, record_events=True, rng=3)
    model.set_seat(1, {Choice.DELEGATE.value: True, "hand over the key": False})
    model.run_days(10)
    seated = [d for d in model.decisions_log if d.by_seat]
    assert seated and all(d.office == 1 and d.official.startswith("custodian") for d in seated)
    assert all(d.taken for d in seated if d.choice is Choice.DELEGATE)
    assert not any(d.taken for d in seated if d.choice is Choice.HAND_OVER_KEY)
    assert model.offices[0].key_holder is model.offices[0].custodian
    model.set_seat(1, None)
    n = len(model.decisions_log)
    model.run_days(10)
    assert not any(d.by_seat for d in model.decisions_log[n:])
    with pytest.raises(ParameterError, match="seat.office: must be an office number from 1 to 2"):
        model.set_seat(3, {})
    with pytest.raises(ParameterError, match="seat.choices.nap: unknown choice"):
        model.set_seat(1, {"nap": True})
