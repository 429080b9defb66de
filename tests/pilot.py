"""Helpers for driving the app in Pilot and snapshot tests."""


async def settle(pilot):
    """Wait for the app to load its engine after the first paint, for a run or sweep to end, then
    for its workers and the screen updates they post."""
    await until(pilot, lambda: pilot.app.ready)
    await until(pilot, lambda: not pilot.app.running)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)  # a table sizes its columns on a later refresh; let it, on a busy machine too


async def until(pilot, condition, limit: float = 120.0) -> bool:
    """Let the app run until `condition()` holds, or `limit` seconds pass (a bound, not a timing check)."""
    for _ in range(int(limit / 0.02)):
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


def frozen_result(config):
    """A real run of `config` with its timings pinned, so screens do not depend on the machine's speed."""
    from poisontui.engine.experiment import run_experiment

    result = run_experiment(config)
    for row in result.rows:
        row["fit_seconds"] = 0.01
    result.seconds = 1.0
    return result
