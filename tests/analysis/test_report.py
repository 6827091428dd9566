"""The report: every figure present, plotly.js embedded once, no external URL, text escaped; `docsec report`;
the headline first, clear differences marked, tables that fit the page, intervals cut at zero."""

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
from docsec.analysis.report.build import render_report
from docsec.analysis.report.labels import metric_label
from docsec.analysis.report.page import Stacked, table_html
from docsec.analysis.report.tables import CUT_NOTE, POINT_METRICS_PER_TABLE, comparison_rows, point_rows, \
    text_table
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


# -- layout: the headline first, clear differences marked, tables that fit, intervals cut at zero ----------------
#: The report's text column (``max-width`` of the page body, in CSS pixels).
PAGE_WIDTH_PX = 1100


def _rare_event_runs() -> pd.DataFrame:
    """The synthetic study with more metrics, some of them rare counts whose t intervals reach below zero."""
    runs = _synthetic_runs()
    rare = {(True, 1): [0.0, 0.0, 2.0, 0.0], (True, 4): [0.0, 3.0, 0.0, 1.0],
            (False, 1): [0.0, 0.0, 0.0, 0.5], (False, 4): [1.0, 0.0, 0.0, 0.0]}
    concealed, detection, exposures, losses, detected = [], [], [], [], []
    for _, r in runs.iterrows():
        key = (bool(r["custody.uncleared_may_handle"]), 4 if r["penalty.dismissal_severity"] > 200 else 1)
        concealed.append(rare[key][int(r["seed"]) - 1])
        detection.append(0.3 + 0.1 * (not key[0]) + 0.01 * r["seed"])
        exposures.append(500.0 - 250 * (not key[0]) + r["seed"])
        losses.append(16.0 - 8 * (not key[0]) + 0.1 * r["seed"])
        detected.append(10.0 + 40 * (not key[0]) - r["seed"])
    return runs.assign(concealed_losses_per_1000_docs=concealed, detection_share=detection,
                       exposures_per_1000_docs=exposures, losses_per_1000_docs=losses,
                       violations_detected_per_1000_docs=detected)


PROV = {"base_parameters": {"penalty.warning_severity": 5.0, "penalty.dismissal_severity": 200.0,
                            "penalty.harsher_severity": 2000.0}, "replicates": 4, "sweep_name": "fixture"}


@pytest.fixture(scope="module")
def rare_analysis():
    return analyse_study(_rare_event_runs(), PROV)


