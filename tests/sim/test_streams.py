"""Named random streams: draws taken in one go are the draws taken one by one."""

import math

import numpy as np
import pytest

from docsec.sim import streams
from docsec.sim.streams import _BLOCK, DailyChances, Streams, poisson_cdf


@pytest.mark.parametrize("sizes", [
    [0, 1, 5, 0, 3],
    [_BLOCK - 1, 1, 1, 2],            # a block used up exactly, then the next one begins
    [3, _BLOCK, 2 * _BLOCK + 7, 4],   # one call spanning several blocks
])
def test_uniforms_in_one_go_equal_uniforms_one_by_one(sizes):
    one_by_one, in_bulk = Streams(11).arrivals, Streams(11).arrivals
    for n in sizes:
        expected = [one_by_one.uniform() for _ in range(n)]
        assert in_bulk.uniforms(n) == expected
        # and the stream carries on identically afterwards, whichever way it was drawn
        assert in_bulk.uniform() == one_by_one.uniform()


def test_uniforms_interleave_with_the_generator_as_single_draws_do():
    """The block is refilled at the same point of the generator's sequence, so other draws on it agree too."""
    a, b = Streams(5).arrivals, Streams(5).arrivals
    for n in (100, 3000, 50):
        assert a.uniforms(n) == [b.uniform() for _ in range(n)]
        assert a.gen.poisson(2.0, 4).tolist() == b.gen.poisson(2.0, 4).tolist()


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 3.0, 42.0, 100.0])
def test_poisson_table_holds_the_cumulative_probabilities(rate):
    cdf = poisson_cdf(rate)
    assert cdf[-1] == 1.0 and all(a <= b for a, b in zip(cdf, cdf[1:], strict=False))
    for k in range(min(len(cdf) - 1, 60)):
        exact = math.fsum(math.exp(-rate + j * math.log(rate) - math.lgamma(j + 1)) if rate else float(j == 0)
                          for j in range(k + 1))
        assert cdf[k] == pytest.approx(exact, rel=1e-12, abs=1e-300)
    assert 1.0 - cdf[-2] < 2.0 ** -50  # what lies beyond the table is negligible


@pytest.mark.parametrize("rate", [0.1, 0.5, 7.5])
def test_poisson_counts_follow_the_poisson_law(rate):
    s = Streams(3).arrivals
    counts = np.array([c for _ in range(2000) for c in s.poisson_counts([poisson_cdf(rate)] * 50)])
    n = len(counts)
    assert abs(counts.mean() - rate) < 5 * math.sqrt(rate / n)
    assert abs((counts == 0).mean() - math.exp(-rate)) < 5 * math.sqrt(math.exp(-rate) * (1 - math.exp(-rate)) / n)
    assert counts.var() == pytest.approx(rate, rel=0.05)


def test_poisson_counts_take_one_draw_each_even_at_rate_zero():
    a, b = Streams(5).arrivals, Streams(5).arrivals
    assert a.poisson_counts([poisson_cdf(0.0), poisson_cdf(2.0)])[0] == 0
    b.uniforms(2)
    assert a.uniform() == b.uniform()


def test_poisson_count_is_the_number_of_cumulative_probabilities_at_or_below_the_draw():
    """At and around each table entry (0 below the first, as bisection gives), for a few rates."""
    from bisect import bisect_right

    for rate in (0.0, 0.1, 0.6, 4.0):
        cdf = poisson_cdf(rate)
        draws = sorted({0.0, *cdf[:-1], *(np.nextafter(c, 0.0) for c in cdf[:-1]), *(np.nextafter(c, 1.0) for c in cdf[:-1])})
        draws = [float(u) for u in draws if u < 1.0]
        s = Streams(0).arrivals
        s._u, s._ui = draws, 0
        assert s.poisson_counts([cdf] * len(draws)) == [bisect_right(cdf, u) for u in draws]


def test_poisson_table_refuses_a_rate_it_cannot_hold():
    with pytest.raises(ValueError, match="between 0 and 700"):
        poisson_cdf(701.0)


@pytest.mark.parametrize("ahead", [1, 7, 3 * 20 + 5, streams._AHEAD_VALUES])  # a day's values or fewer, a few days, more
def test_daily_chances_are_the_draws_one_day_at_a_time(monkeypatch, ahead):
    """The units whose chance comes true each day are those ``uniforms(n)`` gives, day after day, below
    the rates in force that day: across blocks of draws ahead and when the rates change mid-block."""
    monkeypatch.setattr(streams, "_AHEAD_VALUES", ahead)
    n = 20
    one_by_one, ahead_of_time = Streams(3).favours, Streams(3).favours
    daily = DailyChances(ahead_of_time, n)
    rates = [0.3] * n
    for day in range(1, 120):
        if day in (10, 11, 57):  # a new list of rates, as an intervention gives (the same values, or others)
            rates = [0.3] * n if day == 10 else [0.05 * (i % 7) for i in range(n)]
        draws = one_by_one.uniforms(n)
        expected = [i for i, u in enumerate(draws) if u < rates[i]]
        assert list(daily.today(day, rates)) == expected


def test_daily_chances_of_rate_zero_and_one():
    daily = DailyChances(Streams(8).checks, 5)
    assert list(daily.today(1, [0.0] * 5)) == []
    assert list(daily.today(2, [1.0] * 5)) == [0, 1, 2, 3, 4]


def test_daily_chances_leave_a_day_not_asked_for_unused():
    """Each day has its own row of draws; a day not asked for (the model asks every day) leaves its row unused."""
    rows = Streams(4).favours.gen.random((6, 10))
    daily = DailyChances(Streams(4).favours, 10)
    rates = [0.5] * 10
    for day in (1, 2, 5, 6):
        assert list(daily.today(day, rates)) == [i for i in range(10) if rows[day - 1, i] < 0.5]
