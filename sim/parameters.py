"""The one source of truth for docsec's parameters.

Parameters come in groups (population, documents, behaviour, custody, penalty,
inspection, investigation, education, external_channel, run). Each field carries
its unit, its allowed range or choices, its default and, where the default comes
from the case or is a modelling choice, a note saying so. Scenario keys, CLI
options, sweep axes, sampling bounds, dashboard controls and output column names
are all derived from these declarations: nothing else restates a default.

A parameter is addressed by its *path* ``"group.name"`` (TOML, sweeps, columns)
or by its *keyword* ``"group__name"`` (keyword arguments of the Mesa model).
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import hashlib
import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import InputError


class ParameterError(InputError):
    """A parameter value or key that is not allowed; ``path`` names the field."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class Targeting(enum.StrEnum):
    """How inspectors choose which office to audit next."""

    RANDOM = "random"
    SCHEDULED = "scheduled"
    RISK = "risk"


class LeakSanction(enum.StrEnum):
    """What a leak traced to an official brings (O10)."""

    DISMISSAL = "dismissal"  # dismissal regardless of his place on the ladder (and the harsher sanction, O12)
    RUNG = "rung"            # one step of the ordinary ladder, as any other offence


class PenaltyScaling(enum.StrEnum):
    """Whether a sanction's severity scales with the document's classification (O10)."""

    PROPORTIONAL = "proportional"
    CONVEX = "convex"
    UNIFORM = "uniform"


def _p(default, unit, lo=None, hi=None, doc="", source="", choices=None, sweep_lo=None, sweep_hi=None):
    """Declare a parameter field with its metadata.

    ``lo``/``hi`` are the hard validation bounds; ``sweep_lo``/``sweep_hi`` the
    plausible range used by sensitivity analysis and dashboard sliders (defaults
    to the hard bounds).
    """
    meta = {
        "unit": unit,
        "min": lo,
        "max": hi,
        "doc": doc,
        "source": source,
        "choices": choices,
        "sweep_min": lo if sweep_lo is None else sweep_lo,
        "sweep_max": hi if sweep_hi is None else sweep_hi,
    }
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Population:
    """Who works in the organisation."""

    offices: int = _p(20, "offices", 1, 100_000, "Number of offices (work units) in the organisation.",
                      "modelling choice: a provincial organisation of about twenty offices", sweep_hi=200)
    deputies_per_office: int = _p(1, "officials", 0, 20, "Cleared deputies beside each office's custodian.",
                                  "the case names vice secretaries beside party secretaries", sweep_hi=5)
    workers_per_office: int = _p(8, "workers", 0, 500, "Uncleared workers in each office.",
                                 "modelling choice", sweep_hi=30)


@dataclass(frozen=True)
class Documents:
    """What each office receives and what custody costs in time."""

    directives_per_office_per_day: float = _p(0.5, "documents/office/day", 0.0, 100.0,
                                              "Mean daily arrivals of directives to be registered and stored (Poisson).",
                                              "modelling choice: a few a week; the case reports dozens lost a year",
                                              sweep_hi=3.0)
    circulars_per_office_per_day: float = _p(0.1, "documents/office/day", 0.0, 100.0,
                                             "Mean daily arrivals of circulated material (lecture, educational) to be handed out and collected back (O7).",
                                             "modelling choice", sweep_hi=1.0)
    share_secret: float = _p(0.3, "fraction", 0.0, 1.0, "Share of arrivals classified secret.", "modelling choice")
    share_top_secret: float = _p(0.1, "fraction", 0.0, 1.0,
                                 "Share of arrivals classified top secret; the rest are restricted.", "modelling choice")
    circular_return_days: int = _p(14, "days", 1, 365, "Days after which circulated material must be collected back.",
                                   "modelling choice", sweep_hi=60)
    registration_hours: float = _p(0.5, "hours/document", 0.0, 24.0,
                                   "Official's time to register and store one document himself (O1).",
                                   "modelling choice", sweep_hi=2.0)
    collection_hours: float = _p(0.5, "hours/document", 0.0, 24.0,
                                 "Official's time to collect one circulated document back (O7).", "modelling choice",
                                 sweep_hi=2.0)
    key_keeping_hours: float = _p(0.25, "hours/day", 0.0, 24.0,
                                  "Official's daily time spent letting staff into the storage room while he keeps the key (O2).",
                                  "modelling choice", sweep_hi=2.0)
    briefing_hours: float = _p(0.25, "hours/document", 0.0, 24.0,
                               "Official's time to keep a circulated copy among cleared staff (reading it out, passing it only to cleared colleagues) rather than handing it to a worker (O7).",
                               "modelling choice", sweep_hi=2.0)


