"""The security screen: a defence's curve under the plain and adapted attacks, computed off the event loop."""

import threading

from pilot import settle
from textual.widgets import DataTable, Input, Static

from poisontui.app import PoisonApp
from poisontui.engine.experiment import Config


def text_of(app, selector):
    return str(app.screen.query_one(selector, Static).render())


def breast_cancer_app():
    return PoisonApp(Config.from_dict({"dataset": {"name": "breast-cancer"}}))


async def test_key_6_opens_the_screen_and_c_draws_the_plain_and_adapted_curves():
    from poisontui.engine.security import security_curve

    app = breast_cancer_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        assert app.current_mode == "security"
        screen = app.screen
        screen.query_one("#security-ratios", Input).value = "0.03,0.05"
        screen.settings.update(seeds=2, jobs=1)
        screen.query_one("#security-form").reset(values=screen.settings)
        await pilot.pause()
        await pilot.press("c")
        await settle(pilot)
        curve = screen.curve
        assert curve is not None and not screen.computing
        expected = security_curve(Config.from_dict({"dataset": {"name": "breast-cancer"}}), {"name": "sphere-slab"},
                                  [0.03, 0.05], seeds=2, jobs=1)
        assert curve["points"] == expected["points"]
        assert screen.query_one("#security-table", DataTable).row_count == 4
        assert "security of sphere-slab: breast-cancer" in text_of(app, "#security-headline")


async def test_the_palette_offers_the_screen():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Go to Security curve"].callback()
        await pilot.pause()
        assert app.current_mode == "security"


async def test_a_bad_grid_shows_in_place_and_the_last_good_one_is_kept():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        field = app.screen.query_one("#security-ratios", Input)
        field.value = "0:oops"
        await pilot.pause()
        assert "ratios must be like" in text_of(app, "#security-ratios-error")
        assert app.screen.ratios == "0:0.1:0.02"


async def test_a_ratio_beyond_the_attack_is_a_notice_and_nothing_runs():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        app.screen.query_one("#security-ratios", Input).value = "0.6"
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert not app.screen.computing and app.screen.curve is None
        assert any("ratio must be between 0 and 0.5" in n.message for n in app._notifications)


async def test_escape_cancels_the_curve_and_the_event_loop_stays_free(monkeypatch):
    import poisontui.engine.sweep as sweep_module

    release = threading.Event()
    original = sweep_module.cell_task

    def slow(*args):
        release.wait(10)
        return original(*args)

    monkeypatch.setattr(sweep_module, "cell_task", slow)
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        screen = app.screen
        screen.query_one("#security-ratios", Input).value = "0.05,0.1"
        screen.settings.update(seeds=1, jobs=1)
        screen.query_one("#security-form").reset(values=screen.settings)
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause(0.3)
        assert screen.computing and screen.has_class("-computing")
        await pilot.press("escape")
        assert not screen.computing and not screen.has_class("-computing")
        release.set()
        await settle(pilot)
        assert screen.curve is None
        assert "Cancelled" in text_of(app, "#security-headline")
