"""Free play's pace: each step is drawn on the page before the next one is taken.

Play steps the model in a worker thread and asks the page to redraw after each step.
Solara (reacton) renders a change on the thread that is already rendering the browser
session, and that thread renders again for as long as new changes arrive during its
render. The thread that reads the session's clicks starts the first render of play (the
Play click), so a loop that changes the page faster than the page can draw it (a busy
machine: drawing the charts takes longer than a tick) keeps that thread rendering and
never lets it read the next click: Pause was only read once the run was over. Here the
loop waits until the page has drawn each step before it waits its tick and steps again,
so the clicks thread gets back to the teacher's clicks between steps. No Solara here:
``app`` wires it to the page; the tests drive it directly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Seconds between ticks of play (each tick advances the chosen number of days).
TICK_SECONDS = 0.4
#: At most this long the loop waits for the page to draw a step (a page that never draws does not stop play).
DRAW_WAIT_SECONDS = 30.0
#: How often a wait for a draw looks at the cancel event.
_POLL_SECONDS = 0.05


class DrawPacer:
    """Numbers the page's redraws and lets the play thread wait until the page has drawn one."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._asked = 0
        self._drawn = 0

    def ask(self) -> int:
        """A new redraw's number (the page's revision): unique and increasing, whichever thread asks."""
        with self._changed:
            self._asked += 1
            return self._asked

    @property
    def last_drawn(self) -> int:
        with self._changed:
            return self._drawn

    def drawn(self, revision: int) -> None:
        """The page has drawn ``revision`` (called from an effect of the render that drew it)."""
        with self._changed:
            if revision > self._drawn:
                self._drawn = revision
                self._changed.notify_all()

    def wait_drawn(self, revision: int, cancel: threading.Event, timeout: float = DRAW_WAIT_SECONDS) -> bool:
        """Wait until ``revision`` is drawn, ``cancel`` is set or ``timeout`` seconds pass; whether it was drawn."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._drawn < revision and not cancel.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, _POLL_SECONDS))
            return self._drawn >= revision


def play(advance: Callable[[], bool], playing: Callable[[], bool], redraw: Callable[[], int],
         pacer: DrawPacer, cancel: threading.Event, tick_seconds: float = TICK_SECONDS) -> None:
    """Step the run until paused, cancelled or over.

    ``advance()`` takes one step and says whether the run can go on; ``playing()`` is
    False once paused; ``redraw()`` asks the page to redraw and returns the redraw's
    number from ``pacer``. A step under way when Pause comes still lands; none follows.
    """
    while playing() and not cancel.is_set():
        more = advance()
        shown = redraw()
        if not more:
            return
        pacer.wait_drawn(shown, cancel)
        cancel.wait(tick_seconds)