@dataclass(frozen=True)
class Behaviour:
    """Traits of officials and workers, and how officials' perceptions move."""

    workload_pressure: float = _p(1.0, "utility/hour", 0.0, 20.0,
                                  "Mean value to an official of an hour saved on custody tasks; 0 means no pressure to cut corners (O1).",
                                  "modelling choice; the case: 'too busy with his own work'", sweep_hi=5.0)
    workload_variability: float = _p(0.5, "log-sd", 0.0, 3.0,
                                     "Day-to-day spread of an official's workload (sd of its logarithm).",
                                     "modelling choice", sweep_hi=1.5)
    corruptibility_mean: float = _p(0.05, "fraction", 0.0, 1.0,
                                    "Mean share of a favour's value an official counts as gain (Beta-distributed trait; O4).",
                                    "modelling choice", sweep_hi=0.5)
    severity_curvature_mean: float = _p(0.88, "exponent", 0.1, 3.0,
                                        "Risk attitude: mean exponent of how an official feels a sanction's severity (lognormal trait, log-sd half of behaviour.trait_dispersion). Below 1, each added unit of severity weighs less (certainty deters more than severity); above 1, risk aversion (severity deters more); 1 is neutral.",
                                        "Tversky & Kahneman (1992), curvature for losses: 0.88", sweep_lo=0.5,
                                        sweep_hi=1.5)
    probability_weighting: float = _p(0.69, "exponent", 0.2, 1.0,
                                      "Curvature of the weight officials give a perceived probability (Tversky-Kahneman weighting function): below 1, small chances are overweighted and near-certainties underweighted; 1 weighs probabilities as they are.",
                                      "Tversky & Kahneman (1992), losses: 0.69", sweep_lo=0.4)
    ladder_foresight: float = _p(0.5, "fraction", 0.0, 1.0,
                                 "How much an official counts the dismissal a warning brings nearer: a warning with n more offences to go before dismissal weighs warning_severity + foresight^n x dismissal_severity; 0 sees only the next rung (O3).",
                                 "modelling choice")
    attention_scale: float = _p(1.0, "utility", 0.01, 1000.0,
                                "Gain at which an official notices a shortcut is worth taking: he considers an option with probability 1 - exp(-gain / attention_scale), then chooses by the logit rule (so choice probability is continuous in the gain, 0 at no gain).",
                                "modelling choice", sweep_lo=0.2, sweep_hi=5.0)
    compliance_norm_mean: float = _p(3.0, "utility", 0.0, 1000.0,
                                     "Mean inner cost to an official of breaking a rule (lognormal trait).",
                                     "modelling choice", sweep_hi=20.0)
    trait_dispersion: float = _p(0.5, "log-sd", 0.0, 3.0,
                                 "Spread of officials' lognormal traits around their means.", "modelling choice",
                                 sweep_hi=1.5)
    choice_temperature: float = _p(1.0, "utility", 0.01, 1000.0,
                                   "Noise of the logit choice rule; larger means choices depend less on utilities.",
                                   "modelling choice", sweep_lo=0.2, sweep_hi=10.0)
    initial_perceived_detection: float = _p(0.1, "probability", 0.0, 1.0,
                                            "Officials' initial belief that a violation will be caught.",
                                            "modelling choice", sweep_hi=0.6)
    initial_severity_awareness: float = _p(0.5, "fraction", 0.0, 2.0,
                                           "How much of the real severity of sanctions officials initially perceive (1 = all).",
                                           "modelling choice; O9: education raises knowledge of the rules",
                                           sweep_hi=1.5)
    own_sanction_learning: float = _p(0.5, "fraction", 0.0, 1.0,
                                      "How far an official's perceived detection moves toward 1 when he is sanctioned (O3).",
                                      "modelling choice")
    avoidance_learning: float = _p(0.2, "fraction", 0.0, 1.0,
                                   "How far an official's perceived detection falls toward 0 when an audit of his office misses his open violations: getting away with it (punishment avoidance); 0 switches it off.",
                                   "Stafford & Warr (1993) punishment avoidance; size a modelling choice")
    audit_salience: float = _p(0.05, "fraction", 0.0, 1.0,
                               "How far every official's perceived detection moves toward 1 when an inspector audits his office (O8); 0 switches it off.",
                               "modelling choice", sweep_hi=0.3)
    publicity_learning: float = _p(1.0, "fraction x offices", 0.0, 1000.0,
                                   "How strongly a publicised sanction raises officials' perceived detection, per office of the organisation: it moves the publicity level 1 - exp(-publicity_learning / offices) of the way toward 1, so general deterrence follows sanctions per office, not the organisation's size, and one sanction never makes detection certain (O8).",
                                   "modelling choice (about 0.05 per sanction in the default twenty offices)", sweep_hi=6.0)
    perception_decay_per_day: float = _p(0.01, "1/day", 0.0, 1.0,
                                         "Daily rate at which perceived detection and severity awareness fall back to their initial levels.",
                                         "modelling choice", sweep_hi=0.1)
    announcement_reach_per_day: float = _p(0.05, "1/day", 0.0, 1.0,
                                           "Daily chance that an official who has not yet heard of an announced change of penalties (a timeline change of penalty.*) hears of it directly; until he does, he believes the old penalties (O9). 1 = everyone at once.",
                                           "modelling choice: most officials hear within a few weeks")
    word_of_mouth_per_day: float = _p(0.2, "1/day", 0.0, 1.0,
                                      "Added daily chance of hearing of an announced change, times the share of officials who already know it. With announcement_reach_per_day, 0 means nobody perceives the change except through campaigns and new hires.",
                                      "modelling choice")
    favour_offer_rate: float = _p(0.02, "probability/office/day", 0.0, 1.0,
                                  "Daily chance, per office, that a worker offers an official a favour for documents (O4).",
                                  "modelling choice", sweep_hi=0.2)
    favour_value: float = _p(30.0, "utility", 0.0, 10_000.0,
                             "Value of a favour before it is scaled by the official's corruptibility (O4).",
                             "modelling choice", sweep_hi=200.0)
    favour_documents: int = _p(2, "documents", 1, 100,
                               "Documents handed over for one favour (the case: seven).", "modelling choice",
                               sweep_hi=10)
    loan_days: int = _p(3, "days", 1, 365,
                        "Days a worker keeps documents handed over for a favour before returning them.",
                        "modelling choice", sweep_hi=30)
    worker_curiosity: float = _p(0.3, "probability", 0.0, 1.0,
                                 "Chance that a worker reads a document he handles (O1).", "modelling choice")
    storage_reading_rate: float = _p(0.2, "probability/office/day", 0.0, 1.0,
                                     "Daily chance, in an office where a worker holds the storage key, that one of its workers reads a stored document (O2).",
                                     "modelling choice")
    worker_misplacement: float = _p(0.02, "probability", 0.0, 1.0,
                                    "Chance that a worker misplaces a document he handles (O1, O5).",
                                    "modelling choice", sweep_hi=0.2)
    official_misplacement: float = _p(0.002, "probability", 0.0, 1.0,
                                      "Chance that an official misplaces a document he handles himself (O5).",
                                      "modelling choice", sweep_hi=0.02)
    registration_lapse: float = _p(0.2, "probability", 0.0, 1.0,
                                   "Chance that a worker given a document to register leaves it unregistered (O1, O6).",
                                   "modelling choice")
    overdue_loss_per_day: float = _p(0.02, "1/day", 0.0, 1.0,
                                     "Daily chance that circulated material past its deadline goes missing (O7).",
                                     "modelling choice", sweep_hi=0.2)
    self_check_rate: float = _p(0.03, "checks/office/day", 0.0, 1.0,
                                "Daily chance that a custodian compares his register with the storage room.",
                                "modelling choice", sweep_hi=0.2)
    loss_discovery: float = _p(0.8, "probability", 0.0, 1.0,
                               "Chance that a custodian's check, or his collection of circulated material, notices a registered document is missing (O6: unregistered ones never are); 0 means no losses are discovered, so none are self-reported.",
                               "modelling choice")


