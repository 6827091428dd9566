"""Stopping long commands cleanly: a plain ``kill`` (SIGTERM) acts like Ctrl-C.

Sweeps, studies and sensitivity analyses catch ``KeyboardInterrupt`` and tell the
user how to resume; finished runs are already stored.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Within this block, SIGTERM raises KeyboardInterrupt; the previous handler is restored after."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
