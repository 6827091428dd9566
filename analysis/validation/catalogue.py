"""The stylised facts of ``docsec validate``: what the literature and the case say, as paired experiments.

Each fact is data (see ``facts``); docs/validation.md explains each one, its source
and how its design reads it. Values are written relative to the base scenario
(``Scale``) wherever a fact is about "more" or "less" of a lever, so no default is
restated here. Outcomes are rates (per 1,000 documents received, or per day of a
window) so organisations of any size compare.
"""

from __future__ import annotations

from .facts import Arm, Contrast, Expected, Fact, Outcome, Scale, Step

#: The three severities of the ladder, scaled together ("harsher penalties").
SEVERITIES = ("penalty.warning_severity", "penalty.dismissal_severity", "penalty.harsher_severity")
#: Strict custody: only cleared officials handle documents and keep the key.
STRICT = {"custody.uncleared_may_handle": False, "custody.key_sharing_permitted": False}

VIOLATIONS = Outcome(("violations_committed",), ("documents_received",), scale=1000.0,
                     label="violations committed per 1,000 documents")
LOG_VIOLATIONS = Outcome(("violations_committed",), ("documents_received",), scale=1000.0, log=True,
                         label="log of violations committed per 1,000 documents")
DELEGATION = Outcome(("uncleared_handling",), ("documents_received",), scale=1000.0,
                     label="handlings by uncleared workers per 1,000 documents")
CONCEALED_SHARE = Outcome(("concealed_losses",), ("concealed_losses", "self_reported_losses"),
                          label="share of discovered losses concealed")


def severities(factor: float) -> dict[str, Scale]:
    """Every severity of the ladder times ``factor``."""
    return {p: Scale(factor) for p in SEVERITIES}


def violations_per_day(first: int, last: int) -> Outcome:
    return Outcome(("violations_committed",), window=(first, last),
                   label=f"violations committed per day, days {first}–{last}")


CERTAINTY = {"inspection.audits_per_inspector_per_month": Scale(2.0)}


def _certainty_vs_severity() -> Fact:
    return Fact(
        name="certainty_vs_severity",
        title="Certainty of punishment deters more than its severity",
        source="Nagin, D. S. (2013). Deterrence in the twenty-first century. Crime and Justice 42(1), 199–263.",
        claim=("Raising the chance of being caught lowers violations more than raising the severity of the "
               "sanction by the same proportion."),
        base="strict",
        arms=(Arm("base", label="defaults"),
              Arm("certainty", CERTAINTY, label="audits ×2"),
              Arm("severity", severities(2.0), label="severities ×2")),
        contrasts=(
            Contrast("audits ×2 against severities ×2 (log violations)", (("certainty", 1.0), ("severity", -1.0)),
                     LOG_VIOLATIONS, Expected.DECREASE),
            Contrast("audits ×2 against defaults (log violations)", (("certainty", 1.0), ("base", -1.0)),
                     LOG_VIOLATIONS, Expected.DECREASE),
        ),
        notes=("Contrasts of log rates are proportional changes: the elasticities of violations to certainty "
               "and to severity, as Nagin compares them."),
    )


def _risk_attitude() -> Fact:
    lo, hi = 0.6, 1.4
    curv = "behaviour.severity_curvature_mean"
    arms = []
    for tag, alpha in (("seeking", lo), ("averse", hi)):
        arms += [Arm(f"{tag}_base", {curv: alpha}, label=f"curvature {alpha}, defaults"),
                 Arm(f"{tag}_certainty", {curv: alpha, **CERTAINTY}, label=f"curvature {alpha}, audits ×2"),
                 Arm(f"{tag}_severity", {curv: alpha, **severities(2.0)}, label=f"curvature {alpha}, severities ×2")]
    return Fact(
        name="risk_attitude",
        title="Whether certainty or severity deters more depends on risk attitude",
        source=("Engel, C. & Nagin, D. S. (2015). Who is afraid of the stick? Experimentally testing the deterrent "
                "effect of sanction certainty. Review of Behavioral Economics 2(4), 405–434; Becker, G. S. (1968). "
                "Crime and punishment: an economic approach. J. Political Economy 76(2), 169–217."),
        claim=("Certainty's advantage over severity shrinks as officials become risk averse (severity felt more "
               "than proportionally): the difference (audits ×2 − severities ×2) in log violations rises from "
               f"curvature {lo} to {hi}."),
        base="strict",
        arms=tuple(arms),
        contrasts=(
            Contrast("(audits ×2 − severities ×2) at curvature 1.4 minus the same at 0.6",
                     (("averse_certainty", 1.0), ("averse_severity", -1.0),
                      ("seeking_certainty", -1.0), ("seeking_severity", 1.0)), LOG_VIOLATIONS, Expected.INCREASE),
        ),
        requires=(curv,),
    )


