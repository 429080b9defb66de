"""Rough edges a user meets in the first minutes: scrolling, lists, exports, help, footers, fields."""

import os
import re
import stat

import pytest
from pilot import hold_jobs, settle
from textual.geometry import Region
from textual.widgets import Input, OptionList, Static

from poisontui.app import PoisonApp
from poisontui.cli import build_app, build_parser, main
from poisontui.engine.experiment import Config
from poisontui.engine.models import MODELS
from poisontui.engine.presets import PRESETS
from poisontui.files import write_atomic
from poisontui.screens.export import ExportScreen
from poisontui.screens.help import HelpScreen
from poisontui.widgets.params import NumberInput, ParamForm, step_value


def small_config(**changes):
    raw = {"dataset": {"name": "synthetic", "params": {"n_samples": 200, "n_features": 4}},
           "mitigations": [{"name": "zscore-filter"}, {"name": "knn-sanitize"}]}
    raw.update(changes)
    return Config.from_dict(raw)


async def test_a_new_result_is_shown_from_its_top():
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        body = app.screen.query_one("#results-body")
        body.scroll_end(animate=False)
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("r")
        await settle(pilot)
        assert body.scroll_y == 0


@pytest.mark.parametrize("how", ["flag", "load"])
async def test_the_dataset_list_shows_the_loaded_preset(how, tmp_path):
    if how == "flag":
        args = ["--preset", "diagnosis"]
    else:
        path = tmp_path / "saved.json"
        path.write_text('{"config": %s}' % __import__("json").dumps(Config.from_preset("diagnosis").to_dict()))
        args = ["--load", str(path)]
    app = build_app(build_parser().parse_args(args))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        options = app.screen.query_one("#dataset-list", OptionList)
        assert options.get_option_at_index(options.highlighted).id == "preset:diagnosis"
        assert str(app.screen.query_one("#dataset-hint", Static).render()) == PRESETS["diagnosis"].summary


async def test_an_svg_export_is_of_the_screen_without_the_notices(tmp_path):
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.notify("zqxjnotice")
        await pilot.pause(0.3)
        assert "zqxjnotice" in app.export_screenshot()  # on screen
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert "zqxjnotice" not in app.screen.screenshot
        assert "Dataset" in app.screen.screenshot


