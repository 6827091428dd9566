"""The report: every figure present, plotly.js embedded once, no external URL, text escaped; `docsec report`."""

from __future__ import annotations

import json
import math
import re
import types
from html import escape as html_escape
from pathlib import Path

import pandas as pd
import plotly.offline
import pytest

from docsec.analysis.cli import main
from docsec.analysis.report import analyse_study, load_study, write_report
from docsec.analysis.report.study import describe_study
from docsec.analysis.sensitivity import run_sensitivity, spec_from_mapping
from docsec.analysis.sweep.design import load_sweep
from docsec.analysis.sweep.execute import run_sweep
from docsec.scenarios.loader import load_scenario
from docsec.sim.metrics import SUMMARY_NAMES

SEVERITIES = ("penalty.warning_severity", "penalty.dismissal_severity", "penalty.harsher_severity")
EXPECTED_FIGURES = {"bars:external_leaks_per_1000_docs", "bars:losses_per_1000_docs",
                    "bars:concealed_losses_per_1000_docs", "heatmap", "tradeoff", "daily"}


def tiny_study_text(replicates: int = 3, days: int = 40, description: str = "Tiny study") -> str:
    """Lax vs strict at penalties x1 and x4 of the lax scenario's, in a small short organisation."""
    lax = load_scenario("lax").params
    x4 = "\n".join(f"{p} = {4 * lax.get(p)!r}" for p in SEVERITIES)
    points = []
    for rule in ("true", "false"):
        rules = f"custody.uncleared_may_handle = {rule}\ncustody.key_sharing_permitted = {rule}\n"
        points.append(f"[[design.points]]\n{rules}")
        points.append(f"[[design.points]]\n{rules}{x4}\n")
    return (f'[sweep]\nname = "tiny"\ndescription = "{description}"\nbase = "lax"\nreplicates = {replicates}\n'
            f'base_seed = 7\ndays = {days}\n\n[design]\nkind = "explicit"\n\n' + "\n".join(points)
            + "\n[parameters]\npopulation.offices = 4\n\n[outputs]\ndaily = true\n")


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    study = folder / "tiny.toml"
    study.write_text(tiny_study_text(description="Tiny <script>alert('x')</script> & co"))
    store = folder / "store.sqlite"
    run_sweep(load_sweep(study), store, engine="serial", progress=False)
    return store


@pytest.fixture(scope="module")
def tiny_report(tiny_store) -> tuple[str, object]:
    path, analysis = write_report(tiny_store, tiny_store.with_name("report.html"))
    return path.read_text(encoding="utf-8"), analysis


def test_study_factors_are_recognised(tiny_store):
    runs, prov, _, _ = load_study(tiny_store)
    study = describe_study(runs, prov["base_parameters"])
    assert [f.title for f in study.factors] == ["Custody regime", "Penalty level"]
    assert study.primary.levels == ("Lax delegation", "Strict custody")
    assert study.primary.baseline == "Lax delegation"
    assert study.secondary.levels == ("×1", "×4") and study.secondary.baseline == "×1"
    assert set(study.runs["Custody regime"]) == {"Lax delegation", "Strict custody"}


def test_report_contains_every_figure_and_table(tiny_report):
    html, analysis = tiny_report
    assert set(analysis.figures) == EXPECTED_FIGURES
    assert html.count('class="plotly-graph-div"') == len(EXPECTED_FIGURES)
    assert html.count("Plotly.newPlot(") == len(EXPECTED_FIGURES)
    for fig, caption in analysis.figures.values():
        assert f'"title":{{"text":{json.dumps(fig.layout.title.text)}' in html
        assert html_escape(caption) in html
    for heading in ("What was run", "The main contrasts in plain words", "Comparison tables", "Figures",
                    "Every design point", "Provenance", "Methods"):
        assert f"<h2>{heading}</h2>" in html
    assert "Strict custody" in html and "paired replicates" in html


def test_report_is_self_contained(tiny_report):
    html, _ = tiny_report
    # plotly.js is embedded once, inline: plotly's own offline bundle, verbatim
    bundle = plotly.offline.get_plotlyjs()
    assert html.count(bundle) == 1 and html.count("* plotly.js v") == 1
    rest = html.replace(bundle, "")
    # no tag loads anything from elsewhere: no script src, stylesheet link, image, frame or import ...
    assert not re.search(r"<script[^>]*\bsrc\s*=", rest, re.I)
    assert not re.search(r"<(link|img|iframe|embed|object|source)\b", rest, re.I)
    assert "@import" not in rest
    # ... and outside plotly.js itself no URL at all (figures, tables and text are local)
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", rest, re.I)


