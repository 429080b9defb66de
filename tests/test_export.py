"""Pins, comparison, export and loading: results that outlive the screen."""

import errno
import json

import pytest
from pilot import frozen_result, settle
from textual.widgets import DataTable, Input, Static

import poisontui.files
from poisontui.app import PoisonApp
from poisontui.cli import main
from poisontui.engine.experiment import Config, run_experiment
from poisontui.files import write_atomic
from poisontui.screens.export import ExportScreen
from poisontui.widgets.params import Toggle


def without_times(payload):
    rows = [{k: v for k, v in r.items() if k != "fit_seconds"} for r in payload["results"]]
    return {**{k: v for k, v in payload.items() if k not in ("results", "seconds")}, "results": rows}


def test_write_atomic_leaves_nothing_behind_when_the_disk_is_full(tmp_path, monkeypatch):
    target = tmp_path / "out.json"

    class FullDisk:
        def __init__(self, fd, *args, **kwargs):
            self.fd = fd

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            import os
            os.close(self.fd)

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(poisontui.files.os, "fdopen", FullDisk)
    with pytest.raises(OSError):
        write_atomic(target, "data")
    assert list(tmp_path.iterdir()) == []


# A writer that stops just before its rename and waits there to be killed.
STOPPED_WRITER = """
import os, sys, time
import poisontui.files as files
def hang(*args):
    print("ready", flush=True)
    time.sleep(600)
files.os.replace = hang
files.write_atomic(sys.argv[1], "new content " * 1000)
"""


