"""The chance of taking a shortcut never exceeds the chance of noticing it, in floating point too.

Official.decide relies on it: a draw at or above the chance of noticing settles the choice (not
taken) without weighing the costs, so the bound must hold exactly, not only in real numbers.
"""

import numpy as np

from docsec.sim.decisions import choice_probability, notice_probability


def test_choice_probability_never_exceeds_notice_probability():
    rng = np.random.default_rng(13)
    n = 200_000
    gains = np.exp(rng.uniform(-12, 8, n))
    costs = np.where(rng.random(n) < 0.1, 0.0, np.exp(rng.uniform(-12, 9, n)))
    norms = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0, 50, n))
    temperatures = np.exp(rng.uniform(np.log(0.01), np.log(1000), n))
    attentions = np.exp(rng.uniform(np.log(0.01), np.log(1000), n))
    for g, c, nm, t, a in zip(gains.tolist(), costs.tolist(), norms.tolist(), temperatures.tolist(),
                              attentions.tolist(), strict=True):
        assert choice_probability(g, c, nm, t, a) <= notice_probability(g, a)


def test_the_bound_is_reached_when_the_costs_are_nothing_against_the_gain():
    # the logit factor rounds to 1: the chance of taking it is the chance of noticing it
    assert choice_probability(50.0, 0.0, 0.0, 0.01, 20.0) == notice_probability(50.0, 20.0)
    assert choice_probability(0.0, 0.0, 0.0, 1.0, 1.0) == 0.0
