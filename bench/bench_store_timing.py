"""Timing every call into a sweep's store, for the sweep benchmarks (bench_sweep.py, bench_sweep_large.py).

``timed_store(kinds, on_record)`` replaces the ``SweepStore`` methods named in ``kinds`` by timed ones
while the block runs, and yields ``spent``: for each kind, [wall seconds, CPU seconds of this thread,
calls], counting only the outermost calls (a commit made inside ``record`` counts in ``record``).
``on_record(wall, outcome)`` is called after each outermost ``record``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence

#: The calls that store finished runs (making the store and beginning its session are timed apart).
STORING = ("record", "commit", "end_session", "close")


@contextlib.contextmanager
def timed_store(kinds: Sequence[str] = STORING,
                on_record: Callable[[float, object], None] | None = None) -> Iterator[dict[str, list]]:
    from docsec.analysis.sweep.store import SweepStore

    spent = {kind: [0.0, 0.0, 0] for kind in kinds}
    depth = [0]
    originals = {kind: SweepStore.__dict__[kind] for kind in kinds}

    def timed(kind, original):
        def call(*args, **kwargs):
            depth[0] += 1
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
                depth[0] -= 1
                if depth[0] == 0:
                    spent[kind][0] += wall
                    spent[kind][1] += cpu
                    spent[kind][2] += 1
                    if kind == "record" and on_record is not None:
                        on_record(wall, args[1])  # (self, outcome, session)
        return call

    for kind, original in originals.items():
        if isinstance(original, (staticmethod, classmethod)):
            setattr(SweepStore, kind, type(original)(timed(kind, original.__func__)))
        else:
            setattr(SweepStore, kind, timed(kind, original))
    try:
        yield spent
    finally:
        for kind, original in originals.items():
            setattr(SweepStore, kind, original)
