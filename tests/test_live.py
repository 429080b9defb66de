"""Live mode: changes rerun by themselves while runs are quick, and say why they do not otherwise."""

import time

import pytest
from pilot import settle, until
from textual.widgets import Checkbox

import poisontui.live
from poisontui.app import PoisonApp
from poisontui.engine.experiment import Config
from poisontui.engine.mitigations import MITIGATIONS


def small_config():
    return Config.from_dict({
        "dataset": {"name": "moons", "params": {"n_samples": 200}},
        "attack": {"name": "label-flip", "params": {"ratio": 0.2}},
        "mitigations": [{"name": "knn-sanitize", "params": {}}],
    })


def count_runs(app):
    """The runs the app starts (their kind), recorded as they start."""
    started = []
    original = app._start

    def start(kind, *args, **kwargs):
        started.append(kind)
        return original(kind, *args, **kwargs)

    app._start = start
    return started


async def run_once(pilot):
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)


@pytest.fixture
def quick(monkeypatch):
    """Every run counts as quick, whatever the machine's load."""
    monkeypatch.setattr(poisontui.live, "QUICK", 1e9)


def footer_keys(app):
    return {binding.description for _, binding, enabled, _ in app.screen.active_bindings.values()
            if enabled and binding.show}


async def test_a_toggled_mitigation_reruns_and_the_screen_stays(quick):
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await run_once(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert "Live" in footer_keys(app)
        await pilot.press("l")
        assert app.live.on and "Stop live" in footer_keys(app) and "Live" not in footer_keys(app)
        assert "LIVE" in app.status and "clean" in app.status
        started = count_runs(app)
        app.screen.query_one("#toggle-isolation-forest", Checkbox).focus()
        await pilot.press("space")
        assert app.stale and "reruns 0.4 s after the last change" in app.status
        assert await until(pilot, lambda: started and not app.running and not app.stale)
        await settle(pilot)
        assert started == ["run"] and app.current_mode == "mitigations"
        assert [row["name"] for row in app.result.rows][2:] == ["knn-sanitize", "isolation-forest"]
        assert "LIVE" in app.status and "poisoned" in app.status
        await pilot.press("l")
        assert not app.live.on and "LIVE" not in app.status and "Live" in footer_keys(app)


async def test_changes_in_a_burst_make_one_run(quick):
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await run_once(pilot)
        await pilot.press("l")
        started = count_runs(app)
        for names in (["knn-sanitize", "lof"], ["lof"], ["lof", "zscore-filter"]):
            app.set_mitigations(names)
        assert await until(pilot, lambda: started and not app.running and not app.stale)
        await settle(pilot)
        assert started == ["run"]
        assert [row["name"] for row in app.result.rows][2:] == ["lof", "zscore-filter"]


async def test_a_changed_ratio_reruns_and_the_attack_preview_shows_the_new_boundary(quick):
    app = PoisonApp(small_config())
    async with app.run_test(size=(120, 40)) as pilot:
        await run_once(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("l")
        first = app.result
        started = count_runs(app)
        app.screen.query_one("#attack-form NumberInput").focus()
        await pilot.press("end", "backspace", "backspace", "backspace", *"0.4", "tab")
        assert await until(pilot, lambda: started and not app.running and app.result is not first)
        await settle(pilot)
        assert app.current_mode == "attack" and app.result.config.attack["params"]["ratio"] == 0.4
        view = app.screen.query_one("#preview-boundary")
        assert view.display and view.scene.boundary is app.result.boundary


async def test_live_mode_says_why_it_waits_when_runs_are_slow(monkeypatch):
    monkeypatch.setattr(poisontui.live, "QUICK", 0.0)  # every run counts as slow
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await run_once(pilot)
        await pilot.press("l")
        assert app.live.on and "LIVE[/] waits: the last run took" in app.status
        assert any("waits" in n.message for n in app._notifications)
        started = count_runs(app)
        app.set_mitigations(["lof"])
        await pilot.pause(poisontui.live.DELAY + 0.3)
        await settle(pilot)
        assert started == [] and app.stale and "waits: the last run took" in app.status


async def test_live_mode_without_a_run_runs_once_to_time_it(quick):
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        started = count_runs(app)
        await pilot.press("l")
        await settle(pilot)
        assert started == ["run"] and app.result is not None and app.current_mode == "results"
        assert app.live.why_not() is None


async def test_other_data_waits_for_r(quick):
    app = PoisonApp(small_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await run_once(pilot)
        await pilot.press("l")
        started = count_runs(app)
        app.set_data_source(dataset={"name": "circles", "params": {}})
        await pilot.pause(poisontui.live.DELAY + 0.3)
        await settle(pilot)
        assert started == [] and "the data changed" in app.status


async def test_a_change_during_a_run_ends_that_run(quick, monkeypatch):
    original = MITIGATIONS["lof"].mitigate

    def stuck(self, *args, **kwargs):
        time.sleep(600)  # in the run's process: only ending that process stops it
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MITIGATIONS["lof"], "mitigate", stuck)
    app = PoisonApp(small_config())
    app.start_method = "fork"  # a forked child has the stuck mitigation
    async with app.run_test(size=(80, 24)) as pilot:
        await run_once(pilot)
        await pilot.press("l")
        started = count_runs(app)
        app.set_mitigations(["knn-sanitize", "lof"])
        assert await until(pilot, lambda: started and app.running)
        stuck_job = app.job
        app.set_mitigations(["knn-sanitize", "zscore-filter"])
        assert await until(pilot, lambda: stuck_job.ended)
        assert stuck_job.cancelled and started == ["run", "run"]
        assert await until(pilot, lambda: not app.running and not app.stale)
        await settle(pilot)
        assert [row["name"] for row in app.result.rows][2:] == ["knn-sanitize", "zscore-filter"]
        assert not any("Cancelled" in n.message for n in app._notifications)
