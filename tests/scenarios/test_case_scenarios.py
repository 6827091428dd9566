"""Each scenario of the case reproduces its observation when run.

The scenarios set traits and policies only; these tests read what the mechanisms
made of them from the event log and the daily counters, over several fixed seeds,
and where possible against a paired control run (same seed, one lever changed).
"""

from __future__ import annotations

import numpy as np

from docsec.scenarios.loader import load_scenario
from docsec.sim.events import Action
from docsec.sim.run import run_simulation

SEEDS = range(10)
KEY = "handing the storage key to a worker"
SURFACED = "the contents surfaced outside"  # an investigation opened by a leak, not by a loss


def run(scenario, seed, params=None, timeline=None, events=True):
    return run_simulation(params or scenario.params, seed, record_events=events,
                          timeline=scenario.timeline if timeline is None else timeline)


# -- lax and strict baselines (O1, O2) ---------------------------------------------------------------------
def test_strict_custody_cuts_uncleared_handling_and_exposures_at_a_cost_in_officials_hours():
    # under lax rules officials already keep most custody themselves (they answer for what a worker misplaces
    # and for leaks that surface); strict rules cut what is left to the violations busy officials still commit
    lax, strict = load_scenario("lax"), load_scenario("strict")
    for seed in range(3):
        a = run(lax, seed, events=False).summary
        b = run(strict, seed, events=False).summary
        assert b["uncleared_handling_per_1000_docs"] < 0.2 * a["uncleared_handling_per_1000_docs"]
        assert b["exposures_per_1000_docs"] < 0.2 * a["exposures_per_1000_docs"]
        assert b["external_leaks_per_1000_docs"] < a["external_leaks_per_1000_docs"]
        assert b["custody_hours_per_office_day"] > 1.05 * a["custody_hours_per_office_day"]
        assert a["violations_committed"] < b["violations_committed"]  # what lax allows, strict calls a violation


# -- the railway factory (O2, O3) -------------------------------------------------------------------------------
def test_railway_factory_vice_secretary_is_warned_k_times_ignores_it_and_is_dismissed_at_offence_k_plus_1():
    s = load_scenario("railway-factory")
    k = s.params.penalty.warnings_before_dismissal
    key_found = dismissed_for_the_key = 0
    for seed in SEEDS:
        events = run(s, seed).events
        first = next(e.actor for e in events if e.action is Action.KEY_HANDED)
        assert first == "custodian O-1"  # the first vice secretary hands the key over
        own = [e for e in events if e.actor == first]
        sanctions = [e for e in own if e.action in (Action.WARNING, Action.DISMISSAL)]
        # warned several times, then dismissed: no leak surfaced to dismiss him outside the ladder
        assert [e.action for e in sanctions] == [Action.WARNING] * k + [Action.DISMISSAL], seed
        assert [e.detail.split(" for ")[0] for e in sanctions[:k]] == [f"warning {i}" for i in range(1, k + 1)]
        assert sanctions[-1].detail.endswith(f"after {k} warnings")
        key_found += any(KEY in e.detail for e in sanctions)  # an audit finds the key in a worker's hands
        # he ignores the warnings: after the first one he hands the key over again
        assert any(h.action is Action.KEY_HANDED and h.day > sanctions[0].day for h in own), seed
        dismissed_for_the_key += KEY in sanctions[-1].detail
        # he is replaced, and no further sanction reaches him
        assert any(e.action is Action.REPLACED and e.detail == f"replaces {first}" for e in events)
        assert not any(e.actor == first and e.action in (Action.KEY_HANDED, Action.WARNING, Action.DISMISSAL)
                       and e.day > sanctions[-1].day for e in events)
    assert key_found >= len(SEEDS) - 2  # unless he happens to take it back before each audit
    assert dismissed_for_the_key >= len(SEEDS) // 2  # most often the repeated key offence dismisses him