def _headings(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


def test_the_headline_figure_and_key_contrast_come_first(rare_analysis):
    html = render_report(rare_analysis)
    assert _headings(html)[:2] == ["Headline", "What was run"]
    headline = html[html.index("<h2>Headline</h2>"):html.index("<h2>What was run</h2>")]
    # the figure of the headline metric is in it, and only there
    fig, _ = rare_analysis.figures["bars:external_leaks_per_1000_docs"]
    title = json.dumps(fig.layout.title.text)
    assert headline.count('class="plotly-graph-div"') == 1 and title in headline
    assert html.count(title) == 1
    # the key contrast: lax against strict at the base penalty, each metric marked clear or not
    bullets = re.findall(r"<li>(.*?)</li>", headline)
    assert bullets[0].startswith("Clear: external leaks went from 50.0 to 20.0 per 1,000 documents, a fall of 30.0")
    assert "at penalty level ×1" in bullets[0]
    concealed = [b for b in bullets if "concealed losses" in b]
    assert concealed and concealed[0].startswith("Not clear: ")  # [0, 0, 2, 0] against [0, 0, 0, 0.5]
    assert html.index("<h2>Headline</h2>") < html.index("<h2>Comparison tables</h2>")


def test_comparison_tables_mark_clear_differences(rare_analysis):
    table = comparison_rows(rare_analysis.primary_table, ["Penalty level"])
    clear_col = table.header.index("Clear?")
    diffs = rare_analysis.primary_table
    order = {m: i for i, m in enumerate(pd.unique(diffs["metric"]))}
    diffs = diffs.assign(_m=diffs["metric"].map(order)).sort_values("_m", kind="stable")  # the table's order
    assert [row[clear_col] for row in table.rows] == [
        "yes" if lo > 0 or hi < 0 else "no" for lo, hi in zip(diffs["difference_low"], diffs["difference_high"])]
    assert {row[clear_col] for row in table.rows} == {"yes", "no"}
    assert any(n.startswith("Clear?: yes when the paired difference's 95% interval excludes zero") for n in table.notes)
    html = table_html(table)
    assert html.count('<td class="clear">yes</td>') == sum(row[clear_col] == "yes" for row in table.rows)
    assert "Clear?: yes when" in html
    # the terminal table of docsec compare carries the column and its legend too
    text = text_table(table)
    assert "Clear?" in text.splitlines()[0] and "Clear?: yes when" in text


def _cell_lines(cell) -> list[str]:
    return [cell.main, cell.under] if isinstance(cell, Stacked) else [str(cell)]


def _estimated_width_px(table) -> float:
    """A generous estimate of a table's width: numeric cells do not wrap (each of their lines counts whole),
    text cells and headers wrap at spaces (their longest word counts); 8 px a character, 20 px padding."""
    widths = []
    for i, head in enumerate(table.header):
        cells = [row[i] for row in table.rows]
        numeric = table.numeric[i] if i < len(table.numeric) else False
        longest = max((len(w) for line in _cell_lines(head) for w in line.split()), default=0)
        for cell in cells:
            lines = _cell_lines(cell)
            longest = max(longest, *(len(x) if numeric else max((len(w) for w in x.split()), default=0)
                                     for x in lines))
        widths.append(8 * longest + 20)
    return sum(widths)


def test_every_design_point_tables_fit_the_page(rare_analysis):
    a = rare_analysis
    by = ["Custody regime", "Penalty level"]
    tables = point_rows(a.point_summary, by, a.metrics)
    assert len(a.metrics) == 7 and len(tables) == 2
    shown = [h.main for t in tables for h in t.header[len(by) + 1:]]
    assert sorted(shown) == sorted(metric_label(m) for m in a.metrics) and len(set(shown)) == len(shown)
    for t in tables:
        assert t.header[:3] == [*by, "Runs"]  # every part names its design points
        assert len(t.header) - 3 <= POINT_METRICS_PER_TABLE
        assert len(t.rows) == 4 and all(isinstance(c, Stacked) for row in t.rows for c in row[3:])
        assert _estimated_width_px(t) <= PAGE_WIDTH_PX, _estimated_width_px(t)
    # the old single table would not have fitted
    (single,) = point_rows(a.point_summary, by, a.metrics, per_table=len(a.metrics))
    assert _estimated_width_px(single) > PAGE_WIDTH_PX
    html = render_report(a)
    section = html[html.index("<h2>Every design point</h2>"):html.index("<h2>Provenance</h2>")]
    assert section.count("<table>") == 2 and "Metrics 1 of 2" in section and "Metrics 2 of 2" in section


def test_intervals_of_non_negative_metrics_are_cut_at_zero_and_say_so(rare_analysis):
    a = rare_analysis
    concealed = a.point_summary[a.point_summary["metric"] == "concealed_losses_per_1000_docs"]
    assert (concealed["ci_low"] < 0).any()  # the statistics keep the raw interval ...
    by = ["Custody regime", "Penalty level"]
    cells = [c for t in point_rows(a.point_summary, by, a.metrics) for row in t.rows for c in row[3:]]
    assert all("−" not in c.under for c in cells)  # ... the tables show it cut at zero
    assert any(c.under.startswith("(0 to ") for c in cells)
    assert any(CUT_NOTE in t.notes for t in point_rows(a.point_summary, by, a.metrics))
    comp = comparison_rows(a.primary_table, ["Penalty level"])
    assert CUT_NOTE in comp.notes
    diff_col = comp.header.index("Paired difference (95% interval)")
    assert any("−" in c.under for c in (row[diff_col] for row in comp.rows))  # differences are not cut
    # figures: no bar whisker below zero, and the figure says it cut one
    fig, _ = a.figures["bars:concealed_losses_per_1000_docs"]
    for trace in fig.data:
        assert min(y - m for y, m in zip(trace.y, trace.error_y.arrayminus)) >= 0
    assert [x.name for x in fig.layout.annotations] == ["cut-at-zero"]
    tradeoff, _ = a.figures["tradeoff"]
    for trace in (t for t in tradeoff.data if len(t.x) > 1):
        assert min(y - m for y, m in zip(trace.y, trace.error_y.arrayminus)) >= 0
    assert "cut at zero" in " ".join(m for m in render_report(a).split("<li>") if "cannot be negative" in m)


def test_the_tradeoff_plot_writes_no_labels_over_its_markers(rare_analysis):
    fig, caption = rare_analysis.figures["tradeoff"]
    assert all("text" not in (t.mode or "") for t in fig.data)
    assert not [x for x in fig.layout.annotations if x.xref != "paper"]
    keys = [t.name for t in fig.data if len(t.x) == 1 and t.x[0] is None]
    assert keys == ["×1", "×4"] and "shape" in caption
