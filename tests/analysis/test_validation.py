"""docsec validate: facts with known answers on a toy model, expressibility, validation.json's schema, the page, the CLI."""

from __future__ import annotations

import json
import types

import numpy as np
import pandas as pd
import pytest

from docsec.analysis.cli import main
from docsec.analysis.validation import catalogue
from docsec.analysis.validation.design import needs_daily, plan_fact, unexpressible
from docsec.analysis.validation.facts import (Arm, Contrast, Effort, Expected, Fact, InRange, Outcome, Scale,
                                              Step, Verdict)
from docsec.analysis.validation.output import check_document, document, render, write_outputs
from docsec.analysis.validation.runner import run_validation
from docsec.analysis.validation.verdict import judge
from docsec.analysis.validation.design import DAILY_NAMES
from docsec.sim.metrics import COUNTER_NAMES, SUMMARY_NAMES

AUDITS = "inspection.audits_per_inspector_per_month"
SEVERITY = "penalty.dismissal_severity"
TINY = Effort(replicates=6, offices=2, base_seed=7, name="test")


def toy_runner(params, seed, *, timeline=(), collect_daily=False):
    """Violations per day = 20 / audits (from the audits in force that day) + seed noise; severity does nothing."""
    rng = np.random.default_rng(seed)
    days = params.run.days
    audits = np.full(days, params.get(AUDITS))
    for iv in sorted(timeline, key=lambda iv: iv.day):
        if AUDITS in iv.set:
            audits[iv.day - 1:] = iv.set[AUDITS]
    daily = pd.DataFrame({"day": np.arange(1, days + 1), **{c: np.zeros(days) for c in DAILY_NAMES}})
    daily["violations_committed"] = 20.0 / np.maximum(audits, 0.5) + rng.normal(0.0, 1.0) + rng.normal(0, 0.1, days)
    daily["documents_received"] = 10.0
    summary = dict.fromkeys(SUMMARY_NAMES, 0.0)
    summary.update({c: float(daily[c].sum()) for c in COUNTER_NAMES})
    summary["violations_committed_per_1000_docs"] = 1000.0 * summary["violations_committed"] / summary[
        "documents_received"]
    return types.SimpleNamespace(summary=summary, daily=daily if collect_daily else None)


RATE = Outcome(("violations_committed",), ("documents_received",), scale=1000.0)


def fact(name="toy", expected=Expected.DECREASE, arms=None, contrasts=None, **kw) -> Fact:
    arms = arms or (Arm("base"), Arm("more_audits", {AUDITS: Scale(2.0)}))
    contrasts = contrasts or (Contrast("more audits − base", (("more_audits", 1.0), ("base", -1.0)), RATE,
                                       expected),)
    return Fact(name=name, title=f"Toy fact {name}", source="a test", claim="audits lower violations",
                base="default", arms=arms, contrasts=contrasts, days=kw.pop("days", 30), **kw)


def run(tmp_path, *facts):
    return run_validation(facts, TINY, tmp_path, engine="serial", runner=toy_runner)


def test_a_fact_with_a_known_answer_is_reproduced_with_the_paired_effect(tmp_path):
    [result] = run(tmp_path, fact())
    assert result.verdict is Verdict.REPRODUCED
    head = result.headline
    # audits 2 -> 4 halves 20 / audits: 10 -> 5 violations a day, 10 documents a day: 1000 -> 500 per 1,000
    assert head.effect == pytest.approx(-500.0, abs=15.0)
    assert head.low < head.effect < head.high < 0.0
    assert head.n_pairs == TINY.replicates
    assert "below zero" in result.why
    assert len(result.stores) == 1 and result.runs == 2 * TINY.replicates


def test_the_opposite_expectation_is_not_reproduced_and_says_so(tmp_path):
    [result] = run(tmp_path, fact(expected=Expected.INCREASE))
    assert result.verdict is Verdict.NOT_REPRODUCED
    assert "opposite direction" in result.why


def test_a_lever_that_does_nothing_is_no_effect_within_margin_and_not_a_decrease(tmp_path):
    arms = (Arm("base"), Arm("harsh", {SEVERITY: Scale(4.0)}))
    null = Contrast("harsh − base", (("harsh", 1.0), ("base", -1.0)), RATE, Expected.NONE, margin=0.01)
    down = Contrast("harsh − base", (("harsh", 1.0), ("base", -1.0)), RATE, Expected.DECREASE)
    [none, decrease] = run(tmp_path, fact("null", arms=arms, contrasts=(null,)),
                           fact("down", arms=arms, contrasts=(down,)))
    assert none.verdict is Verdict.REPRODUCED and none.headline.effect == pytest.approx(0.0, abs=1e-9)
    assert decrease.verdict is Verdict.NOT_REPRODUCED


