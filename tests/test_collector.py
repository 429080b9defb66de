"""Full garbage collections wait for a moment with no keys pressed and walk only what is new; a pass
over everything comes when nothing runs; Python's trigger comes back after."""

import gc
import weakref

import pytest

from poisontui.collector import QuietCollector


@pytest.fixture
def thresholds():
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)
    gc.unfreeze()


def make_garbage(thresholds) -> None:
    """Cycles until Python's own trigger of a full collection would have fired."""
    for _ in range(1000):
        for _ in range(1000):
            a = []
            a.append(a)
        if gc.get_count()[2] >= thresholds[2]:
            return


class Node:
    """An object in a cycle with itself, which only the cycle collector can free."""

    def __init__(self) -> None:
        self.me = self


def test_a_full_collection_waits_for_a_quiet_moment_and_freezes_what_survived(thresholds):
    quiet = [0.0]
    collector = QuietCollector(lambda: quiet[0], quiet=1.0, at_most=3600, everything_every=3600)
    collector.start()
    assert gc.get_threshold()[2] > 10**6 and gc.get_threshold()[:2] == thresholds[:2]
    kept = Node()
    make_garbage(thresholds)
    assert gc.get_count()[2] >= thresholds[2]  # Python's own trigger would have fired by now
    collector.tick()
    assert collector.collections == 0 and gc.get_count()[2] >= thresholds[2]  # keys are being pressed
    quiet[0] = 1.5
    collector.tick()
    assert collector.collections == 1 and gc.get_count()[2] == 0
    assert gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects())  # frozen: the next pass does not walk it
    collector.tick()
    assert collector.collections == 1  # nothing due since
    collector.stop()
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0


def test_cycles_that_die_frozen_are_freed_by_a_pass_over_everything_when_nothing_runs(thresholds):
    quiet, busy = [0.0], [True]
    collector = QuietCollector(lambda: quiet[0], lambda: busy[0], quiet=1.0, at_most=3600,
                               everything_after=10.0, everything_every=0.0)
    collector.start()
    node = Node()
    gone = weakref.ref(node)
    quiet[0] = 2.0
    make_garbage(thresholds)
    collector.tick()
    assert collector.collections == 1  # `node` survived, and is frozen now
    del node
    quiet[0] = 20.0
    make_garbage(thresholds)
    collector.tick()  # work is running: only what is new is walked
    assert gone() is not None and collector.passes_over_everything == 0
    busy[0] = False
    collector.tick()
    assert gone() is None and collector.passes_over_everything == 1
    collector.stop()


def test_a_collection_overdue_happens_even_while_keys_are_pressed(thresholds):
    collector = QuietCollector(lambda: 0.0, quiet=1.0, at_most=0.0)
    collector.start()
    make_garbage(thresholds)
    collector.tick()
    assert collector.collections == 1
    collector.stop()


def test_stopping_twice_or_ticking_after_stop_changes_nothing(thresholds):
    collector = QuietCollector(lambda: 10.0)
    collector.start()
    collector.stop()
    collector.stop()
    make_garbage(thresholds)
    collector.tick()
    assert collector.collections == 0 and gc.get_threshold() == thresholds