@dataclass(frozen=True)
class Custody:
    """The custody regime: which practices the rules allow. Lax and strict are points here."""

    uncleared_may_handle: bool = _p(True, "rule", doc="Whether workers may register, store and receive documents; if false, delegation is a violation (O1).",
                                    source="lax delegation, as in the case")
    key_sharing_permitted: bool = _p(True, "rule", doc="Whether the custodian may hand the storage-room key to a worker; if false, it is a violation (O2).",
                                     source="lax delegation, as in the case")
    registration_required: bool = _p(True, "rule", doc="Whether every document must be entered in the register; if true, skipping it is a violation (O6).",
                                     source="the case's rules")
    key_reconsideration_per_day: float = _p(0.2, "1/day", 0.0, 1.0,
                                            "Daily chance that a custodian whose key is with a worker reconsiders: he takes it back unless he chooses again to leave it out (O2). 0: only an audit or a successor takes it back.",
                                            "modelling choice: about once a week", sweep_lo=0.02)


@dataclass(frozen=True)
class Penalty:
    """The penalty ladder and how sanctions are applied and made known."""

    warnings_before_dismissal: int = _p(2, "warnings", 0, 50,
                                        "Warnings an official receives before the next offence dismisses him (O3).",
                                        "the case: 'warned several times'", sweep_hi=5)
    warning_severity: float = _p(5.0, "utility", 0.0, 1e6, "Disutility of a warning.", "modelling choice",
                                 sweep_hi=50.0)
    dismissal_severity: float = _p(200.0, "utility", 0.0, 1e7, "Disutility of dismissal (O3).", "modelling choice",
                                   sweep_hi=2000.0)
    leak_sanction: LeakSanction = _p(LeakSanction.DISMISSAL, "choice", doc="What a leak traced to an official brings: dismissal regardless of his place on the ladder (with the harsher sanction if it applies), or one rung of the ordinary ladder (O10).",
                                     source="O10: 'severely punished regardless of position'", choices=tuple(LeakSanction))
    harsher_sanctions: bool = _p(True, "rule", doc="Whether grave offences (favour trading, concealment, a leak) that lead to dismissal bring a harsher sanction (O12).",
                                 source="the case: families banished or sent to camps")
    harsher_severity: float = _p(2000.0, "utility", 0.0, 1e8, "Disutility of the harsher sanction beyond dismissal (O12).",
                                 "modelling choice: large enough to dominate", sweep_hi=20_000.0)
    scaling: PenaltyScaling = _p(PenaltyScaling.PROPORTIONAL, "choice", doc="Proportional: severity scales with classification (restricted 1/3, secret 2/3, top secret 1); convex: with its square (1/9, 4/9, 1), so the gravest documents weigh most (Kolokoltsov 2021); uniform: every offence as if top secret (O10).",
                                 source="O10", choices=tuple(PenaltyScaling))
    publicised: bool = _p(True, "rule", doc="Whether sanctions are made known to all officials (general deterrence, O8).",
                          source="O8")
    self_report_leniency: float = _p(0.5, "probability", 0.0, 1.0,
                                     "Chance that a self-reported loss goes unpunished (0 = treated as if detected); officials weigh it when deciding to report or conceal (O9).",
                                     "modelling choice")


