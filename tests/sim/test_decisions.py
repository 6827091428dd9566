"""The logit decision rule and the named random streams."""

import math

import numpy as np
import pytest

from docsec.sim.decisions import choice_probability
from docsec.sim.streams import STREAM_NAMES, Streams


def test_no_gain_is_never_chosen():
    assert choice_probability(0.0, 0.0, 0.0, 1.0) == 0.0
    assert choice_probability(-1.0, 0.0, 0.0, 1.0) == 0.0


def test_allowed_option_with_gain_is_more_likely_than_not():
    assert choice_probability(1.0, 0.0, 0.0, 1.0) == pytest.approx(1 / (1 + math.exp(-1)))


def test_probability_falls_with_expected_cost_and_norm_and_is_a_gradient():
    p = [choice_probability(1.0, c, 0.5, 1.0) for c in (0.0, 1.0, 2.0, 4.0)]
    assert p == sorted(p, reverse=True) and 0.0 < p[-1] < p[0] < 1.0
    # extreme utilities do not overflow
    assert choice_probability(1.0, 1e9, 0.0, 0.01) == 0.0
    assert choice_probability(1e9, 0.0, 0.0, 0.01) == 1.0


def test_temperature_flattens_choices():
    sharp = choice_probability(1.0, 3.0, 0.0, 0.5)
    flat = choice_probability(1.0, 3.0, 0.0, 10.0)
    assert sharp < flat < 0.5


def test_streams_are_reproducible_and_independent():
    a, b = Streams(9), Streams(9)
    assert [a.decisions.uniform() for _ in range(5000)] == [b.decisions.uniform() for _ in range(5000)]
    # drawing heavily from one stream leaves another's sequence unchanged (common random numbers)
    c, d = Streams(9), Streams(9)
    for _ in range(10_000):
        c.handling.uniform()
    assert [c.arrivals.uniform() for _ in range(10)] == [d.arrivals.uniform() for _ in range(10)]
    assert len(set(STREAM_NAMES)) == len(STREAM_NAMES)


def test_stream_draws_have_the_right_distribution():
    s = Streams(1).workload
    u = np.array([s.uniform() for _ in range(20_000)])
    assert 0.49 < u.mean() < 0.51 and u.min() >= 0.0 and u.max() < 1.0
    z = np.array([s.lognormal_mean(2.0, 0.5) for _ in range(20_000)])
    assert z.mean() == pytest.approx(2.0, rel=0.03)
    assert s.lognormal_mean(0.0, 0.5) == 0.0 and s.lognormal_mean(3.0, 0.0) == 3.0
    assert all(0 <= s.index(3) < 3 for _ in range(1000))
