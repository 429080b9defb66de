"""What runs is what the screens show: only the user's changes reach the settings, and only valid ones."""

import json
import threading

import pytest
from pilot import hold_jobs, settle
from textual.widgets import Input, Static

from poisontui.app import PoisonApp
from poisontui.cli import build_app, build_parser, main
from poisontui.engine.experiment import Config
from poisontui.engine.presets import PRESETS
from poisontui.widgets.params import NumberInput


@pytest.fixture
def runs(monkeypatch):
    """The configs the app hands to a run's process; each run stops there, as a cancelled run does."""
    seen = []

    def record(app, kind, raw, total):
        seen.append(raw if kind == "run" else raw["experiment"])

    monkeypatch.setattr(PoisonApp, "_start", record)
    return seen


def text_of(app, selector):
    return str(app.screen.query_one(selector, Static).render())


ORDERS = [("2", "3", "4", "5", "1", "2"), ("4", "3", "2", "1", "5", "2"), ("3", "5", "2", "4", "1", "3"),
          ("5", "1", "3", "2", "4", "2")]


async def visit(pilot, keys):
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def open_from_palette(pilot, name):
    await pilot.press("ctrl+p", *name.replace("-", ""))
    await pilot.pause(0.3)  # the palette searches in a worker of its own
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("how", ["flag", "palette", "load"])
async def test_every_preset_runs_as_loaded_whatever_the_screens_visited(how, runs, tmp_path):
    for i, name in enumerate(PRESETS):
        expected = Config.from_preset(name).to_dict()
        if how == "flag":
            app = build_app(build_parser().parse_args(["--preset", name]))
        elif how == "load":
            path = tmp_path / f"{name}.json"
            path.write_text(json.dumps({"config": expected, "results": []}))
            app = build_app(build_parser().parse_args(["--load", str(path)]))
        else:
            app = PoisonApp()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            if how == "palette":
                await open_from_palette(pilot, name)
            elif how == "load":
                expected_runs = 1  # a loaded file is rerun at once
                assert len(runs) == expected_runs and runs.pop() == expected
            assert app.config.to_dict() == expected
            await visit(pilot, ORDERS[i % len(ORDERS)])
            assert app.config.to_dict() == expected, f"{name} ({how}) changed by visiting screens"
            await pilot.press("r")
            await settle(pilot)
            assert runs.pop() == expected


