"""The table of offices for the office view: who holds each storage key, what is out, who was sanctioned.

One row per office, built from the model's current state in one pass over its
documents. The office view (``office_view``) draws this table; it never sees the model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pandas as pd

from ...sim.agents import Worker
from ...sim.documents import State
from ...sim.model import DocSecModel

#: Columns of the office table, in order.
OFFICE_COLUMNS: tuple[str, ...] = (
    "office", "custodian", "key_holder", "key_with_worker", "in_storage", "out_of_storage", "lost",
    "warned", "warned_officials", "dismissed",
)


def _title(agent, roles: Mapping[str, str]) -> str:
    title = agent.title
    for role, shown in roles.items():
        title = title.replace(f"{role} O-", f"{shown} O-")
    return title


def office_table(model: DocSecModel, *, dismissed: Mapping[str, int] | None = None,
                 names: Mapping[str, str] | None = None, roles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per office: key holder, documents in storage, out of storage and lost, warned and dismissed officials.

    ``dismissed`` counts dismissals per model office name so far (the model keeps no
    record of officials who have left); ``names`` and ``roles`` are display names.
    """
    names = names or {}
    roles = roles or {}
    dismissed = dismissed or Counter()
    out_count: Counter = Counter()
    lost_count: Counter = Counter()
    for doc in model.documents:
        if doc.state is State.HANDED_OUT:
            out_count[doc.office.index] += 1
        elif doc.state is State.LOST:
            lost_count[doc.office.index] += 1
    rows = []
    for office in model.offices:
        warned = [o for o in office.officials if o.warnings > 0]
        holder = office.key_holder
        rows.append({
            "office": names.get(office.name, office.name),
            "custodian": _title(office.custodian, roles),
            "key_holder": _title(holder, roles) if holder is not None else "nobody",
            "key_with_worker": isinstance(holder, Worker),
            "in_storage": len(office.storage),
            "out_of_storage": out_count[office.index],
            "lost": lost_count[office.index],
            "warned": len(warned),
            "warned_officials": "; ".join(f"{_title(o, roles)} ({o.warnings} warning{'s' if o.warnings > 1 else ''})"
                                          for o in warned),
            "dismissed": int(dismissed.get(office.name, 0)),
        })
    return pd.DataFrame(rows, columns=list(OFFICE_COLUMNS))