def test_railway_factory_workers_read_secret_documents_once_they_hold_the_key():
    s = load_scenario("railway-factory")
    no_key_to_hand = s.params.with_overrides({"documents.key_keeping_hours": 0.0})  # keeping it costs nothing
    for seed in range(3):
        with_key = run(s, seed)
        without = run(s, seed, params=no_key_to_hand)
        assert not any(e.action is Action.KEY_HANDED for e in without.events)
        assert with_key.summary["exposures"] > without.summary["exposures"] + 50
        secret_reads = [e for e in with_key.events if e.action is Action.READ and "secret" in e.document]
        assert secret_reads


# -- the convenience office: seven documents for favours (O4) ----------------------------------------------------
def trades_with_their_consequences(events):
    """Each favour trade with the events it caused at once (its documents read, leaked, surfacing)."""
    out = []
    for i, e in enumerate(events):
        if e.action is Action.FAVOUR:
            block = []
            for later in events[i + 1:]:
                if later.day != e.day or later.action not in (Action.READ, Action.LEAKED,
                                                              Action.INVESTIGATION_OPENED):
                    break
                block.append(later)
            out.append((e, block))
    return out


def test_favours_for_documents_seven_documents_leak_and_an_investigation_opens():
    s = load_scenario("favours-for-documents")
    assert s.params.behaviour.favour_documents == 7
    traded = told = 0
    for seed in SEEDS:
        events = run(s, seed).events
        trades = trades_with_their_consequences(events)
        seven = [(t, block) for t, block in trades if t.detail.startswith("7 documents to worker ")]
        traded += bool(seven)  # the secretary accepts: seven documents go to a worker
        for trade, block in seven:
            worker = trade.detail.removeprefix("7 documents to ")
            assert all(e.actor in (worker, "") for e in block)
        story = [(t, block) for t, block in seven
                 if any(e.action is Action.LEAKED for e in block)
                 and any(e.action is Action.INVESTIGATION_OPENED and e.detail == SURFACED for e in block)]
        if story:
            told += 1
            # the investigation ends, traced to the secretary or failed, after its delay
            trade, block = story[0]
            opened = next(e for e in block if e.action is Action.INVESTIGATION_OPENED)
            outcome = [e for e in events if e.document == opened.document
                       and e.action in (Action.INVESTIGATION_SOLVED, Action.INVESTIGATION_FAILED)]
            if opened.day + s.params.investigation.delay_days <= s.params.run.days:
                assert outcome and outcome[0].day == opened.day + s.params.investigation.delay_days
    # secretaries are drawn with differing risk attitudes; the case's kind trades in most runs
    assert traded >= 8
    assert told >= 6  # in most runs a seven-document trade leaks outside and is investigated


def test_favours_need_a_corruptible_secretary():
    s = load_scenario("favours-for-documents")
    honest = s.params.with_overrides({"behaviour.corruptibility_mean": 0.0})
    for seed in range(3):
        assert run(s, seed, events=False).summary["favour_trades"] > 0
        assert run(s, seed, params=honest, events=False).summary["favour_trades"] == 0


# -- agencies without records (O6) -----------------------------------------------------------------------------
def test_no_records_most_losses_cannot_be_noticed_or_dated():
    s = load_scenario("no-records")
    baseline = load_scenario("default").params.with_overrides({"population.offices": s.params.population.offices})
    losses = undatable = 0
    for seed in range(4):
        r = run(s, seed)
        S = r.summary
        assert S["losses"] > 0
        losses += S["losses"]
        undatable += S["undatable_losses"]
        # only registered losses are ever found by an audit or reported by their custodian
        assert S["losses_found"] + S["self_reported_losses"] <= S["losses"] - S["undatable_losses"]
        kept = run(s, seed, params=baseline, events=False).summary
        assert S["undatable_losses"] / S["losses"] > kept["undatable_losses"] / kept["losses"]
        dated = [e for e in r.events if e.action is Action.FINDING and "found it missing" in e.detail]
        assert len(dated) == S["losses_found"]
        # an unregistered loss is never found missing, reported or concealed: nobody can tell it went missing
        undated = {e.document for e in r.events
                   if e.action is Action.MISPLACED and e.detail.startswith("unregistered")}
        assert len(undated) == S["undatable_losses"]
        noticed = {e.document for e in dated} | {e.document for e in r.events
                                                 if e.action in (Action.LOSS_REPORTED, Action.LOSS_CONCEALED)}
        assert not undated & noticed
    assert undatable / losses >= 0.5  # most losses (a handful a year in each run) cannot be dated


