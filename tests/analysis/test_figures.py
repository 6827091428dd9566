"""Figures built from small fixture tables: their traces, axes, titles and hover text."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from docsec.analysis import figures


def _summary() -> pd.DataFrame:
    """Means by regime x penalty for two metrics, as analysis.stats.summarise returns them."""
    rows = []
    values = {("Lax delegation", "low"): (4.0, 0.5, 1.0), ("Lax delegation", "high"): (3.0, 0.8, 2.0),
              ("Strict custody", "low"): (1.0, 0.6, 0.2), ("Strict custody", "high"): (0.5, 0.9, 0.6)}
    for (regime, penalty), (leaks, detection, concealed) in values.items():
        for metric, mean in (("leaks", leaks), ("detection", detection), ("concealed", concealed)):
            rows.append({"regime": regime, "penalty": penalty, "metric": metric, "n": 10, "mean": mean,
                         "sd": 0.1, "ci_low": mean - 0.2, "ci_high": mean + 0.3, "confidence": 0.95,
                         "method": "t"})
    return pd.DataFrame(rows)


def test_comparison_bars_one_bar_trace_per_regime_with_asymmetric_intervals():
    fig = figures.comparison_bars(_summary(), metric="leaks", x="penalty", colour_by="regime",
                                  label="External leaks", unit="per 1,000 documents", x_title="Penalty level",
                                  colour_title="Custody regime", x_order=["low", "high"])
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert [t.name for t in fig.data] == ["Lax delegation", "Strict custody"]
    lax = fig.data[0]
    assert list(lax.x) == ["low", "high"] and list(lax.y) == [4.0, 3.0]
    assert list(lax.error_y.array) == pytest.approx([0.3, 0.3])
    assert list(lax.error_y.arrayminus) == pytest.approx([0.2, 0.2])
    assert fig.layout.yaxis.title.text == "External leaks (per 1,000 documents)"
    assert fig.layout.xaxis.title.text == "Penalty level"
    assert list(fig.layout.xaxis.categoryarray) == ["low", "high"]
    assert fig.layout.legend.title.text == "Custody regime"
    assert fig.layout.barmode == "group"
    assert "95% interval" in fig.layout.title.text
    assert lax.hovertext[0] == ("<b>Lax delegation</b><br>Penalty level: low<br>External leaks: "
                                "4.00 per 1,000 documents (95% interval 3.80 to 4.30; 10 runs)")


def test_comparison_bars_without_colour_and_with_missing_metric():
    one = _summary()[lambda d: d.regime == "Strict custody"]
    fig = figures.comparison_bars(one, metric="leaks", x="penalty")
    assert len(fig.data) == 1 and fig.layout.showlegend is False
    assert fig.layout.yaxis.title.text == "Leaks"
    with pytest.raises(ValueError, match="no rows for metric 'leak'"):
        figures.comparison_bars(one, metric="leak", x="penalty")


def test_heatmap_places_means_at_sorted_swept_values():
    rows = []
    for a in (200.0, 50.0):
        for b in (1, 3, 2):
            rows.append({"penalty.dismissal_severity": a, "inspection.inspectors": b, "metric": "leaks",
                         "n": 5, "mean": a / 100 + b, "ci_low": 0.0, "ci_high": 9.0, "confidence": 0.9})
    fig = figures.parameter_heatmap(pd.DataFrame(rows), metric="leaks", x="penalty.dismissal_severity",
                                    y="inspection.inspectors", label="External leaks", unit="per 1,000 documents",
                                    x_title="Dismissal severity (utility)", y_title="Inspectors (inspectors)")
    (hm,) = fig.data
    assert hm.type == "heatmap"
    assert list(hm.x) == ["50.0", "200.0"] and list(hm.y) == ["1", "2", "3"]
    z = np.asarray(hm.z, dtype=float)
    assert z.shape == (3, 2)
    assert z[0, 0] == pytest.approx(1.5) and z[2, 1] == pytest.approx(5.0)
    assert hm.colorbar.title.text == "External leaks (per 1,000 documents)"
    assert fig.layout.xaxis.title.text == "Dismissal severity (utility)"
    assert fig.layout.yaxis.title.text == "Inspectors (inspectors)"
    assert "External leaks: 1.50 per 1,000 documents (90% interval 0 to 9.00; 5 runs)" in hm.hovertext[0][0]


def test_heatmap_leaves_unrun_cells_empty_and_rejects_ambiguous_cells():
    rows = [{"a": 1, "b": 1, "metric": "m", "n": 2, "mean": 1.0, "ci_low": 0.0, "ci_high": 2.0},
            {"a": 2, "b": 2, "metric": "m", "n": 2, "mean": 2.0, "ci_low": 1.0, "ci_high": 3.0}]
    fig = figures.parameter_heatmap(pd.DataFrame(rows), metric="m", x="a", y="b")
    z = np.asarray(fig.data[0].z, dtype=float)
    assert np.isnan(z[0, 1]) and fig.data[0].hovertext[0][1] == "not run"
    with pytest.raises(ValueError, match="several rows share a cell"):
        figures.parameter_heatmap(pd.DataFrame(rows * 2), metric="m", x="a", y="b")


def _bands() -> pd.DataFrame:
    rows = []
    for regime, level in (("Lax delegation", 2.0), ("Strict custody", 1.0)):
        for day in range(5):
            rows.append({"regime": regime, "metric": "leaks", "day": day, "n": 10, "mean": level,
                         "ci_low": level - 0.5, "ci_high": level + 0.5, "confidence": 0.95})
    return pd.DataFrame(rows)


def test_daily_series_has_band_and_line_per_group_and_intervention_marker():
    fig = figures.daily_series(_bands(), metric="leaks", colour_by="regime", label="External leaks",
                               unit="documents/day", markers={2: "crackdown announced"}, smoothing="7-day mean")
    assert [t.mode for t in fig.data] == [None, "lines", None, "lines"]
    band, line = fig.data[0], fig.data[1]
    assert band.fill == "toself" and band.hoverinfo == "skip"
    assert list(band.x) == [0, 1, 2, 3, 4, 4, 3, 2, 1, 0]
    assert list(band.y) == [2.5] * 5 + [1.5] * 5
    assert line.name == "Lax delegation" and list(line.y) == [2.0] * 5
    assert fig.layout.xaxis.title.text == "Day of the run (days)"
    assert fig.layout.yaxis.title.text == "External leaks, 7-day mean (documents/day)"
    (shape,) = fig.layout.shapes
    assert shape.x0 == 2 and shape.line.dash == "dash"
    assert fig.layout.annotations[0].text == "day 2: crackdown announced"
    assert line.hovertext[3].startswith("<b>Lax delegation</b><br>Day 3<br>External leaks: 2.00 documents/day")


def _shape_key(trace) -> bool:
    """A legend entry explaining a marker shape (draws nothing)."""
    return len(trace.x) == 1 and trace.x[0] is None


def test_tradeoff_joins_points_per_regime_with_both_intervals():
    fig = figures.tradeoff(_summary(), x_metric="detection", y_metric="concealed", colour_by="regime",
                           point_label="penalty", x_label="Detection share", x_unit="fraction",
                           y_label="Concealed losses", y_unit="per 1,000 documents", point_order=["low", "high"])
    drawn = [t for t in fig.data if not _shape_key(t)]
    assert [t.name for t in drawn] == ["Lax delegation", "Strict custody"]
    strict = drawn[1]
    assert list(strict.x) == [0.6, 0.9] and list(strict.y) == [0.2, 0.6]
    assert list(strict.error_x.array) == pytest.approx([0.3, 0.3])
    assert list(strict.error_y.arrayminus) == pytest.approx([0.2, 0.2])
    assert fig.layout.xaxis.title.text == "Detection share (fraction)"
    assert fig.layout.yaxis.title.text == "Concealed losses (per 1,000 documents)"
    assert "Penalty: low" in strict.hovertext[0] and "Concealed losses: 0.200 per 1,000 documents" in \
        strict.hovertext[0]


def test_tradeoff_puts_no_text_over_markers_and_keys_each_level_to_a_shape():
    fig = figures.tradeoff(_summary(), x_metric="detection", y_metric="concealed", colour_by="regime",
                           point_label="penalty", point_title="Penalty level", point_order=["low", "high"])
    # nothing is written on the plot area, so no label can cover a marker or a whisker
    assert all("text" not in (t.mode or "") for t in fig.data)
    assert not [a for a in fig.layout.annotations if a.xref != "paper"]
    drawn = [t for t in fig.data if not _shape_key(t)]
    key = [t for t in fig.data if _shape_key(t)]
    # each penalty level has one shape, the same in every regime, and the legend names it
    assert [list(t.marker.symbol) for t in drawn] == [["circle", "square"], ["circle", "square"]]
    assert [(t.name, t.marker.symbol) for t in key] == [("low", "circle"), ("high", "square")]
    assert key[0].legendgrouptitle.text == "Penalty level" and all(t.showlegend is not False for t in key)
    assert drawn[0].legendgrouptitle.text == "Regime"


def _near_zero() -> pd.DataFrame:
    """A non-negative metric whose intervals reach below zero (few replicates, values near zero)."""
    rows = []
    for regime, mean in (("Lax delegation", 0.5), ("Strict custody", 0.1)):
        for metric in ("concealed", "detection"):
            rows.append({"regime": regime, "penalty": "low", "metric": metric, "n": 5, "mean": mean,
                         "ci_low": mean - 0.4, "ci_high": mean + 0.4, "confidence": 0.95})
    return pd.DataFrame(rows)


def _cut_notes(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.name == "cut-at-zero"]


def test_bars_of_a_non_negative_metric_stop_at_zero_and_say_so():
    fig = figures.comparison_bars(_near_zero(), metric="concealed", x="penalty", colour_by="regime",
                                  unit="per 1,000 documents", non_negative=True)
    lows = [float(np.array(t.y)[0] - np.array(t.error_y.arrayminus)[0]) for t in fig.data]
    assert lows == pytest.approx([0.1, 0.0])  # strict custody's interval is cut exactly at zero, not below
    assert "95% interval 0 to 0.500" in fig.data[1].hovertext[0]
    assert _cut_notes(fig) == ["Intervals are cut at zero: the quantity cannot be negative."]
    plain = figures.comparison_bars(_near_zero(), metric="concealed", x="penalty", colour_by="regime")
    assert list(plain.data[1].error_y.arrayminus) == pytest.approx([0.4]) and not _cut_notes(plain)
    clear = figures.comparison_bars(_summary(), metric="leaks", x="penalty", colour_by="regime", non_negative=True)
    assert not _cut_notes(clear)  # nothing cut, nothing said


def test_tradeoff_intervals_stop_at_zero_both_ways():
    fig = figures.tradeoff(_near_zero(), x_metric="detection", y_metric="concealed", colour_by="regime",
                           point_label="penalty", non_negative=True)
    for t in (t for t in fig.data if not _shape_key(t)):
        assert (np.array(t.x) - np.array(t.error_x.arrayminus)).min() >= 0
        assert (np.array(t.y) - np.array(t.error_y.arrayminus)).min() >= 0
    assert _cut_notes(fig)


def test_daily_band_of_a_count_stops_at_zero():
    bands = pd.DataFrame({"day": [1, 2, 3], "metric": "leaks", "n": 5, "mean": [0.1, 0.5, 0.2],
                          "ci_low": [-0.3, 0.1, -0.1], "ci_high": [0.5, 0.9, 0.5], "confidence": 0.95})
    fig = figures.daily_series(bands, metric="leaks", non_negative=True)
    band = fig.data[0]
    assert min(band.y) == 0 and list(band.y) == pytest.approx([0.5, 0.9, 0.5, 0.0, 0.1, 0.0])
    assert "95% interval 0 to 0.500" in fig.data[1].hovertext[0]
    assert _cut_notes(fig) == ["The band is cut at zero: a daily count cannot be negative."]
    assert min(figures.daily_series(bands, metric="leaks").data[0].y) == pytest.approx(-0.3)


def test_heatmap_hover_gives_the_interval_cut_at_zero():
    fig = figures.parameter_heatmap(_near_zero(), metric="concealed", x="penalty", y="regime", non_negative=True)
    assert "95% interval 0 to 0.500" in fig.data[0].hovertext[1][0]


def test_morris_whiskers_stop_at_zero():
    table = _indices("morris")
    table.loc[table["parameter"] == "x2", "conf"] = 9.0  # wider than mu_star 7.9 and sigma 0
    fig = figures.sensitivity_bars(table)
    for trace in fig.data:
        low = np.array(trace.x) - np.array(trace.error_x.arrayminus)
        assert low.min() >= 0
    mu = fig.data[0]
    i = list(mu.y).index("x2")
    assert mu.error_x.arrayminus[i] == pytest.approx(7.9) and mu.error_x.array[i] == pytest.approx(9.0)
    assert _cut_notes(fig) == ["Whiskers are cut at zero: the indices cannot be negative."]
    wide_of_zero = _indices("morris")
    wide_of_zero.loc[wide_of_zero["value"] == 0.0, "value"] = 1.0
    assert not _cut_notes(figures.sensitivity_bars(wide_of_zero))


def _indices(method: str) -> pd.DataFrame:
    if method == "sobol":
        vals = {"x1": {"S1": 0.31, "ST": 0.56}, "x2": {"S1": 0.44, "ST": 0.44}, "x3": {"S1": 0.0, "ST": 0.24}}
    else:
        vals = {"x1": {"mu_star": 8.0, "sigma": 6.0, "mu": 1.0}, "x2": {"mu_star": 7.9, "sigma": 0.0, "mu": 0.0},
                "x3": {"mu_star": 5.5, "sigma": 7.0, "mu": 0.0}}
    return pd.DataFrame([{"method": method, "output": "y", "parameter": p, "index": k, "value": v, "conf": 0.05}
                         for p, d in vals.items() for k, v in d.items()])


def test_sobol_bars_rank_parameters_by_total_index():
    fig = figures.sensitivity_bars(_indices("sobol"), output_label="External leaks",
                                   parameter_labels={"x1": "Worker curiosity"})
    assert [t.orientation for t in fig.data] == ["h", "h"]
    s1, st = fig.data
    assert list(st.y) == ["x3", "x2", "Worker curiosity"]  # least to most: the largest bar on top
    assert list(st.x) == [0.24, 0.44, 0.56] and list(s1.x) == [0.0, 0.44, 0.31]
    assert list(st.error_x.array) == [0.05] * 3
    assert fig.layout.xaxis.title.text == "Sobol index (share of output variance, 0 to 1)"
    assert fig.layout.title.text == "Sobol sensitivity indices of external leaks"


def test_morris_bars_show_mu_star_and_sigma_in_output_units():
    fig = figures.sensitivity_bars(_indices("morris"), output_label="External leaks", unit="per 1,000 documents")
    assert [t.name.split(" ")[0] for t in fig.data] == ["μ*", "σ"]
    assert list(fig.data[0].y) == ["x3", "x2", "x1"]
    assert fig.layout.xaxis.title.text == "Elementary effect (per 1,000 documents per parameter range)"
    assert fig.data[0].hovertext[2].endswith("8.00 ± 0.0500 per 1,000 documents")


def test_labels_are_escaped_in_hover_and_titles():
    table = _summary().assign(regime=lambda d: d.regime.str.replace("Lax delegation", "<script>x</script>"))
    fig = figures.comparison_bars(table, metric="leaks", x="penalty", colour_by="regime", label="Leaks & losses")
    assert "<script>" not in fig.data[0].name and "&lt;script&gt;" in fig.data[0].name
    assert "<script>" not in fig.data[0].hovertext[0]
    assert "Leaks &amp; losses" in fig.layout.yaxis.title.text


def test_figures_do_not_import_the_model():
    code = "import sys, analysis.figures; print(sorted(m for m in sys.modules if m == 'sim' or m.startswith('sim.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_numbers_in_hover_text_read_like_print():
    from docsec.analysis.figures._style import number

    assert number(1234.7) == "1,235" and number(12.34) == "12.3" and number(1.234) == "1.23"
    assert number(-28.43) == "−28.4" and number(0.0908) == "0.0908" and number(0.5) == "0.500"
    assert number(float("nan")) == "n/a" and number(0) == "0"
