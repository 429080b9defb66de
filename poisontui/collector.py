"""Python's full garbage collections, kept short and moved to moments when the user is not pressing keys.

A collection of the oldest generation walks every object the app holds that is not frozen: 20-60 ms
on 2 cores once a few screens have been drawn. Python starts one whenever enough objects have
outlived the younger generations, so one often lands inside a screen switch and doubles its wait.
While the app runs, that trigger is off. The app collects when no key or mouse event has come for a
second (or, with input never pausing, every 30 s), then freezes what survived, so the next pass
walks only objects made since: a few milliseconds. What frozen objects leave behind as they die in
cycles is collected by a pass over everything, made only when nothing runs and no key has come for
ten seconds, at most every five minutes.
"""

from __future__ import annotations

import gc
import time
from typing import Callable

NEVER = 1 << 30  # a count of younger collections the oldest generation's trigger never reaches


class QuietCollector:
    """Collects the oldest generation when `quiet_for()` (seconds with no input) reaches `quiet`;
    `busy()` says work is running (no pass over everything then)."""

    def __init__(self, quiet_for: Callable[[], float], busy: Callable[[], bool] = lambda: False,
                 quiet: float = 1.0, at_most: float = 30.0, everything_after: float = 10.0,
                 everything_every: float = 300.0) -> None:
        self.quiet_for, self.busy, self.quiet, self.at_most = quiet_for, busy, quiet, at_most
        self.everything_after, self.everything_every = everything_after, everything_every
        self.saved: tuple[int, int, int] | None = None
        self.last = self.last_everything = time.monotonic()
        self.collections = self.passes_over_everything = 0

    def start(self) -> None:
        if self.saved is None:
            self.saved = gc.get_threshold()
            self.last = self.last_everything = time.monotonic()
            gc.set_threshold(self.saved[0], self.saved[1], NEVER)

    def stop(self) -> None:
        """Give Python its own trigger, and the objects frozen here, back."""
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None
            gc.unfreeze()

    def tick(self) -> None:
        """Collect if Python would have by now and the moment is quiet (or it is overdue)."""
        if self.saved is None:
            return
        now, quiet_for = time.monotonic(), self.quiet_for()
        if (quiet_for >= self.everything_after and now - self.last_everything >= self.everything_every
                and not self.busy()):
            gc.unfreeze()
            self._collect()
            self.last_everything = now
            self.passes_over_everything += 1
            return
        due = gc.get_count()[2] >= self.saved[2]
        if due and (quiet_for >= self.quiet or now - self.last >= self.at_most):
            self._collect()

    def _collect(self) -> None:
        gc.collect()
        gc.freeze()  # what survived is walked no more; the next pass is over what is new
        self.last = time.monotonic()
        self.collections += 1