def _general_deterrence() -> Fact:
    return Fact(
        name="general_deterrence",
        title="Publicised punishment lowers others' violations (general deterrence)",
        source=("Stafford, M. C. & Warr, M. (1993). A reconceptualization of general and specific deterrence. "
                "J. Research in Crime and Delinquency 30(2), 123–135; the case's O8."),
        claim="When sanctions are made known to every official, violations fall compared with sanctions kept quiet.",
        base="strict",
        arms=(Arm("quiet", {"penalty.publicised": False}, label="sanctions not publicised"),
              Arm("publicised", {"penalty.publicised": True}, label="sanctions publicised")),
        contrasts=(Contrast("publicised − not publicised", (("publicised", 1.0), ("quiet", -1.0)), VIOLATIONS,
                            Expected.DECREASE),),
        requires=("behaviour.publicity_learning",),
    )


ANNOUNCE_DAY = 121


def _raise_on(day: int) -> tuple[Step, ...]:
    return (Step(day, severities(4.0), "penalties raised fourfold"),)


def _unperceived_change() -> Fact:
    silent = {"behaviour.announcement_reach_per_day": 0.0, "behaviour.word_of_mouth_per_day": 0.0}
    return Fact(
        name="unperceived_change",
        title="A change nobody perceives does nothing",
        source=("Nagin (2013): deterrence acts through perceived sanctions; Apel, R. (2013). Sanctions, perceptions, "
                "and crime. J. Quantitative Criminology 29, 67–101."),
        claim=("Penalties raised fourfold on day 121 with no announcement reaching anyone leave violations "
               "where they were (only new hires learn the new penalties)."),
        base="strict",
        arms=(Arm("unchanged", silent, label="no change"),
              Arm("raised", silent, _raise_on(ANNOUNCE_DAY), label="raised, unannounced")),
        contrasts=(Contrast("raised − unchanged, after day 121", (("raised", 1.0), ("unchanged", -1.0)),
                            violations_per_day(ANNOUNCE_DAY, 365), Expected.NONE, margin=0.1),),
        requires=("behaviour.announcement_reach_per_day", "behaviour.word_of_mouth_per_day"),
    )


def _announced_change() -> Fact:
    early, late = (ANNOUNCE_DAY, ANNOUNCE_DAY + 14), (ANNOUNCE_DAY + 45, 365)
    w = violations_per_day(*late)
    return Fact(
        name="announced_change",
        title="An announced change acts, with a lag",
        source="Nagin (2013); Apel (2013): perceptions of sanctions update gradually as news spreads.",
        claim=("Penalties raised fourfold and announced on day 121 lower violations once officials have heard of "
               "them, and less in the first two weeks than later."),
        base="strict",
        arms=(Arm("unchanged", label="no change"),
              Arm("raised", timeline=_raise_on(ANNOUNCE_DAY), label="raised and announced")),
        contrasts=(
            Contrast(f"raised − unchanged, days {late[0]}–{late[1]}", (("raised", 1.0), ("unchanged", -1.0)), w,
                     Expected.DECREASE),
            Contrast(f"effect in days {late[0]}–{late[1]} minus effect in days {early[0]}–{early[1]}",
                     (("raised", 1.0), ("unchanged", -1.0), ("raised", -1.0), ("unchanged", 1.0)),
                     Outcome(("violations_committed",), window=late, label="violations committed per day"),
                     Expected.DECREASE, windows=((2, early), (3, early))),
        ),
        requires=("behaviour.announcement_reach_per_day", "behaviour.word_of_mouth_per_day"),
    )


