"""Mesa's DataCollector for the model: each row it collects is the run summary so far.

``mesa.batch_run`` and SolaraViz read the model's ``datacollector``; its model reporters are the
summary's columns (``summary_so_far``), so each row holds the run's totals, rates and levels as of
that day, under the summary's own column names, and the last row is the run summary.

A day's summary so far follows from the daily table's rows up to that day (the counters' totals are
their sums, day by day, and its levels are the gauges' at the end of that day) and from the number of
documents out at its end. So the model's own collection at the end of each day keeps only that
number, and the rows are worked out when someone reads ``model_vars`` (a sweep that keeps the daily
table never reads them, and pays nothing for them). They are the same numbers, worked out the same way.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from mesa.datacollection import DataCollector

from .metrics import COUNTER_NAMES, GAUGE_NAMES, SUMMARY_NAMES, new_counters, summarise

if TYPE_CHECKING:
    from .model import DocSecModel


def summary_so_far(model: DocSecModel, name: str) -> float:
    """DataCollector reporter: one column of the run summary as of today (picklable, unlike a lambda)."""
    return model.summary()[name]


class SummaryCollector(DataCollector):
    """A DataCollector whose model reporters are the summary's columns.

    It collects exactly the rows Mesa's DataCollector would. At the end of each of the model's days it
    notes the day; the day's row is worked out from the daily table when ``model_vars`` is read. Any
    other collection (before the first day, with reporters added or replaced by a user, by another
    model) reads the summary at once, and reporters of the user's by Mesa's own rules.
    """

    def __init__(self):
        self._pending: list[tuple[int, int]] = []  # (day, documents out at its end) not yet worked out
        self._rows: list[tuple] | None = None       # the model's daily table rows the pending days refer to
        self._offices = 0                           # and its number of offices
        self._totals = new_counters()                    # the counters' totals over the rows folded in so far
        self._folded = 0                                 # rows folded into _totals
        super().__init__(model_reporters={name: partial(summary_so_far, name=name) for name in SUMMARY_NAMES})
        self._summary_reporters = dict(self.model_reporters)

    # Mesa's own methods read and write ``self.model_vars``: reading it first works out the days noted.
    @property
    def model_vars(self) -> dict[str, list]:
        if self._pending:
            self._work_out_pending()
        return self._model_vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list]) -> None:
        self._model_vars = value

    def collect(self, model: DocSecModel) -> None:
        rows = getattr(model, "_daily_rows", None)
        if (rows is not None and self._validated and not self.agent_reporters and not self.agenttype_reporters
                and self.model_reporters == self._summary_reporters and model._day_end == model.day
                and len(rows) == model.day and (self._rows is rows or self._rows is None)):
            self._rows, self._offices = rows, len(model.offices)
            self._collection_steps.append(model.time)
            self._pending.append((model.day, model.handed_out))
            return
        if self._pending:
            self._work_out_pending()
        if (not self._validated or self.agent_reporters or self.agenttype_reporters
                or self.model_reporters != self._summary_reporters):
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        for values, value in zip(self._model_vars.values(), model.summary().values(), strict=True):
            values.append(value)  # (the summary's order is its columns')

    def _work_out_pending(self) -> None:
        """Each noted day's row: the summary as the model worked it out that day (``DocSecModel.summary``)."""
        rows, totals = self._rows, self._totals
        appends = [values.append for values in self._model_vars.values()]
        n = len(COUNTER_NAMES)
        for day, out in self._pending:
            while self._folded < day:
                for name, count in zip(COUNTER_NAMES, rows[self._folded], strict=False):  # (then its gauges)
                    totals[name] += count
                self._folded += 1
            row = rows[day - 1]
            summary = summarise(totals, offices=self._offices, day=day, out_at_end=out,
                                gauges=dict(zip(GAUGE_NAMES, row[n:], strict=True)))
            for append, value in zip(appends, summary.values(), strict=True):
                append(value)
        self._pending = []
