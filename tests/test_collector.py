"""Full garbage collections wait for a moment with no keys pressed; Python's trigger comes back after."""

import gc

import pytest

from poisontui.collector import QuietCollector


@pytest.fixture
def thresholds():
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)


def make_garbage(thresholds) -> None:
    """Cycles until Python's own trigger of a full collection would have fired."""
    for _ in range(1000):
        for _ in range(1000):
            a = []
            a.append(a)
        if gc.get_count()[2] >= thresholds[2]:
            return


def test_a_full_collection_waits_for_a_quiet_moment(thresholds):
    quiet = [0.0]
    collector = QuietCollector(lambda: quiet[0], quiet=1.0, at_most=3600)
    collector.start()
    assert gc.get_threshold()[2] > 10**6 and gc.get_threshold()[:2] == thresholds[:2]
    make_garbage(thresholds)
    assert gc.get_count()[2] >= thresholds[2]  # Python's own trigger would have fired by now
    collector.tick()
    assert collector.collections == 0 and gc.get_count()[2] >= thresholds[2]  # keys are being pressed
    quiet[0] = 1.5
    collector.tick()
    assert collector.collections == 1 and gc.get_count()[2] == 0
    collector.tick()
    assert collector.collections == 1  # nothing due since
    collector.stop()
    assert gc.get_threshold() == thresholds


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