def test_written_files_follow_the_umask_and_keep_an_existing_mode(tmp_path):
    old = os.umask(0o022)
    try:
        fresh = write_atomic(tmp_path / "new.md", "text")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "kept.md"
        kept.write_text("old")
        kept.chmod(0o600)
        write_atomic(kept, "new")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def rendered(widget) -> str:
    """The text a widget shows, as drawn at its size, whitespace folded."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return " ".join(" ".join(strip.text for strip in lines).split())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_help_descriptions_wrap_rather_than_being_cut(size):
    app = PoisonApp()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("4", "f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#help-keys", Static)
        text = rendered(keys)
        for _, does in app.screen.rows:
            assert " ".join(does.split()) in text
        assert "choose the variant whose confusion matrix" in text  # the results screen's up/down


async def test_the_palette_offers_keys_once_and_cancel_only_during_a_run():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles.count("Keys") == 1 and "Cancel run" not in titles
        app.running = True
        assert "Cancel run" in [c.title for c in app.get_system_commands(app.screen)]
        app.running = False


async def test_the_sweep_screen_offers_s_and_says_so():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        footer_keys = {key for key, active in app.screen.active_bindings.items() if active.binding.show}
        assert "s" in footer_keys
        assert "s sweeps" in app.status and "r runs" not in app.status
        await pilot.press("1")
        assert "r runs" in app.status


async def test_s_in_the_sweep_grid_sweeps_what_was_typed(monkeypatch):
    started = []
    monkeypatch.setattr(PoisonApp, "_start", lambda app, kind, raw, total: started.append(raw))
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        field = app.screen.query_one("#sweep-ratios", Input)
        field.value = "0,0.2"
        field.focus()
        await pilot.pause()
        await pilot.press("end", "comma", "0", "full_stop", "4", "s")
        await settle(pilot)
        assert field.value == "0,0.2,0.4"  # s left the field rather than being typed
        assert [raw["ratios"] for raw in started] == [[0.0, 0.2, 0.4]]


def test_markdown_states_the_best_mitigation_and_txt_keeps_sentences_whole(tmp_path, capsys):
    md, txt = tmp_path / "r.md", tmp_path / "r.txt"
    assert main(["run", "--preset", "diagnosis", "--out", str(md)]) == 0
    assert main(["run", "--preset", "diagnosis", "--out", str(txt)]) == 0
    markdown = md.read_text()
    assert "\n\nbest: label-issues" in markdown and "- best" not in markdown  # a sentence, not a bullet
    lines = txt.read_text().splitlines()
    assert all(line == line.rstrip() for line in lines)
    assert any(line.startswith("* best mitigation.") and line.endswith("truly poisoned ones.") for line in lines)


async def test_number_fields_edit_like_text_and_step_by_the_range():
    config = small_config()
    app = PoisonApp(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        c_field = app.screen.query_one("#model-form NumberInput", NumberInput)
        c_field.focus()
        await pilot.press("end", "left")
        assert c_field.value == "1" and c_field.cursor_position == 0  # left moves the cursor
        await pilot.press("plus")
        assert c_field.value == "2" and app.config.model["params"]["C"] == 2.0
        await pilot.press("plus", "plus")
        assert app.config.model["params"]["C"] == 10.0
        await pilot.press("minus", "minus", "minus", "minus")
        assert app.config.model["params"]["C"] == 0.5


def test_steps_over_wide_positive_ranges_go_1_2_5():
    c = MODELS["logreg"].param("C")
    value, seen = 1.0, []
    for _ in range(4):
        value = step_value(c, value, -1)
        seen.append(value)
    assert seen == [0.5, 0.2, 0.1, 0.05]
    assert step_value(c, 10000.0, 1) == 10000.0 and step_value(c, 0.3, 1) == 0.5
    ratio = next(p for p in Config.from_preset("article").components()[2].params if p.name == "ratio")
    assert step_value(ratio, 0.1, 1) == 0.15  # narrow ranges keep their declared step


async def test_form_fields_show_whole_values_at_80_columns():
    app = PoisonApp(Config.from_dict({"dataset": {"name": "synthetic", "params": {"n_samples": 150000}}}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = app.screen.query_one("#dataset-form", ParamForm)
        for field in form.query(NumberInput):
            assert field.content_region.width >= len(field.value) + 1
        assert form.query_one(NumberInput).value == "150000"


async def test_the_footer_names_what_escape_does_and_screens_as_the_nav_bar_does():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        descriptions = {active.binding.description for active in app.screen.active_bindings.values()}
        assert {"Dataset", "Mitigations"} <= descriptions and not {"Data", "Defend"} & descriptions
        app.screen.query_one("#csv-path", Input).focus()
        await pilot.pause()
        assert app.screen.active_bindings["escape"].binding.description == "Leave field"
        nav = re.sub(r"\s+", " ", str(app.screen.query_one("NavBar").render()))
        assert "1 Dataset" in nav and "3 Mitigations" in nav


@pytest.mark.parametrize("size, bar", [((80, 24), False), ((140, 40), True)])
async def test_the_status_line_keeps_its_words_at_80_columns(size, bar, monkeypatch):
    from textual.widgets import ProgressBar

    release = hold_jobs(monkeypatch)
    app = PoisonApp(small_config())
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        app.status = "mitigating: knn-sanitize: kNN search 4608/42000 (5/16) · 6 s · about 46 s left in this step"
        await pilot.pause()
        assert app.running
        shown = app.screen.query_one(ProgressBar)
        assert shown.display == bar
        words = app.screen.query_one("#status-text", Static)
        assert words.size.width >= 80 - 2 if not bar else words.size.width >= 140 - 32
        release.set()
        await settle(pilot)


async def test_the_status_line_puts_the_count_and_times_before_the_steps_detail(monkeypatch):
    release = hold_jobs(monkeypatch)
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        app._show_progress(3.4, 12, "mitigating: knn-sanitize: kNN search 4608/42000", 46.0)
        parts = app.status.split(" · ")
        assert parts[0] == "3/12" and re.fullmatch(r"\d+ s", parts[1])
        assert parts[2].startswith("about 46 s left") and parts[3] == "mitigating: knn-sanitize: kNN search 4608/42000"
        release.set()
        await settle(pilot)


async def test_help_opens_at_its_top_however_far_it_was_scrolled():
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark", "end")
        scroller = app.screen.query_one("VerticalScroll")
        await pilot.pause()
        assert scroller.scroll_y > 0
        await pilot.press("escape", "4", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and scroller.scroll_y == 0


async def test_new_work_refused_during_a_sweep_names_the_sweep(monkeypatch):
    release = hold_jobs(monkeypatch)
    app = PoisonApp(small_config())
    app.sweep_settings.update(ratios="0,0.2", seeds=2, jobs=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert app.running
        await pilot.press("r")
        await pilot.pause()
        assert [n.message for n in app._notifications][-1] == "A sweep is in progress; escape cancels it."
        await pilot.press("6", "c")
        await pilot.pause()
        assert [n.message for n in app._notifications][-1] == "A sweep is in progress; escape cancels it."
        release.set()
        await settle(pilot)
