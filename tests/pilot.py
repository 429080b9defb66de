"""Helpers for driving the app in Pilot and snapshot tests."""

import threading

from textual.worker import WorkerCancelled, WorkerFailed


async def settle(pilot):
    """Wait for the app to load its engine after the first paint, for a run or sweep to end, then
    for its workers and the screen updates they post."""
    await until(pilot, lambda: pilot.app.ready)
    await until(pilot, lambda: not pilot.app.running)
    # A worker that fails or is cancelled is the app's to report, not the helper's.
    for _ in range(2):
        try:
            await pilot.app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            pass
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)  # a table sizes its columns on a later refresh; let it, on a busy machine too


async def until(pilot, condition, limit: float = 120.0) -> bool:
    """Let the app run until `condition()` holds, or `limit` seconds pass (a bound, not a timing check)."""
    for _ in range(int(limit / 0.02)):
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


def hold(monkeypatch, owner, name: str) -> threading.Event:
    """Make `owner.name` wait (at most 10 s) until the returned event is set, then do its work."""
    release = threading.Event()
    original = getattr(owner, name)

    def held(*args, **kwargs):
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    return release


def hold_jobs(monkeypatch) -> threading.Event:
    """Make runs and sweeps (not previews) wait to start their process until the returned event is set."""
    from poisontui.engine.runner import Job

    release = threading.Event()
    original = Job.start

    def held(job):
        if job.kind != "preview":
            release.wait(10)
        return original(job)

    monkeypatch.setattr(Job, "start", held)
    return release


def frozen_result(config, boundary=True):
    """A real run of `config` (with decision regions, as the app's runs have) with its timings pinned, so
    screens do not depend on the machine's speed."""
    from poisontui.engine.experiment import run_experiment

    result = run_experiment(config, boundary=boundary)
    for row in result.rows:
        row["fit_seconds"] = 0.01
    result.seconds = 1.0
    return result
