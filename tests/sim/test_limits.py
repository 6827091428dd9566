"""Analytic limits: a mechanism switched off gives exactly zero of its outcome."""

from docsec.sim.events import Action
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation


def test_strict_custody_without_incentives_means_no_uncleared_handling(small, strict_rules):
    params = small.with_overrides({**strict_rules, "behaviour.workload_pressure": 0.0,
                                   "behaviour.corruptibility_mean": 0.0})
    for seed in range(4):
        s = run_simulation(params, seed, collect_daily=False).summary
        assert s["documents_received"] > 0
        assert s["uncleared_handling"] == 0
        assert s["exposures"] == 0
        assert s["external_leaks"] == 0
        assert s["favour_trades"] == 0


def test_same_organisation_under_lax_rules_does_handle_through_workers(small):
    """The control for the limit above: the zero comes from the regime and incentives, not from a dead model."""
    s = run_simulation(small, 0, collect_daily=False).summary
    assert s["uncleared_handling"] > 0 and s["exposures"] > 0


def test_no_inspections_investigations_or_self_reports_means_no_detections(small):
    params = small.with_overrides({"inspection.inspectors": 0, "investigation.leak_surfacing": 0.0,
                                   "behaviour.loss_discovery": 0.0,
                                   "custody.uncleared_may_handle": False})
    for seed in range(4):
        s = run_simulation(params, seed, collect_daily=False).summary
        assert s["violations_committed"] > 0
        assert s["violations_detected"] == 0
        assert s["losses_found"] == 0
        assert s["warnings"] == s["dismissals"] == 0
        assert s["self_reported_losses"] == 0


def test_a_lost_unregistered_document_is_never_dated_by_an_audit(small):
    # every directive goes to a worker who never registers it; audits are frequent and thorough
    params = small.with_overrides({"behaviour.workload_pressure": 20.0, "behaviour.registration_lapse": 1.0,
                                   "documents.circulars_per_office_per_day": 0.0,
                                   "inspection.thoroughness": 1.0, "inspection.inspectors": 6})
    model = DocSecModel(params, record_events=True, rng=5)
    model.run_days()
    lost_unregistered = [d for d in model.documents if d.state.value == "lost" and not d.registered]
    assert len(lost_unregistered) > 5
    assert model.totals["undatable_losses"] == len(lost_unregistered)
    assert model.totals["audits"] > 50
    labels = {d.label for d in lost_unregistered}
    dated = [e for e in model.events if e.action is Action.FINDING and e.document.split(" ")[0] in labels
             and "lost on day" in e.detail]
    assert dated == []
    # what audits did find and date were registered documents (an official's own misplacements)
    found = {e.document.split(" ")[0] for e in model.events if e.action is Action.FINDING and "lost on day" in e.detail}
    assert all(d.registered for d in model.documents if d.label in found)
    assert all(d.registered for o in model.offices for d in o.unreported_losses)


def test_registered_losses_are_found_and_dated_by_audits(small):
    """The counterpart: with records kept, audits do find and date losses."""
    params = small.with_overrides({"behaviour.registration_lapse": 0.0, "inspection.thoroughness": 1.0,
                                   "behaviour.self_check_rate": 0.0})
    model = DocSecModel(params, record_events=True, rng=5)
    model.run_days()
    assert model.totals["losses_found"] > 0
    dated = [e for e in model.events if e.action is Action.FINDING and "lost on day" in e.detail]
    assert len(dated) == model.totals["losses_found"]


def test_no_external_channel_means_no_leaks(small):
    params = small.with_overrides({"external_channel.strength": 0.0})
    for seed in range(3):
        result = run_simulation(params, seed, collect_daily=False, record_events=True)
        s = result.summary
        assert s["exposures"] > 0
        assert s["external_leaks"] == 0 and s["leak_sanctions"] == 0
        # investigations still open, but only into lost documents
        opened = [e for e in result.events if e.action is Action.INVESTIGATION_OPENED]
        assert len(opened) == s["investigations_opened"] > 0
        assert {e.detail for e in opened} == {"the document is missing"}


def test_no_loss_investigations_when_switched_off(small):
    params = small.with_overrides({"external_channel.strength": 0.0, "investigation.loss_investigation": 0.0})
    s = run_simulation(params, 1, collect_daily=False).summary
    assert s["losses_found"] + s["self_reported_losses"] > 0
    assert s["investigations_opened"] == 0 and s["investigations_solved"] == 0


def test_no_arrivals_means_nothing_happens_to_documents():
    params = Parameters().with_overrides({"documents.directives_per_office_per_day": 0.0,
                                          "documents.circulars_per_office_per_day": 0.0, "run.days": 60})
    s = run_simulation(params, 1, collect_daily=False).summary
    for name in ("documents_received", "exposures", "losses", "external_leaks", "uncleared_handling"):
        assert s[name] == 0
