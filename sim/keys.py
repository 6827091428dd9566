"""The storage key (O2): each custodian keeps it or hands it to a worker; workers holding it read stored documents.

Each day, each custodian still holding his office's key weighs handing it to a worker until he next
reconsiders: he saves the hours of letting staff in on each of those days, and answers for what
workers read or misplace from storage meanwhile; where the rules forbid it, it is a violation.
Where a worker holds the key, now and then the custodian reconsiders, and takes it back unless he
chooses to leave it out (leaving it out where the rules forbid it is, or stays, a violation). Where
a worker (still) holds it, workers read stored documents at will.

Every custodian faces the same choice every day, so the chance that each takes it (the rule of
``Official.decide``) is worked out for all of them at once on the day's view of the posts
(``Keys.chances``); then each office, in order, draws and acts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .decisions import HALF, Choice
from .events import Action
from .violations import Violation, ViolationKind

if TYPE_CHECKING:
    from .model import DocSecModel
    from .office import Office


class Keys:
    """The storage keys of the model's offices; ``out[i]``: a worker holds office i's key."""

    def __init__(self, model: DocSecModel, offices: int):
        self.model = model
        self.out = [False] * offices

    def refresh(self) -> None:
        """Per-office copies of the parameters the key depends on (office profiles may differ)."""
        m = self.model
        params = [o.params for o in m.offices]
        hazards = [m.hazards_of(p) for p in params]
        self.hours = [p.documents.key_keeping_hours for p in params]
        # the hours he saves by leaving it out until he next reconsiders
        self.gain_hours = np.array(self.hours) * np.array([h.key_days for h in hazards])
        self.leak = np.array([h.key_out[0] for h in hazards])
        self.loss = np.array([h.key_out[1] for h in hazards])
        self.forbidden = np.array([float(not p.custody.key_sharing_permitted) for p in params])
        self._any_forbidden, self._all_forbidden = bool(self.forbidden.any()), bool(self.forbidden.all())
        self.reconsideration = [p.custody.key_reconsideration_per_day for p in params]
        self.reading = [p.behaviour.storage_reading_rate for p in params]
        # whether a custodian holding the key weighs handing it over: keeping it costs him time, and there
        # is a worker to hand it to (an office's workers stay the same through the run)
        self._weighs = [hours > 0.0 and bool(o.workers) for hours, o in zip(self.hours, m.offices, strict=True)]
        posts = m.posts
        custodians = slice(None, None, posts.per_office)
        self._neg_inv_attention = -1.0 / posts.attention[custodians]
        self._half_inv_temperature = 0.5 / posts.temperature[custodians]
        self._sanctions_for = None
        self._gains_for = None  # (chances: the workload block its gains were worked out for)
        self._chances_for = None  # (chances: what the days' chances were worked out with, and from which day)

    def chances(self) -> list[float]:
        """Each custodian's chance today of leaving the key with a worker if he weighs it (-1: nothing to gain).

        ``Official.decide``'s rule for all custodians at once: he notices the shortcut with probability
        1 - exp(-gain / attention) and takes it with that times the logistic of (gain - expected cost -
        norm if forbidden) / temperature; his expected cost is w(perceived detection) times the felt
        severity of the offence (if forbidden), plus the leak and loss chances times those of a traced
        leak and loss (``Official.expected_cost``, its terms gathered).
        """
        m = self.model
        posts = m.posts
        view = posts.today()
        custodians = slice(None, None, posts.per_office)  # each office's custodian's post
        if self._sanctions_for != posts.felt_version:
            felt = view.felt
            c = m.key_classification - 1
            offence, traced_leak = felt["offence"][c, custodians], felt["leak"][c, custodians]
            self._sanctions = offence * (self.forbidden + self.loss) + self.leak * traced_leak
            self._sanctions_for = posts.felt_version
        block, row = posts.workload_block()
        if self._gains_for is not block:  # (each custodian's gain and chance of noticing it, for the block's days)
            gains = block[:, custodians] * self.gain_hours
            self._gains, self._noticed = gains, -np.expm1(gains * self._neg_inv_attention)
            self._all_gain = bool((gains > 0.0).all())
            self._gains_for = block
        # the chances of today and of the days ahead that share today's views and workload block, at once
        views, view_row = view.block, view.row
        done = self._chances_for
        if (done is not None and done[0] is views and done[1] is block and done[2] == self._sanctions_for
                and 0 <= view_row - done[3] < len(self._chances)):
            return self._chances[view_row - done[3]]
        days = min(views.days - view_row, len(block) - row)
        gain, noticed = self._gains[row:row + days], self._noticed[row:row + days]
        x = gain - views.weight[view_row:view_row + days, custodians] * self._sanctions
        if self._any_forbidden:  # (the norm counts where it is forbidden; elsewhere it subtracts 0)
            norm = views.norm[view_row:view_row + days, custodians] if views.norm.ndim == 2 else views.norm[custodians]
            x = x - (norm if self._all_forbidden else norm * self.forbidden)
        x = x * self._half_inv_temperature
        p = noticed * (HALF + HALF * np.tanh(x))  # (the logistic of 2x, written so that it cannot overflow)
        self._chances = (p if self._all_gain else np.where(gain > 0.0, p, -1.0)).tolist()
        self._chances_for = (views, block, self._sanctions_for, view_row)
        return self._chances[0]

    def day(self) -> None:
        """Steps 5 and 6 of the day: each custodian's key choice, then workers reading from storage."""
        m = self.model
        offices = m.offices
        d = m.streams.decisions
        out = self.out
        hours = self.hours
        chances = self.chances()
        judged = bool(m._seats) or m.decisions_log is not None  # seats decide, or choices are recorded
        kept = 0.0  # custody hours of the custodians who keep (or take back) the key
        key_out = 0  # offices where a worker holds the key after the choices
        weighs, reconsideration, reading = self._weighs, self.reconsideration, self.reading
        h = m.streams.handling
        for i in range(len(out)):
            if not out[i]:
                if not weighs[i]:
                    continue
                office = offices[i]
                p = chances[i]
                if judged:
                    taken = self._takes(office, Choice.HAND_OVER_KEY, p, d)
                elif p >= 0.0:
                    j = d._ui  # (Stream.uniform, written out: most custodians weigh the key every day)
                    try:
                        u = d._u[j]
                    except IndexError:
                        u, j = d._next_block(), 0
                    d._ui = j + 1
                    taken = u < p
                else:
                    taken = False
                if taken:
                    self._hand_over(office, d.pick(office.workers))
                else:
                    kept += hours[i]
                    continue
            elif d.chance(reconsideration[i]):
                office = offices[i]
                p = chances[i]
                if hours[i] > 0.0 and (self._takes(office, Choice.LEAVE_KEY_OUT, p, d) if judged
                                       else (p >= 0.0 and d.uniform() < p)):
                    self._leave_out(office)
                else:
                    office.return_key()  # (taken back by the custodian)
                    kept += hours[i]
                    continue
            else:
                office = offices[i]
            key_out += 1
            if office.storage and h.chance(reading[i]):  # a worker reads a stored document today (O2)
                self.read_from_storage(office)
        m.today["custody_workload_hours"] += kept
        m.today["key_out_days"] += key_out

    def _takes(self, office: Office, choice: Choice, p: float, d) -> bool:
        """His choice, when a seated person may make it or choices are recorded (as ``Official.decide`` does)."""
        m = self.model
        custodian = office.custodian
        seated = custodian._seated(choice)
        if seated is not None:
            return seated
        if p < 0.0:
            return False
        taken = d.uniform() < p
        m.record_decision(custodian, choice, taken, by_seat=False)
        return taken

    def _hand_over(self, office: Office, worker) -> None:
        m = self.model
        custodian = office.custodian
        office.key_holder = worker
        office.key_released_by = custodian
        if m.events is not None:
            m.log(office, custodian, Action.KEY_HANDED, None, worker.title)
        if not office.params.custody.key_sharing_permitted:
            m.commit(office, Violation(ViolationKind.KEY_SHARING, custodian, m.day, None, worker))

    def _leave_out(self, office: Office) -> None:
        """He leaves the key out: where the rules forbid it, that is a violation (unless one is already open)."""
        m = self.model
        if not office.params.custody.key_sharing_permitted and not office.open_key_violation():
            office.key_released_by = office.custodian
            m.commit(office, Violation(ViolationKind.KEY_SHARING, office.custodian, m.day, None, office.key_holder))

    def read_from_storage(self, office: Office) -> None:
        """With the key in a worker's hands, workers read stored documents at will (O2): on a day with
        documents in storage, a worker reads one with probability ``behaviour.storage_reading_rate`` (``day``
        draws it). Whoever let the key out answers for what is read, and the reader may misplace what he read."""
        m = self.model
        h = m.streams.handling
        reader = h.pick(office.workers)
        doc = h.pick(office.storage)
        doc.responsible = office.key_released_by or office.custodian
        m.today["uncleared_handling"] += 1
        m.expose(doc, reader)
        if h.chance(office.params.behaviour.worker_misplacement):
            office.take_from_storage(doc)
            m.lose(doc, reader)