@dataclass(frozen=True)
class Inspection:
    """Inspectors and how they audit offices (O8)."""

    inspectors: int = _p(2, "inspectors", 0, 10_000, "Number of inspectors.", "modelling choice", sweep_hi=20)
    audits_per_inspector_per_month: float = _p(2.0, "audits/inspector/month", 0.0, 1000.0,
                                               "Audit capacity of each inspector (a month is 30 days).",
                                               "modelling choice", sweep_hi=20.0)
    thoroughness: float = _p(0.6, "probability", 0.0, 1.0,
                             "Chance that an audit finds each violation whose evidence is present.", "modelling choice")
    targeting: Targeting = _p(Targeting.RANDOM, "choice", doc="random: any office; scheduled: offices in turn; risk: offices weighted by 1 + their past findings (decaying).",
                              source="the brief", choices=tuple(Targeting))
    risk_weight_decay_per_day: float = _p(0.01, "1/day", 0.0, 1.0,
                                          "Daily decay of an office's past findings as a weight for risk-targeted audits.",
                                          "modelling choice", sweep_hi=0.1)
    effort_adaptation: float = _p(0.0, "fraction", 0.0, 1.0,
                                  "How far audit effort moves after each audit: toward full capacity after one with findings, toward inspection.min_effort after one without (the trust trap); 0 keeps effort at full capacity.",
                                  "CERT insider-threat 'trust trap'; 0 (off) by default", sweep_hi=0.5)
    min_effort: float = _p(0.25, "fraction", 0.0, 1.0,
                           "Lowest audit effort, as a share of capacity, that adaptation can reach.", "modelling choice")


