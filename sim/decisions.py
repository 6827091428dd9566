"""The officials' decision rule (ODD+D: decision making).

An official facing a shortcut (delegating, handing out the key, postponing a collection, taking a
favour, concealing a loss) weighs what it gains him against what he expects it to cost:

* if the rules forbid it, his compliance norm, and the sanction it would bring if caught: the
  weighted perceived chance of being caught times the felt severity of that sanction, looking
  ahead over his penalty ladder;
* permitted or not, his *liability for consequences*: the chance that the shortcut leads to a leak
  or a loss (a frequency he knows from practice, taken as it is), times the weighted perceived
  chance that it is traced back to him, times the felt severity of the sanction a traced leak or
  loss brings (O10).

Perceived chances of being caught are weighted by the Tversky-Kahneman function ``w`` and severities felt through a
power ``v(S) = S ** alpha``, so certainty (the chance) and severity are different levers and the
official's risk attitude decides which deters more. The choice itself is probabilistic: he notices
the shortcut with probability ``1 - exp(-gain / attention)`` and then takes it by a logit rule.
An option that gains nothing is never taken, so a mechanism with no incentive gives exactly zero
of its outcome, and the probability rises continuously from zero with the gain.
"""

from __future__ import annotations

import enum
import functools
import math

import numpy as np


class Choice(enum.StrEnum):
    """The choices an official makes; ``True`` for a choice means taking the shortcut."""

    DELEGATE = "delegate registration"            # hand a directive to a worker to register and store (O1)
    SKIP_REGISTER = "skip the register"           # store a document without registering it (O6)
    HAND_OVER_KEY = "hand over the key"           # give the storage key to a worker (O2)
    LEAVE_KEY_OUT = "leave the key out"           # on reconsidering, leave the key with the worker (O2)
    COPY_TO_WORKER = "hand a copy to a worker"    # circulated material to an uncleared worker (O7)
    POSTPONE_COLLECTION = "postpone collection"   # leave circulated material uncollected (O7)
    ACCEPT_FAVOUR = "accept a favour"             # trade documents for a favour (O4)
    CONCEAL_LOSS = "conceal a loss"               # conceal a discovered loss instead of reporting it (O9)


def seat_choices(choices) -> dict[Choice, bool]:
    """A seat's choices, validated: each ``Choice`` (or its text) to True (take the shortcut) or False.

    Raises ParameterError naming ``seat.choices.<key>`` and what is allowed.
    """
    from .parameters import ParameterError

    parsed: dict[Choice, bool] = {}
    for key, value in choices.items():
        try:
            choice = Choice(key)
        except ValueError:
            raise ParameterError(f"seat.choices.{key}", "unknown choice; allowed: "
                                 + ", ".join(c.value for c in Choice)) from None
        if not isinstance(value, bool) and type(value).__name__ != "bool_":
            raise ParameterError(f"seat.choices.{key}", f"must be true or false (got {value!r})")
        parsed[choice] = bool(value)
    return parsed


@functools.lru_cache(maxsize=4096)
def weight(p: float, gamma: float) -> float:
    """Decision weight of a probability ``p`` (Tversky & Kahneman 1992); ``gamma = 1`` gives ``p``.

    Remembered for recent arguments: officials at the same perceived chance (most share one on a
    day) weigh it once.
    """
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    if gamma == 1.0:
        return p
    a = p ** gamma
    return a / (a + (1.0 - p) ** gamma) ** (1.0 / gamma)


def felt(severity: float, alpha: float) -> float:
    """How heavily a sanction of ``severity`` (utility) weighs: ``severity ** alpha``."""
    return severity ** alpha if severity > 0.0 else 0.0


def notice_probability(gain: float, attention: float) -> float:
    """Probability that he notices a shortcut gaining ``gain`` at all: ``1 - exp(-gain / attention)``."""
    return -math.expm1(-gain / attention)


def choice_probability(gain: float, expected_cost: float, norm: float, temperature: float,
                       attention: float = 1.0) -> float:
    """Probability of taking a shortcut.

    ``gain``: what it saves or brings (utility); ``expected_cost``: expected sanctions and liability;
    ``norm``: inner cost of breaking a rule (0 if the rules allow it); ``temperature``: noise of the
    logit rule; ``attention``: the gain at which the shortcut is noticed with probability 1 - 1/e.
    It never exceeds ``notice_probability(gain, attention)``, in floating point too (the logit
    factor is a division by a number of at least 1).
    """
    if gain <= 0.0:
        return 0.0
    return taking_probability(notice_probability(gain, attention), (gain - expected_cost - norm) / temperature)


def taking_probability(noticed: float, x: float) -> float:
    """``noticed`` times the logistic of ``x = (gain - expected cost - norm) / temperature``: the chance of
    taking a shortcut noticed with probability ``noticed`` (see ``choice_probability``)."""
    if x >= 0:
        return noticed / (1.0 + math.exp(-x))
    e = math.exp(x)
    return noticed * e / (1.0 + e)


# -- the same weighting on arrays (the day's view of every post: posts.DayView) ---------------------
def constant(value: float) -> np.ndarray:
    """``value`` as a read-only 0-d array: numpy combines it with an array as it would the float (the same
    numbers), but sooner, which counts on the small arrays of an office's officials worked out each day."""
    array = np.array(value, dtype=float)
    array.flags.writeable = False
    return array


ONE, HALF = constant(1.0), constant(0.5)


def weights(p: np.ndarray, gamma: np.ndarray, inv_gamma: np.ndarray, gamma_one: np.ndarray | None) -> np.ndarray:
    """``weight`` of each probability in ``p`` (in [0, 1]) with its ``gamma`` (``inv_gamma`` = 1 / gamma);
    ``gamma_one``: where gamma is 1 the weight is the probability itself (None: nowhere)."""
    a = p ** gamma
    curved = a / (a + (ONE - p) ** gamma) ** inv_gamma
    return curved if gamma_one is None else np.where(gamma_one, p, curved)
