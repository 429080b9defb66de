"""The other screens are built, hidden, after the first paint, and a screen shown again is not restyled
when nothing its styles depend on has changed: a first visit is then as quick as a later one."""

import pytest
from pilot import settle, until
from textual.widgets import Input

from poisontui.app import PoisonApp
from poisontui.screens.dataset import DatasetScreen
from poisontui.screens.help import HelpScreen

MODES = list(PoisonApp.MODES)


@pytest.fixture
def prebuilding(monkeypatch):
    monkeypatch.setattr(PoisonApp, "PREBUILD_SCREENS", True)


def all_built(app) -> bool:
    return all(app.main_screen(mode) is not None for mode in MODES)


def frames_of(app) -> list:
    """The screen of each frame the app draws from now on."""
    drawn = []
    display = app._display

    def drawing(screen, renderable):
        if renderable is not None:
            drawn.append(screen)
        display(screen, renderable)

    app._display = drawing
    return drawn


def restyles(app, monkeypatch) -> list:
    """The nodes whose styles (with their descendants') are recomputed from now on, and whole-app refreshes."""
    seen = []
    update_styles, refresh_css = app.update_styles, app.refresh_css
    monkeypatch.setattr(app, "update_styles", lambda node, animate=True: (seen.append(node),
                                                                          update_styles(node, animate)))
    monkeypatch.setattr(app, "refresh_css", lambda animate=True: (seen.append("refresh_css"), refresh_css(animate)))
    return seen


async def test_every_screen_is_built_while_only_the_first_is_drawn(prebuilding):
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        drawn = frames_of(app)
        await settle(pilot)
        config = app.config.to_dict()
        assert await until(pilot, lambda: all_built(app), limit=60)
        await pilot.pause(0.3)
        assert isinstance(app.screen, DatasetScreen)
        assert drawn and all(screen is app.screen for screen in drawn)
        assert app.config.to_dict() == config
        assert not app.unexpected_errors


async def test_the_screens_wait_while_the_user_types_and_nothing_typed_is_lost(prebuilding):
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.ready)
        field = app.screen.query_one("#csv-path", Input)
        field.focus()
        await pilot.pause()
        typed = "data/some-file.csv"
        for key in typed:
            await pilot.press(key)
        assert not all_built(app)  # building waits for a second without input
        assert await until(pilot, lambda: all_built(app), limit=60)
        await pilot.press("x")
        assert field.value == typed + "x"
        assert app.screen.focused is field
        assert isinstance(app.screen, DatasetScreen)


async def test_a_dialog_open_meanwhile_stays_on_top_and_the_building_goes_on_after(prebuilding):
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.ready)
        await pilot.press("question_mark")
        await pilot.pause(1.0)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert await until(pilot, lambda: all_built(app), limit=60)
        assert isinstance(app.screen, DatasetScreen)


async def test_quitting_while_the_screens_are_built_ends_cleanly(prebuilding):
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.ready)
        await pilot.press("q")
    assert app.return_code in (0, None)
    assert not app.unexpected_errors


async def test_a_first_visit_after_building_restyles_nothing(prebuilding, monkeypatch):
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert await until(pilot, lambda: all_built(app), limit=60)
        await pilot.pause(0.3)
        seen = restyles(app, monkeypatch)
        for key, mode in zip("23456", MODES):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.main_screen(mode)
        assert "refresh_css" not in seen
        assert not [node for node in seen if node in {app.main_screen(mode) for mode in MODES}]


async def test_a_screen_shown_again_is_restyled_only_after_a_change_to_the_apps_styles(monkeypatch):
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        attack = app.screen
        await pilot.press("1")
        await settle(pilot)
        seen = restyles(app, monkeypatch)
        await pilot.press("2")
        await pilot.pause()
        assert attack not in seen

        for change in (lambda: app.add_class("-marker"),  # Textual restyles only the screen on show
                       lambda: setattr(app, "app_focus", False)):  # the terminal lost focus
            await pilot.press("1")
            await pilot.pause()
            change()
            await pilot.pause()
            seen.clear()
            app.switch_mode("attack")  # a key would give the app its focus back
            await pilot.pause()
            assert attack in seen
            app.app_focus = True


async def test_once_built_full_collections_wait_for_quiet_and_python_gets_its_trigger_back(prebuilding):
    import gc

    saved = gc.get_threshold()
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert await until(pilot, lambda: all_built(app), limit=60)
        assert await until(pilot, lambda: app.collector.saved is not None)
        assert gc.get_threshold()[2] > 10**6
        while gc.get_count()[2] < saved[2]:  # garbage enough for Python's own trigger
            for _ in range(1000):
                cycle = []
                cycle.append(cycle)
        assert await until(pilot, lambda: app.collector.collections >= 1, limit=10)
    assert gc.get_threshold() == saved
