"""Progress from inside long steps (kNN chunks, folds, partitions), reported to whoever listens.

A run reports each step to its `progress` callable; a step that takes long (a mitigation on
large data) calls `report(done, total, what)` from its own loops. The listener is set for the
duration of a step with `reporting(callback)`, as scikit-learn's `config_context` sets its
options, so mitigations report without a progress argument threaded through every signature.
With no listener, `report` does nothing.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterable, Iterator, TypeVar

# A listener is called with the parts done, the parts in all, and the text to show (counts included).
Report = Callable[[int, int, str], None]
T = TypeVar("T")

_listener: ContextVar[Report | None] = ContextVar("poisontui_progress", default=None)


def report(done: int, total: int, what: str) -> None:
    """Say that `done` of `total` parts of the current step (e.g. "kNN chunks") are finished."""
    listener = _listener.get()
    if listener is not None:
        listener(done, total, f"{what} {done}/{total}")


@contextmanager
def reporting(listener: Report | None) -> Iterator[None]:
    """Send the `report` calls made inside the block to `listener`."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def within(progress: Report | None, step: int, total: int, label: str) -> Report | None:
    """A listener that passes a step's parts on to a run's `progress` as a fraction of step `step`."""
    if progress is None:
        return None

    def listener(done: int, parts: int, text: str) -> None:
        # Never a whole step: the next step's number is the next step's to report.
        progress(step + min(done / max(parts, 1), 0.999), total, f"{label}: {text}")

    return listener


def counted(items: Iterable[T], total: int, what: str) -> Iterator[T]:
    """Yield `items`, reporting after each one how many of `total` are done."""
    report(0, total, what)
    for done, item in enumerate(items, start=1):
        yield item
        report(done, total, what)


def timed_chunks(n: int, what: str, *, first: int = 256, target: float = 0.1, align: int = 256) -> Iterator[slice]:
    """Slices covering range(n), each sized so that processing it takes about `target` seconds.

    The first chunk has `first` rows; later ones grow (at most twofold at a time) or shrink
    after timing the previous one, in multiples of `align`. Progress is reported after each.
    A short target leaves room for a busy machine: a chunk may take several times its target.
    """
    start, size = 0, max(1, min(first, n))
    report(0, n, what)
    while start < n:
        stop = min(n, start + size)
        began = time.perf_counter()
        yield slice(start, stop)
        seconds = time.perf_counter() - began
        report(stop, n, what)
        start = stop
        wanted = size * target / max(seconds, 1e-6)
        size = int(min(max(wanted, size / 4), size * 2))
        size = max(align, size - size % align)


@contextmanager
def part(index: int, parts: int, what: str | None = None) -> Iterator[None]:
    """Reports made inside the block count as part `index` (from 0) of `parts` of the current step,
    so that a loop over parts and the work inside each part move one progress bar forward. With
    `what`, the text shown names the part ("classes 2/3: ...")."""
    outer = _listener.get()
    if outer is None:
        yield
        return

    def inner(done: int, total: int, text: str) -> None:
        outer(index * total + done, parts * total, text if what is None else f"{what} {index + 1}/{parts}: {text}")

    token = _listener.set(inner)
    try:
        yield
    finally:
        _listener.reset(token)