def test_report_escapes_text_from_data(tiny_report):
    html, _ = tiny_report
    assert "<script>alert" not in html
    assert "Tiny &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in html


def test_report_carries_provenance(tiny_store, tiny_report):
    html, analysis = tiny_report
    prov = analysis.provenance
    for key in ("sweep_file_hash", "design_hash", "base_scenario_hash", "git_revision", "docsec_version",
                "mesa_version"):
        assert str(prov[key]) in html, key
    assert "Replicates per design point" in html


def test_analysis_tables_agree_with_statistics(tiny_store):
    runs, prov, daily, _ = load_study(tiny_store)
    a = analyse_study(runs, prov, daily=daily)
    row = a.primary_table[(a.primary_table["metric"] == "external_leaks_per_1000_docs")
                          & (a.primary_table["Penalty level"] == "×1")].iloc[0]
    lax = runs[(runs["custody.uncleared_may_handle"]) & (runs["penalty.dismissal_severity"] == 200.0)]
    strict = runs[(~runs["custody.uncleared_may_handle"]) & (runs["penalty.dismissal_severity"] == 200.0)]
    merged = lax.merge(strict, on="seed", suffixes=("_lax", "_strict"))
    diff = (merged["external_leaks_per_1000_docs_strict"] - merged["external_leaks_per_1000_docs_lax"]).mean()
    assert row["difference"] == pytest.approx(diff)
    assert row["n_pairs"] == 3
    assert a.reading[-1].startswith("These are results of the model")