async def test_looking_at_the_screens_after_a_run_keeps_the_results_current():
    app = PoisonApp(Config.from_preset("diagnosis"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "targeted-flip" in text_of(app, "#results-headline")
        await visit(pilot, ("2", "3", "1", "5", "4"))
        assert not app.stale and "STALE" not in text_of(app, "#results-headline")


async def focus_ratio(pilot):
    app = pilot.app
    await pilot.press("2")
    await settle(pilot)
    field = app.screen.query_one("#attack-form NumberInput", NumberInput)
    field.focus()
    await pilot.pause()
    return field


async def test_a_run_is_refused_while_a_field_is_invalid_and_the_field_is_named_and_focused(runs):
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = await focus_ratio(pilot)
        await pilot.press("1", ".", "5")
        assert "ratio must be between 0 and 0.9, not 1.5" in str(
            app.screen.query_one("#attack-form .param-error", Static).render())
        await pilot.press("r")  # from inside the field
        await settle(pilot)
        assert runs == [] and not app.running
        assert any(n.title == "Cannot run" and "ratio" in n.message for n in app._notifications)
        assert app.focused is field
        # From another screen: the run is refused and the field shown, focused.
        await pilot.press("escape", "4", "r")
        await settle(pilot)
        assert runs == [] and app.current_mode == "attack" and app.focused is field
        assert field.value == "1.5"  # what the user typed is still there to correct
        await pilot.press("end", "backspace", "backspace", "backspace", "0", ".", "3", "r")
        await settle(pilot)
        assert runs and runs.pop()["attack"]["params"]["ratio"] == 0.3


async def test_keystrokes_in_between_never_reach_the_settings():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = await focus_ratio(pilot)
        seen = []
        original = app.config_changed

        def watch():
            seen.append(app.config.attack["params"].get("ratio"))
            original()

        app.config_changed = watch
        await pilot.press("end", "backspace", "backspace", "backspace")  # 0.1 -> 0. -> 0 -> (empty)
        await pilot.press("0", ".", "2", "5")
        assert seen == [] and app.config.attack["params"]["ratio"] == 0.1
        await pilot.press("tab")  # leaving the field takes its value
        await settle(pilot)
        assert seen == [0.25]
        assert "175 of 700 training labels flipped" in text_of(app, "#preview-text")
        assert field.value == "0.25"


async def test_f5_in_a_field_runs_with_what_it_shows(runs):
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await focus_ratio(pilot)
        await pilot.press("0", ".", "3", "f5")
        await settle(pilot)
        assert runs.pop()["attack"]["params"]["ratio"] == 0.3


async def test_a_sweep_is_refused_while_its_grid_is_invalid():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        field = app.screen.query_one("#sweep-ratios", Input)
        field.focus()
        field.value = "0:oops"
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.sweep is None and not app.sweep_cells and not app.running
        assert any(n.title == "Cannot sweep" for n in app._notifications)
        assert app.focused is field


@pytest.mark.parametrize("content, message", [
    ({"config": {"experiment": Config().to_dict(), "ratios": ["a"]}}, "ratio must be a number"),
    ({"config": {"experiment": Config().to_dict(), "ratios": [0.1], "seeds": "x"}}, "seeds must be a whole number"),
    ({"config": {"experiment": Config().to_dict(), "ratios": [0.1], "scheduler": 5}}, "scheduler"),
    ({"config": Config().to_dict(), "results": [1, 2]}, "'results' must be a list of rows"),
    ({"config": Config().to_dict(), "results": "x"}, "'results' must be a list of rows"),
    ({"config": Config().to_dict(), "results": [{"name": "clean", "fit_seconds": "x"}]}, "must be a number"),
    ({"config": Config().to_dict(), "results": [], "seconds": "abc"}, "'seconds' must be a number"),
])
def test_load_refuses_a_malformed_file_in_one_line(content, message, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(PoisonApp, "run", lambda self, **kwargs: pytest.fail("the app was started"))
    path = tmp_path / "result.json"
    path.write_text(json.dumps(content))
    assert main(["--load", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


async def test_a_cancelled_rerun_of_a_loaded_file_is_forgotten(tmp_path, monkeypatch):
    release = hold_jobs(monkeypatch)
    config = Config.from_dict({"dataset": {"name": "synthetic", "params": {"n_samples": 200, "n_features": 4}}})
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"config": config.to_dict(), "results": []}))
    app = build_app(build_parser().parse_args(["--load", str(path)]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.running
        await pilot.press("escape")  # cancels the rerun
        release.set()
        await settle(pilot)
        assert app.result is None
        app.config.seed = 3
        app.config_changed()
        await pilot.press("r")
        await settle(pilot)
        assert app.result is not None
        assert not any(n.title == "Loaded" for n in app._notifications)


async def test_csv_files_and_sweep_grids_are_read_off_the_event_loop(tmp_path, monkeypatch):
    import poisontui.engine.runner
    import poisontui.screens.sweep

    waited = []

    def held(real, released):
        def wrapper(*args, **kwargs):
            # True when the app answered a key while this read was still going on.
            waited.append(released.wait(5))
            return real(*args, **kwargs)

        return wrapper

    csv_read, grid_read = threading.Event(), threading.Event()
    preview = poisontui.engine.runner.preview
    held_preview = held(preview, csv_read)
    monkeypatch.setattr(poisontui.engine.runner, "preview",
                        lambda what, config: (held_preview if what == "data" else preview)(what, config))
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i % 7},{'s' if i % 2 else 't'}\n" for i in range(40)))
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#csv-path", Input)
        field.value = str(path)
        field.focus()
        await pilot.press("enter", "escape", "2")  # the file is being read...
        assert app.current_mode == "attack"  # ...and the keys still work
        csv_read.set()
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        monkeypatch.setattr(poisontui.screens.sweep, "parse_ratios",
                            held(poisontui.screens.sweep.parse_ratios, grid_read))
        app.screen.query_one("#sweep-ratios", Input).value = "0:0.9:0.1"  # the grid is being checked...
        await pilot.pause()
        await pilot.press("1")
        assert app.current_mode == "dataset"
        grid_read.set()
        await settle(pilot)
        assert app.config.data == str(path)
    assert waited and all(waited)


async def test_a_preset_with_other_classes_replaces_the_drop_downs_of_the_last_one():
    app = build_app(build_parser().parse_args(["--preset", "diagnosis"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await visit(pilot, ("2", "4"))
        for name in ("stop-sign", "backdoor"):
            await open_from_palette(pilot, name)
            await visit(pilot, ("2", "4", "2"))
            assert not app.unexpected_errors, app.unexpected_errors[-1]
            assert app.config.to_dict() == Config.from_preset(name).to_dict()


async def test_a_screen_shown_again_computes_its_preview_only_when_its_settings_changed(tmp_path, monkeypatch):
    import poisontui.engine.runner

    asked = []
    preview = poisontui.engine.runner.preview
    monkeypatch.setattr(poisontui.engine.runner, "preview",
                        lambda what, config: (asked.append(what), preview(what, config))[1])
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i % 7},{'s' if i % 2 else 't'}\n" for i in range(40)))
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert asked == ["summary", "attack"]
        await pilot.press("1", "2", "3", "1", "2")
        await settle(pilot)
        assert asked == ["summary", "attack"]  # nothing changed: nothing computed again

        app.config.seed = 7  # the attack's preview depends on the seed, the data's summary does not
        app.config_changed()
        await pilot.press("1", "2")
        await settle(pilot)
        assert asked == ["summary", "attack", "attack"]

        # A file loaded again may hold other rows under the same settings: both are computed anew.
        app.set_data_source(data=str(path), label="y")
        await pilot.press("1")
        await settle(pilot)
        path.write_text("a,b,y\n" + "".join(f"{i},{i % 5},{'s' if i % 3 else 't'}\n" for i in range(60)))
        app.set_data_source(data=str(path), label="y")
        await pilot.press("2", "1")
        await settle(pilot)
        assert asked == ["summary", "attack", "attack", "summary", "attack", "summary"]
        assert "60 rows" in str(app.screen.query_one("#dataset-summary", Static).render())


async def test_a_preview_that_failed_is_tried_again_when_the_screen_is_shown_again(monkeypatch):
    import poisontui.engine.runner
    from poisontui.engine.errors import InputError

    preview = poisontui.engine.runner.preview
    failing = [True]

    def flaky(what, config):
        if what == "attack" and failing[0]:
            raise InputError("the preview could not be made")
        return preview(what, config)

    monkeypatch.setattr(poisontui.engine.runner, "preview", flaky)
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert "no preview" in text_of(app, "#preview-text")
        failing[0] = False
        await pilot.press("1", "2")
        await settle(pilot)
        assert "no preview" not in text_of(app, "#preview-text")
