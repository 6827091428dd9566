"""What each shortcut risks: the chance that it leads to a leak or a loss (officials' liability).

Officials are taken to know the hazards of their office's practices as they are (how curious
workers are, how often they misplace things, how strong the external channel is, how often leaked
contents surface outside, where they can be traced); what they do not know for sure is whether a
consequence will be traced to them (their perceived detection) and how severe the sanction will be
(their awareness). A leak that never surfaces cannot be traced, so the leak chances here are of
contents that leave *and surface* (``investigation.leak_surfacing``). So a crackdown on the channel
(O11) lowers the liability officials feel for lax practices, and a shortcut that cannot lead to a
traceable leak carries no liability for one. Each function returns ``(leak, loss)`` chances for one
decision.
"""

from __future__ import annotations

from typing import NamedTuple

from .parameters import Parameters


def _out(p: Parameters) -> float:
    """Chance that contents an uncleared person reads leave through the channel and surface outside."""
    return p.external_channel.strength * p.investigation.leak_surfacing


def delegation(p: Parameters) -> tuple[float, float]:
    """A worker registers and stores a directive: he may read it (and the contents get out) or misplace it."""
    b = p.behaviour
    return b.worker_curiosity * _out(p), b.worker_misplacement


def copy_to_worker(p: Parameters) -> tuple[float, float]:
    """A worker holds a circulated copy: he may read it and the contents get out."""
    return p.behaviour.worker_curiosity * _out(p), 0.0


def key_days(p: Parameters) -> float:
    """Days a key handed to a worker is expected to stay out before the custodian reconsiders (at most a year)."""
    r = p.custody.key_reconsideration_per_day
    return min(1.0 / r, 365.0) if r > 0.0 else 365.0


def key_out(p: Parameters) -> tuple[float, float]:
    """Workers read (and may misplace) stored documents while they hold the key, for ``key_days``."""
    b = p.behaviour
    days = key_days(p)
    leak = 1.0 - (1.0 - b.storage_reading_rate * _out(p)) ** days
    loss = 1.0 - (1.0 - b.storage_reading_rate * b.worker_misplacement) ** days
    return leak, loss


def postponed_collection(p: Parameters) -> tuple[float, float]:
    """Material left out one more day past its deadline may go missing (O7)."""
    return 0.0, p.behaviour.overdue_loss_per_day


def favour(p: Parameters, documents: int) -> tuple[float, float]:
    """The worker reads every document he gets; each may get out or be misplaced (O4)."""
    b = p.behaviour
    leak = 1.0 - (1.0 - _out(p)) ** documents
    loss = 1.0 - (1.0 - b.worker_misplacement) ** documents
    return leak, loss


class Hazards(NamedTuple):
    """The hazards of an office's shortcuts under one set of parameters (see the functions above)."""

    delegation: tuple[float, float]
    copy_to_worker: tuple[float, float]
    key_days: float
    key_out: tuple[float, float]
    postponed_collection: tuple[float, float]


def of(p: Parameters) -> Hazards:
    """Every hazard that depends on the parameters alone (favours also depend on how many documents)."""
    return Hazards(delegation(p), copy_to_worker(p), key_days(p), key_out(p), postponed_collection(p))