def test_report_of_a_sensitivity_store_has_index_bars(tmp_path):
    paths = ("behaviour.workload_pressure", "behaviour.compliance_norm_mean")

    spec = spec_from_mapping({"sensitivity": {"method": "morris", "outputs": ["losses_per_1000_docs"]},
                              "morris": {"trajectories": 4}, "parameters": {p: [1.0, 3.0] for p in paths}})
    result = run_sensitivity(spec, tmp_path, engine="serial", progress=False, runner=_linear)
    _, analysis = write_report(result.store, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert list(analysis.figures) == ["sensitivity:losses_per_1000_docs"]
    assert "<h2>Sensitivity indices</h2>" in html and "Morris screening of losses" in html
    assert "<h2>The main contrasts in plain words</h2>" not in html  # many sampled points: no contrast


def _linear(params, seed, *, timeline=(), collect_daily=False):
    summary = dict.fromkeys(SUMMARY_NAMES, 0.0)
    summary["losses_per_1000_docs"] = 2.0 * params.get("behaviour.workload_pressure")
    return types.SimpleNamespace(summary=summary, daily=None)


# -- the command ------------------------------------------------------------------------------------


def test_report_command_writes_default_path_and_prints_reading(tiny_store, capsys):
    assert main(["report", str(tiny_store)]) == 0
    out = capsys.readouterr().out
    assert tiny_store.with_suffix(".html").is_file()
    assert f"-> {tiny_store.with_suffix('.html')}" in out and "strict custody" in out.lower()


def test_report_command_output_confidence_and_interval_options(tiny_store, tmp_path):
    out = tmp_path / "sub" / "r90.html"
    assert main(["report", str(tiny_store), "-o", str(out), "--confidence", "0.9", "--interval", "bootstrap"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "90% interval" in html and "95% interval" not in html
    assert "bias-corrected and accelerated (BCa) bootstrap" in html


def test_report_command_rejects_bad_confidence(tiny_store, tmp_path, capsys):
    assert main(["report", str(tiny_store), "-o", str(tmp_path / "x.html"), "--confidence", "95"]) == 2
    err = capsys.readouterr().err
    assert "docsec report: error: --confidence: must be a number between 0 and 1, exclusive (got 95.0)" in err
    assert not (tmp_path / "x.html").exists()


def test_report_command_rejects_a_missing_store(tmp_path, capsys):
    assert main(["report", str(tmp_path / "none.sqlite")]) == 2
    assert "none.sqlite: no such results store" in capsys.readouterr().err


def test_figures_have_finite_data(tiny_report):
    _, analysis = tiny_report
    fig, _ = analysis.figures["bars:external_leaks_per_1000_docs"]
    assert all(math.isfinite(v) for trace in fig.data for v in trace.y)
    assert [t.name for t in fig.data] == ["Lax delegation", "Strict custody"]
    assert list(fig.data[0].x) == ["×1", "×4"]
    daily, _ = analysis.figures["daily"]
    assert {t.name for t in daily.data if t.mode == "lines"} == {"Lax delegation", "Strict custody"}
    assert pd.Series(daily.data[1].x).max() == 40


def _synthetic_runs() -> pd.DataFrame:
    """Lax/strict x penalties x1/x4, four seeds, with leak rates chosen for hand calculation."""
    leaks = {(True, 1): [50, 52, 48, 50], (True, 4): [50, 51, 49, 50],
             (False, 1): [20, 22, 18, 20], (False, 4): [10, 11, 9, 10]}
    rows = []
    for (rule, mult), values in leaks.items():
        for seed, v in zip((1, 2, 3, 4), values):
            rows.append({"run_id": f"{rule}{mult}{seed}", "point_id": int(not rule) * 2 + (mult == 4),
                         "replicate": seed - 1, "seed": seed, "status": "done",
                         "custody.uncleared_may_handle": rule, "custody.key_sharing_permitted": rule,
                         "penalty.warning_severity": 5.0 * mult, "penalty.dismissal_severity": 200.0 * mult,
                         "penalty.harsher_severity": 2000.0 * mult,
                         "external_leaks_per_1000_docs": float(v), "custody_hours_per_office_day": 0.1 + (not rule)})
    return pd.DataFrame(rows)


def test_reading_states_direction_size_and_clarity_from_the_table():
    prov = {"base_parameters": {"penalty.warning_severity": 5.0, "penalty.dismissal_severity": 200.0,
                                "penalty.harsher_severity": 2000.0}, "replicates": 4}
    a = analyse_study(_synthetic_runs(), prov)
    first = a.reading[0]
    # strict - lax at x1: [-30, -30, -30, -30] (no spread); at x4: [-40, -40, -40, -40]
    assert first.startswith("Strict custody lowered external leaks at every penalty level tested, "
                            "by 60% (penalty level ×1) to 80% (penalty level ×4).")
    assert ("At penalty level ×1, external leaks went from 50.0 to 20.0 per 1,000 documents, a fall of 30.0 "
            "(95% interval 30.0 to 30.0; −60%) with strict custody instead of lax delegation: "
            "clear over 4 paired replicates.") in first
    penalty = [p for p in a.reading if p.startswith("Under lax delegation")][0]
    # lax, x4 - x1: [0, -1, 1, 0]: mean 0, an interval around zero
    assert "a change of 0 (95% interval" in penalty and "not distinguishable from no change over 4" in penalty
    assert a.reading[-1].startswith("These are results of the model")


def test_a_third_factor_is_held_at_its_baseline():
    low = _synthetic_runs().assign(**{"inspection.audits_per_inspector_per_month": 2.0})
    high = low.assign(**{"inspection.audits_per_inspector_per_month": 8.0,
                         "external_leaks_per_1000_docs": low["external_leaks_per_1000_docs"] * 3,
                         "run_id": low["run_id"] + "h", "point_id": low["point_id"] + 4})
    prov = {"base_parameters": {"penalty.warning_severity": 5.0, "penalty.dismissal_severity": 200.0,
                                "penalty.harsher_severity": 2000.0}}
    a = analyse_study(pd.concat([low, high], ignore_index=True), prov)
    assert [f.title for f in a.study.held] == ["Audits per inspector per month (audits/inspector/month)"]
    assert a.reading[0].startswith("The contrasts below hold the study's other factors at their baselines "
                                   "(audits per inspector per month at 2)")
    leaks = a.primary_table[a.primary_table["metric"] == "external_leaks_per_1000_docs"]
    assert list(leaks["difference"]) == [-30.0, -40.0]  # the audits = 2 slice only
    assert len(a.point_summary) == 8 * len(a.metrics)  # every design point is still summarised
