"""The model's agents: officials (cleared), workers (uncleared) and inspectors.

Agents hold their own traits and state. Officials' perceptions are kept lazily
(a value at its last update and the day of that update), so an official with
nothing to decide on a day costs nothing that day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from .decisions import Choice, choice_probability, felt, notice_probability, taking_probability, weight
from .documents import Classification
from .parameters import LeakSanction, PenaltyScaling

if TYPE_CHECKING:
    from .model import DocSecModel
    from .office import Office

_BETA_CONCENTRATION = 10.0


class Official(mesa.Agent):
    """A cleared official: the office's custodian or a deputy.

    Traits (drawn at hiring): daily workload scale, risk attitude (severity curvature), compliance
    norm, corruptibility. State: perceived detection (own experience), severity awareness, the
    penalties he believes in force, offence record.
    """

    # Mesa's own attributes (model, unique_id, pos) and ours are slots: a national organisation's
    # officials are compact in memory, and their attributes are read quickly.
    __slots__ = ("model", "unique_id", "pos", "office", "role", "active", "workload_scale", "severity_curvature",
                 "norm_trait", "corruptibility", "own_detection", "own_detection_day", "_awareness", "_awareness_day",
                 "believed_penalty", "penalty_version", "offences", "warnings", "_workload_day", "_workload", "_felt",
                 "_felt_awareness", "_felt_penalty", "_felt_offences", "_felt_params", "_felt_curvature")

    def __init__(self, model: DocSecModel, office: Office, role: str):
        super().__init__(model)
        b = office.params.behaviour
        s = model.streams.population
        self.office = office
        self.role = role  # "custodian" or "deputy"
        self.active = True
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
        self._workload_day = -1
        self._workload = 0.0
        # the felt severities of the sanctions he risks (felt_sanctions), by classification (negative: grave),
        # and the awareness, believed penalties, record and office parameters they were worked out for
        self._felt: dict[int, tuple[float, float, float]] = {}
        self._felt_awareness = -1.0
        self._felt_penalty = None
        self._felt_offences = -1
        self._felt_params = None
        self._felt_curvature = -1.0

    @property
    def label(self) -> str:
        return f"O-{self.unique_id}"

    @property
    def title(self) -> str:
        return f"{self.role} {self.label}"

    # -- perceptions ---------------------------------------------------------
    def workload(self) -> float:
        """Value of an hour saved today (drawn once per day, when first needed)."""
        m = self.model
        if self._workload_day != m.day:
            b = self.office.params.behaviour
            self._workload_day = m.day
            self._workload = m.streams.workload.lognormal_mean(b.workload_pressure * self.workload_scale,
                                                               b.workload_variability)
        return self._workload

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
        weighted perceived chance that it is traced to him times the felt severity of its sanction.

        Each term is ``threat(perceived detection, severity)``; the perceived chance, its weight and his
        awareness are the same for every term, so they are worked out once.
        """
        detection = 1.0 - (1.0 - self.perceived_detection_own()) * (1.0 - self.model.publicity_level())
        w = weight(detection, self.office.params.behaviour.probability_weighting)  # (perceived_detection, inline)
        offence, traced_leak, traced_loss = self.felt_sanctions(classification, grave)
        cost = w * offence if forbidden else 0.0
        if leak > 0.0:
            cost += leak * (w * traced_leak)
        if loss > 0.0:
            cost += loss * (w * traced_loss)
        return cost

    def felt_sanctions(self, classification: Classification, grave: bool) -> tuple[float, float, float]:
        """v(awareness x severity) of the sanctions a shortcut risks: the offence itself (grave or not), a leak
        traced to him, a loss traced to him (an ordinary offence).

        They change only when his awareness, the penalties he believes in force, his record, his risk
        attitude or his office's parameters do, so they are kept until one of those changes.
        """
        awareness = self.severity_awareness()
        known = self._felt
        if (awareness != self._felt_awareness or self.believed_penalty is not self._felt_penalty
                or self.offences != self._felt_offences or self.office.params is not self._felt_params
                or self.severity_curvature != self._felt_curvature):
            self._felt_awareness = awareness
            self._felt_penalty = self.believed_penalty
            self._felt_offences = self.offences
            self._felt_params = self.office.params
            self._felt_curvature = self.severity_curvature
            known = self._felt = {}
        key = -classification if grave else classification  # (the classification is an IntEnum: 1, 2, 3)
        values = known.get(key)
        if values is None:
            alpha = self.severity_curvature
            values = (felt(awareness * self.offence_severity(classification, grave), alpha),
                      felt(awareness * self.leak_severity(classification), alpha),
                      felt(awareness * self.offence_severity(classification, grave=False), alpha))
            known[key] = values
        return values

    # -- choices -------------------------------------------------------------
    def decide(self, choice: Choice, gain: float, *, forbidden: bool, classification: Classification,
               grave: bool = False, leak: float = 0.0, loss: float = 0.0) -> bool:
        """Whether he takes the shortcut ``choice``.

        ``forbidden``: the rules in force make it a violation; ``leak``/``loss``: the chance that it
        leads to a leak or a loss of the document(s) concerned (his liability, permitted or not).
        A seat held by a person in a tabletop exercise decides instead of the rule.
        """
        m = self.model
        if m._seats:
            seated = self._seated(choice)
            if seated is not None:
                return seated
        if gain <= 0.0:
            return False
        b = self.office.params.behaviour
        u = m.streams.decisions.uniform()
        # The chance of taking it never exceeds the chance of noticing it, so a draw at or above the
        # latter settles the choice (not taken) without weighing the costs: the same outcome, cheaper.
        noticed = notice_probability(gain, b.attention_scale)
        if u < noticed:
            x = (gain - self.expected_cost(forbidden, classification, grave, leak, loss)
                 - (self.norm() if forbidden else 0.0)) / b.choice_temperature
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
