"""Mechanisms one by one: evidence for audits, investigations, inspectors, keys, campaigns, fear (O2-O12)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from docsec.sim.documents import Classification, Document, Kind, State
from docsec.sim.events import Action
from docsec.sim.interventions import Intervention
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation
from docsec.sim.violations import Violation, ViolationKind

ROOT = Path(__file__).resolve().parents[2]


def _model(**overrides):
    return DocSecModel(Parameters().with_overrides({"population.offices": 2, **overrides}), rng=1)


def _doc(model, office, number=10_000):
    return Document(number, office, Classification.SECRET, Kind.DIRECTIVE, model.day)


def test_evidence_of_each_violation_kind():
    model = _model()
    office = model.offices[0]
    custodian, worker = office.custodian, office.workers[0]
    doc = _doc(model, office)
    office.store(doc)
    delegation = Violation(ViolationKind.DELEGATION, custodian, 1, doc, worker)
    assert not delegation.evidence_present(office, 2)       # no register entry, no trace of the worker's hand
    doc.registered = True
    assert delegation.evidence_present(office, 2)
    unregistered = Violation(ViolationKind.UNREGISTERED, custodian, 1, doc)
    assert not unregistered.evidence_present(office, 2)
    doc.registered = False
    assert unregistered.evidence_present(office, 2)
    key = Violation(ViolationKind.KEY_SHARING, custodian, 1, None, worker)
    assert not key.evidence_present(office, 2)
    office.key_holder = worker
    assert key.evidence_present(office, 2)
    office.take_from_storage(doc)
    doc.state, doc.holder, doc.due_day = State.HANDED_OUT, worker, 5
    overdue = Violation(ViolationKind.OVERDUE, custodian, 5, doc)
    assert not overdue.evidence_present(office, 5) and overdue.evidence_present(office, 6)
    favour = Violation(ViolationKind.FAVOUR_TRADING, custodian, 1, doc, worker)
    assert favour.evidence_present(office, 2)
    doc.holder = office.workers[1]
    assert not favour.evidence_present(office, 2)
    concealment = Violation(ViolationKind.CONCEALMENT, custodian, 1, doc)
    assert not concealment.evidence_present(office, 2)
    doc.state, doc.holder, doc.registered = State.LOST, None, True
    assert concealment.evidence_present(office, 2)


def test_under_strict_rules_no_audit_notices_anything_about_a_lost_unregistered_document():
    params = Parameters().with_overrides({
        "population.offices": 6, "run.days": 200, "custody.uncleared_may_handle": False,
        "custody.key_sharing_permitted": False, "behaviour.workload_pressure": 20.0,
        "behaviour.registration_lapse": 1.0, "behaviour.worker_misplacement": 0.3,
        "documents.circulars_per_office_per_day": 0.0, "inspection.thoroughness": 1.0,
        "inspection.inspectors": 6})
    model = DocSecModel(params, record_events=True, rng=3)
    model.run_days()
    lost = {d.label for d in model.documents if d.state is State.LOST and not d.registered}
    assert len(lost) > 10
    audit_findings = [e for e in model.events if e.action is Action.FINDING and e.detail.startswith("inspector")
                      and e.document.split(" ")[0] in lost]
    assert audit_findings == []
    assert model.totals["violations_detected"] > 0  # audits did find other things


def test_a_traced_leak_sanctions_the_official_responsible_when_it_leaked():
    model = _model(**{"investigation.success": 1.0})
    office = model.offices[0]
    first, deputy = office.custodian, office.deputies[0]
    doc = _doc(model, office)
    office.store(doc)
    doc.responsible = first
    model.params = model.params.with_overrides({"external_channel.strength": 1.0})
    model.expose(doc, office.workers[0])
    assert doc.leaked and doc.leak_responsible is first
    doc.responsible = deputy  # a later favour trade makes the deputy responsible for its handling
    model.inspection.resolve_investigation(doc)
    assert first.offences == 1 and deputy.offences == 0


def test_an_investigation_sanctions_every_official_whose_violation_it_uncovers():
    model = _model(**{"investigation.success": 1.0})
    office = model.offices[0]
    custodian, deputy = office.custodian, office.deputies[0]
    doc = _doc(model, office)
    office.store(doc)
    doc.leak_responsible = custodian
    office.open_violations.append(Violation(ViolationKind.FAVOUR_TRADING, deputy, 1, doc, office.workers[0]))
    model.inspection.resolve_investigation(doc)
    assert custodian.offences == 1 and deputy.offences == 1
    assert office.open_violations == []


def test_interventions_hire_and_retire_inspectors():
    params = Parameters().with_overrides({"inspection.inspectors": 2, "run.days": 120,
                                          "inspection.audits_per_inspector_per_month": 6.0})
    none_after = [Intervention(50, {"inspection.inspectors": 0})]
    model = DocSecModel(params, timeline=none_after, rng=1)
    model.run_days()
    daily = model.daily_table()
    assert daily["audits"].iloc[:49].sum() > 0 and daily["audits"].iloc[49:].sum() == 0
    more = DocSecModel(params.with_overrides({"inspection.inspectors": 0}),
                       timeline=[Intervention(50, {"inspection.inspectors": 4})], rng=1)
    more.run_days()
    daily = more.daily_table()
    assert daily["audits"].iloc[:49].sum() == 0 and daily["audits"].iloc[49:].sum() > 0
    assert len(more.inspectors) == 4


def test_after_lax_turns_strict_audits_take_keys_back_from_workers():
    params = Parameters().with_overrides({"run.days": 365, "inspection.thoroughness": 1.0,
                                          "inspection.audits_per_inspector_per_month": 10.0,
                                          "documents.key_keeping_hours": 0.5})
    switch = [Intervention(30, {"custody.key_sharing_permitted": False})]
    model = DocSecModel(params, timeline=switch, rng=2)
    model.run_days(29)
    assert sum(o.worker_has_key() for o in model.offices) >= 5
    model.run_days()
    # no key stays with a worker unless a violation committed under the strict rule is there to be found
    for office in model.offices:
        if office.worker_has_key():
            assert any(v.kind is ViolationKind.KEY_SHARING and v.worker is office.key_holder and v.day >= 30
                       for v in office.open_violations), office.name


@pytest.mark.parametrize("targeting", ["random", "scheduled", "risk"])
def test_every_targeting_audits_offices(targeting):
    params = Parameters().with_overrides({"inspection.targeting": targeting, "run.days": 120,
                                          "custody.uncleared_may_handle": False})
    model = DocSecModel(params, record_events=True, rng=4)
    model.run_days()
    audited = [e.office for e in model.events if e.action is Action.AUDIT]
    assert len(audited) == model.totals["audits"] > 0
    if targeting == "scheduled":
        n = len(model.offices)
        k = min(n, len(audited))
        assert k > 10 and audited[:k] == [f"Office {i + 1}" for i in range(k)]
    if targeting == "risk":
        findings = {o.name: o.findings() for o in model.offices}
        most = max(findings, key=findings.get)
        assert audited.count(most) >= len(audited) / len(model.offices)


def test_campaigns_count_from_the_day_an_intervention_sets_them():
    params = Parameters().with_overrides({"run.days": 100, "population.offices": 2})
    model = DocSecModel(params, timeline=[Intervention(45, {"education.campaign_interval_days": 30})],
                        record_events=True, rng=1)
    model.run_days()
    assert [e.day for e in model.events if e.action is Action.CAMPAIGN] == [45, 75]


def test_grave_offences_bring_harsher_sanctions_in_a_run():
    params = Parameters().with_overrides({"behaviour.corruptibility_mean": 0.5, "behaviour.favour_offer_rate": 0.1,
                                          "penalty.warnings_before_dismissal": 0})
    s = run_simulation(params, 1, collect_daily=False).summary
    assert s["favour_trades"] > 0 and s["dismissals"] > 0 and s["harsher_sanctions"] > 0
    off = run_simulation(params.with_overrides({"penalty.harsher_sanctions": False}), 1, collect_daily=False).summary
    assert off["harsher_sanctions"] == 0


def test_dismissed_officials_hand_what_they_hold_to_their_successor():
    model = _model()
    office = model.offices[0]
    official = office.custodian
    doc = _doc(model, office)
    model.documents.append(doc)
    model.today["documents_received"] += 1
    model.totals["documents_received"] += 1
    doc.state, doc.holder, doc.issuer, doc.due_day, doc.registered = State.HANDED_OUT, official, official, 9, True
    model.totals["documents_registered"] += 1
    model.schedule_collection(doc, 9)
    model.penalties.replace(official)
    assert doc.holder is office.custodian and doc.issuer is office.custodian
    assert doc.holder is not official


def test_identical_results_under_different_hash_seeds():
    code = ("import json; from sim.run import run_simulation; from sim.parameters import Parameters;"
            "p = Parameters().with_overrides({'run.days': 120, 'behaviour.favour_offer_rate': 0.1});"
            "r = run_simulation(p, 5, record_events=True);"
            "print(json.dumps([r.summary['exposures'], r.summary['violations_detected'], len(r.events),"
            " str(r.events[-1])]))")
    outputs = set()
    for hash_seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        outputs.add(out.stdout.strip())
    assert len(outputs) == 1
    assert json.loads(outputs.pop())[2] > 100

