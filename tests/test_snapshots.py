"""SVG snapshots of every screen at 80x24 and 120x40 (update with --snapshot-update)."""

import pytest
from pilot import settle

from poisontui.app import PoisonApp
from poisontui.engine.experiment import Config, run_experiment

SIZES = [(80, 24), (120, 40)]


def frozen_result(preset: str):
    """A real run with its timings pinned, so snapshots do not depend on the machine's speed."""
    result = run_experiment(Config.from_preset(preset))
    for row in result.rows:
        row["fit_seconds"] = 0.01
    result.seconds = 1.0
    return result


@pytest.mark.parametrize("size", SIZES)
def test_dataset_screen(snap_compare, size):
    assert snap_compare(PoisonApp(Config.from_preset("diagnosis")), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_attack_screen(snap_compare, size):
    async def show(pilot):
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(PoisonApp(Config.from_preset("stop-sign")), terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_mitigations_screen(snap_compare, size):
    async def show(pilot):
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(PoisonApp(Config.from_preset("diagnosis")), terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_results_screen(snap_compare, size):
    result = frozen_result("diagnosis")
    assert snap_compare(PoisonApp(result.config, result), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, size):
    async def show(pilot):
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(PoisonApp(), terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_sweep_screen(snap_compare, size):
    app = PoisonApp(Config.from_preset("diagnosis"))
    app.sweep_settings.update(ratios="0,0.2,0.4", seeds=2, jobs=1)

    async def sweep(pilot):
        await settle(pilot)
        await pilot.press("5", "escape", "s")
        await settle(pilot)
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=sweep)


@pytest.mark.parametrize("size", SIZES)
def test_comparison_view(snap_compare, size):
    pinned = frozen_result("diagnosis")
    config = Config.from_preset("diagnosis")
    config.mitigations = [{"name": "isolation-forest", "params": {}}, {"name": "knn-sanitize", "params": {}}]
    current = run_experiment(config)
    for row in current.rows:
        row["fit_seconds"] = 0.01
    current.seconds = 1.0
    app = PoisonApp(current.config, current)
    app.pins = [pinned]

    async def show(pilot):
        await settle(pilot)
        app.screen.sync()
        app.screen.query_one("#compare-table").focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=show)