def test_kill_9_mid_write_leaves_a_temporary_the_next_write_removes(tmp_path):
    import signal
    import subprocess
    import sys

    target = tmp_path / "out.json"
    target.write_text("old")
    writer = subprocess.Popen([sys.executable, "-c", STOPPED_WRITER, str(target)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout.readline() == "ready\n"
        temporaries = list(tmp_path.glob(f".out.json.{writer.pid}.*.tmp"))
        assert len(temporaries) == 1
        # A live writer's temporary is never touched.
        write_atomic(target, "second")
        assert temporaries[0].exists()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert target.read_text() == "second" and temporaries[0].exists()
    other = tmp_path / f".other.json.{writer.pid}.abcd1234.tmp"
    other.write_text("another file's")
    write_atomic(target, "third")
    assert target.read_text() == "third"
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "out.json"]


def test_write_atomic_keeps_the_replaced_files_permissions(tmp_path):
    import os

    target = tmp_path / "shared.md"
    write_atomic(target, "one")
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()
    target.chmod(0o640)
    write_atomic(target, "two")
    assert target.stat().st_mode & 0o777 == 0o640 and os.listdir(tmp_path) == ["shared.md"]


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_cli_reports_an_unwritable_path_and_writes_nothing(capsys, tmp_path, monkeypatch):
    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(poisontui.files.os, "replace", refuse)
    code = main(["run", "--out", str(tmp_path / "r.json")])
    assert code == 2 and "cannot write (Permission denied)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_json_export_reruns_to_identical_numbers(capsys, tmp_path):
    out = tmp_path / "result.json"
    assert main(["run", "--preset", "backdoor", "--mitigation", "bagging", "--out", str(out)]) == 0
    assert main(["run", "--config", str(out), "--format", "json"]) == 0
    assert without_times(json.loads(capsys.readouterr().out)) == without_times(json.loads(out.read_text()))


async def test_pin_then_change_then_compare():
    app = PoisonApp(Config.from_dict({"mitigations": [{"name": "knn-sanitize"}]}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("p")
        assert len(app.pins) == 1
        app.set_mitigations(["isolation-forest"])
        await pilot.press("r")
        await settle(pilot)
        labels = str(app.screen.query_one("#compare-labels", Static).render())
        assert "mitigations -knn-sanitize +isolation-forest" in labels
        table = app.screen.query_one("#compare-table", DataTable)
        rows = {str(table.get_row_at(i)[0]): table.get_row_at(i) for i in range(table.row_count)}
        assert set(rows) == {"clean", "poisoned", "isolation-forest", "knn-sanitize"}
        knn = rows["knn-sanitize"]
        assert knn[1] == f"{app.pins[0].row('knn-sanitize')['accuracy']:.3f}" and knn[4] == "-"
        await pilot.press("p")
        assert len(app.pins) == 2


async def test_export_dialog_writes_each_format_and_refuses_to_overwrite(tmp_path):
    app = PoisonApp(Config.from_preset("diagnosis"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        for name in ("r.json", "r.csv", "r.md", "screen.svg"):
            await pilot.press("e")
            assert isinstance(app.screen, ExportScreen)
            app.screen.query_one("#export-path", Input).value = str(tmp_path / name)
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, ExportScreen)
        assert json.loads((tmp_path / "r.json").read_text())["results"][0]["name"] == "clean"
        assert (tmp_path / "r.csv").read_text().startswith("name,family,accuracy")
        report = (tmp_path / "r.md").read_text()
        assert "| label-issues *" in report and "## Accuracy per variant" in report and "#####" in report
        assert (tmp_path / "screen.svg").read_text().lstrip().startswith("<svg")

        (tmp_path / "r.json").write_text("keep")
        await pilot.press("e")
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "r.json")
        await pilot.press("enter")
        await pilot.pause()
        assert "exists; tick 'overwrite'" in str(app.screen.query_one("#export-message", Static).render())
        assert (tmp_path / "r.json").read_text() == "keep"
        app.screen.query_one("#export-overwrite", Toggle).value = True
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert json.loads((tmp_path / "r.json").read_text())["poisoned_count"] == 59

        await pilot.press("e")
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "missing" / "r.json")
        await pilot.press("enter")
        await pilot.pause()
        assert "No such folder" in str(app.screen.query_one("#export-message", Static).render())
        await pilot.press("escape")
        assert not (tmp_path / "missing").exists()


async def test_served_export_is_a_download_whatever_path_is_typed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(PoisonApp, "is_web", property(lambda self: True))
    sent = []
    monkeypatch.setattr(PoisonApp, "deliver_text",
                        lambda self, file, **options: sent.append((file.read(), options)))
    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert not app.screen.query(Toggle)  # nothing on the server's disk to overwrite
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "sub" / "my screen;1.SVG")
        await pilot.press("enter")
        await pilot.pause()
    text, options = sent[0]
    assert text.lstrip().startswith("<svg") and options["save_filename"] == "my-screen-1.svg"
    assert options["open_method"] == "download" and options["mime_type"] == "image/svg+xml"
    assert list(tmp_path.iterdir()) == []


async def test_export_from_the_sweep_screen_writes_the_sweep(tmp_path):
    app = PoisonApp(Config())  # no mitigation: clean and poisoned per cell
    app.sweep_settings.update(ratios="0.1,0.2", seeds=1, jobs=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("e")
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "sweep.csv")
        await pilot.press("enter")
        await pilot.pause()
        lines = (tmp_path / "sweep.csv").read_text().splitlines()
        assert lines[0].startswith("ratio,seed") and len(lines) == 1 + 2 * 2


async def test_load_reruns_and_shows_the_files_numbers(tmp_path):
    out = tmp_path / "result.json"
    saved = run_experiment(Config.from_preset("stop-sign")).to_dict()
    out.write_text(json.dumps(saved))
    app = PoisonApp(Config.from_dict(saved["config"]), loaded={"path": str(out), "saved": saved, "sweep": None})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert app.current_mode == "results"
        assert [r["fit_seconds"] for r in app.result.rows] == [r["fit_seconds"] for r in saved["results"]]
        assert any("reproduced every number" in n.message for n in app._notifications)


def test_load_refuses_a_bad_file(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["--load", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


async def test_load_shows_the_same_results_screen_as_the_run_it_came_from():
    result = frozen_result(Config.from_preset("diagnosis"))
    saved = json.loads(json.dumps(result.to_dict()))

    async def screenshot(app):
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await settle(pilot)
            app.clear_notifications()
            await pilot.pause()
            return app.export_screenshot()

    original = await screenshot(PoisonApp(result.config, result))
    loaded = await screenshot(PoisonApp(Config.from_dict(saved["config"]),
                                        loaded={"path": "r.json", "saved": saved, "sweep": None}))
    assert loaded == original