def test_timeline_arms_and_windows_read_the_days_they_name(tmp_path):
    arms = (Arm("steady"), Arm("cut", timeline=(Step(11, {AUDITS: 0.5}, "audits fall"),)))
    per_day = Outcome(("violations_committed",), window=(11, 30))
    before = Contrast("cut − steady, days 1–10", (("cut", 1.0), ("steady", -1.0)),
                      Outcome(("violations_committed",), window=(1, 10)), Expected.NONE, margin=0.05)
    after = Contrast("cut − steady, days 11–30", (("cut", 1.0), ("steady", -1.0)), per_day, Expected.INCREASE)
    lagged = Contrast("after minus before", (("cut", 1.0), ("steady", -1.0), ("cut", -1.0), ("steady", 1.0)),
                      per_day, Expected.INCREASE, windows=((2, (1, 10)), (3, (1, 10))))
    f = fact("timeline", arms=arms, contrasts=(after, before, lagged))
    assert needs_daily(f)
    [result] = run(tmp_path, f)
    assert result.verdict is Verdict.REPRODUCED, result.why
    after_r, before_r, lagged_r = result.contrasts
    # 20 / 0.5 = 40 a day after the cut, against 20 / 2 = 10: +30 a day after day 10, nothing before
    assert after_r.effect == pytest.approx(30.0, abs=0.2)
    assert before_r.effect == pytest.approx(0.0, abs=1e-9)
    assert lagged_r.effect == pytest.approx(30.0, abs=0.2)
    assert len(result.stores) == 2  # arms with different timelines run as two sweeps, paired on seeds
    assert (tmp_path / "scenarios" / "timeline-1.toml").is_file()


def test_a_missing_parameter_choice_or_metric_is_not_expressible_and_runs_nothing(tmp_path):
    missing_param = fact("p", arms=(Arm("base"), Arm("x", {"behaviour.no_such_lever": 1.0})),
                         contrasts=(Contrast("x − base", (("x", 1.0), ("base", -1.0)), RATE, Expected.DECREASE),))
    missing_choice = fact("c", arms=(Arm("base"), Arm("x", {"penalty.scaling": "proportional"})),
                          contrasts=(Contrast("x − base", (("x", 1.0), ("base", -1.0)), RATE, Expected.DECREASE),),
                          choices=(("penalty.scaling", "cubic"),))
    missing_metric = fact("m", contrasts=(Contrast("x", (("more_audits", 1.0), ("base", -1.0)),
                                                   Outcome(("leaks_of_the_crown_jewels",)), Expected.DECREASE),))
    results = run(tmp_path, missing_param, missing_choice, missing_metric)
    assert [r.verdict for r in results] == [Verdict.NOT_EXPRESSIBLE] * 3
    assert "behaviour.no_such_lever" in results[0].why
    assert "cubic" in results[1].why and "proportional, convex, uniform" in results[1].why
    assert "leaks_of_the_crown_jewels" in results[2].why
    assert all(not r.stores for r in results) and not (tmp_path / "stores").exists()


def test_a_value_the_model_refuses_is_not_expressible_with_the_parameters_message(tmp_path):
    f = fact("range", arms=(Arm("base"), Arm("x", {AUDITS: -1.0})))
    [result] = run(tmp_path, f)
    assert result.verdict is Verdict.NOT_EXPRESSIBLE and AUDITS in result.why


def test_judge_covers_every_verdict():
    assert judge(Expected.INCREASE, 0.1, 0.5, 10, 0, 1)[0] is Verdict.REPRODUCED
    assert judge(Expected.INCREASE, -0.1, 0.5, 10, 0, 1)[1].endswith("no clear effect with 10 paired replicates")
    assert judge(Expected.DECREASE, float("nan"), float("nan"), 1, 0, 1)[0] is Verdict.NOT_REPRODUCED
    assert judge(Expected.NONE, -0.05, 0.05, 10, 0.1, 1.0)[0] is Verdict.REPRODUCED
    assert judge(Expected.NONE, -0.05, 0.2, 10, 0.1, 1.0)[0] is Verdict.NOT_REPRODUCED


