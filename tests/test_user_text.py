"""Text from the user's files and paths is shown as text, never read as markup."""

import io

import pytest
from pilot import settle
from rich.console import Console
from textual.widgets import DataTable, Input, Select, Static

from poisontui.app import PoisonApp
from poisontui.cli import main
from poisontui.engine.experiment import Config
from poisontui.screens.results import confusion_table

STOP, YIELD = "[/]stop", "[b]yield"


@pytest.fixture
def markup_csv(tmp_path):
    path = tmp_path / "signs.csv"
    lines = ["width,height,sign"] + [f"{i % 7 + (i % 2) * 3},{i % 5},{STOP if i % 2 else YIELD}" for i in range(120)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_table_shows_class_names_as_written(markup_csv, capsys):
    code = main(["run", "--data", str(markup_csv), "--attack", f"targeted-flip:source={STOP},target={YIELD}",
                 "--mitigation", "knn-sanitize"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"source={STOP}, target={YIELD}" in out and STOP in out


def text_of(app, selector):
    return str(app.screen.query_one(selector, Static).render())


async def test_the_app_shows_class_names_as_written(markup_csv):
    config = Config.from_dict({"data": str(markup_csv), "attack": {"name": "targeted-flip",
                                                                     "params": {"source": STOP, "target": YIELD}}})
    app = PoisonApp(config)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert f"{STOP} (60), {YIELD} (60)" in text_of(app, "#dataset-summary")
        await pilot.press("2")
        await settle(pilot)
        await settle(pilot)
        sources = [str(s.selection) for s in app.screen.query("#attack-form Select").results(Select)]
        assert sources == [STOP, YIELD]
        assert STOP in text_of(app, "#preview-text")
        await pilot.press("r")
        await settle(pilot)
        assert app.current_mode == "results" and not app.unexpected_errors
        assert f"source={STOP}" in text_of(app, "#results-headline")
        table = app.screen.query_one("#results-table", DataTable)
        assert any(STOP in str(column.label) for column in table.columns.values())
        console = Console(width=60, record=True, file=io.StringIO())
        console.print(confusion_table(app.result, "clean"))
        assert STOP in console.export_text()


async def test_a_path_with_brackets_gets_its_answer_as_written(tmp_path):
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#csv-path", Input)
        field.value = str(tmp_path / "[/]odd [b]name.csv")
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        error = app.screen.query_one("#csv-error", Static)
        assert "[/]odd [b]name.csv: no such file" in str(error.render())
        assert not app.unexpected_errors
