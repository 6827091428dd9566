"""Named random streams, all spawned from one run seed.

Each random process draws from its own numpy Generator (``arrivals``,
``decisions``, ``handling``, ...), spawned from one ``SeedSequence``. Adding a
new process, or a regime drawing more often in one process, leaves the other
processes' draws unchanged, so paired comparisons between regimes share common
random numbers. Scalar draws come from pre-drawn blocks for speed; the blocks are
a fixed size, so the sequence of values depends only on the seed.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

#: Stream names, in spawn order. Append new streams at the end only.
STREAM_NAMES: tuple[str, ...] = (
    "population",      # traits of officials (at start and on replacement)
    "arrivals",        # documents arriving, their classification and kind
    "workload",        # officials' daily workload
    "decisions",       # officials' probabilistic choices, and whom they pick
    "handling",        # workers reading and misplacing documents
    "channel",         # contents crossing the external channel; leaks surfacing
    "inspections",     # which office an inspector audits, what the audit finds
    "investigations",  # outcomes of investigations and self-report leniency
    "favours",         # which offices receive a favour offer today (one draw per office-day)
    "checks",          # which custodians check their storage today (one draw per office-day)
    "awareness",       # who hears of an announced change of penalties, day by day
)

_BLOCK = 2048


class Stream:
    """One named random stream: a numpy Generator plus fast scalar draws."""

    __slots__ = ("name", "gen", "_u", "_ui", "_z", "_zi")

    def __init__(self, name: str, gen: np.random.Generator):
        self.name = name
        self.gen = gen
        self._u: list[float] = []
        self._ui = 0
        self._z: list[float] = []
        self._zi = 0

    def uniform(self) -> float:
        """A uniform draw on [0, 1)."""
        i = self._ui
        try:
            u = self._u[i]
        except IndexError:  # the block is used up (or none drawn yet)
            u, i = self._next_block(), 0
        self._ui = i + 1
        return u

    def _next_block(self) -> float:
        """Draw the next block of uniforms; return its first value (the caller takes index 0)."""
        self._u = self.gen.random(_BLOCK).tolist()
        return self._u[0]

    def uniforms(self, n: int) -> list[float]:
        """``n`` uniform draws on [0, 1): the same values as ``n`` calls of ``uniform``, in one go."""
        i = self._ui
        block = self._u
        if i + n <= len(block):
            self._ui = i + n
            return block[i:i + n]
        out = block[i:]
        while len(out) < n:
            block = self._u = self.gen.random(_BLOCK).tolist()
            take = min(n - len(out), _BLOCK)
            out += block[:take]
            self._ui = take
        return out

    def normal(self) -> float:
        """A standard normal draw."""
        i = self._zi
        if i >= len(self._z):
            self._z = self.gen.standard_normal(_BLOCK).tolist()
            i = 0
        self._zi = i + 1
        return self._z[i]

    # ``chance`` and ``pick`` take their uniform as ``uniform`` does, written out: they are the model's
    # most frequent draws, and a call less each is a few per cent of a run.
    def chance(self, p: float) -> bool:
        """True with probability ``p`` (no draw is used when p <= 0)."""
        if p <= 0.0:
            return False
        i = self._ui
        try:
            u = self._u[i]
        except IndexError:
            u, i = self._next_block(), 0
        self._ui = i + 1
        return u < p

    def index(self, n: int) -> int:
        """A uniform index in range(n), n >= 1."""
        return min(int(self.uniform() * n), n - 1)

    def pick(self, items):
        """A uniformly chosen element of a non-empty sequence (the element at ``index(len(items))``)."""
        i = self._ui
        try:
            u = self._u[i]
        except IndexError:
            u, i = self._next_block(), 0
        self._ui = i + 1
        n = len(items)
        k = int(u * n)
        return items[k if k < n else n - 1]

    def poisson_counts(self, cdfs: list[list[float]]) -> list[int]:
        """One Poisson count for each table of ``cdfs`` (``poisson_cdf``), by inversion of one uniform each:
        the count is the number of the table's cumulative probabilities at or below the draw (none: 0)."""
        draws = self.uniforms(len(cdfs))
        return [0 if u < cdf[0] else bisect_right(cdf, u) for u, cdf in zip(draws, cdfs)]  # (as many of each)

    def lognormal_mean(self, mean: float, log_sd: float) -> float:
        """A lognormal draw with the given mean and log-scale spread."""
        if mean <= 0.0:
            return 0.0
        if log_sd <= 0.0:
            return mean
        z = self.normal()
        return mean * math.exp(log_sd * z - 0.5 * log_sd * log_sd)


