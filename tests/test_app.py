"""Pilot tests: the app driven from keys alone, as a user would."""

import os
import signal

import pytest
from pilot import settle, until
from procs import alive, in_group, wait_until
from textual.widgets import DataTable, Input, Static

from poisontui.app import PoisonApp
from poisontui.engine.experiment import Config, run_experiment
from poisontui.engine.mitigations import MITIGATIONS
from poisontui.screens.help import HelpScreen
from poisontui.report import mean_sd
from poisontui.widgets.params import NumberInput, ParamForm


def text_of(app, selector):
    return str(app.screen.query_one(selector, Static).render())


async def test_first_screen_summarises_the_article_data():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.current_mode == "dataset"
        summary = text_of(app, "#dataset-summary")
        assert "1000 rows" in summary and "SYNTHETIC" in summary and "train 700" in summary


async def test_run_from_keys_shows_the_engines_figures():
    expected = run_experiment(Config.from_preset("article"))
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.current_mode == "results"
        table = app.screen.query_one("#results-table", DataTable)
        clean = table.get_row("clean")
        poisoned = table.get_row("poisoned")
        # The article preset runs over seeds: mean ± sd, as the CLI's table shows them.
        assert clean[1] == mean_sd(expected.row("clean"), "accuracy") == "0.850±0.000"
        assert poisoned[1] == mean_sd(expected.row("poisoned"), "accuracy")
        assert "results of the last run" in app.status


def heavy_config() -> Config:
    """A run long enough to be caught in its mitigation step."""
    return Config.from_dict({"dataset": {"name": "synthetic", "params": {"n_samples": 60000, "n_features": 40}},
                             "mitigations": [{"name": "knn-sanitize"}, {"name": "label-issues"}]})


async def start_heavy_run(pilot) -> int:
    """Press r on the heavy config and wait for its mitigation step; return the run's process id."""
    app = pilot.app
    app.config = heavy_config()
    app.config_changed()
    await pilot.press("r")
    assert await until(pilot, lambda: "mitigating" in app.status)
    return app.job.pid


async def test_escape_ends_the_runs_process_and_keeps_the_results():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        shown, rows = app.result, app.screen.query_one("#results-table", DataTable).row_count
        pid = await start_heavy_run(pilot)
        assert app.running and alive(pid)
        await pilot.press("2")  # the UI still answers keys mid-run
        assert app.current_mode == "attack"
        await pilot.press("escape")
        await settle(pilot)
        assert not app.running and app.job is None
        assert not alive(pid) and wait_until(lambda: in_group(pid) == [])
        assert any("Cancelled: the run's process has ended" in n.message for n in app._notifications)
        assert app.result is shown and app.current_mode == "attack"
        await pilot.press("4")
        assert app.screen.query_one("#results-table", DataTable).row_count == rows


async def test_quitting_during_a_run_leaves_no_process():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pid = await start_heavy_run(pilot)
        group = in_group(pid)
        assert pid in group
        await pilot.press("q")
    assert wait_until(lambda: not any(alive(p) for p in group))


