"""Helpers for driving the app in Pilot and snapshot tests."""

import threading

from textual.worker import WorkerCancelled, WorkerFailed


async def settle(pilot):
    """Wait for the app's workers and the screen updates they post.

    A worker that fails or is cancelled is the app's to report, not the helper's.
    """
    for _ in range(2):
        try:
            await pilot.app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            pass
        await pilot.pause()


def hold(monkeypatch, owner, name: str) -> threading.Event:
    """Make `owner.name` wait (at most 10 s) until the returned event is set, then do its work."""
    release = threading.Event()
    original = getattr(owner, name)

    def held(*args, **kwargs):
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    return release


def frozen_result(config):
    """A real run of `config` with its timings pinned, so screens do not depend on the machine's speed."""
    from poisontui.engine.experiment import run_experiment

    result = run_experiment(config)
    for row in result.rows:
        row["fit_seconds"] = 0.01
    result.seconds = 1.0
    return result
