"""The security screen: a defence's curve under the plain and adapted attacks, computed off the event loop."""


from pilot import hold_jobs, settle, until
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
        assert await until(pilot, lambda: screen.curve is not None and screen.job is None)
        curve = screen.curve
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
        commands["Go to Security"].callback()
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


async def test_escape_cancels_the_curve_and_ends_its_process(monkeypatch):
    release = hold_jobs(monkeypatch)
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        screen = app.screen
        screen.query_one("#security-ratios", Input).value = "0.05,0.1"
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        job = screen.job
        assert screen.computing and screen.has_class("-computing")
        await pilot.press("escape")
        assert not screen.computing and not screen.has_class("-computing")
        release.set()
        assert await until(pilot, lambda: screen.job is None)
        assert job.cancelled and job.process is None  # cancelled before its process started
        assert screen.curve is None
        assert "Cancelled" in text_of(app, "#security-headline")


def test_the_apps_own_process_never_imports_scikit_learn_for_a_curve():
    import subprocess
    import sys

    code = (
        "import asyncio, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from pilot import settle, until\n"
        "from poisontui.app import PoisonApp\n"
        "async def main():\n"
        "    app = PoisonApp()\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await settle(pilot)\n"
        "        await pilot.press('6')\n"
        "        screen = app.screen\n"
        "        screen.settings.update(seeds=1, jobs=1)\n"
        "        screen.query_one('#security-ratios').value = '0.05'\n"
        "        await pilot.press('c')\n"
        "        await until(pilot, lambda: screen.curve is not None and screen.job is None)\n"
        "        print(len(screen.curve['points']), 'sklearn' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["2", "False"], out.stderr


async def test_escape_during_the_curve_ends_its_process_and_workers():
    app = breast_cancer_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        screen = app.screen
        screen.settings.update(seeds=50, jobs=2)
        await pilot.press("c")
        assert await until(pilot, lambda: "escape cancels" in text_of(app, "#security-headline")
                           and "(" in text_of(app, "#security-headline"))
        job = screen.job
        assert job.process is not None
        await pilot.press("escape")
        assert await until(pilot, lambda: screen.job is None)
        assert job.ended and job.process.exitcode is not None
        assert screen.curve is None and "Cancelled" in text_of(app, "#security-headline")


async def test_c_typed_in_the_grid_leaves_it_and_computes_what_it_shows(monkeypatch):
    hold_jobs(monkeypatch)
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        screen = app.screen
        field = screen.query_one("#security-ratios", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"0.03,0.05", "c")
        await pilot.pause()
        assert field.value == "0.03,0.05" and screen.focused is not field
        assert screen.computing and screen.ratios == "0.03,0.05"
        await pilot.press("r")  # one piece of work at a time
        assert not app.running
        assert any("security curve is being computed" in n.message for n in app._notifications)
        await pilot.press("escape")
        assert not screen.computing


async def test_a_bad_grid_is_refused_when_computing_and_the_field_is_focused():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        screen = app.screen
        field = screen.query_one("#security-ratios", Input)
        field.value = "0:oops"
        await pilot.pause()
        screen.set_focus(None)
        await pilot.press("c")
        await pilot.pause()
        assert not screen.computing and screen.focused is field
        assert any("Poison ratios: " in n.message for n in app._notifications)


async def test_escape_is_offered_as_cancel_only_while_a_curve_computes(monkeypatch):
    hold_jobs(monkeypatch)
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        screen = app.screen

        def escape_action():
            binding = screen.active_bindings.get("escape")
            return None if binding is None else binding.binding.action

        assert escape_action() != "stop"
        await pilot.press("c")
        await pilot.pause()
        assert escape_action() == "stop"
        await pilot.press("escape")
        await pilot.pause()
        assert escape_action() != "stop"