# -- lecture materials not collected on time (O7) -------------------------------------------------------------
def test_lecture_materials_go_missing_after_being_left_uncollected():
    s = load_scenario("lecture-materials")
    free_to_collect = s.params.with_overrides({"documents.collection_hours": 0.0})
    missing = 0
    for seed in range(6):
        events = run(s, seed).events
        overdue = {e.document: e.day for e in events if e.action is Action.OVERDUE}
        circulated = sum(e.action is Action.CIRCULATED for e in events)
        lost = [e for e in events if e.action is Action.MISPLACED and "circulated material" in e.document]
        missing += len(lost)
        assert all(e.document in overdue and e.day > overdue[e.document] for e in lost)  # all after their deadline
        assert len(overdue) > 0.05 * circulated  # busy officials postpone collection often
        # when collecting costs nothing, nothing is left overdue and nothing circulated goes missing
        control = run(s, seed, params=free_to_collect, events=True).events
        assert not any(e.action is Action.OVERDUE for e in control)
        assert not any(e.action is Action.MISPLACED and "circulated material" in e.document for e in control)
    # officials collect most overdue copies within days (each day out risks a loss they answer for),
    # so copies go missing a few times a year across the five offices, not in every run
    assert missing >= 6


# -- the centre's crackdown (O9, O10) -----------------------------------------------------------------------------
def test_crackdown_makes_officials_nervous_from_its_day_on():
    crackdown, strict = load_scenario("crackdown"), load_scenario("strict")
    day = min(iv.day for iv in crackdown.timeline)
    assert crackdown.params == strict.params and day == 183
    for seed in range(3):
        a = run(crackdown, seed)
        b = run(strict, seed, events=False)
        before_a, before_b = a.daily[a.daily.day < day], b.daily[b.daily.day < day]
        assert before_a.equals(before_b)  # identical until the centre acts (common random numbers)
        after_a, after_b = a.daily[a.daily.day >= day], b.daily[b.daily.day >= day]
        assert after_a.violations_committed.sum() < 0.4 * after_b.violations_committed.sum()
        assert after_a.custody_workload_hours.sum() > after_b.custody_workload_hours.sum()
        assert after_a.uncleared_handling.sum() < after_b.uncleared_handling.sum()
        assert [e.day for e in a.events if e.action is Action.INTERVENTION] == [day, day]
        campaigns = [e.day for e in a.events if e.action is Action.CAMPAIGN]
        assert campaigns and min(campaigns) >= day and np.all(np.diff(campaigns) == 30)
        assert a.params.penalty.scaling == "uniform" and a.params.penalty.dismissal_severity == 1000.0


# -- the phone crackdown (O11) ---------------------------------------------------------------------------------
def test_phone_crackdown_cuts_external_leaks_not_exposures():
    s = load_scenario("phone-crackdown")
    day = s.timeline[0].day
    halves = np.zeros((2, 2))  # (before, after) x (external leaks, exposures), pooled over seeds
    for seed in range(3):
        d = run(s, seed, events=False).daily
        before, after = d[d.day < day], d[d.day >= day]
        halves += [[before.external_leaks.sum(), before.exposures.sum()],
                   [after.external_leaks.sum(), after.exposures.sum()]]
        assert after.exposures.mean() > 0.7 * before.exposures.mean()  # reading inside goes on
    (leaks_before, exposed_before), (leaks_after, exposed_after) = halves
    assert leaks_after / exposed_after < 0.5 * leaks_before / exposed_before  # fewer readings get out
    assert leaks_after < leaks_before
