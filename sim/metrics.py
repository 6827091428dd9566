"""Outcome metrics: the daily counters and the one-row run summary.

The names here are the column names of every output table (daily series, run
summaries, sweep stores, figures), the same in Python, CSV and reports.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Counters kept per day; each is also summed over the run in the summary.
#: (name, unit, meaning)
DAILY_COUNTERS: tuple[tuple[str, str, str], ...] = (
    ("documents_received", "documents", "Documents that arrived at offices."),
    ("documents_registered", "documents", "Documents entered in an office register."),
    ("uncleared_handling", "handlings", "Times an uncleared worker handled a document (registration, storage, favour, circulation)."),
    ("exposures", "readings", "Readings of a document by an uncleared person (first reading by each reader)."),
    ("external_leaks", "documents", "Documents whose contents crossed the external channel."),
    ("losses", "documents", "Documents that went missing."),
    ("undatable_losses", "documents", "Losses of unregistered documents, which no audit can notice or date."),
    ("losses_found", "documents", "Losses of registered documents found by audits, dated from the register."),
    ("violations_committed", "violations", "Rule violations committed by officials (under the regime in force)."),
    ("violations_detected", "violations", "Violations found by audits or investigations."),
    ("detection_delay_days", "days", "Sum over violations detected that day of days since they were committed."),
    ("concealed_losses", "documents", "Discovered losses the custodian concealed."),
    ("self_reported_losses", "documents", "Discovered losses the custodian reported."),
    ("warnings", "sanctions", "Warnings issued."),
    ("dismissals", "sanctions", "Officials dismissed."),
    ("harsher_sanctions", "sanctions", "Harsher sanctions beyond dismissal (O12)."),
    ("staff_turnover", "officials", "Officials replaced after dismissal."),
    ("custody_workload_hours", "hours", "Officials' time spent on custody tasks: the regime's cost."),
    ("favour_trades", "trades", "Favours accepted in exchange for documents."),
    ("audits", "audits", "Office audits carried out by inspectors."),
    ("investigations_opened", "investigations", "Investigations opened after a leak surfaced outside or a registered document was known to be lost."),
    ("investigations_solved", "investigations", "Investigations that traced a leak or a loss to an official."),
    ("leak_sanctions", "sanctions", "Sanctions for leaks traced to an official (O10)."),
    ("key_out_days", "office-days", "Office-days on which a worker held the storage key (O2)."),
    ("documents_received_top_secret", "documents", "Documents classified top secret that arrived at offices."),
    ("external_leaks_top_secret", "documents", "Top-secret documents whose contents crossed the external channel."),
)

#: Levels read at the end of each day (daily table) and at the end of the run (summary): (name, unit, meaning).
GAUGES: tuple[tuple[str, str, str], ...] = (
    ("mean_perceived_detection", "probability",
     "Officials' mean perceived chance that a violation is caught (at the end of the day, or of the run)."),
    ("inspection_effort", "fraction",
     "Share of the inspectors' audit capacity in use (below 1 only where audit effort adapts)."),
)

GAUGE_NAMES: tuple[str, ...] = tuple(name for name, _, _ in GAUGES)

COUNTER_NAMES: tuple[str, ...] = tuple(name for name, _, _ in DAILY_COUNTERS)

#: Counters also reported per 1,000 documents received.
RATE_BASES: tuple[str, ...] = (
    "uncleared_handling", "exposures", "external_leaks", "losses", "undatable_losses",
    "violations_committed", "violations_detected", "concealed_losses", "self_reported_losses",
    "favour_trades",
)

#: Derived summary columns (name, unit, meaning).
DERIVED: tuple[tuple[str, str, str], ...] = (
    *((f"{n}_per_1000_docs", "per 1,000 documents", f"{n} per 1,000 documents received.") for n in RATE_BASES),
    ("mean_detection_delay_days", "days", "Mean days from a violation to its detection (NaN if none detected)."),
    ("detection_share", "fraction", "Violations detected / violations committed (NaN if none committed)."),
    ("custody_hours_per_office_day", "hours", "Custody workload per office per day."),
    ("documents_lost_at_end", "documents", "Documents in the lost state at the end of the run."),
    ("documents_out_at_end", "documents", "Documents handed out (not in storage) at the end of the run."),
)

_RATE_NAMES: tuple[tuple[str, str], ...] = tuple((n, f"{n}_per_1000_docs") for n in RATE_BASES)

SUMMARY_NAMES: tuple[str, ...] = COUNTER_NAMES + tuple(name for name, _, _ in DERIVED) + GAUGE_NAMES

#: Columns of the daily table after ``day``: the day's counters and the gauges' levels.
DAILY_NAMES: tuple[str, ...] = COUNTER_NAMES + GAUGE_NAMES

UNITS: dict[str, str] = {n: u for n, u, _ in DAILY_COUNTERS + DERIVED + GAUGES}
MEANINGS: dict[str, str] = {n: m for n, _, m in DAILY_COUNTERS + DERIVED + GAUGES}


_ZEROS: dict[str, float] = {**dict.fromkeys(COUNTER_NAMES, 0), "custody_workload_hours": 0.0}  # (hours: a float)


def new_counters() -> dict[str, float]:
    """A fresh set of daily counters, all zero."""
    return _ZEROS.copy()


def summarise(totals: Mapping[str, float], *, offices: int, day: int, out_at_end: int,
              gauges: Mapping[str, float]) -> dict[str, float]:
    """The one-row run summary as of the end of ``day``, from the counters' totals up to it, the documents
    handed out at its end and the gauges' levels then (a lost document never comes back, so the documents
    lost at the end are the losses so far)."""
    days = max(day, 1)
    out = {n: totals[n] for n in COUNTER_NAMES}
    received = totals["documents_received"]
    for n, rate in _RATE_NAMES:
        out[rate] = 1000.0 * totals[n] / received if received else float("nan")
    detected = totals["violations_detected"]
    committed = totals["violations_committed"]
    out["mean_detection_delay_days"] = totals["detection_delay_days"] / detected if detected else float("nan")
    out["detection_share"] = detected / committed if committed else float("nan")
    out["custody_hours_per_office_day"] = totals["custody_workload_hours"] / (offices * days)
    out["documents_lost_at_end"] = totals["losses"]
    out["documents_out_at_end"] = out_at_end
    for n in GAUGE_NAMES:
        out[n] = gauges[n]
    return out
