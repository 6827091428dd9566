"""Officials' posts: the day's view of every post works out what each official's own methods do.

The view (``Posts.today``) and the key phase's chances (``Keys.chances``) weigh choices for many
officials at once; these tests hold them to the rule written out for one official (``Official``'s
perception and sanction methods, ``decisions.choice_probability``), after campaigns, audits,
sanctions, announcements and replacements have moved officials apart.
"""

import numpy as np
import pytest

from docsec.sim.decisions import Choice, choice_probability, felt, weight
from docsec.sim.documents import Classification
from docsec.sim.model import DocSecModel
from docsec.sim.parameters import Parameters
from docsec.sim.penalties import PenaltyPolicy

REL = 1e-12


@pytest.fixture(params=[{}, {"custody.key_sharing_permitted": False, "custody.uncleared_may_handle": False}],
                ids=["lax", "strict"])
def moved(small, request):
    """A run whose officials differ: campaigns, thorough audits, sanctions, replacements, a new penalty
    (under lax rules, and under strict ones, where shortcuts are forbidden and the norm counts)."""
    params = small.with_overrides({"inspection.thoroughness": 1.0, "penalty.warnings_before_dismissal": 1,
                                   "penalty.scaling": "convex", "penalty.leak_sanction": "rung", **request.param})
    model = DocSecModel(params, rng=4)
    model.run_days(100)
    model.params = model.params.with_overrides({"penalty.dismissal_severity": 900.0})
    model.announce_penalties()
    model.run_days(5)  # some have heard of the change, some not yet
    assert model.totals["dismissals"] > 0 and model.totals["warnings"] > 0
    assert len({o.believed_penalty.dismissal_severity for o in model.officials}) == 2
    return model


def test_the_view_holds_each_officials_own_perceptions(moved):
    view = moved.posts.today()
    assert len({round(o.perceived_detection_own(), 9) for o in moved.officials}) > 3
    for o in moved.officials:
        i = o.post
        b = o.office.params.behaviour
        assert moved.posts.holder[i] is o
        assert view.detection_own[i] == pytest.approx(o.perceived_detection_own(), rel=REL)
        assert view.detection[i] == pytest.approx(o.perceived_detection(), rel=REL)
        assert view.weight[i] == pytest.approx(weight(o.perceived_detection(), b.probability_weighting), rel=REL)
        assert view.norm[i] == pytest.approx(o.norm(), rel=REL)


@pytest.mark.parametrize("classification", list(Classification))
def test_the_view_holds_the_felt_severity_of_each_sanction_each_official_risks(moved, classification):
    view = moved.posts.today()
    c = classification - 1
    for o in moved.officials:
        aware, alpha = o.severity_awareness(), o.severity_curvature
        expected = {"offence": o.offence_severity(classification, grave=False),
                    "grave": o.offence_severity(classification, grave=True),
                    "leak": o.leak_severity(classification)}
        for kind, severity in expected.items():
            assert view.felt[kind][c, o.post] == pytest.approx(felt(aware * severity, alpha), rel=REL)


def test_official_decide_takes_a_shortcut_exactly_when_its_draw_is_below_the_rule_for_him(moved):
    """decide reads his values from the view: a draw just below the rule's probability for him takes the
    shortcut, one just above does not (the next draw of the decisions stream is set by hand)."""
    d = moved.streams.decisions
    officials = sorted(moved.officials, key=lambda o: -o.offences)[:12]  # some next to dismissal: grave weighs more
    assert any(o.offence_severity(Classification.SECRET, grave=True)
               > o.offence_severity(Classification.SECRET, grave=False) for o in officials)
    weighed = 0
    for o in officials:
        b = o.office.params.behaviour
        for forbidden, grave in ((False, False), (True, False), (True, True)):
            cost = o.expected_cost(forbidden, Classification.SECRET, grave, 0.03, 0.02)
            norm = o.norm() if forbidden else 0.0
            for gain in (0.3, 2.0, 8.0, cost + norm):  # (the last: where the logistic is steepest)
                p = choice_probability(gain, cost, norm, b.choice_temperature, b.attention_scale)
                if not 1e-12 < p < 0.99:
                    continue  # (no draw lies below a probability that rounds to 0)
                weighed += 1
                for u, taken in ((p * (1 - 1e-7), True), (p * (1 + 1e-7), False)):
                    d._u, d._ui = [u], 0  # the draw decide takes next
                    assert o.decide(Choice.DELEGATE, gain, forbidden=forbidden, classification=Classification.SECRET,
                                    grave=grave, leak=0.03, loss=0.02) is taken
    assert weighed > 20