@dataclass(frozen=True)
class Investigation:
    """Investigations opened when a leak surfaces outside (O4) or a registered document is known lost (O5)."""

    leak_surfacing: float = _p(0.3, "probability", 0.0, 1.0,
                               "Chance that a leaked document's contents surface outside and an investigation opens (O4).",
                               "modelling choice")
    success: float = _p(0.5, "probability", 0.0, 1.0,
                        "Chance that an investigation traces the leak or loss to the responsible official (O5: some fail).",
                        "modelling choice")
    loss_investigation: float = _p(1.0, "probability", 0.0, 1.0,
                                   "Chance that a known loss of a registered document (found by an audit, or reported) opens an investigation into its whereabouts and who answers for it (O5).",
                                   "O5: 'investigation opened, whereabouts still unknown'")
    delay_days: int = _p(14, "days", 0, 3650, "Days from a leak surfacing, or a loss becoming known, to the investigation's outcome.",
                         "modelling choice", sweep_hi=90)


@dataclass(frozen=True)
class Education:
    """Education campaigns raising officials' norm and knowledge of the rules (O9)."""

    campaign_interval_days: int = _p(0, "days", 0, 36_500,
                                     "Days between education campaigns; 0 means none.", "modelling choice",
                                     sweep_hi=365)
    norm_boost: float = _p(5.0, "utility", 0.0, 1000.0, "Rise of every official's compliance norm at a campaign.",
                           "modelling choice", sweep_hi=30.0)
    knowledge_gain: float = _p(0.5, "fraction", 0.0, 1.0,
                               "How far a campaign moves officials' severity awareness toward the real severity.",
                               "modelling choice")
    decay_per_day: float = _p(0.01, "1/day", 0.0, 1.0, "Daily decay of a campaign's norm boost.", "modelling choice",
                              sweep_hi=0.1)


@dataclass(frozen=True)
class ExternalChannel:
    """The channel through which read contents leave the organisation (O11)."""

    strength: float = _p(0.1, "probability", 0.0, 1.0,
                         "Chance that contents read by an uncleared person are carried outside (illegal phones).",
                         "modelling choice; a crackdown lowers it")


@dataclass(frozen=True)
class Run:
    """Length of a run."""

    days: int = _p(365, "days", 1, 36_500, "Days simulated.", "one year, as the case's report", sweep_hi=3650)


GROUPS: dict[str, type] = {
    "population": Population,
    "documents": Documents,
    "behaviour": Behaviour,
    "custody": Custody,
    "penalty": Penalty,
    "inspection": Inspection,
    "investigation": Investigation,
    "education": Education,
    "external_channel": ExternalChannel,
    "run": Run,
}


@dataclass(frozen=True)
class ParamSpec:
    """Metadata of one parameter, derived from its declaration."""

    path: str
    group: str
    name: str
    type: type
    default: Any
    unit: str
    min: float | None
    max: float | None
    choices: tuple | None
    doc: str
    source: str
    sweep_min: float | None
    sweep_max: float | None

    @property
    def keyword(self) -> str:
        """The keyword-argument name used by the Mesa model (``group__name``)."""
        return f"{self.group}__{self.name}"

    def describe_allowed(self) -> str:
        """A short phrase of the values this parameter accepts."""
        if self.type is bool:
            return "true or false"
        if self.choices:
            return "one of " + ", ".join(str(c) for c in self.choices)
        kind = "an integer" if self.type is int else "a number"
        return f"{kind} from {_fmt(self.min)} to {_fmt(self.max)}"