async def test_a_crash_in_the_runs_process_is_a_clear_notice_and_the_app_goes_on(monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("the partition table is corrupt")

    monkeypatch.setattr(MITIGATIONS["bagging"], "mitigate", broken)
    config = Config.from_preset("article")
    config.mitigations = [{"name": "bagging", "params": {}}]
    app = PoisonApp(config)
    app.start_method = "fork"  # a forked child has the broken mitigation
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.result is None and not app.running
        notice = next(n for n in app._notifications if n.title == "Run failed")
        assert notice.message == ("unexpected error: RuntimeError: the partition table is corrupt. "
                                  "The app is still usable; the results shown are unchanged.")
        monkeypatch.undo()
        await pilot.press("r")
        await settle(pilot)
        assert app.result is not None and app.current_mode == "results"


async def test_a_run_whose_process_is_killed_is_a_clear_notice():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pid = await start_heavy_run(pilot)
        os.kill(pid, signal.SIGKILL)
        await settle(pilot)
        assert not app.running and app.result is None
        notice = next(n for n in app._notifications if n.title == "Run failed")
        assert notice.message.startswith("the run's process was killed by SIGKILL (out of memory?)")


async def test_bad_csv_path_shows_a_message_and_keeps_settings(tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_text("a,b,y\n1,2,x\n3,oops,y\n1,2,x\n3,4,y\n5,6,x\n")
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.config.to_dict()
        field = app.screen.query_one("#csv-path", Input)
        field.value = str(bad)
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "'oops' is not a number" in text_of(app, "#csv-error")
        assert app.config.to_dict() == before
        field.value = str(tmp_path / "missing.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert "no such file" in text_of(app, "#csv-error")


async def test_good_csv_loads_and_is_summarised(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("a,b,y\n" + "".join(f"{i},{i % 7},{'stop' if i % 2 else 'yield'}\n" for i in range(60)))
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#csv-path", Input)
        field.value = str(good)
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert app.config.data == str(good)
        assert "60 rows" in text_of(app, "#dataset-summary")


async def test_choosing_a_preset_and_a_dataset_from_the_list():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The list starts on the article preset; two down is diagnosis.
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert app.config.preset == "diagnosis" and app.config.dataset["name"] == "breast-cancer"
        assert "malignant" in text_of(app, "#dataset-summary")


async def test_attack_preview_says_what_the_attack_does():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert "70 of 700 training labels flipped" in text_of(app, "#preview-text")


async def test_number_fields_step_with_plus_minus_and_refuse_out_of_range():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        ratio = app.screen.query_one("#attack-form NumberInput", NumberInput)
        ratio.focus()
        await pilot.press("plus")
        await settle(pilot)
        assert app.config.attack["params"]["ratio"] == pytest.approx(0.15)
        assert "105 of 700" in text_of(app, "#preview-text")
        await pilot.press("minus", "minus")
        assert app.config.attack["params"]["ratio"] == pytest.approx(0.05)
        ratio.value = "2"
        await pilot.pause()
        form = app.screen.query_one("#attack-form", ParamForm)
        assert "ratio must be between 0 and 0.9, not 2" in str(form.query_one(".param-error", Static).render())
        assert app.config.attack["params"]["ratio"] == pytest.approx(0.05)
        await pilot.press("escape", "1")  # escape leaves the field, so digits switch screens again
        assert app.current_mode == "dataset"


async def test_toggling_mitigations_and_stale_results():
    app = PoisonApp(Config())  # the article's run with no mitigation on
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        app.screen.query_one("#toggle-knn-sanitize").focus()
        await pilot.press("space")
        assert [m["name"] for m in app.config.mitigations] == ["knn-sanitize"]
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.query_one("#results-table", DataTable).get_row("knn-sanitize")
        assert not app.stale
        await pilot.press("3", "a")  # all on
        assert len(app.config.mitigations) == len(MITIGATIONS)
        assert app.stale and "STALE" in app.status
        await pilot.press("4")
        assert "STALE" in text_of(app, "#results-headline")


async def test_a_mitigations_fields_are_made_when_it_is_first_turned_on():
    app = PoisonApp()  # the article preset: four mitigations on
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        enabled = [m["name"] for m in app.config.mitigations]
        forms = {form.id.removeprefix("form-") for form in app.screen.query(ParamForm)}
        assert forms == set(enabled)
        app.screen.query_one("#toggle-lof").focus()
        await pilot.press("space")
        await settle(pilot)
        form = app.screen.query_one("#form-lof", ParamForm)
        assert form.display and form.values == {p.name: p.default for p in MITIGATIONS["lof"].params}
        neighbours = next(field for field in form.query(NumberInput) if field.param_name == "n_neighbors")
        neighbours.focus()
        neighbours.value = "7"
        await pilot.press("tab")
        assert {"name": "lof", "params": {"n_neighbors": 7}} in app.config.mitigations
        app.screen.query_one("#toggle-lof").focus()
        await pilot.press("space")  # off: its fields hide, and keep what was typed for next time
        await settle(pilot)
        assert "lof" not in [m["name"] for m in app.config.mitigations] and not form.display
        await pilot.press("space")
        assert {"name": "lof", "params": {"n_neighbors": 7}} in app.config.mitigations


async def test_a_status_change_redraws_the_status_line_not_the_screen():
    from textual._compositor import LayoutUpdate

    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        drawn = []
        display = app._display
        app._display = lambda screen, update: (drawn.append(update), display(screen, update))
        for step in range(5):
            app.status = f"mitigating: step {step}"
            app.progress = (step, 5)
            await pilot.pause()
        assert "mitigating: step 4" in text_of(app, "#status-text")
        assert drawn and not [update for update in drawn if isinstance(update, LayoutUpdate)]


async def test_a_hidden_screens_status_line_catches_up_when_shown():
    from textual.widgets import ProgressBar

    from poisontui.widgets.status import RunStatus

    app = PoisonApp()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2", "1")
        attack = app.main_screen("attack")
        app.running = True
        app.status = "mitigating: step 3"
        app.progress = (3, 10)
        await pilot.pause()
        status_line = attack.query_one(RunStatus)
        assert "step 3" not in str(status_line.query_one("#status-text", Static).render())  # hidden: left alone
        await pilot.press("2")
        assert "step 3" in text_of(app, "#status-text") and status_line.has_class("-running")
        bar = status_line.query_one(ProgressBar)
        assert (bar.progress, bar.total) == (3, 10)
        app.running = False
        app.status = "ready"
        await pilot.pause()
        assert text_of(app, "#status-text") == "ready" and not status_line.has_class("-running")


async def test_help_lists_the_keys_from_the_bindings():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = dict(app.screen.rows)
        assert rows["r / f5"] == "Run: train clean, poisoned, mitigated models (or F5)"
        assert rows["a"] == "Turn every mitigation on, or all off"
        assert rows["q / ^q"] == "Quit (a run in progress is cancelled)"
        # One row per action, each key once, escape listed even with no run.
        keys = [part for keys in rows for part in keys.split(" / ")]
        assert len(keys) == len(set(keys)) and "escape" in keys and "tab" in keys
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_help_is_made_once_and_lists_the_keys_of_the_screen_under_it():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", "question_mark")
        help_screen = app.screen
        assert "a" in dict(help_screen.rows)
        await pilot.press("escape", "5", "question_mark")
        assert app.screen is help_screen
        rows = dict(help_screen.rows)
        assert "a" not in rows and rows["s"] == "Start a sweep of the grid and seeds"
        # What is drawn is the new list, not the one built for screen 3.
        keys = help_screen.query_one("#help-keys", Static)
        drawn = "\n".join(line.text for line in keys.render_lines(keys.size.region))
        assert "Start a sweep" in drawn and "every mitigation" not in drawn
        await pilot.press("escape")
        assert app.current_mode == "sweep" and not isinstance(app.screen, HelpScreen)


async def test_a_hidden_sweep_screen_catches_up_when_shown(monkeypatch):
    from poisontui.screens.sweep import SweepScreen

    drawn = []
    show_cells = SweepScreen.show_cells
    monkeypatch.setattr(SweepScreen, "show_cells", lambda self: (drawn.append(self.is_current), show_cells(self)))
    app = PoisonApp(Config.from_preset("diagnosis"))
    app.sweep_settings.update(ratios="0,0.1,0.2", seeds=2, jobs=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s", "1")
        await settle(pilot)
        assert len(app.sweep_cells) == 6 and app.current_mode == "dataset"
        assert all(drawn)  # no redraw of the sweep screen while it was hidden
        await pilot.press("5")
        assert "6 of 6 cells (done)" in text_of(app, "#sweep-headline")
        assert app.screen.query_one("#sweep-table", DataTable).row_count == 1 + 3 * 4


async def test_command_palette_offers_presets():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Run", "Preset: stop-sign", "Go to Results"} <= set(titles)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Preset: backdoor")
        command.callback()
        assert app.config.attack["name"] == "backdoor"


async def test_a_failing_run_is_a_notification_not_a_crash():
    config = Config.from_preset("article")
    config.dataset = {"name": "synthetic", "params": {"n_informative": 19, "n_redundant": 5}}
    app = PoisonApp(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "must not exceed n_features" in text_of(app, "#dataset-summary")
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running and app.result is None and not app.running


async def test_sweep_screen_fills_in_and_summarises():
    app = PoisonApp(Config.from_preset("diagnosis"))
    app.sweep_settings.update(ratios="0,0.2", seeds=2, jobs=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        assert app.current_mode == "sweep"
        await pilot.press("escape", "s")
        await settle(pilot)
        assert len(app.sweep_cells) == 4 and not app.running
        table = app.screen.query_one("#sweep-table", DataTable)
        assert table.row_count == 1 + 2 * 4  # clean once; 2 ratios x (poisoned, 3 mitigations)
        assert "4 of 4 cells (done)" in text_of(app, "#sweep-headline")


async def test_sweep_grid_errors_show_in_place():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        field = app.screen.query_one("#sweep-ratios", Input)
        field.value = "0:oops"
        await pilot.pause()
        assert "ratios must be like" in text_of(app, "#sweep-ratios-error")
        assert app.sweep_settings["ratios"] == "0:0.4:0.1"  # the last good grid is kept


async def test_cancelling_a_sweep_ends_its_workers_and_keeps_its_cells():
    app = PoisonApp(Config.from_dict({"dataset": {"name": "synthetic", "params": {"n_samples": 30000}},
                                      "mitigations": [{"name": "knn-sanitize"}]}))
    app.sweep_settings.update(ratios="0.1,0.2,0.3", seeds=4, jobs=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert await until(pilot, lambda: len(app.sweep_cells) >= 1)
        pid = app.job.pid
        assert await until(pilot, lambda: len(in_group(pid)) == 3)  # the sweep's process and two workers
        group = in_group(pid)
        await pilot.press("escape")
        await settle(pilot)
        kept = len(app.sweep_cells)
        assert not app.running and wait_until(lambda: not any(alive(p) for p in group))
        assert 1 <= kept < 12 and f"{kept} of 12 cells" in text_of(app, "#sweep-headline")
        assert "stopped" in text_of(app, "#sweep-headline")


async def test_sweep_on_an_unreachable_scheduler_is_a_notice():
    pytest.importorskip("dask.distributed")
    app = PoisonApp()
    app.sweep_settings.update(ratios="0.1", seeds=1, backend="dask", scheduler="tcp://127.0.0.1:9")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        for _ in range(300):  # the failed worker is reported by the app; wait for that, not the worker
            if not app.running:
                break
            await pilot.pause(0.05)
        assert not app.running and not app.sweep_cells
        assert any("cannot reach the Dask scheduler" in n.message for n in app._notifications)


async def test_app_keys_work_from_a_number_field():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        app.screen.query_one("#attack-form NumberInput", NumberInput).focus()
        await pilot.press("0", ".", "2")  # digits type into the number (focus selects it: typing replaces)...
        assert app.current_mode == "attack" and app.config.attack["params"]["ratio"] == 0.1
        await pilot.press("enter", "3")  # ...enter takes the value and leaves the field, so digits switch screens
        assert app.config.attack["params"]["ratio"] == 0.2
        assert app.current_mode == "mitigations"
        await pilot.press("2")
        app.screen.query_one("#attack-form NumberInput", NumberInput).focus()
        await pilot.press("r")  # a letter that is no part of a number is the app's
        await settle(pilot)
        assert app.result is not None


DATA = __import__("pathlib").Path(__file__).parent / "data"


async def test_a_file_is_picked_from_the_tree_and_its_columns_changed():
    from textual.widgets import DirectoryTree, Select, SelectionList

    app = PoisonApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#csv-path", Input).value = str(DATA)
        await pilot.press("o")
        # The tree loads folders in a worker that lives as long as the tree: wait for its rows, not for it.
        tree = app.screen.query_one(DirectoryTree)
        for _ in range(100):
            if tree.root.children:
                break
            await pilot.pause(0.05)
        shown = [str(node.label) for node in tree.root.children]
        assert shown == ["penguins.csv", "seattle-weather.csv"]  # folders and data files only
        await pilot.press("down", "enter")
        await settle(pilot)
        await settle(pilot)
        assert app.config.data == str(DATA / "penguins.csv") and app.current_mode == "dataset"
        label = app.screen.query_one("#data-label", Select)
        assert label.value == "year"  # the last column, until told otherwise
        label.value = "species"
        await settle(pilot)
        await settle(pilot)
        summary = text_of(app, "#dataset-summary")
        assert app.config.label == "species" and "Adelie" in summary and "one-hot   island" in summary
        ignore = app.screen.query_one("#data-ignore", SelectionList)
        ignore.select("island")
        await settle(pilot)
        await settle(pilot)
        assert app.config.ignore == ["island"]
        assert "island (by --ignore)" in text_of(app, "#dataset-summary")
        form = app.screen.query_one("#file-form", ParamForm)
        form.query_one(Select).value = "drop"  # missing: impute -> drop
        await settle(pilot)
        await settle(pilot)
        assert app.config.missing == "drop" and "11 with missing values dropped" in text_of(app, "#dataset-summary")


@pytest.mark.parametrize("name, label, classes", [("penguins.csv", "species", "Adelie"),
                                                  ("seattle-weather.csv", None, "drizzle")])
async def test_teaching_datasets_run_in_the_app(name, label, classes):
    config = Config.from_dict({"data": str(DATA / name), "label": label, "mitigations": [
        {"name": "knn-sanitize", "params": {}}]})
    app = PoisonApp(config)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert classes in text_of(app, "#dataset-summary")
        await pilot.press("r")
        await settle(pilot)
        await settle(pilot)
        assert app.current_mode == "results" and app.result is not None
        table = app.screen.query_one("#results-table", DataTable)
        assert table.get_row("knn-sanitize")[1] == f"{app.result.row('knn-sanitize')['accuracy']:.3f}"


async def test_a_field_event_that_arrives_after_its_form_was_reset_is_ignored():
    """Switching to a data file resets the dataset form while a field's event may still be queued."""
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = app.screen.query_one("#dataset-form", ParamForm)
        stale = form.query_one(NumberInput)
        form.reset((), {}, owner="a data file")
        form.post_message(Input.Changed(stale, "1000"))
        await settle(pilot)
        assert app.is_running and app.config.dataset["params"] == {}