def test_each_custodians_key_chance_is_the_rule_for_him(moved):
    keys = moved.keys
    chances = keys.chances()
    for office, chance in zip(moved.offices, chances, strict=True):
        c = office.custodian
        b = office.params.behaviour
        gain = c.workload() * office.params.documents.key_keeping_hours * office.hazards().key_days
        leak, loss = office.hazards().key_out
        forbidden = not office.params.custody.key_sharing_permitted
        expected = choice_probability(gain, c.expected_cost(forbidden, moved.key_classification, leak=leak, loss=loss),
                                      c.norm() if forbidden else 0.0, b.choice_temperature, b.attention_scale)
        assert chance == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_key_chances_are_the_rule_where_some_offices_forbid_sharing_the_key_and_others_allow_it(small):
    from docsec.sim.profiles import OfficeProfile

    model = DocSecModel(small.with_overrides({"custody.key_sharing_permitted": True}), rng=3,
                        office_profiles=[OfficeProfile(2, {"custody.key_sharing_permitted": False}),
                                         OfficeProfile(5, {"custody.key_sharing_permitted": False})])
    model.run_days(60)
    for office, chance in zip(model.offices, model.keys.chances(), strict=True):
        c = office.custodian
        b = office.params.behaviour
        gain = c.workload() * office.params.documents.key_keeping_hours * office.hazards().key_days
        leak, loss = office.hazards().key_out
        forbidden = not office.params.custody.key_sharing_permitted
        assert forbidden == (office.index + 1 in (2, 5))
        expected = choice_probability(gain, c.expected_cost(forbidden, model.key_classification, leak=leak, loss=loss),
                                      c.norm() if forbidden else 0.0, b.choice_temperature, b.attention_scale)
        assert chance == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_felt_severities_are_worked_out_again_for_the_official_whose_record_moves_and_for_him_only(small):
    model = DocSecModel(small.with_overrides({"education.campaign_interval_days": 0}), rng=1)
    model.run_days(3)
    before = {kind: table.copy() for kind, table in model.posts.today().felt.items()}
    official = model.offices[2].deputies[0]
    official.offences = official.believed_penalty.warnings_before_dismissal  # his next offence dismisses him
    after = model.posts.today().felt
    changed = {(kind, int(post)) for kind in before for post in (before[kind] != after[kind]).any(axis=0).nonzero()[0]}
    assert changed and {post for _, post in changed} == {official.post}


def test_a_dismissed_official_keeps_his_own_record_and_his_successor_starts_afresh(small):
    model = DocSecModel(small, rng=2)
    model.run_days(10)
    office = model.offices[1]
    old = office.custodian
    old.offences = 2
    old.learn_from_own_sanction()
    own, record = old.perceived_detection_own(), old.offences
    PenaltyPolicy(model).replace(old)
    new = office.custodian
    assert new is not old and new.post == old.post and model.posts.holder[old.post] is new
    assert (old.offences, old.perceived_detection_own()) == (record, own)
    assert new.offences == 0 and new.own_detection == office.params.behaviour.initial_perceived_detection
    old.offences = 7  # what is done to the one who left stays with him
    assert new.offences == 0
    assert model.posts.today().felt["offence"][:, new.post].tolist() == pytest.approx([
        felt(new.severity_awareness() * new.offence_severity(c, grave=False), new.severity_curvature)
        for c in Classification], rel=REL)


