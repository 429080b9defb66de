"""Helpers for driving the app in Pilot and snapshot tests."""


async def settle(pilot):
    """Wait for the app's workers and the screen updates they post."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