#: At most this many values are drawn ahead at once by ``DailyChances`` (one day's at least).
_AHEAD_VALUES = 2 ** 12


class DailyChances:
    """Which of ``n`` units' chances come true, day after day, from a stream used for nothing else.

    Each day takes one uniform per unit, in unit order, and unit i's chance comes true where its
    uniform is below ``rates[i]``: the values ``Stream.uniforms(n)`` would give, day after day. They
    are drawn for the days ahead in one call (at most ``_AHEAD_VALUES`` values, one day at least)
    and compared with the rates for all those days at once; from the day the rates change (another
    list), they are compared again. Each day has its own row of draws: the model asks every day, and a
    day not asked for would leave its row unused.
    """

    __slots__ = ("stream", "n", "_draws", "_first", "_rates", "_rows", "_units", "_k")

    def __init__(self, stream: Stream, n: int):
        self.stream = stream
        self.n = n
        self._draws = np.empty((0, n))
        self._first = 0      # the day of the draws' first row
        self._rates = None   # the rates the hits were worked out with
        self._rows: list[int] = []   # the hits from there on, as (row, unit), in the order of the draws
        self._units: list[int] = []
        self._k = 0          # the next hit

    def today(self, day: int, rates: list[float]) -> list[int] | tuple[()]:
        """The units whose chance comes true on ``day``, in unit order."""
        row = day - self._first
        if not 0 <= row < len(self._draws):
            self._draws = self.stream.gen.random((max(1, _AHEAD_VALUES // max(self.n, 1)), self.n))
            self._first, row, self._rates = day, 0, None
        if self._rates is not rates:
            rows, units = np.nonzero(self._draws[row:] < np.asarray(rates, dtype=float))
            self._rows, self._units, self._k = (rows + row).tolist(), units.tolist(), 0
            self._rates = rates
        rows, k = self._rows, self._k
        while k < len(rows) and rows[k] < row:  # (days not asked for)
            k += 1
        if k == len(rows) or rows[k] != row:
            self._k = k
            return ()
        start = k
        while k < len(rows) and rows[k] == row:
            k += 1
        self._k = k
        return self._units[start:k]


class Streams:
    """The set of named streams of one run."""

    def __init__(self, seed: int):
        children = np.random.SeedSequence(seed).spawn(len(STREAM_NAMES))
        self._streams = {name: Stream(name, np.random.default_rng(child))
                         for name, child in zip(STREAM_NAMES, children, strict=True)}
        for name, stream in self._streams.items():
            setattr(self, name, stream)

    def __getitem__(self, name: str) -> Stream:
        return self._streams[name]


def poisson_cdf(rate: float) -> list[float]:
    """The cumulative probabilities P(N <= k) of a Poisson count of mean ``rate`` (0 <= rate <= 700),
    k = 0, 1, ..., to where the rest of the distribution is below 2**-60 of it; the last entry is 1, so that
    every uniform draw on [0, 1) gives a count (``Stream.poisson_counts``)."""
    if not 0.0 <= rate <= 700.0:
        raise ValueError(f"a Poisson rate must lie between 0 and 700 (got {rate})")
    terms = [math.exp(-rate)]  # P(N = k), k = 0, 1, ...
    while len(terms) - 1 < rate or terms[-1] > 2.0 ** -60:
        terms.append(terms[-1] * (rate / len(terms)))
    total = math.fsum(terms)  # (1, but for the rounding of the terms; partial sums exactly rounded)
    return [*(min(math.fsum(terms[:n]) / total, 1.0) for n in range(1, len(terms))), 1.0]
