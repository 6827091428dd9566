"""An estimate of the memory one run of the model needs, and a check against this machine's free memory.

The model keeps every agent and every document it has received for the whole run, so a run's
memory grows with the people of the organisation and the documents it receives over the run:

    bytes ~ SAFETY x (BASE + PER_OFFICE x offices + PER_PERSON x people + PER_DOCUMENT x documents
                      [+ PER_EVENT_DOCUMENT x documents, with the event log])

where ``people = offices x (1 custodian + deputies_per_office + workers_per_office)`` and
``documents = offices x run.days x (directives + circulars per office and day)``. The
coefficients were measured with ``tracemalloc`` (peak traced memory of ``run_simulation``) on
twelve small organisations (200 to 2,000 offices for a day; 50 to 400 offices of 8 to 200
workers for 30 to 365 days at 0.5 to 5 directives a day) and fitted by least squares; the fit
stays within 12% of every measurement. ``SAFETY`` covers what tracemalloc does not see (the
allocator's free lists and fragmentation) and the model's own changes. It is an estimate, meant
to refuse runs that cannot fit (an organisation of 100,000 offices of 500 workers needs tens of
gigabytes), not to predict memory to the megabyte. Per-office profiles are not counted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..sim.errors import InputError
from ..sim.parameters import Parameters

#: Fitted coefficients (bytes) of the peak traced memory of one run (see the module docstring).
BASE = 620_000
PER_OFFICE = 950
PER_PERSON = 190
PER_DOCUMENT = 320
PER_EVENT_DOCUMENT = 730
#: Factor over the fit for what tracemalloc does not count.
SAFETY = 2.0
#: Private memory of each worker process beyond its runs (its share of the interpreter and the model's modules).
WORKER_OVERHEAD = 150 * 1024 * 1024
#: Share of the available memory a run (or the runs in flight together) may plan to use.
USABLE_SHARE = 0.8


def people(params: Parameters) -> int:
    """Everyone the organisation employs: custodians, deputies and workers."""
    pop = params.population
    return pop.offices * (1 + pop.deputies_per_office + pop.workers_per_office)


def documents(params: Parameters) -> float:
    """The documents the organisation is expected to receive over the run."""
    d = params.documents
    return params.population.offices * params.run.days * (d.directives_per_office_per_day
                                                          + d.circulars_per_office_per_day)


def estimate_run_bytes(params: Parameters, *, record_events: bool = False) -> int:
    """The estimated peak memory of one run of ``params`` (bytes; see the module docstring)."""
    docs = documents(params)
    traced = (BASE + PER_OFFICE * params.population.offices + PER_PERSON * people(params)
              + (PER_DOCUMENT + (PER_EVENT_DOCUMENT if record_events else 0)) * docs)
    return int(SAFETY * traced)


def available_bytes() -> int | None:
    """Memory available to new work on this machine (Linux ``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def size_text(n: float) -> str:
    """Bytes as a short human figure: '850 MB', '37.5 GB'."""
    for unit, scale in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2)):
        if n >= scale:
            value = n / scale
            return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{n / 1024:,.0f} kB"


@dataclass(frozen=True)
class MemoryPlan:
    """What a run (or a set of runs in parallel) is estimated to need, and what the machine has."""

    per_run: int
    concurrent: int
    needed: int
    available: int | None

    @property
    def fits(self) -> bool:
        return self.available is None or self.needed <= USABLE_SHARE * self.available


def plan(params: Parameters, concurrent: int = 1, *, record_events: bool = False,
         worker_processes: int = 0) -> MemoryPlan:
    """The memory of ``concurrent`` runs of ``params`` at once, plus ``worker_processes`` worker processes."""
    per_run = estimate_run_bytes(params, record_events=record_events)
    needed = per_run * concurrent + WORKER_OVERHEAD * worker_processes
    return MemoryPlan(per_run, concurrent, needed, available_bytes())


def check_fits(params: Parameters, *, concurrent: int = 1, record_events: bool = False, worker_processes: int = 0,
               option: str = "population", how: str = "") -> MemoryPlan:
    """Refuse (``InputError``, one line) runs whose estimated memory exceeds what this machine has free.

    ``option`` names what the user set; ``how`` says how to proceed (e.g. "or add --force").
    """
    p = plan(params, concurrent, record_events=record_events, worker_processes=worker_processes)
    if p.fits:
        return p
    pop = params.population
    what = (f"a run of {pop.offices:,} offices x {1 + pop.deputies_per_office + pop.workers_per_office:,} people "
            f"for {params.run.days:,} days needs about {size_text(p.per_run)} of memory (an estimate)")
    if concurrent > 1:
        what += f", {size_text(p.needed)} for {concurrent} runs at once"
    raise InputError(f"{option}: {what}; this machine has {size_text(p.available)} available; make the "
                     f"organisation smaller or the run shorter{how}")
