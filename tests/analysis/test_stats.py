"""Statistics: intervals against known answers, paired differences against a hand-worked example."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from docsec.analysis import stats
from docsec.sim.errors import InputError

# -- intervals ----------------------------------------------------------------------------


def test_t_interval_matches_textbook_value():
    # 1..5: mean 3, sd sqrt(2.5), se sqrt(0.5); t(0.975, 4) = 2.776445105...
    iv = stats.mean_interval([1, 2, 3, 4, 5])
    half = 2.7764451051977987 * math.sqrt(0.5)
    assert iv.mean == pytest.approx(3.0)
    assert iv.low == pytest.approx(3.0 - half, rel=1e-9)
    assert iv.high == pytest.approx(3.0 + half, rel=1e-9)
    assert iv.n == 5 and iv.sd == pytest.approx(math.sqrt(2.5))
    assert iv.method == "t" and iv.confidence == 0.95


def test_t_interval_at_90_percent_is_narrower_and_exact():
    # t(0.95, 4) = 2.131846786...
    iv = stats.mean_interval([1, 2, 3, 4, 5], confidence=0.90)
    assert iv.high - 3.0 == pytest.approx(2.1318467863266495 * math.sqrt(0.5), rel=1e-9)


def test_interval_drops_nan_and_handles_degenerate_samples():
    iv = stats.mean_interval([2.0, float("nan"), 4.0])
    assert iv.n == 2 and iv.mean == pytest.approx(3.0)
    # t(0.975, 1) = 12.7062047...; sd = sqrt(2); se = 1
    assert iv.high - iv.mean == pytest.approx(12.706204736174704, rel=1e-9)
    same = stats.mean_interval([7.0, 7.0, 7.0])
    assert (same.low, same.mean, same.high) == (7.0, 7.0, 7.0)
    one = stats.mean_interval([5.0])
    assert one.mean == 5.0 and math.isnan(one.low) and math.isnan(one.high) and one.n == 1
    none = stats.mean_interval([float("nan")])
    assert none.n == 0 and math.isnan(none.mean)


def test_t_interval_covers_the_true_mean_at_its_nominal_rate():
    rng = np.random.default_rng(20210101)
    samples = rng.normal(10.0, 3.0, size=(2000, 10))
    covered = 0
    for row in samples:
        iv = stats.mean_interval(row)
        covered += iv.low <= 10.0 <= iv.high
    # binomial sd at 2000 draws is ~0.005: 0.93..0.97 is a generous but telling band
    assert 0.93 <= covered / 2000 <= 0.97


def test_bootstrap_interval_is_reproducible_and_close_to_t_for_normal_data():
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 1.0, size=200)
    boot = stats.mean_interval(x, method="bootstrap", seed=3, resamples=4000)
    again = stats.mean_interval(x, method="bootstrap", seed=3, resamples=4000)
    t = stats.mean_interval(x)
    assert (boot.low, boot.high) == (again.low, again.high)
    assert boot.method == "bootstrap"
    assert boot.low == pytest.approx(t.low, abs=0.03)
    assert boot.high == pytest.approx(t.high, abs=0.03)


def test_bootstrap_interval_follows_skew():
    # a right-skewed sample: BCa puts more room above the mean than below
    x = np.array([0, 0, 0, 0, 1, 1, 2, 3, 8, 15], dtype=float)
    iv = stats.mean_interval(x, method="bootstrap", seed=1, resamples=4000)
    assert iv.high - iv.mean > iv.mean - iv.low


def test_vectorised_half_width_matches_scalar_interval():
    half = stats.t_half_width(np.array([1.0, 2.0, 1.0]), np.array([5, 10, 1]))
    assert half[0] == pytest.approx(2.7764451051977987 / math.sqrt(5))
    assert half[1] == pytest.approx(2.2621571627409915 * 2.0 / math.sqrt(10))
    assert math.isnan(half[2])


def test_unknown_interval_method_is_rejected_with_allowed_values():
    with pytest.raises(InputError, match=r"interval method: must be one of t, bootstrap \(got 'wald'\)"):
        stats.mean_interval([1, 2], method="wald")


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, "high"])
def test_confidence_outside_zero_one_is_rejected(bad):
    with pytest.raises(InputError, match=r"confidence: must be a number between 0 and 1"):
        stats.mean_interval([1, 2], confidence=bad)


# -- tables ----------------------------------------------------------------------------


def _runs() -> pd.DataFrame:
    """Two regimes x two penalty levels x four seeds, values chosen for hand calculation."""
    rows = []
    lax = {1.0: [1, 2, 3, 4], 4.0: [5, 5, 6, 8]}
    strict = {1.0: [2, 4, 3, 6], 4.0: [1, 1, 2, 4]}
    for regime, table in (("lax", lax), ("strict", strict)):
        for level, values in table.items():
            for seed, v in zip((11, 12, 13, 14), values):
                rows.append({"point_id": f"{regime}-{level}", "regime": regime, "penalty": level,
                             "seed": seed, "replicate": seed - 11, "leaks": float(v),
                             "delay": float("nan") if (regime, level, seed) == ("lax", 1.0, 14) else 10.0 + v})
    return pd.DataFrame(rows)


def test_summarise_gives_one_row_per_point_and_metric_in_order():
    table = stats.summarise(_runs(), ["leaks", "delay"], by="point_id")
    assert list(table["point_id"].unique()) == ["lax-1.0", "lax-4.0", "strict-1.0", "strict-4.0"]
    row = table[(table.point_id == "lax-1.0") & (table.metric == "leaks")].iloc[0]
    assert row["mean"] == pytest.approx(2.5) and row["n"] == 4
    half = 3.182446305284263 * math.sqrt(5.0 / 3.0) / 2.0
    assert row["ci_low"] == pytest.approx(2.5 - half) and row["ci_high"] == pytest.approx(2.5 + half)
    delay = table[(table.point_id == "lax-1.0") & (table.metric == "delay")].iloc[0]
    assert delay["n"] == 3 and delay["mean"] == pytest.approx(12.0)


def test_paired_difference_matches_hand_computation():
    # strict - lax at penalty 1: [2-1, 4-2, 3-3, 6-4] = [1, 2, 0, 2]
    # mean 1.25, sd sqrt(11/12), se sqrt(11/12)/2, t(0.975, 3) = 3.182446305...
    d = stats.paired_differences(_runs(), "leaks", factor="regime", baseline="lax", within="penalty")
    row = d[d.penalty == 1.0].iloc[0]
    half = 3.182446305284263 * math.sqrt(11.0 / 12.0) / 2.0
    assert row["level"] == "strict" and row["baseline"] == "lax" and row["factor"] == "regime"
    assert row["n_pairs"] == 4
    assert row["mean_difference"] == pytest.approx(1.25)
    assert row["ci_low"] == pytest.approx(1.25 - half) and row["ci_high"] == pytest.approx(1.25 + half)
    assert row["baseline_mean"] == pytest.approx(2.5) and row["level_mean"] == pytest.approx(3.75)
    assert row["relative_change"] == pytest.approx(0.5)
    # penalty 4: [1-5, 1-5, 2-6, 4-8] = -4 each: no spread, the interval collapses
    row4 = d[d.penalty == 4.0].iloc[0]
    assert (row4["ci_low"], row4["mean_difference"], row4["ci_high"]) == (-4.0, -4.0, -4.0)


def test_pairing_is_by_seed_not_by_row_order():
    runs = _runs()
    shuffled = runs.sample(frac=1.0, random_state=np.random.default_rng(5).integers(1 << 31))
    a = stats.paired_differences(runs, "leaks", factor="regime", baseline="lax", within="penalty")
    b = stats.paired_differences(shuffled, "leaks", factor="regime", baseline="lax", within="penalty")
    a = a.sort_values("penalty").reset_index(drop=True)
    b = b.sort_values("penalty").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_pairs_with_a_missing_value_are_left_out():
    d = stats.paired_differences(_runs(), "delay", factor="regime", baseline="lax", within="penalty")
    row = d[d.penalty == 1.0].iloc[0]
    # seed 14 has no lax delay: pairs 11..13 give strict - lax = [1, 2, 0]
    assert row["n_pairs"] == 3 and row["mean_difference"] == pytest.approx(1.0)


def test_unpaired_seeds_are_dropped_from_the_difference():
    runs = _runs()
    runs = runs[~((runs.regime == "strict") & (runs.seed == 14))]
    d = stats.paired_differences(runs, "leaks", factor="regime", baseline="lax", within="penalty")
    assert d[d.penalty == 1.0].iloc[0]["n_pairs"] == 3
    assert d[d.penalty == 1.0].iloc[0]["mean_difference"] == pytest.approx(1.0)


def test_penalty_contrast_within_each_regime():
    d = stats.paired_differences(_runs(), "leaks", factor="penalty", baseline=1.0, within="regime")
    lax = d[d.regime == "lax"].iloc[0]
    # lax, penalty 4 - penalty 1: [4, 3, 3, 4] -> 3.5
    assert lax["level"] == 4.0 and lax["mean_difference"] == pytest.approx(3.5)


def test_ambiguous_pairing_is_rejected():
    with pytest.raises(InputError, match=r"several runs share seed at regime='lax'.*add the column"):
        stats.paired_differences(_runs(), "leaks", factor="regime", baseline="lax")


def test_unknown_baseline_is_rejected_with_levels():
    with pytest.raises(InputError, match=r"baseline: 'medium' is not a level of 'regime'; levels: 'lax', 'strict'"):
        stats.paired_differences(_runs(), "leaks", factor="regime", baseline="medium", within="penalty")


def test_unknown_metric_is_rejected_with_columns():
    with pytest.raises(InputError, match=r"run table: no column 'leak'; available: point_id, regime"):
        stats.summarise(_runs(), "leak")


def test_comparison_table_joins_arms_and_paired_difference():
    table = stats.comparison_table(_runs(), ["leaks"], factor="regime", baseline="lax", within="penalty")
    assert list(table.columns[:4]) == ["penalty", "metric", "baseline", "level"]
    row = table[table.penalty == 1.0].iloc[0]
    assert row["baseline_mean"] == pytest.approx(2.5) and row["level_mean"] == pytest.approx(3.75)
    assert row["baseline_n"] == 4 and row["level_n"] == 4
    assert row["difference"] == pytest.approx(1.25)
    # the paired interval is narrower than either arm's own
    assert row["difference_high"] - row["difference_low"] < row["baseline_high"] - row["baseline_low"]
    assert row["level_low"] < row["level_mean"] < row["level_high"]


def _daily() -> pd.DataFrame:
    rows = []
    for point in ("a", "b"):
        for rep, scale in enumerate((1.0, 3.0)):
            for day in range(4):
                rows.append({"run_id": f"{point}{rep}", "point_id": point, "replicate": rep, "seed": rep,
                             "day": day, "metric": "leaks", "value": scale * (day + 1)})
                rows.append({"run_id": f"{point}{rep}", "point_id": point, "replicate": rep, "seed": rep,
                             "day": day, "metric": "losses", "value": 1.0})
    return pd.DataFrame(rows)


def test_daily_bands_average_over_replicates_per_day():
    bands = stats.daily_bands(_daily(), "leaks")
    a = bands[bands.point_id == "a"].set_index("day")
    assert list(a["mean"]) == [2.0, 4.0, 6.0, 8.0]
    assert (a["n"] == 2).all()
    # two values x, 3x: sd = x*sqrt(2), t(0.975, 1) = 12.706...
    assert a.loc[0, "ci_high"] - 2.0 == pytest.approx(12.706204736174704 * math.sqrt(2) / math.sqrt(2))
    assert set(bands["metric"]) == {"leaks"}


def test_daily_bands_cumulative_and_smoothed():
    cum = stats.daily_bands(_daily(), "losses", cumulative=True)
    assert list(cum[cum.point_id == "b"]["mean"]) == [1.0, 2.0, 3.0, 4.0]
    smooth = stats.daily_bands(_daily(), "leaks", window=2)
    # trailing 2-day mean of 2,4,6,8 (replicate means) -> 2, 3, 5, 7
    assert list(smooth[smooth.point_id == "a"]["mean"]) == [2.0, 3.0, 5.0, 7.0]


def test_daily_bands_reject_unknown_metric_and_bad_window():
    with pytest.raises(InputError, match=r"daily table: no metric 'leak'; available: leaks, losses"):
        stats.daily_bands(_daily(), "leak")
    with pytest.raises(InputError, match=r"window: must be a whole number of days, at least 1 \(got 0\)"):
        stats.daily_bands(_daily(), "leaks", window=0)


def test_interval_excludes_zero():
    assert stats.interval_excludes_zero(0.1, 2.0)
    assert stats.interval_excludes_zero(-3.0, -0.5)
    assert not stats.interval_excludes_zero(-0.1, 2.0)
    assert not stats.interval_excludes_zero(float("nan"), 1.0)
