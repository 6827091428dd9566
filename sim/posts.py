"""Officials' posts: what officials' choices depend on, held as arrays with one row per post.

Each office has a custodian's post and ``population.deputies_per_office`` deputies' posts (post
``office * per_office + k``: k = 0 the custodian, then the deputies, as ``Office.officials`` lists
them). An official holds his post from hiring until he is dismissed; his successor takes it over.
His traits, perceptions and record live in the post's row; ``Official`` reads and writes them there.

``Posts.today()`` gives the day's view of every post at once: the weighted perceived chance of
detection, the compliance norm and the felt severities of the sanctions each official risks, with
the workload drawn for the day (``Posts.workloads``). Choices are weighed on it: one at a time by
``Official.decide``, or all custodians' key choices at once by ``keys.Keys.chances`` (the same rule on arrays). The view is
worked out again whenever anything it depends on changes (a sanction, an audit, a campaign, an
announcement, new parameters), so it is never stale; the felt severities, which change only for
officials whose awareness, record, penalties or risk attitude moved, are kept from one view to the
next and worked out again for those officials only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .decisions import ONE, weights
from .parameters import LeakSanction, PenaltyScaling

if TYPE_CHECKING:
    from .agents import Official
    from .model import DocSecModel
    from .parameters import Penalty

#: The classifications (restricted 1, secret 2, top secret 3): the rows of the felt-severity tables.
_CLASSIFICATIONS = (1, 2, 3)
#: The most workload normals drawn at once (``Posts._draw_days``): 8 KiB, 25 days of the default organisation's
#: 40 posts (a new official's traits work out the days drawn again, so the blocks are kept short).
_DRAW_VALUES = 2 ** 10
#: The most days whose views are worked out at once (``Posts.today``), and the most values: the view stays the
#: same from one day to the next but for the decays until something it depends on changes (in the default
#: organisation, on about one day in eight), so a small organisation's days ahead are worked out together and
#: each day takes its row; a large one's view changes every day, and it works out one day at a time.
_VIEW_DAYS, _VIEW_VALUES = 8, 2 ** 9
#: The felt severities kept for each post: of an offence, of a grave offence, of a traced leak.
FELT_KINDS = ("offence", "grave", "leak")


class Posts:
    """The officials' posts of an organisation: traits, perceptions and records, one row per post."""

    #: Per-post columns an ``Official`` reads and writes (see ``Official``'s properties).
    FLOATS = ("workload_scale", "severity_curvature", "norm_trait", "own_detection", "awareness")
    INTS = ("own_detection_day", "awareness_day", "offences", "penalty")
    #: The columns the felt severities depend on: writing one marks the post's severities for working out again.
    FELT_INPUTS = frozenset(("severity_curvature", "awareness", "awareness_day", "offences", "penalty"))

    def __init__(self, model: DocSecModel, offices: int, per_office: int):
        n = offices * per_office
        self.model = model
        self.per_office = per_office
        self.office = np.repeat(np.arange(offices), per_office)
        for name in self.FLOATS:
            setattr(self, name, np.zeros(n))
        for name in self.INTS:
            setattr(self, name, np.zeros(n, dtype=np.int64))
        self.holder: list[Official | None] = [None] * n  # the official holding each post
        self.base_detection = self.base_awareness = np.zeros(n)  # (until set_parameters)
        self.version = 0  # rises whenever anything the day's view depends on changes
        self.felt_stale = np.ones(n, dtype=bool)  # posts whose felt severities must be worked out again
        self.felt_any_stale = True
        self.felt_version = 0  # rises each time felt severities are worked out again
        self.aware_moved = False  # whether any official's severity awareness has moved from its initial level
        self.own_moved = False  # whether any official's own perceived detection has moved from its initial level
        self.own_updated_day = 0  # the last day any official's own perceived detection was updated
        self._own_day = np.zeros(n)  # own_detection_day as floats (the decay's powers take them sooner)
        self._felt = {kind: np.zeros((len(_CLASSIFICATIONS), n)) for kind in FELT_KINDS}
        self._penalties: list[Penalty] = []       # the distinct penalties officials believe in force
        self._penalty_rows: dict[int, int] = {}   # id of a penalty -> its index in _penalties
        self._penalty_table: tuple | None = None  # their fields as arrays (_penalty_fields)
        self._view: DayView | None = None
        self._views: _ViewBlock | None = None     # the views of the days ahead (today)
        self._z = np.zeros((0, n))                # workload normals: one row per day, from day _z_first
        self._z_first = 0
        self._w = self._z                         # the lognormal values of those days, from day _w_first on,
        self._w_first = 0
        self._w_traits = -1                       # worked out with the traits of this _traits
        self.workload_day = -1                    # the day self.workload is for (-1: to be worked out again)
        self._traits = 0                          # rises when a workload trait or parameter changes
        self.workload = np.zeros(n)
        self.workload_list: list[float] = []

    def __len__(self) -> int:
        return len(self.office)

    def changed(self) -> None:
        """Something the day's view depends on changed."""
        self.version += 1

    def wrote(self, column: str, post: int) -> None:
        """An official's column was written (``Official``'s properties)."""
        self.version += 1
        if column in self.FELT_INPUTS:
            self.felt_stale[post] = True
            self.felt_any_stale = True
        elif column == "own_detection" and not self.own_moved:
            self.own_moved = bool(self.own_detection[post] != self.base_detection[post])
        elif column == "own_detection_day":
            self._own_day[post] = self.own_detection_day[post]
            self.own_updated_day = max(self.own_updated_day, int(self.own_detection_day[post]))
        elif column == "workload_scale":
            self._traits += 1
            self.workload_day = -1

    # -- the penalties officials believe in force ----------------------------------
    def penalty_index(self, penalty: Penalty) -> int:
        index = self._penalty_rows.get(id(penalty))
        if index is None or self._penalties[index] is not penalty:
            index = self._penalty_rows[id(penalty)] = len(self._penalties)
            self._penalties.append(penalty)
            self._penalty_table = None
        return index

    def penalty_of(self, index: int) -> Penalty:
        return self._penalties[index]

    def _penalty_fields(self):
        """The fields of the distinct believed penalties as arrays (index: ``penalty``)."""
        if self._penalty_table is None:
            pens = self._penalties
            self._penalty_table = (
                np.array([q.warnings_before_dismissal for q in pens], dtype=np.int64),
                np.array([q.warning_severity for q in pens]), np.array([q.dismissal_severity for q in pens]),
                np.array([q.harsher_severity if q.harsher_sanctions else 0.0 for q in pens]),
                np.array([q.leak_sanction is LeakSanction.RUNG for q in pens]),
                np.array([[_scale(q.scaling, c) for q in pens] for c in _CLASSIFICATIONS]))
        return self._penalty_table

    # -- parameters --------------------------------------------------------------
    def set_parameters(self, office_params: list) -> None:
        """Per-post copies of the behaviour parameters of each post's office (profiles may differ)."""
        by_post = [office_params[i] for i in self.office.tolist()]

        def column(get) -> np.ndarray:
            return np.array([get(p.behaviour) for p in by_post], dtype=float)

        self.base_detection = column(lambda b: b.initial_perceived_detection)
        self.base_awareness = column(lambda b: b.initial_severity_awareness)
        self.decay = column(lambda b: b.perception_decay_per_day)
        self.gamma = column(lambda b: b.probability_weighting)
        self.foresight = column(lambda b: b.ladder_foresight)
        self.pressure = column(lambda b: b.workload_pressure)
        self.variability = column(lambda b: b.workload_variability)
        self.attention = column(lambda b: b.attention_scale)
        self.temperature = column(lambda b: b.choice_temperature)
        self._half_variance = 0.5 * self.variability * self.variability
        self.persistence = 1.0 - self.decay
        self.inv_gamma = 1.0 / self.gamma
        self.gamma_one = self.gamma == 1.0
        self.any_gamma_one = bool(self.gamma_one.any())
        self.own_moved = bool((self.own_detection != self.base_detection).any())
        self.felt_stale[:] = True
        self.felt_any_stale = True
        self._traits += 1
        self.workload_day = -1
        self.changed()

    # -- workload ----------------------------------------------------------------
    def workloads(self) -> np.ndarray:
        """Each post's value of an hour saved today: one lognormal draw per post and day (workload stream),
        ``Stream.lognormal_mean(workload_pressure x workload_scale, workload_variability)`` (its mean is 0 at
        no pressure, and it is the mean itself at no variability).

        The day's normals are drawn for the days ahead at once (``_draw_days``): the model asks for
        every day's workloads, day after day, so each day gets the values one draw a day would give it.
        The lognormal values are worked out for those days with the traits of the day they are asked
        for, and again from the day a trait or a parameter changes."""
        day = self.model.day
        if self.workload_day != day:
            if not self._z_first <= day < self._z_first + len(self._z):
                self._draw_days(day)
            if self._w_traits != self._traits:
                mean = self.pressure * self.workload_scale
                self._w = mean * np.exp(self.variability * self._z[day - self._z_first:] - self._half_variance)
                self._w_first = day
                self._w_traits = self._traits
            self.workload = self._w[day - self._w_first]
            self.workload_list = self.workload.tolist()
            self.workload_day = day
        return self.workload

    def workload_block(self) -> tuple[np.ndarray, int]:
        """The workloads of today and of the days drawn after it, as ``workloads`` gives them (a row a
        day; the block is replaced, not changed, when they are worked out again), and today's row."""
        self.workloads()
        return self._w, self.model.day - self._w_first

    def _draw_days(self, day: int) -> None:
        """The workload normals of ``day`` and the days after it, to the run's last day (at most
        ``_DRAW_VALUES`` values in all, and one day at least): each day's row is one draw per post."""
        days = max(1, min(self.model.params.run.days - day + 1, _DRAW_VALUES // max(len(self), 1)))
        self._z = self.model.streams.workload.gen.standard_normal((days, len(self)))
        self._z_first = day
        self._w_traits = -1

    def hired(self, post: int, official: Official) -> None:
        """A new official took the post (his traits are in its row)."""
        self.holder[post] = official
        self.felt_stale[post] = True
        self.felt_any_stale = True
        self.changed()

    # -- the day's view ------------------------------------------------------------
    def detection_as_of(self, first: int, days: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Each official's perceived detection on ``days`` days from ``first`` (today) on, with nothing
        changed meanwhile, a row a day: his own experience's part (decayed toward its initial level, as
        ``Official.perceived_detection_own``; one row for every day while no official's has moved), and
        with publicised sanctions."""
        own = self.own_detection
        m = self.model
        if self.own_moved:  # (until an official's own experience first moves, every one is at his initial level)
            own = _decayed(own, self._own_day, self.base_detection, self.persistence,
                           np.arange(first, first + days)[:, None], updated_today=self.own_updated_day >= first)
        publicity = np.array([m.publicity_level_on(d) for d in range(first, first + days)])[:, None]
        return own, ONE - (ONE - own) * (1.0 - publicity)

    def mean_perceived_detection(self) -> float:
        """The officials' mean perceived detection now (every post has its official)."""
        view = self._view
        if view is not None and view.day == self.model.day and view.version == self.version:
            block = view.block
            if block.sums is None:  # (each day's sum, row by row, as numpy's mean works it out for one day)
                block.sums = np.add.reduce(block.detection, axis=1).tolist()
            return block.sums[view.row] / len(self)
        detection = self.detection_as_of(self.model.day)[1][0]
        return float(np.add.reduce(detection)) / len(detection)  # (the mean, as numpy's mean works it out)

    def today(self) -> DayView:
        """Today's view. The views of the days ahead are worked out with today's at once (at most
        ``_VIEW_DAYS`` and ``_VIEW_VALUES``, to the run's last day), with what they depend on as it is
        today and each day's decays; they are kept until it changes (``version``), and each of those
        days takes its row: the view that day's own working out would give."""
        m = self.model
        view = self._view
        if view is None or view.day != m.day or view.version != self.version:
            day = m.day
            block = self._views
            if block is None or block.version != self.version or not 0 <= day - block.first < block.days:
                block = self._views = _ViewBlock(self, m, day)
            view = self._view = DayView(self, block, day - block.first)
        return view

    def felt_as_of(self, day: int) -> dict[str, np.ndarray]:
        """The felt severities of every post on ``day`` (``DayView.felt``), worked out again where they moved:
        for posts marked stale, and for posts whose awareness is decaying back to its initial level."""
        if not self.felt_any_stale and not self.aware_moved:
            return self._felt
        moving = self.awareness != self.base_awareness  # (decaying back: their felt severities move daily)
        self.aware_moved = bool(moving.any())
        redo = np.flatnonzero(self.felt_stale | moving)
        self.felt_any_stale = False
        if len(redo):
            if len(redo) == len(self):
                redo = slice(None)
            before, warning, dismissal, harsher, rung, scale = self._penalty_fields()
            pen = self.penalty[redo]
            before, warning, dismissal, harsher, rung = before[pen], warning[pen], dismissal[pen], harsher[pen], rung[pen]
            left = before - self.offences[redo]
            on_ladder = left > 0
            ladder = warning + self.foresight[redo] ** np.maximum(left, 1) * dismissal  # (where on_ladder)
            outright = dismissal + harsher  # dismissal, with the harsher sanction where there is one
            severities = {"offence": np.where(on_ladder, ladder, dismissal),
                          "grave": np.where(on_ladder, ladder, outright),
                          "leak": np.where(rung & on_ladder, ladder, outright)}  # a rung (as grave), or dismissal
            aware = _decayed(self.awareness[redo], self.awareness_day[redo], self.base_awareness[redo],
                             self.persistence[redo], day)
            scale = scale[:, pen]
            curvature = self.severity_curvature[redo]
            with np.errstate(invalid="ignore", divide="ignore"):
                for kind, severity in severities.items():
                    s = aware * (severity * scale)
                    self._felt[kind][:, redo] = np.where(s > 0.0, np.maximum(s, 0.0) ** curvature, 0.0)
            self.felt_stale[redo] = False
            self.felt_version += 1
        return self._felt


class _ViewBlock:
    """The views of ``days`` days from ``first`` on, as arrays with a row a day (``Posts.today``)."""

    def __init__(self, posts: Posts, model: DocSecModel, first: int):
        self.first = first
        self.version = posts.version
        self.days = days = max(1, min(_VIEW_DAYS, _VIEW_VALUES // len(posts), model.params.run.days - first + 1))
        self.detection_own, self.detection = posts.detection_as_of(first, days)
        self.weight = weights(self.detection, posts.gamma, posts.inv_gamma,
                              posts.gamma_one if posts.any_gamma_one else None)
        norm = posts.norm_trait
        education = [model.education_level_on(d) for d in range(first, first + days)]
        # (a row a day; with no campaign's boost on any of the days, each day's is the trait itself: one row)
        self.norm = np.array([norm + e if e else norm for e in education]) if any(education) else norm
        self.sums: list[float] | None = None  # each day's sum of perceived detection (mean_perceived_detection)


class DayView:
    """Every post's perceptions on one day, as arrays (``Posts.today``: row ``row`` of the days' views)."""

    def __init__(self, posts: Posts, block: _ViewBlock, row: int):
        self.block, self.row = block, row  # (its days' views, and its row there)
        self.day = day = block.first + row
        self.version = block.version
        own = block.detection_own
        self.detection_own = own[row] if own.ndim == 2 else own
        self.detection = block.detection[row]
        self.weight = block.weight[row]
        self.norm = block.norm[row] if block.norm.ndim == 2 else block.norm
        self.felt = posts.felt_as_of(day)  # kind -> (classification row, post column)


def _decayed(level: np.ndarray, since: np.ndarray, base: np.ndarray, persistence: np.ndarray,
             day: int, updated_today: bool = True) -> np.ndarray:
    """A perception decayed toward its initial level since the day it was last updated, by ``persistence``
    (1 - decay) a day, as ``Official``'s are (at its initial level it stays there: base + 0 is base).
    Updated today, it is as it was set; ``updated_today=False`` says no post's was (none to pick out)."""
    day = np.asarray(day, dtype=since.dtype)  # (an array meets arrays faster than a Python number does; a column
    # of days gives a row a day)
    decayed = base + (level - base) * persistence ** (day - since)
    return np.where(since == day, level, decayed) if updated_today else decayed


def _scale(scaling: PenaltyScaling, classification: int) -> float:
    """A sanction's factor for a classification (``agents._scaled`` of a severity of 1)."""
    if scaling is PenaltyScaling.CONVEX:
        return (classification / 3) ** 2
    if scaling is PenaltyScaling.PROPORTIONAL:
        return classification / 3
    return 1.0