def test_each_post_draws_one_workload_a_day_with_the_mean_its_traits_give():
    params = Parameters().with_overrides({"population.offices": 50, "run.days": 400})
    model = DocSecModel(params, rng=3, collect_daily=False)
    posts = model.posts
    totals = [0.0] * len(posts)
    for _ in range(400):
        model.step()
        today = posts.workloads().copy()
        assert (posts.workloads() == today).all()  # one draw a day
        for i, o in enumerate(posts.holder):
            assert o.workload() == today[i]
            totals[i] += today[i] / (o.office.params.behaviour.workload_pressure * o.workload_scale)
    # lognormal with mean pressure x scale: the scaled mean over 400 days x 100 posts is about 1
    assert sum(totals) / (400 * len(posts)) == pytest.approx(1.0, abs=0.02)


def _one_draw_a_day(params, seed, days, timeline=()):
    """Each day's workloads as the rule gives them from one draw a day of the workload stream (the draws
    taken afresh, day by day, from a stream spawned as the model's is), beside the model's."""
    from docsec.sim.streams import Streams

    model = DocSecModel(params, rng=seed, timeline=timeline, collect_daily=False)
    gen = Streams(model.seed).workload.gen
    posts = model.posts
    ours, theirs = [], []
    for _ in range(days):
        model.step()
        z = gen.standard_normal(len(posts))
        mean = posts.pressure * posts.workload_scale
        theirs.append(mean * np.exp(posts.variability * z - posts._half_variance))
        ours.append(posts.workloads().copy())
    return model, ours, theirs


@pytest.mark.parametrize("block", [None, 1, 3], ids=["whole run", "a day at a time", "three days at a time"])
def test_workloads_drawn_ahead_are_the_values_one_draw_a_day_gives(monkeypatch, block):
    """Drawn for the days ahead at once (in blocks of any size), through replacements and a change of
    workload parameters, each day's workloads are bit for bit those of one draw a day."""
    from docsec.sim import posts as posts_module
    from docsec.sim.interventions import Intervention

    params = Parameters().with_overrides({"population.offices": 6, "run.days": 40, "inspection.thoroughness": 1.0,
                                          "penalty.warnings_before_dismissal": 0, "inspection.inspectors": 6,
                                          "inspection.audits_per_inspector_per_month": 20})
    if block is not None:
        monkeypatch.setattr(posts_module, "_DRAW_VALUES", block * 6 * (1 + params.population.deputies_per_office))
    timeline = [Intervention(day=20, set={"behaviour.workload_pressure": 2.5, "behaviour.workload_variability": 0.8})]
    model, ours, theirs = _one_draw_a_day(params, 4, 40, timeline)
    assert model.totals["staff_turnover"] > 0  # officials were replaced: new traits mid-run
    for day, (a, b) in enumerate(zip(ours, theirs, strict=True), start=1):
        assert a.tolist() == b.tolist(), f"day {day}"


def test_key_chances_follow_the_days_workloads_and_new_parameters():
    """The key chances kept for the days' workloads are those worked out afresh each day, also after an
    intervention changes the key's hours and the workload pressure."""
    from docsec.sim.interventions import Intervention

    params = Parameters().with_overrides({"population.offices": 5, "run.days": 30})
    timeline = [Intervention(day=12, set={"documents.key_keeping_hours": 0.9, "behaviour.workload_pressure": 3.0})]
    model = DocSecModel(params, rng=2, timeline=timeline)
    for day in range(1, 31):
        model.step()
        assert model.keys.hours == [0.9 if day >= 12 else params.documents.key_keeping_hours] * 5
        kept = model.keys.chances()
        model.keys._gains_for = model.keys._chances_for = None  # (worked out afresh)
        assert kept == model.keys.chances(), f"day {day}"


def _a_varied_run(small):
    """Parameters and a timeline under which the view moves in every way it can: audits and sanctions
    (own experience, publicity), replacements, education campaigns, an announced change of penalties
    heard day by day, and new parameters mid-run."""
    from docsec.sim.interventions import Intervention

    params = small.with_overrides({"inspection.thoroughness": 1.0, "penalty.warnings_before_dismissal": 1,
                                   "education.campaign_interval_days": 9, "run.days": 70})
    timeline = [Intervention(day=25, set={"penalty.dismissal_severity": 900.0}),
                Intervention(day=40, set={"custody.key_sharing_permitted": False, "behaviour.workload_pressure": 2.0})]
    return params, timeline


