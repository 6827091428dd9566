"""The model's agents: officials (cleared), workers (uncleared) and inspectors.

Agents hold their own traits and state. Officials' perceptions are kept lazily
(a value at its last update and the day of that update), so an official with
nothing to decide on a day costs nothing that day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from .decisions import choice_probability
from .documents import Classification
from .parameters import PenaltyScaling

if TYPE_CHECKING:
    from .model import DocSecModel
    from .office import Office

_BETA_CONCENTRATION = 10.0


class Official(mesa.Agent):
    """A cleared official: the office's custodian or a deputy.

    Traits (drawn at hiring): daily workload scale, risk aversion, compliance
    norm, corruptibility. State: perceived detection (own experience), severity
    awareness, offence record.
    """

    def __init__(self, model: DocSecModel, office: Office, role: str):
        super().__init__(model)
        b = office.params.behaviour
        s = model.streams.population
        self.office = office
        self.role = role  # "custodian" or "deputy"
        self.active = True
        self.workload_scale = s.lognormal_mean(1.0, b.trait_dispersion)
        self.risk_aversion = s.lognormal_mean(b.risk_aversion_mean, b.trait_dispersion)
        self.norm_trait = s.lognormal_mean(b.compliance_norm_mean, b.trait_dispersion)
        c = b.corruptibility_mean
        if 0.0 < c < 1.0:
            self.corruptibility = float(s.gen.beta(c * _BETA_CONCENTRATION, (1 - c) * _BETA_CONCENTRATION))
        else:
            self.corruptibility = c
        self.own_detection = b.initial_perceived_detection
        self.own_detection_day = model.day
        self.severity_awareness = b.initial_severity_awareness
        self.offences = 0
        self.warnings = 0
        self._workload_day = -1
        self._workload = 0.0

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
        """Belief that a violation is caught: own experience and publicised sanctions combined."""
        return 1.0 - (1.0 - self.perceived_detection_own()) * (1.0 - self.model.publicity_level())

    def learn_from_own_sanction(self) -> None:
        """Being sanctioned raises one's perceived detection (O3)."""
        m = self.model
        current = self.perceived_detection_own()
        self.own_detection = current + self.office.params.behaviour.own_sanction_learning * (1.0 - current)
        self.own_detection_day = m.day

    def perceived_detection_own(self) -> float:
        """Own-experience part of perceived detection, decayed toward its initial level."""
        m = self.model
        if m.day == self.own_detection_day:
            return self.own_detection
        base = self.office.params.behaviour.initial_perceived_detection
        decay = self.office.params.behaviour.perception_decay_per_day
        return base + (self.own_detection - base) * (1.0 - decay) ** (m.day - self.own_detection_day)

    def norm(self) -> float:
        """Compliance norm: own trait plus the current effect of education campaigns (O9)."""
        return self.norm_trait + self.model.education_level()

    def next_sanction_severity(self, classification: Classification, grave: bool) -> float:
        """Real severity of the sanction his next offence would bring (ladder position, O3/O10/O12)."""
        p = self.model.params.penalty
        if self.offences + 1 <= p.warnings_before_dismissal:
            severity = p.warning_severity
        else:
            severity = p.dismissal_severity + (p.harsher_severity if grave and p.harsher_sanctions else 0.0)
        if p.scaling is PenaltyScaling.PROPORTIONAL:
            severity *= classification / Classification.TOP_SECRET
        return severity

    def expected_punishment(self, classification: Classification, grave: bool, chance: float | None = None) -> float:
        """Risk aversion x perceived chance of sanction x perceived severity."""
        chance = self.perceived_detection() if chance is None else chance
        return (self.risk_aversion * chance * self.severity_awareness
                * self.next_sanction_severity(classification, grave))

    # -- choices -------------------------------------------------------------
    def chooses(self, gain: float, violation: bool, classification: Classification, grave: bool = False) -> bool:
        """Whether he takes the corner-cutting option (a violation only if the regime forbids it)."""
        if gain <= 0.0:
            return False
        if violation:
            p = choice_probability(gain, self.expected_punishment(classification, grave), self.norm(),
                                   self.office.params.behaviour.choice_temperature)
        else:
            p = choice_probability(gain, 0.0, 0.0, self.office.params.behaviour.choice_temperature)
        return self.model.streams.decisions.uniform() < p

    def conceals(self, classification: Classification) -> bool:
        """On discovering a loss: conceal it (True) or report it.

        Reporting brings the next sanction unless leniency applies; concealing
        risks a grave sanction if found. Fear of severe punishment makes
        concealment more attractive; leniency for self-reports pulls the other way (O9).
        """
        leniency = self.model.params.penalty.self_report_leniency
        cost_of_reporting = self.expected_punishment(classification, grave=False, chance=1.0 - leniency)
        cost_of_concealing = self.expected_punishment(classification, grave=True)
        p = choice_probability(cost_of_reporting, cost_of_concealing, self.norm(),
                               self.office.params.behaviour.choice_temperature)
        return self.model.streams.decisions.uniform() < p


class Worker(mesa.Agent):
    """An uncleared worker: handles what he is given, may read, misplace and pass contents outside."""

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
        """Carry out today's audits: capacity accrues daily and each whole unit is one audit."""
        m = self.model
        self.credit += m.params.inspection.audits_per_inspector_per_month / 30.0
        while self.credit >= 1.0 - 1e-9:
            self.credit -= 1.0
            office = m.inspection.choose_office()
            m.inspection.audit(office, self)