def test_resumed_suite_reuses_its_stores(tmp_path):
    run(tmp_path, fact())
    from docsec.analysis.results import load_provenance
    store = next((tmp_path / "stores").glob("*.sqlite"))
    [again] = run(tmp_path, fact())
    assert again.verdict is Verdict.REPRODUCED
    sessions = load_provenance(store)["sessions"]
    assert [s["runs_done"] for s in sessions] == [2 * TINY.replicates, 0]  # the second found nothing left to run
    assert len(list((tmp_path / "stores").glob("*.sqlite"))) == 1


def test_validation_json_follows_its_schema_and_the_page_has_a_figure_per_tested_fact(tmp_path):
    results = run(tmp_path, fact(), fact("gone", arms=(Arm("base"), Arm("x", {"behaviour.no_such_lever": 1}))))
    json_path, html_path = write_outputs(results, TINY, tmp_path)
    doc = json.loads(json_path.read_text())
    check_document(doc)
    assert [f["verdict"] for f in doc["facts"]] == ["reproduced", "not expressible"]
    first, second = doc["facts"]
    for key in ("name", "source", "expected", "effect", "interval", "verdict", "design"):
        assert key in first
    assert first["interval"][0] < first["effect"] < first["interval"][1]
    assert set(first["design"]["arms"]) == {"base", "more_audits"}
    assert second["effect"] is None and "no_such_lever" in second["why"]
    assert doc["counts"]["reproduced"] == 1 and doc["counts"]["not expressible"] == 1
    assert doc["provenance"]["docsec_version"]
    html = html_path.read_text()
    assert html.count('class="plotly-graph-div"') == 1
    assert "Toy fact toy" in html and "Toy fact gone" in html and "<script src=" not in html
    broken = dict(doc, facts=[dict(first, verdict="maybe")])
    with pytest.raises(ValueError, match=r"facts\[0\]\.verdict"):
        check_document(broken)
    with pytest.raises(ValueError, match=r"facts\[0\]\.why"):
        check_document(dict(doc, facts=[dict(first, why="")]))


def test_every_fact_of_the_suite_plans_or_says_why_not(tmp_path):
    effort = Effort(replicates=3, offices=2)
    for f in catalogue.suite():
        reasons = unexpressible(f)
        if reasons:
            assert all(reasons), f.name
            continue
        plan = plan_fact(f, effort, tmp_path)
        arms = {a for s in plan.sweeps for a in s.arm_points}
        assert arms == {a.name for a in f.arms}, f.name
        assert {s.spec.base_seed for s in plan.sweeps} == {effort.base_seed}
        assert all(s.spec.replicates == 3 and s.spec.days == f.days for s in plan.sweeps)
        for c in f.contrasts:
            assert {a for a, _ in c.terms} <= arms


def test_in_range_values_use_the_declared_plausible_range(tmp_path):
    from docsec.sim.parameters import spec_by_path
    spec = spec_by_path()[AUDITS]
    f = fact("mid", arms=(Arm("base"), Arm("mid", {AUDITS: InRange(0.5)})),
             contrasts=(Contrast("mid − base", (("mid", 1.0), ("base", -1.0)), RATE, Expected.DECREASE),))
    plan = plan_fact(f, TINY, tmp_path)
    assert plan.design["arms"]["mid"]["set"][AUDITS] == pytest.approx((spec.sweep_min + spec.sweep_max) / 2)


def test_cli_refuses_bad_options_with_one_line_and_status_2(capsys, tmp_path):
    assert main(["validate", "--fact", "no_such_fact", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--fact no_such_fact: unknown fact; allowed:" in err[0]
    assert main(["validate", "--workers", "0", "--out", str(tmp_path)]) == 2
    assert "--workers: must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "validation.json").exists()


def test_rendered_page_explains_the_quick_suite():
    doc = document([], Effort(replicates=2, offices=2, name="quick"))
    assert "quick suite" in render(doc)


def test_cli_runs_the_chosen_facts_of_the_quick_suite_into_out(capsys, tmp_path):
    out = tmp_path / "v"
    assert main(["validate", "--quick", "--fact", "convex_penalties", "--out", str(out), "--serial"]) == 0
    doc = json.loads((out / "validation.json").read_text())
    assert doc["suite"] == "quick" and doc["effort"]["offices"] == 10
    assert [f["name"] for f in doc["facts"]] == ["convex_penalties"]
    verdict = doc["facts"][0]["verdict"]
    assert verdict in ("reproduced", "not reproduced")  # the model expresses convex penalties
    assert (out / "validation.html").is_file()
    assert f"1 {verdict}" in capsys.readouterr().out
