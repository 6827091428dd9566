"""The model's agents: officials (cleared), workers (uncleared) and inspectors.

An official's traits and state are kept in his post's row (``posts.py``); his
perceptions are kept as a value at its last update and the day of that update,
and decay when read. The day's view of every post (``Posts.today``) reads them
all at once; an official's own methods below are the rule written out for him.
"""

from __future__ import annotations

from math import expm1
from typing import TYPE_CHECKING

import mesa

from .decisions import Choice, choice_probability, felt, taking_probability, weight
from .documents import Classification
from .parameters import LeakSanction, PenaltyScaling

if TYPE_CHECKING:
    from .model import DocSecModel
    from .office import Office

_BETA_CONCENTRATION = 10.0


def _post_column(column: str, cast, doc: str) -> property:
    """An official's attribute kept in his post's row (``Posts``); a dismissed official keeps his own copy."""

    def get(self):
        if self._left is not None:
            return self._left[column]
        return cast(getattr(self.model.posts, column)[self._post])

    def set(self, value) -> None:
        if self._left is not None:
            self._left[column] = value
            return
        posts = self.model.posts
        getattr(posts, column)[self._post] = value
        posts.wrote(column, self._post)

    return property(get, set, doc=doc)


class Official(mesa.Agent):
    """A cleared official: the office's custodian or a deputy.

    Traits (drawn at hiring): daily workload scale, risk attitude (severity curvature), compliance
    norm, corruptibility. State: perceived detection (own experience), severity awareness, the
    penalties he believes in force, offence record. Traits and state are kept in his post's row of
    the model's ``posts`` (so that a day's choices across the organisation are weighed together);
    the attributes below read and write them there.
    """

    # Mesa's own attributes (model, unique_id, pos) and ours are slots: a national organisation's
    # officials are compact in memory.
    __slots__ = ("model", "unique_id", "pos", "office", "role", "active", "corruptibility", "penalty_version",
                 "warnings", "_post", "_left")

    workload_scale = _post_column("workload_scale", float, "Trait: scale of his daily workload pressure.")
    severity_curvature = _post_column("severity_curvature", float, "Trait: risk attitude, v(S) = S ** curvature.")
    norm_trait = _post_column("norm_trait", float, "Trait: his own compliance norm (before education).")
    own_detection = _post_column("own_detection", float, "Perceived detection from his own experience, as last updated.")
    own_detection_day = _post_column("own_detection_day", int, "The day own_detection was last updated.")
    _awareness = _post_column("awareness", float, "Severity awareness, as last updated.")
    _awareness_day = _post_column("awareness_day", int, "The day his awareness was last updated.")
    offences = _post_column("offences", int, "Offences detected and sanctioned so far.")

    def __init__(self, model: DocSecModel, office: Office, role: str, post: int):
        super().__init__(model)
        b = office.params.behaviour
        s = model.streams.population
        self.office = office
        self.role = role  # "custodian" or "deputy"
        self.active = True
        self._post = post
        self._left = None  # his own copy of his post's row once he has left it (dismissed)
        self.workload_scale = s.lognormal_mean(1.0, b.trait_dispersion)
        self.severity_curvature = s.lognormal_mean(b.severity_curvature_mean, b.trait_dispersion / 2)
        self.norm_trait = s.lognormal_mean(b.compliance_norm_mean, b.trait_dispersion)
        c = b.corruptibility_mean
        if 0.0 < c < 1.0:
            self.corruptibility = float(s.gen.beta(c * _BETA_CONCENTRATION, (1 - c) * _BETA_CONCENTRATION))
        else:
            self.corruptibility = c
        self.own_detection = b.initial_perceived_detection
        self.own_detection_day = model.day
        self._awareness = b.initial_severity_awareness
        self._awareness_day = model.day
        # a newly hired official is told the penalties in force (O9: announcements reach the others slowly)
        self.believed_penalty = model.params.penalty
        self.penalty_version = model.penalty_version
        self.offences = 0
        self.warnings = 0
        model.posts.hired(post, self)

    @property
    def post(self) -> int:
        """His post's row in the model's ``posts`` (his successor's, once he has left)."""
        return self._post

    @property
    def believed_penalty(self):
        """The penalties he believes in force (O9)."""
        if self._left is not None:
            return self._left["penalty"]
        posts = self.model.posts
        return posts.penalty_of(int(posts.penalty[self._post]))

    @believed_penalty.setter
    def believed_penalty(self, penalty) -> None:
        if self._left is not None:
            self._left["penalty"] = penalty
            return
        posts = self.model.posts
        posts.penalty[self._post] = posts.penalty_index(penalty)
        posts.wrote("penalty", self._post)

    def leave_post(self) -> None:
        """He leaves his post (dismissed): he keeps his own copy of its row, and the post is free for a successor."""
        posts = self.model.posts
        left = {name: getattr(posts, name)[self._post].item() for name in posts.FLOATS + posts.INTS}
        left["penalty"] = self.believed_penalty
        self._left = left

    @property
    def label(self) -> str:
        return f"O-{self.unique_id}"

    @property
    def title(self) -> str:
        return f"{self.role} {self.label}"

    # -- perceptions ---------------------------------------------------------
    def workload(self) -> float:
        """Value of an hour saved today (one draw per post and day: ``Posts.workloads``); none once he has left."""
        if self._left is not None:
            return 0.0
        posts = self.model.posts
        if posts.workload_day != self.model.day:
            posts.workloads()
        return posts.workload_list[self._post]

    def perceived_detection(self) -> float:
        """Belief that a violation is caught, or a consequence traced: own experience and publicised sanctions."""
        return 1.0 - (1.0 - self.perceived_detection_own()) * (1.0 - self.model.publicity_level())

    def perceived_detection_own(self) -> float:
        """Own-experience part of perceived detection, decayed toward its initial level."""
        m = self.model
        b = self.office.params.behaviour
        base = b.initial_perceived_detection
        if m.day == self.own_detection_day or self.own_detection == base:
            return self.own_detection  # (at its initial level, nothing to decay)
        return base + (self.own_detection - base) * (1.0 - b.perception_decay_per_day) ** (m.day - self.own_detection_day)

    def _set_own_detection(self, value: float) -> None:
        self.own_detection = min(1.0, max(0.0, value))
        self.own_detection_day = self.model.day

    def learn_from_own_sanction(self) -> None:
        """Being sanctioned raises one's perceived detection (O3)."""
        current = self.perceived_detection_own()
        self._set_own_detection(current + self.office.params.behaviour.own_sanction_learning * (1.0 - current))

    def learn_from_audit(self, got_away: bool) -> None:
        """An audit of his office: it makes detection salient (O8); if it missed his open violations,
        he learns he can get away with them (punishment avoidance)."""
        b = self.office.params.behaviour
        current = self.perceived_detection_own()
        current += b.audit_salience * (1.0 - current)
        if got_away:
            current -= b.avoidance_learning * current
        self._set_own_detection(current)

    def severity_awareness(self) -> float:
        """How much of the believed severity of sanctions he feels, decayed toward its initial level."""
        m = self.model
        b = self.office.params.behaviour
        base = b.initial_severity_awareness
        if m.day == self._awareness_day or self._awareness == base:
            return self._awareness  # (at its initial level, nothing to decay)
        return base + (self._awareness - base) * (1.0 - b.perception_decay_per_day) ** (m.day - self._awareness_day)

    def learn_severity(self, gain: float) -> None:
        """Education: severity awareness moves ``gain`` of the way toward the real severity (O9)."""
        current = self.severity_awareness()
        self._awareness = current + gain * (1.0 - current)
        self._awareness_day = self.model.day

    def hear_penalties(self) -> None:
        """He learns the penalties now in force (an announcement reaches him, or a campaign teaches them)."""
        self.believed_penalty = self.model.params.penalty
        self.penalty_version = self.model.penalty_version

    def norm(self) -> float:
        """Compliance norm: own trait plus the current effect of education campaigns (O9)."""
        return self.norm_trait + self.model.education_level()

    # -- sanctions as he believes them ------------------------------------------
    def offence_severity(self, classification: Classification, grave: bool) -> float:
        """Severity of the sanction his next detected offence would bring, looking ahead over his ladder (O3, O12).

        A warning weighs its own severity plus the dismissal it brings nearer, discounted by
        ``ladder_foresight`` for each offence still to go.
        """
        p = self.believed_penalty
        left = p.warnings_before_dismissal - self.offences  # offences after this one before dismissal
        if left > 0:
            severity = p.warning_severity + self.office.params.behaviour.ladder_foresight ** left * p.dismissal_severity
        else:
            severity = p.dismissal_severity + (p.harsher_severity if grave and p.harsher_sanctions else 0.0)
        return _scaled(severity, classification, p)

    def leak_severity(self, classification: Classification) -> float:
        """Severity of the sanction a leak traced to him would bring (O10, O12)."""
        p = self.believed_penalty
        if p.leak_sanction is LeakSanction.RUNG:
            return self.offence_severity(classification, grave=True)
        severity = p.dismissal_severity + (p.harsher_severity if p.harsher_sanctions else 0.0)
        return _scaled(severity, classification, p)

    def threat(self, chance: float, severity: float) -> float:
        """Expected cost of a sanction of ``severity`` with perceived probability ``chance``: w(chance) x v(severity)."""
        if chance <= 0.0 or severity <= 0.0:
            return 0.0
        b = self.office.params.behaviour
        return weight(chance, b.probability_weighting) * felt(self.severity_awareness() * severity,
                                                             self.severity_curvature)

    def expected_cost(self, forbidden: bool, classification: Classification, grave: bool = False,
                      leak: float = 0.0, loss: float = 0.0) -> float:
        """Expected sanctions of a shortcut: its own (if forbidden), and his liability for the leak or loss it
        risks: the chance of that consequence (a frequency he knows from practice, taken as it is) times the
        weighted perceived chance that it is traced to him times the felt severity of its sanction (a traced
        leak brings the leak sanction, a traced loss an ordinary offence).

        Each term is ``threat(perceived detection, severity)``. This is the rule written out for one
        official; choices are weighed on the day's view of all posts (``posts.DayView``), which works
        out the same numbers for every official at once.
        """
        detection = self.perceived_detection()
        cost = self.threat(detection, self.offence_severity(classification, grave)) if forbidden else 0.0
        if leak > 0.0:
            cost += leak * self.threat(detection, self.leak_severity(classification))
        if loss > 0.0:
            cost += loss * self.threat(detection, self.offence_severity(classification, grave=False))
        return cost

    # -- choices -------------------------------------------------------------
    def decide(self, choice: Choice, gain: float, forbidden: bool, classification: Classification,
               grave: bool = False, leak: float = 0.0, loss: float = 0.0) -> bool:
        """Whether he takes the shortcut ``choice``.

        ``forbidden``: the rules in force make it a violation; ``leak``/``loss``: the chance that it
        leads to a leak or a loss of the document(s) concerned (his liability, permitted or not).
        A seat held by a person in a tabletop exercise decides instead of the rule. (The model's own
        calls pass the arguments by position: it is one of its most frequent calls.)
        """
        m = self.model
        if m._seats:
            seated = self._seated(choice)
            if seated is not None:
                return seated
        if gain <= 0.0:
            return False
        b = self.office.params.behaviour
        d = m.streams.decisions  # (its uniform draw, written out as Stream.chance does)
        j = d._ui
        try:
            u = d._u[j]
        except IndexError:
            u, j = d._next_block(), 0
        d._ui = j + 1
        # The chance of taking it never exceeds the chance of noticing it, so a draw at or above the
        # latter settles the choice (not taken) without weighing the costs: the same outcome, cheaper.
        noticed = -expm1(-gain / b.attention_scale)  # (notice_probability, written out)
        if u < noticed:
            # the expected cost (expected_cost), from the day's view of every post
            posts = m.posts
            view = posts._view  # (posts.today(), without its call where today's view is at hand)
            if view is None or view.day != m.day or view.version != posts.version:
                view = posts.today()
            i = self._post
            c = classification - 1
            w = view.weight.item(i)
            cost = w * view.felt["grave" if grave else "offence"].item(c, i) if forbidden else 0.0
            if leak > 0.0:
                cost += leak * (w * view.felt["leak"].item(c, i))
            if loss > 0.0:
                cost += loss * (w * view.felt["offence"].item(c, i))
            x = (gain - cost - (view.norm.item(i) if forbidden else 0.0)) / b.choice_temperature
            taken = u < taking_probability(noticed, x)
        else:
            taken = False
        if m.decisions_log is not None:
            m.record_decision(self, choice, taken, by_seat=False)
        return taken

    def conceals(self, classification: Classification) -> bool:
        """On discovering a loss: conceal it (True) or report it (O9).

        Reporting makes the loss known for certain and brings a sanction unless leniency applies;
        concealing risks a grave sanction if an audit finds it. Fear of severe punishment makes
        concealment more attractive; leniency for self-reports pulls the other way.
        """
        m = self.model
        seated = self._seated(Choice.CONCEAL_LOSS)
        if seated is not None:
            return seated
        b = self.office.params.behaviour
        leniency = self.believed_penalty.self_report_leniency
        cost_of_reporting = self.threat(1.0 - leniency, self.offence_severity(classification, grave=False))
        cost_of_concealing = self.threat(self.perceived_detection(), self.offence_severity(classification, grave=True))
        p = choice_probability(cost_of_reporting, cost_of_concealing, self.norm(), b.choice_temperature,
                               b.attention_scale)
        taken = m.streams.decisions.uniform() < p
        if m.decisions_log is not None:
            m.record_decision(self, Choice.CONCEAL_LOSS, taken, by_seat=False)
        return taken

    def _seated(self, choice: Choice) -> bool | None:
        """What a person holding this official's seat chose (recorded), or None if the rule decides."""
        m = self.model
        if not m._seats:
            return None
        seated = m.seat_decision(self, choice)
        if seated is not None:
            m.record_decision(self, choice, seated, by_seat=True)
        return seated