def _punishment_avoidance() -> Fact:
    return Fact(
        name="punishment_avoidance",
        title="Getting away with it emboldens (punishment avoidance)",
        source="Stafford & Warr (1993): experience of punishment avoidance raises offending.",
        claim=("Officials whose open violations an audit misses lower their perceived detection; with that "
               "learning at its default size, violations are higher than with it switched off."),
        base="strict",
        arms=(Arm("off", {"behaviour.avoidance_learning": 0.0}, label="no avoidance learning"),
              Arm("on", label="avoidance learning at its default")),
        contrasts=(
            Contrast("default − off", (("on", 1.0), ("off", -1.0)), VIOLATIONS, Expected.INCREASE),
            Contrast("default − off, perceived detection at the end", (("on", 1.0), ("off", -1.0)),
                     Outcome(("mean_perceived_detection",), label="officials' mean perceived detection at the end"),
                     Expected.DECREASE),
        ),
    )


def _concealment() -> Fact:
    harsh = severities(4.0)
    return Fact(
        name="concealment",
        title="Fear drives concealment; leniency for self-reporting pulls it back",
        source=("The case's O9 (officials 'nervous' under harsher punishment hide losses); Kaplow, L. & Shavell, S. "
                "(1994). Optimal law enforcement with self-reporting of behavior. J. Political Economy 102(3), "
                "583–606."),
        claim=("Harsher penalties raise the share of discovered losses that custodians conceal; full leniency for "
               "a reported loss lowers it again."),
        base="default",
        arms=(Arm("base", label="defaults"),
              Arm("harsh", harsh, label="severities ×4"),
              Arm("harsh_lenient", {**harsh, "penalty.self_report_leniency": 1.0},
                  label="severities ×4, reported losses unpunished")),
        contrasts=(
            Contrast("severities ×4 − defaults", (("harsh", 1.0), ("base", -1.0)), CONCEALED_SHARE,
                     Expected.INCREASE),
            Contrast("with full leniency − without", (("harsh_lenient", 1.0), ("harsh", -1.0)), CONCEALED_SHARE,
                     Expected.DECREASE),
        ),
    )


def _hysteresis() -> Fact:
    audits = "inspection.audits_per_inspector_per_month"
    cut, back = 181, 366
    return Fact(
        name="hysteresis",
        title="Compliance does not come back at once when enforcement is restored (hysteresis)",
        source=("Davis, J. S., Hecht, G. & Perkins, J. D. (2003). Social behaviors, enforcement, and tax "
                "compliance dynamics. The Accounting Review 78(1), 39–69."),
        claim=("After audits stop for six months (days 181–365) and resume on day 366, violations stay above "
               "those of an organisation that was audited throughout, months after the restoration."),
        base="strict",
        days=730,
        arms=(Arm("steady", label="audited throughout"),
              Arm("cut", timeline=(Step(cut, {audits: 0.0}, "audits stop"),
                                   Step(back, {audits: Scale(1.0)}, "audits resume")),
                  label="audits cut, then restored")),
        contrasts=(
            Contrast("cut and restored − steady, days 426–730", (("cut", 1.0), ("steady", -1.0)),
                     violations_per_day(back + 60, 730), Expected.INCREASE),
            Contrast("cut − steady while audits are off, days 211–365", (("cut", 1.0), ("steady", -1.0)),
                     violations_per_day(cut + 30, back - 1), Expected.INCREASE),
        ),
    )


