"""Accounting checks: every document is where its state says, and the counters agree with the documents.

Used by the tests at every day of a run; cheap enough to call from a debugging session too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .agents import Worker
from .documents import State

if TYPE_CHECKING:
    from .model import DocSecModel


def check_accounts(model: DocSecModel) -> list[str]:
    """Problems found (an empty list when every document and counter is consistent)."""
    problems: list[str] = []
    totals = model.totals
    in_storage = {}
    for office in model.offices:
        for slot, doc in enumerate(office.storage):
            if doc.slot != slot:
                problems.append(f"{doc.label}: slot {doc.slot} but found at {slot} in {office.name}")
            if doc.office is not office:
                problems.append(f"{doc.label}: stored in {office.name} but belongs to {doc.office.name}")
            if id(doc) in in_storage:
                problems.append(f"{doc.label}: stored twice")
            in_storage[id(doc)] = doc
    lost = registered = exposures = leaked = undatable = 0
    for doc in model.documents:
        state = doc.state
        if state is None:
            problems.append(f"{doc.label}: no lifecycle state")
            continue
        stored = id(doc) in in_storage
        if (state is State.STORED) != stored:
            problems.append(f"{doc.label}: state {state} but {'in' if stored else 'not in'} storage")
        if (state is State.HANDED_OUT) != (doc.holder is not None):
            problems.append(f"{doc.label}: state {state} with holder {doc.holder}")
        if doc.holder is not None and not getattr(doc.holder, "active", True):
            problems.append(f"{doc.label}: held by {doc.holder.title}, who has left the organisation")
        if state is State.LOST:
            lost += 1
            undatable += not doc.registered
            if doc.lost_day < 1:
                problems.append(f"{doc.label}: lost without a loss day")
        registered += doc.registered
        readers = len(doc.readers or ())
        exposures += readers
        if doc.exposed != (readers > 0):
            problems.append(f"{doc.label}: exposed flag disagrees with its readers")
        if doc.leaked and not doc.exposed:
            problems.append(f"{doc.label}: leaked without being read by anyone uncleared")
        leaked += doc.leaked
        if isinstance(doc.holder, Worker) and doc.responsible is None:
            problems.append(f"{doc.label}: held by a worker with no responsible official")
    expected = {
        "documents_received": len(model.documents),
        "documents_registered": registered,
        "losses": lost,
        "undatable_losses": undatable,
        "exposures": exposures,
        "external_leaks": leaked,
    }
    for name, value in expected.items():
        if totals[name] != value:
            problems.append(f"counter {name} = {totals[name]} but the documents say {value}")
    open_violations = sum(len(office.open_violations) for office in model.offices)
    if totals["violations_committed"] != totals["violations_detected"] + open_violations:
        problems.append(f"violations: {totals['violations_committed']} committed but "
                        f"{totals['violations_detected']} detected + {open_violations} open")
    unreported = {id(doc) for office in model.offices for doc in office.unreported_losses}
    for doc in model.documents:
        if doc.state is State.LOST and doc.registered and not doc.loss_known and id(doc) not in unreported:
            problems.append(f"{doc.label}: an undiscovered registered loss missing from its office's list")
    for office in model.offices:
        for doc in office.unreported_losses:
            if not doc.registered or doc.state is not State.LOST:
                problems.append(f"{doc.label}: listed as an unreported loss but is {doc.state}, "
                                f"registered={doc.registered}")
        holder = office.key_holder
        if holder is not office.custodian and not (isinstance(holder, Worker) and holder.office is office):
            problems.append(f"{office.name}: key held by {holder}")
        if (office.key_released_by is not None) != office.worker_has_key():
            problems.append(f"{office.name}: key with {holder.title} but released by {office.key_released_by}")
    queued = {doc.number for _, _, doc in model._collections} | set(model._overdue) | {
        doc.number for _, _, doc in model._loans}
    awaited = {number for office in model.offices for number in office.awaited}
    if awaited != queued:
        problems.append(f"offices await {len(awaited)} documents back but collections and loans await {len(queued)}")
    counts = model.state_counts()
    if model.documents_out() != counts[State.HANDED_OUT.value]:
        problems.append(f"{model.documents_out()} documents awaited back but {counts[State.HANDED_OUT.value]} "
                        "handed out")
    if model.handed_out != counts[State.HANDED_OUT.value]:
        problems.append(f"the run counts {model.handed_out} documents handed out but {counts[State.HANDED_OUT.value]} are")
    return problems
