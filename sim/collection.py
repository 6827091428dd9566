"""Mesa's DataCollector for the model: each row it collects is the run summary so far.

``mesa.batch_run`` and SolaraViz read the model's ``datacollector``; its model reporters are the
summary's columns (``summary_so_far``), so each row holds the run's totals, rates and levels as of
that day, under the summary's own column names, and the last row is the run summary.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from mesa.datacollection import DataCollector

from .metrics import SUMMARY_NAMES

if TYPE_CHECKING:
    from .model import DocSecModel


def summary_so_far(model: DocSecModel, name: str) -> float:
    """DataCollector reporter: one column of the run summary as of today (picklable, unlike a lambda)."""
    return model.summary()[name]


class SummaryCollector(DataCollector):
    """A DataCollector whose model reporters are the summary's columns.

    It collects exactly the rows Mesa's DataCollector would, reading the day's summary once rather
    than once per column, and without copying its values (numbers need no copy). Reporters added or
    replaced by a user are collected by Mesa's own rules.
    """

    def __init__(self):
        super().__init__(model_reporters={name: partial(summary_so_far, name=name) for name in SUMMARY_NAMES})
        self._summary_reporters = dict(self.model_reporters)
        self._columns_of = None  # the model_vars that _appends append to
        self._appends: list = []

    def collect(self, model: DocSecModel) -> None:
        if (not self._validated or self.agent_reporters or self.agenttype_reporters
                or self.model_reporters != self._summary_reporters):
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        summary = model.summary()
        columns = self.model_vars
        if self._columns_of is not columns:  # each column's list, in the summary's order
            self._appends = [columns[name].append for name in self._summary_reporters]
            self._columns_of = columns
        for append, value in zip(self._appends, summary.values(), strict=True):  # (the summary's order is its columns')
            append(value)
