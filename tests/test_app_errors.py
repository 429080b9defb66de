"""Nothing a user does crashes the app: dialogs over runs, pins that differ, bugs that become notices."""

from pilot import hold_jobs, settle
from textual.app import App
from textual.command import CommandPalette
from textual.widgets import DataTable, OptionList

from poisontui.app import PoisonApp
from poisontui.cli import main
from poisontui.engine.experiment import Config
from poisontui.screens.export import ExportScreen
from poisontui.screens.help import HelpScreen


def small_config(**changes):
    """A config that runs in a fraction of a second."""
    raw = {"dataset": {"name": "synthetic", "params": {"n_samples": 200, "n_features": 4}}}
    raw.update(changes)
    return Config.from_dict(raw)


def assert_no_errors(app):
    assert app.is_running
    assert getattr(app, "unexpected_errors", []) == []
    assert app._exception is None


async def test_pins_of_different_mitigation_sets_compare_side_by_side():
    app = PoisonApp(Config())  # the article's run, no mitigation on yet
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # As a user would: one mitigation, pin; another one as well, pin; the first alone, run.
        await pilot.press("3", "space", "r")
        await settle(pilot)
        await pilot.press("p", "3", "space", "tab", "space", "r")
        await settle(pilot)
        await pilot.press("p", "3", "space", "r")
        await settle(pilot)
        assert_no_errors(app)
        assert app.current_mode == "results" and len(app.pins) == 2
        table = app.screen.query_one("#compare-table", DataTable)
        rows = {str(table.get_row_at(i)[0]): [str(c) for c in table.get_row_at(i)] for i in range(table.row_count)}
        assert set(rows) == {"clean", "poisoned", "zscore-filter", "knn-sanitize"}
        # The first pin had no knn-sanitize: its cells are blank, not a crash.
        assert rows["knn-sanitize"][1] == "-"


async def test_a_run_that_ends_under_a_dialog_reaches_the_results_screen():
    for dialog in ("question_mark", "e"):
        app = PoisonApp(small_config())
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            first = app.result
            await pilot.press(dialog, "f5")
            await settle(pilot)
            assert_no_errors(app)
            assert isinstance(app.screen, HelpScreen if dialog == "question_mark" else ExportScreen)
            assert app.result is not first
            results = app.main_screen("results")
            assert results.query_one("#results-table", DataTable).row_count == 2


async def test_a_sweep_under_a_dialog_fills_in_its_screen(monkeypatch):
    release = hold_jobs(monkeypatch)
    app = PoisonApp(small_config())
    app.sweep_settings.update(ratios="0,0.2", seeds=2, jobs=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s", "question_mark")
        assert app.running and isinstance(app.screen, HelpScreen)
        release.set()
        await settle(pilot)
        assert_no_errors(app)
        assert len(app.sweep_cells) == 4
        await pilot.press("escape")
        assert app.current_mode == "sweep"
        assert app.screen.query_one("#sweep-table", DataTable).row_count > 0


async def test_a_run_started_from_the_palette_leaves_no_palette_behind():
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", "f5")
        await settle(pilot)
        await pilot.press("escape", "4", "ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape", "1", "ctrl+p")
        await pilot.pause()
        assert_no_errors(app)
        assert isinstance(app.screen, CommandPalette)


async def test_an_unexpected_error_is_a_notice_and_the_app_keeps_its_results(monkeypatch):
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        result = app.result

        def broken():
            raise RuntimeError("a bug in the help screen")

        monkeypatch.setattr(app, "action_help", broken)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.is_running and app.result is result
        assert len(app.unexpected_errors) == 1 and "a bug in the help screen" in app.unexpected_errors[0]
        assert any(n.title == "Unexpected error" for n in app._notifications)
        await pilot.press("1")  # the keys still work
        assert app.current_mode == "dataset"


def test_a_crash_that_ends_the_app_exits_non_zero(monkeypatch):
    def crash_on_mount(self):
        # A bug inside one of Textual's own widgets (the list of presets and data) ends the app.
        self.screen.query_one(OptionList).call_later(lambda: 1 / 0)

    def run_headless(self, **kwargs):
        return App.run(self, headless=True, size=(80, 24))

    monkeypatch.setattr(PoisonApp, "on_ready", crash_on_mount, raising=False)
    monkeypatch.setattr(PoisonApp, "run", run_headless)
    assert main([]) == 1
