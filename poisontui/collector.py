"""Python's full garbage collections, moved to moments when the user is not pressing keys.

A collection of the oldest generation walks every object the app holds that is not frozen: 20-60 ms
on 2 cores once a few screens have been drawn. Python starts one whenever enough objects have
outlived the younger generations, so one often lands inside a screen switch and doubles its wait.
While the app runs, that trigger is off, and the app collects when no key or mouse event has come
for a second, or, with input never pausing, at least every 30 s so that memory is still freed.
"""

from __future__ import annotations

import gc
import time
from typing import Callable

NEVER = 1 << 30  # a count of younger collections the oldest generation's trigger never reaches


class QuietCollector:
    """Collects the oldest generation when `quiet_for()` (seconds with no input) reaches `quiet`."""

    def __init__(self, quiet_for: Callable[[], float], quiet: float = 1.0, at_most: float = 30.0) -> None:
        self.quiet_for, self.quiet, self.at_most = quiet_for, quiet, at_most
        self.saved: tuple[int, int, int] | None = None
        self.last = time.monotonic()
        self.collections = 0

    def start(self) -> None:
        if self.saved is None:
            self.saved = gc.get_threshold()
            self.last = time.monotonic()
            gc.set_threshold(self.saved[0], self.saved[1], NEVER)

    def stop(self) -> None:
        """Give Python its own trigger back."""
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None

    def tick(self) -> None:
        """Collect if Python would have by now and the moment is quiet (or it is overdue)."""
        if self.saved is None:
            return
        due = gc.get_count()[2] >= self.saved[2]
        overdue = time.monotonic() - self.last >= self.at_most
        if due and (self.quiet_for() >= self.quiet or overdue):
            gc.collect()
            self.last = time.monotonic()
            self.collections += 1