def _trust_trap() -> Fact:
    return Fact(
        name="trust_trap",
        title="The trust trap: nothing found, less monitoring, more violation",
        source=("Band, S. R., Cappelli, D. M., Fischer, L. F., Moore, A. P., Shaw, E. D. & Trzeciak, R. F. (2006). "
                "Comparing insider IT sabotage and espionage: a model-based analysis. CMU/SEI-2006-TR-026 (CERT)."),
        claim=("When audit effort falls after audits that find nothing, effort ends lower and violations end "
               "higher than under fixed effort."),
        base="strict",
        arms=(Arm("fixed", {"inspection.effort_adaptation": 0.0}, label="fixed audit effort"),
              Arm("adaptive", {"inspection.effort_adaptation": 0.3}, label="effort adapts to findings (0.3)")),
        contrasts=(
            Contrast("adaptive − fixed, days 183–365", (("adaptive", 1.0), ("fixed", -1.0)),
                     violations_per_day(183, 365), Expected.INCREASE),
            Contrast("adaptive − fixed audit effort, days 183–365", (("adaptive", 1.0), ("fixed", -1.0)),
                     Outcome(("inspection_effort",), window=(183, 365), label="mean audit effort, days 183–365"),
                     Expected.DECREASE),
        ),
        requires=("inspection.min_effort",),
    )


def _compliance_budget() -> Fact:
    pressure = "behaviour.workload_pressure"
    levels = (("low", 0.5), ("mid", 1.0), ("high", 2.0))
    arms = []
    for regime, rules in (("lax", {}), ("strict", STRICT)):
        arms += [Arm(f"{regime}_{tag}", {**rules, pressure: Scale(k)}, label=f"{regime}, workload value ×{k:g}")
                 for tag, k in levels]
    steps = []
    for regime, outcome in (("strict", VIOLATIONS), ("lax", DELEGATION)):
        steps.append(Contrast(f"{regime}: ×2 − ×0.5", ((f"{regime}_high", 1.0), (f"{regime}_low", -1.0)), outcome,
                              Expected.INCREASE))
    for regime, outcome in (("strict", VIOLATIONS), ("lax", DELEGATION)):
        steps.append(Contrast(f"{regime}: ×1 − ×0.5", ((f"{regime}_mid", 1.0), (f"{regime}_low", -1.0)), outcome,
                              Expected.INCREASE))
        steps.append(Contrast(f"{regime}: ×2 − ×1", ((f"{regime}_high", 1.0), (f"{regime}_mid", -1.0)), outcome,
                              Expected.INCREASE))
    return Fact(
        name="compliance_budget",
        title="The compliance budget: corner-cutting rises smoothly with workload",
        source=("Beautement, A., Sasse, M. A. & Wonham, M. (2008). The compliance budget: managing security "
                "behaviour in organisations. Proc. New Security Paradigms Workshop, 47–58."),
        claim=("The busier officials are, the more they cut corners: violations under strict custody and "
               "delegation to workers under lax delegation rise at each step of workload pressure (×0.5, ×1, ×2)."),
        base="default",
        arms=tuple(arms),
        contrasts=tuple(steps),
    )


def _convex_penalties() -> Fact:
    return Fact(
        name="convex_penalties",
        title="Convex penalties curb leaks of the highest classification more than proportional ones",
        source=("Kolokoltsov (2021), as named in issue 10 (inspection games with penalties convex in the "
                "gravity of the offence)."),
        claim=("Penalties that grow more than proportionally with a document's classification lower leaks of "
               "top-secret documents more than proportional penalties with the same top-secret severity."),
        base="default",
        arms=(Arm("proportional", {"penalty.scaling": "proportional"}, label="proportional"),
              Arm("convex", {"penalty.scaling": "convex"}, label="convex")),
        contrasts=(Contrast("convex − proportional", (("convex", 1.0), ("proportional", -1.0)),
                            Outcome(("external_leaks_top_secret",), ("documents_received_top_secret",),
                                    scale=1000.0, label="top-secret leaks per 1,000 top-secret documents"),
                            Expected.DECREASE),),
        choices=(("penalty.scaling", "convex"),),
    )


def suite() -> tuple[Fact, ...]:
    """Every fact of the suite, in the order docs/validation.md describes them."""
    return (_certainty_vs_severity(), _risk_attitude(), _general_deterrence(), _unperceived_change(),
            _announced_change(), _punishment_avoidance(), _concealment(), _hysteresis(), _trust_trap(),
            _compliance_budget(), _convex_penalties())


def fact_names() -> tuple[str, ...]:
    return tuple(f.name for f in suite())