def _scaled(severity: float, classification: Classification, penalty) -> float:
    """Proportional penalties scale with classification (restricted 1/3 ... top secret 1); uniform do not (O10)."""
    if penalty.scaling is PenaltyScaling.CONVEX:
        return severity * (classification / Classification.TOP_SECRET) ** 2
    if penalty.scaling is PenaltyScaling.PROPORTIONAL:
        return severity * classification / Classification.TOP_SECRET
    return severity


class Worker(mesa.Agent):
    """An uncleared worker: handles what he is given, may read, misplace and pass contents outside."""

    __slots__ = ("model", "unique_id", "pos", "office")

    def __init__(self, model: DocSecModel, office: Office):
        super().__init__(model)
        self.office = office

    @property
    def label(self) -> str:
        return f"W-{self.unique_id}"

    @property
    def title(self) -> str:
        return f"worker {self.label}"


class Inspector(mesa.Agent):
    """An inspector with a limited audit capacity (O8)."""

    def __init__(self, model: DocSecModel, number: int):
        super().__init__(model)
        self.number = number
        self.credit = 0.0

    @property
    def label(self) -> str:
        return f"I-{self.number}"

    @property
    def title(self) -> str:
        return f"inspector {self.label}"

    def work_day(self) -> None:
        """Carry out today's audits: capacity (times the current audit effort) accrues daily; each whole unit is one audit."""
        m = self.model
        self.credit += m.params.inspection.audits_per_inspector_per_month / 30.0 * m.inspection.effort
        while self.credit >= 1.0 - 1e-9:
            self.credit -= 1.0
            office = m.inspection.choose_office()
            m.inspection.audit(office, self)
