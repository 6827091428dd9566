"""The progress bar of a sweep: runs stored of the total, failures, rate and time left (tqdm, on stderr)."""

from __future__ import annotations

import sys

from tqdm import tqdm


class _Bar(tqdm):
    """tqdm without its monitor thread: a sweep's later process pools may then fork safely."""

    monitor_interval = 0


class SweepProgress:
    """Counts runs stored; shows a bar unless disabled. A resumed sweep starts at the runs already stored."""

    def __init__(self, name: str, total: int, already: int, enabled: bool = True):
        self.failed = 0
        self.shown = 0
        self.bar = _Bar(total=total, initial=already, desc=name, unit="run", file=sys.stderr,
                        disable=not enabled, dynamic_ncols=True, smoothing=0.1)

    def show(self, done: int, failed: int) -> None:
        """``done`` and ``failed`` runs of this session are now in the store."""
        if failed != self.failed:
            self.failed = failed
            self.bar.set_postfix(failed=failed, refresh=False)
        new = done + failed - self.shown
        if new:
            self.shown += new
            self.bar.update(new)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> SweepProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
