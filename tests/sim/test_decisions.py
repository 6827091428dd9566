"""The logit decision rule and the named random streams."""

import math

import numpy as np
import pytest

from docsec.sim.decisions import choice_probability
from docsec.sim.streams import STREAM_NAMES, Streams


def test_no_gain_is_never_chosen():
    assert choice_probability(0.0, 0.0, 0.0, 1.0) == 0.0
    assert choice_probability(-1.0, 0.0, 0.0, 1.0) == 0.0


def test_an_option_is_noticed_then_chosen_by_the_logit_rule():
    noticed = 1 - math.exp(-1.0 / 2.0)
    assert choice_probability(1.0, 0.0, 0.0, 1.0, attention=2.0) == pytest.approx(noticed / (1 + math.exp(-1)))


def test_probability_rises_continuously_from_zero_with_the_gain():
    gains = [0.0, 1e-6, 1e-3, 0.01, 0.1, 0.5, 1.0, 2.0, 5.0]
    p = [choice_probability(g, 0.0, 0.0, 1.0) for g in gains]
    assert p[0] == 0.0 and p == sorted(p) and p[-1] > 0.98
    # no jump at zero gain: a tiny gain gives a tiny probability (the old rule gave at least 0.5)
    assert p[1] < 1e-5 and p[2] < 1e-3
    # under a cost, the probability still rises with the gain, smoothly
    fine = [i / 100 for i in range(1001)]
    q = [choice_probability(g, 2.0, 1.0, 1.0) for g in fine]
    assert q[0] == 0.0 and q == sorted(q) and max(b - a for a, b in zip(q, q[1:])) < 0.01


def test_decision_weights_and_felt_severity():
    from docsec.sim.decisions import felt, weight
    assert weight(0.0, 0.69) == 0.0 and weight(1.0, 0.69) == 1.0 and weight(0.3, 1.0) == 0.3
    assert weight(0.01, 0.69) > 0.01 and weight(0.9, 0.69) < 0.9   # small chances overweighted
    assert felt(100.0, 1.0) == 100.0 and felt(100.0, 0.5) == pytest.approx(10.0) and felt(0.0, 0.88) == 0.0
    # diminishing sensitivity: doubling severity less than doubles its weight; doubling a chance more nearly does
    assert felt(200.0, 0.88) / felt(100.0, 0.88) < 2.0


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
