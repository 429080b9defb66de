"""Helpers for driving the app in Pilot and snapshot tests."""


async def settle(pilot):
    """Wait for the app to load its engine after the first paint, then for its workers and the
    screen updates they post."""
    for _ in range(1000):
        if pilot.app.ready:
            break
        await pilot.pause(0.01)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def frozen_result(config):
    """A real run of `config` with its timings pinned, so screens do not depend on the machine's speed."""
    from poisontui.engine.experiment import run_experiment

    result = run_experiment(config)
    for row in result.rows:
        row["fit_seconds"] = 0.01
    result.seconds = 1.0
    return result