@pytest.mark.parametrize("seed", [1, 6])
def test_the_views_worked_out_for_the_days_ahead_are_each_days_own(small, seed):
    """Each day's view and key chances, taken from those worked out for the days ahead, are bit for bit
    what that day's own working out gives (the kept views and chances set aside for it, then put back)."""
    params, timeline = _a_varied_run(small)
    model = DocSecModel(params, rng=seed, timeline=timeline)
    posts, keys = model.posts, model.keys
    from_ahead = 0
    for day in range(1, params.run.days + 1):
        model.step()
        view, chances, mean = posts.today(), keys.chances(), posts.mean_perceived_detection()
        from_ahead += view.day > posts._views.first
        kept = posts._view, posts._views, keys._chances_for, keys._chances
        posts._view = posts._views = keys._chances_for = None
        own, own_chances = posts.today(), keys.chances()
        for field in ("detection_own", "detection", "weight", "norm"):
            assert getattr(view, field).tolist() == getattr(own, field).tolist(), f"day {day}: {field}"
        assert chances == own_chances, f"day {day}"
        assert mean == float(np.add.reduce(own.detection)) / len(posts), f"day {day}"
        posts._view, posts._views, keys._chances_for, keys._chances = kept
    assert model.totals["dismissals"] > 0 and model._publicity[0] > 0 and model._education[0] > 0
    assert from_ahead > params.run.days / 3  # most days took their view from one worked out before


@pytest.mark.parametrize("days_ahead", [1, 3, 8, 40])
def test_a_run_is_the_same_whatever_the_views_worked_out_ahead(small, monkeypatch, days_ahead):
    """The days ahead whose views are worked out at once change how fast a run goes, never what happens."""
    from docsec.sim import posts as posts_module

    params, timeline = _a_varied_run(small)

    def run():
        model = DocSecModel(params, rng=3, timeline=timeline)
        model.run_days()
        return model.totals, model.daily_table()

    totals, daily = run()
    monkeypatch.setattr(posts_module, "_VIEW_DAYS", days_ahead)
    monkeypatch.setattr(posts_module, "_VIEW_VALUES", 10 ** 6)
    other_totals, other_daily = run()
    assert totals == other_totals
    assert daily.equals(other_daily)


def test_a_large_organisation_works_out_its_views_a_day_at_a_time():
    """Its view changes every day: the days ahead are bounded by the values worked out at once."""
    from docsec.sim import posts as posts_module

    model = DocSecModel(Parameters().with_overrides({"population.offices": 500}), rng=1, collect_daily=False)
    model.step()
    assert len(model.posts) * model.posts._views.days <= max(posts_module._VIEW_VALUES, len(model.posts))
    assert model.posts._views.days == 1


@pytest.mark.parametrize("overrides, expected", [({"behaviour.workload_pressure": 0.0}, "zero"),
                                                 ({"behaviour.workload_variability": 0.0}, "mean")])
def test_workload_is_zero_without_pressure_and_the_mean_without_variability(overrides, expected):
    model = DocSecModel(Parameters().with_overrides({"population.offices": 5, **overrides}), rng=1)
    model.step()
    for o in model.posts.holder:
        mean = o.office.params.behaviour.workload_pressure * o.workload_scale
        assert o.workload() == (0.0 if expected == "zero" else pytest.approx(mean, rel=1e-15))


def test_a_key_choice_with_nothing_to_gain_is_never_taken_and_draws_nothing():
    model = DocSecModel(Parameters().with_overrides({"population.offices": 4, "behaviour.workload_pressure": 0.0}),
                        rng=1, record_events=True)
    model.run_days(30)
    assert model.keys.chances() == [-1.0] * 4
    assert model.totals["key_out_days"] == 0
    assert not [d for d in model.decisions_log if d.choice is Choice.HAND_OVER_KEY]