def _fmt(x) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


@cache
def parameter_specs() -> tuple[ParamSpec, ...]:
    """All parameters in declaration order."""
    specs = []
    for group, cls in GROUPS.items():
        hints = {f.name: f for f in dataclasses.fields(cls)}
        for f in hints.values():
            m = f.metadata
            ftype = type(f.default)
            if isinstance(f.default, enum.Enum):
                ftype = type(f.default)
            specs.append(ParamSpec(
                path=f"{group}.{f.name}", group=group, name=f.name, type=ftype, default=f.default,
                unit=m["unit"], min=m["min"], max=m["max"], choices=m["choices"], doc=m["doc"],
                source=m["source"], sweep_min=m["sweep_min"], sweep_max=m["sweep_max"],
            ))
    return tuple(specs)


@cache
def spec_by_path() -> dict[str, ParamSpec]:
    """Parameters keyed by ``group.name``."""
    return {s.path: s for s in parameter_specs()}


@cache
def spec_by_keyword() -> dict[str, ParamSpec]:
    """Parameters keyed by the model's keyword name ``group__name``."""
    return {s.keyword: s for s in parameter_specs()}


def _suggest(word: str, allowed) -> str:
    close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def coerce_value(spec: ParamSpec, value: Any, path: str | None = None) -> Any:
    """Check one value against its declaration and return it in its declared type.

    Raises ParameterError naming the parameter and what it allows.
    """
    path = path or spec.path
    allowed = spec.describe_allowed()
    value = _plain(value)
    if spec.type is bool:
        if isinstance(value, bool):
            return value
        raise ParameterError(path, f"must be {allowed} (got {value!r})")
    if spec.choices:
        values = [c.value for c in spec.choices]
        if isinstance(value, enum.Enum):
            value = value.value
        if isinstance(value, str) and value in values:
            return spec.type(value)
        extra = _suggest(str(value), values) if isinstance(value, str) else ""
        raise ParameterError(path, f"must be {allowed} (got {value!r}){extra}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(path, f"must be {allowed} (got {value!r})")
    if spec.type is int:
        if not isinstance(value, numbers.Integral):
            if not math.isfinite(value) or not float(value).is_integer():
                raise ParameterError(path, f"must be {allowed} (got {value!r})")
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise ParameterError(path, f"must be {allowed} (got {value!r})")
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        raise ParameterError(path, f"must be {allowed} (got {value!r})")
    return value


def _plain(value: Any) -> Any:
    """numpy scalars (np.int64, np.float64, np.bool_, np.str_) as the Python values they hold.

    Tools that generate designs (``mesa.batch_run`` over ``np.arange``, EMA Workbench, SALib) pass
    them; any other type is left for validation to accept or refuse.
    """
    if type(value).__module__ != "numpy":
        return value
    item = getattr(value, "item", None)
    return item() if callable(item) and getattr(value, "shape", None) == () else value


@dataclass(frozen=True)
class Parameters:
    """All parameters of a run, in groups. Immutable; derive variants with ``with_overrides``."""

    population: Population = field(default_factory=Population)
    documents: Documents = field(default_factory=Documents)
    behaviour: Behaviour = field(default_factory=Behaviour)
    custody: Custody = field(default_factory=Custody)
    penalty: Penalty = field(default_factory=Penalty)
    inspection: Inspection = field(default_factory=Inspection)
    investigation: Investigation = field(default_factory=Investigation)
    education: Education = field(default_factory=Education)
    external_channel: ExternalChannel = field(default_factory=ExternalChannel)
    run: Run = field(default_factory=Run)

    def __post_init__(self):
        for group, cls in GROUPS.items():
            value = getattr(self, group)
            if not isinstance(value, cls):
                raise ParameterError(group, f"must be a {cls.__name__} group")
            for f in dataclasses.fields(cls):
                coerce_value(spec_by_path()[f"{group}.{f.name}"], getattr(value, f.name))
        d = self.documents
        if d.share_secret + d.share_top_secret > 1.0 + 1e-12:
            raise ParameterError("documents.share_top_secret",
                                 f"documents.share_secret + documents.share_top_secret must not exceed 1 "
                                 f"(got {d.share_secret} + {d.share_top_secret})")

    # -- construction ---------------------------------------------------
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "") -> Parameters:
        """Build from a nested mapping ``{group: {name: value}}`` (e.g. parsed TOML).

        Unknown groups or names are rejected with their full path (prefixed by
        ``where``) and the allowed names.
        """
        return cls().with_nested(data, where=where)

    def with_nested(self, data: Mapping[str, Any], where: str = "") -> Parameters:
        """A copy with the values of a nested mapping ``{group: {name: value}}`` applied."""
        prefix = f"{where}." if where else ""
        flat: dict[str, Any] = {}
        if not isinstance(data, Mapping):
            raise ParameterError(where, "must be a table of parameter groups")
        for group, values in data.items():
            if group not in GROUPS:
                raise ParameterError(f"{prefix}{group}", "unknown parameter group; allowed: "
                                     + ", ".join(GROUPS) + _suggest(group, GROUPS))
            if not isinstance(values, Mapping):
                raise ParameterError(f"{prefix}{group}", "must be a table of parameters")
            for name, value in values.items():
                flat[f"{group}.{name}"] = value
        return self.with_overrides(flat, where=where)

    def with_overrides(self, overrides: Mapping[str, Any], where: str = "") -> Parameters:
        """A copy with values set by path (``{"penalty.dismissal_severity": 500}``), validated."""
        prefix = f"{where}." if where else ""
        changes: dict[str, dict[str, Any]] = {}
        specs = spec_by_path()
        for path, value in overrides.items():
            spec = specs.get(path)
            if spec is None:
                group = path.split(".", 1)[0]
                if group in GROUPS and "." in path:
                    names = [f.name for f in dataclasses.fields(GROUPS[group])]
                    raise ParameterError(f"{prefix}{path}", f"unknown parameter; allowed in {group}: "
                                         + ", ".join(names) + _suggest(path.split(".", 1)[1], names))
                raise ParameterError(f"{prefix}{path}", "unknown parameter; expected group.name with group one of "
                                     + ", ".join(GROUPS) + _suggest(group, GROUPS))
            changes.setdefault(spec.group, {})[spec.name] = coerce_value(spec, value, f"{prefix}{path}")
        groups = {g: dataclasses.replace(getattr(self, g), **vals) for g, vals in changes.items()}
        try:
            return dataclasses.replace(self, **groups)
        except ParameterError as err:
            raise ParameterError(f"{prefix}{err.path}", err.message) from None

    @classmethod
    def from_keywords(cls, base: Parameters | None = None, **keywords: Any) -> Parameters:
        """Build from the model's keyword names (``penalty__dismissal_severity=500``)."""
        specs = spec_by_keyword()
        flat = {}
        for kw, value in keywords.items():
            spec = specs.get(kw)
            if spec is None:
                raise ParameterError(kw, "unknown keyword; expected group__name, e.g. penalty__dismissal_severity"
                                     + _suggest(kw, specs))
            flat[spec.path] = value
        return (base or cls()).with_overrides(flat)

    # -- views --------------------------------------------------------------
    def get(self, path: str) -> Any:
        """The value at ``group.name``."""
        group, name = path.split(".", 1)
        return getattr(getattr(self, group), name)

    def flat(self) -> dict[str, Any]:
        """``{"group.name": value}`` with enums as their string values (JSON-ready)."""
        out = {}
        for spec in parameter_specs():
            v = self.get(spec.path)
            out[spec.path] = v.value if isinstance(v, enum.Enum) else v
        return out

    def to_nested(self) -> dict[str, dict[str, Any]]:
        """``{group: {name: value}}`` with enums as strings (TOML/JSON-ready)."""
        out: dict[str, dict[str, Any]] = {}
        for path, v in self.flat().items():
            g, n = path.split(".", 1)
            out.setdefault(g, {})[n] = v
        return out

    def spec_hash(self) -> str:
        """A stable short hash of every parameter value (provenance)."""
        blob = json.dumps(self.flat(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
