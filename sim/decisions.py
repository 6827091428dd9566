"""The officials' decision rule (ODD+D: decision making).

An official weighs what a violation would gain him (hours saved, valued at his
day's workload, or a favour, valued by his corruptibility) against its expected
cost (risk aversion x perceived chance of being caught x perceived severity of
the next sanction on his ladder) and his compliance norm. The choice is a logit
(probabilistic) rule, so populations show gradients rather than thresholds. An
option that gains nothing is never taken, so a mechanism with no incentive gives
exactly zero of its outcome.
"""

from __future__ import annotations

import math


def choice_probability(gain: float, expected_cost: float, norm: float, temperature: float) -> float:
    """Probability of taking the corner-cutting option.

    ``gain``: what the option saves or brings (utility); ``expected_cost``: the
    expected punishment (0 if the regime allows the option); ``norm``: inner cost of
    breaking a rule (0 if allowed); ``temperature``: noise of the logit rule.
    """
    if gain <= 0.0:
        return 0.0
    x = (gain - expected_cost - norm) / temperature
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
