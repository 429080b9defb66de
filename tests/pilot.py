"""Helpers for driving the app in Pilot and snapshot tests."""

from textual.worker import WorkerCancelled, WorkerFailed


async def settle(pilot):
    """Wait for the app's workers and the screen updates they post (a worker failing or cancelled is the app's to report)."""
    for _ in range(2):
        try:
            await pilot.app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            pass
        await pilot.pause()


def frozen_result(config):
    """A real run of `config` with its timings pinned, so screens do not depend on the machine's speed."""
    from poisontui.engine.experiment import run_experiment

    result = run_experiment(config)
    for row in result.rows:
        row["fit_seconds"] = 0.01
    result.seconds = 1.0
    return result
