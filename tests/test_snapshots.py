"""SVG snapshots of every screen at 80x24 and 120x40, and of every preset's results at 200x50 too
(update with --snapshot-update)."""

import pytest
from pilot import frozen_result, settle, until

from poisontui.app import PoisonApp
from poisontui.engine.experiment import Config
from poisontui.engine.presets import PRESETS

SIZES = [(80, 24), (120, 40)]
RESULT_SIZES = [(80, 24), (120, 40), (200, 50)]


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


@pytest.fixture(scope="module")
def preset_results():
    return {}


@pytest.mark.parametrize("size", RESULT_SIZES, ids=lambda size: "x".join(map(str, size)))
@pytest.mark.parametrize("preset", list(PRESETS))
def test_results_screen(snap_compare, preset_results, preset, size):
    if preset not in preset_results:
        preset_results[preset] = frozen_result(Config.from_preset(preset))
    result = preset_results[preset]
    assert snap_compare(PoisonApp(result.config, result), terminal_size=size, run_before=settle)


def test_mitigation_parameters_keep_a_readable_width_at_200_columns(snap_compare):
    async def show(pilot):
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("tab", "tab")
        await pilot.pause()

    assert snap_compare(PoisonApp(Config.from_preset("diagnosis")), terminal_size=(200, 50), run_before=show)


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
    pinned = frozen_result(Config.from_preset("diagnosis"))
    config = Config.from_preset("diagnosis")
    config.mitigations = [{"name": "isolation-forest", "params": {}}, {"name": "knn-sanitize", "params": {}}]
    current = frozen_result(config)
    app = PoisonApp(current.config, current)
    app.pins = [pinned]

    async def show(pilot):
        await settle(pilot)
        app.screen.sync()
        app.screen.query_one("#compare-table").focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=show)


def _moons():
    return Config.from_dict({
        "dataset": {"name": "moons", "params": {"n_samples": 300}},
        "model": {"name": "knn", "params": {}},
        "attack": {"name": "targeted-flip", "params": {"ratio": 0.4, "source": "upper", "target": "lower"}},
        "mitigations": [{"name": "knn-sanitize", "params": {}}, {"name": "label-issues", "params": {}}],
    })


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("preset", ["moons", "diagnosis"])
def test_boundary_on_results(snap_compare, size, preset):
    """The decision regions of the row under the cursor: 2-D data as it is, other data on its projection."""
    result = frozen_result(_moons() if preset == "moons" else Config.from_preset(preset))
    app = PoisonApp(result.config, result)

    async def show(pilot):
        await settle(pilot)
        await pilot.press("down")  # the row after the best
        await pilot.pause()
        app.screen.query_one("#results-body").scroll_to_widget(app.screen.query_one("#boundary-panel"),
                                                                animate=False, top=True)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_boundary_on_attack_preview(snap_compare, size):
    result = frozen_result(_moons())
    app = PoisonApp(result.config, result)

    async def show(pilot):
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        app.screen.set_focus(None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=show)


def test_security_screen(snap_compare):
    from textual.widgets import Input

    app = PoisonApp(Config.from_dict({"dataset": {"name": "breast-cancer"}}))

    async def curve(pilot):
        await settle(pilot)
        await pilot.press("6")
        app.screen.query_one("#security-ratios", Input).value = "0:0.06:0.03"
        app.screen.settings.update(seeds=2, jobs=1)
        app.screen.query_one("#security-form").reset(values=app.screen.settings)
        await pilot.pause()
        await pilot.press("c")
        await until(pilot, lambda: app.screen.curve is not None and app.screen.job is None)
        await settle(pilot)
        app.clear_notifications()
        app.screen.set_focus(None)  # no blinking cursor in the picture
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=curve)
