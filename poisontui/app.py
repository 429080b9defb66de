"""The terminal app: six screens over one experiment config; runs and sweeps in a child process.

Start-up is kept light: nothing heavier than Textual is imported before the first screen is
painted. The engine (numpy, the registries, the config) loads right after it, and the other
screens are built, hidden, in the moments that follow, so that a first visit is as quick as a later one.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import json
import time
import traceback
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from poisontui.collector import QuietCollector
from poisontui.engine.errors import PoisonError
from poisontui.engine.presets import PRESETS
from poisontui.guard import ClosesOnce, Guarded
from poisontui.live import DELAY, Live
from poisontui.screens.base import PoisonScreen
from poisontui.screens.dataset import DatasetScreen
from poisontui.widgets.status import SCREENS

if TYPE_CHECKING:
    from poisontui.engine.experiment import Config, Result
    from poisontui.jobs import JobEnded, JobEvent


class Palette(ClosesOnce, Guarded, CommandPalette):
    """Textual's command palette, closed only once (enter and escape pressed together ended the app)."""


def _lazy_screen(module: str, name: str):
    """A screen factory that imports its module on first use, keeping start-up light."""

    def build() -> Screen:
        return getattr(importlib.import_module(f"poisontui.screens.{module}"), name)()

    return build


class PoisonApp(Guarded, App):
    """Pick data, configure an attack, toggle mitigations, run, and compare."""

    TITLE = "poisontui"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    # The first screen is the default mode's own screen, drawn at once without a switch of mode
    # (a switch re-parses every stylesheet); "dataset" joins MODES once the app is mounted.
    DEFAULT_MODE = "dataset"
    MODES = {
        "attack": _lazy_screen("attack", "AttackScreen"),
        "mitigations": _lazy_screen("mitigations", "MitigationsScreen"),
        "results": _lazy_screen("results", "ResultsScreen"),
        "sweep": _lazy_screen("sweep", "SweepScreen"),
        "security": _lazy_screen("security", "SecurityScreen"),
    }
    # Build the other screens, hidden, after the first paint (off only where a test wants fewer widgets).
    PREBUILD_SCREENS = True
    # Wide terminals give charts and forms room; very wide ones put the result panes side by side.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide"), (160, "-xwide")]
    # The screens' digits show in the navigation bar at the top, so the footer keeps room for actions.
    BINDINGS = [
        Binding("1", "switch_mode('dataset')", "Dataset", id="screen.dataset", show=False,
                tooltip="Dataset screen: data and presets"),
        Binding("2", "switch_mode('attack')", "Attack", id="screen.attack", show=False,
                tooltip="Attack screen: attack and model"),
        Binding("3", "switch_mode('mitigations')", "Mitigations", id="screen.mitigations", show=False,
                tooltip="Mitigations screen: toggle defences"),
        Binding("4", "switch_mode('results')", "Results", id="screen.results", show=False,
                tooltip="Results screen: comparison"),
        Binding("5", "switch_mode('sweep')", "Sweep", id="screen.sweep", show=False,
                tooltip="Sweep screen: poison ratios x seeds"),
        Binding("6", "switch_mode('security')", "Security", id="screen.security", show=False,
                tooltip="Security screen: plain and adapted attacks"),
        Binding("r", "run", "Run", id="run", tooltip="Run: train clean, poisoned, mitigated models (or F5)"),
        Binding("s", "sweep", "Sweep", show=False, id="sweep",
                tooltip="Start a sweep (grid and seeds: sweep screen)"),
        Binding("f5", "run", "Run", show=False, priority=True, id="run.f5"),
        # The status line says "escape cancels" during a run; the footer keeps still.
        Binding("escape", "cancel", "Cancel run", id="cancel", show=False,
                tooltip="Cancel the run or sweep in progress"),
        Binding("escape", "leave_field", "Leave field", id="leave-field",
                tooltip="Leave the text field, so single-letter keys work again"),
        Binding("l", "live(True)", "Live", id="live",
                tooltip="Live mode: a change of the ratio or a mitigation reruns by itself (runs under 1 s)"),
        Binding("l", "live(False)", "Stop live", id="live.stop", tooltip="Stop live mode: changes wait for r again"),
        Binding("p", "pin", "Pin", id="pin", tooltip="Pin the shown result; later runs compare with it"),
        Binding("e", "export", "Export", id="export",
                tooltip="Export: JSON, CSV, Markdown, or an SVG screenshot"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="help", tooltip="This list of keys (? or F1)"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit (a run in progress is cancelled)"),
    ]

    # Each screen's status line watches these and redraws itself; a repaint of the whole screen on
    # every change (Textual's default for an app's reactive) cost a full render ten times a second.
    status = reactive("ready", repaint=False)
    progress: reactive[tuple[float, int]] = reactive((0, 1), repaint=False)
    running = reactive(False, repaint=False)

    def __init__(self, config: Config | None = None, result: Result | None = None,
                 loaded: dict[str, Any] | None = None, preset: str = "article") -> None:
        """Open on `config`, or on `preset`'s config, built after the first paint."""
        super().__init__()
        self.loaded = loaded
        self._config = config
        self._preset = preset
        self.result = result
        self.result_coords = None
        self.mitigation_params: dict[str, dict[str, Any]] = {}
        self.exiting = False
        self.ready = False  # the engine and config are loaded, after the first paint
        self.job = None  # the run or sweep in progress (engine.runner.Job)
        self.start_method: str | None = None  # how its process starts; None: the usual (see engine.processes)
        # The run that reruns a loaded file, and the file, until that run ends (however it ends).
        self._rerun_of: tuple[Any, dict[str, Any]] | None = None
        self.unexpected_errors: list[str] = []
        self._run_started = 0.0
        self.live = Live(self)
        self._live_run = False  # the run in progress was started by live mode
        self.run_config: Config | None = None  # the settings of the last run started
        self._progress_label = self._progress_count = ""
        self._eta: tuple[float, float] | None = None  # seconds left, and when that was said
        self.pins: list[Result] = []
        self.sweep_settings: dict[str, Any] = {"ratios": "0:0.4:0.1", "seeds": 5, "jobs": 0, "backend": "local",
                                               "scheduler": None}
        self.sweep = None
        self.sweep_cells: list = []
        self._sweep_drawn = 0.0
        self._app_restyles = 0
        self._last_input = 0.0  # when the last key or mouse event came
        self._help = None
        self.collector = QuietCollector(lambda: time.monotonic() - self._last_input, lambda: self.running)
        self.data_loads = 0  # a file loaded again may hold new rows under the same settings

    @property
    def config(self) -> Config:
        """The settings every screen edits and a run uses (built on first use)."""
        if self._config is None:
            from poisontui.engine.experiment import Config

            self._config = Config.from_preset(self._preset)
            self._remember_mitigation_params()
        return self._config

    @config.setter
    def config(self, config: Config) -> None:
        self._config = config

    @property
    def config_built(self) -> bool:
        return self._config is not None

    def get_default_screen(self) -> Screen:
        return DatasetScreen()

    def on_mount(self) -> None:
        self._ticker = self.set_interval(0.5, self._show_running_status, pause=True)
        self.add_mode("dataset", DatasetScreen)  # switch_mode("dataset") returns to the first screen
        if self.result is not None:
            self.switch_mode("results")
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """Load the engine and the config, and fill in the screen drawn without them."""
        if self.exiting:
            return
        self._remember_mitigation_params()
        self.config_changed()
        if isinstance(self.screen, DatasetScreen):  # other screens sync as they are shown
            self.screen.sync()
        if self.loaded is not None:
            self._rerun_loaded()
        else:
            from poisontui.jobs import warm

            warm(self.start_method)
        self.ready = True
        self.set_timer(0.5, self._prebuild_next_screen)

    def _rerun_loaded(self) -> None:
        """A loaded file is rerun from its config; a sweep file restores its grid first."""
        sweep = self.loaded["sweep"]
        if sweep is not None:
            self.sweep_settings.update(ratios=",".join(f"{r:g}" for r in sweep.get("ratios", [])) or "0:0.4:0.1",
                                       seeds=sweep.get("seeds", 5), jobs=sweep.get("jobs", 0),
                                       backend=sweep.get("backend", "local"), scheduler=sweep.get("scheduler"))
            self.action_sweep()
        else:
            self.notify(f"Rerunning {self.loaded['path']} from its config...", markup=False)
            self.action_run()
            if self.job is not None:
                self._rerun_of = (self.job, self.loaded)
        self.loaded = None

    def _check_loaded(self, result: Result, loaded: dict[str, Any]) -> None:
        """Compare a rerun with the file it came from; when equal, show the file's own timings."""
        path, saved = loaded["path"], loaded["saved"]
        from poisontui.engine.compare import reproduces

        rows = saved.get("results") if isinstance(saved, dict) else None
        same = reproduces(rows, result.rows)
        if same is None:
            return
        if same:
            for row, old in zip(result.rows, rows):
                row["fit_seconds"] = old.get("fit_seconds", row["fit_seconds"])
            result.seconds = float(saved.get("seconds", result.seconds))
            self.notify(f"Loaded {path}: the rerun reproduced every number in it.", title="Loaded", markup=False)
        else:
            self.notify(f"Loaded {path}, but the rerun's numbers differ from the file's (another version of "
                        f"poisontui or scikit-learn?). Showing the rerun.", title="Loaded", severity="warning",
                        timeout=15, markup=False)

    # Screens, dialogs and errors

    def _prebuild_next_screen(self) -> None:
        """Build one screen not yet shown, hidden, then come back for the next one.

        A first visit composes, styles and lays out a screen, and makes Textual restyle every screen
        built before it: 0.3-1 s on 2 cores, against a few milliseconds for a later visit. The screen
        is entered and left within one batch of updates, so nothing of it is drawn.
        """
        if self.exiting or not self.PREBUILD_SCREENS:
            return
        missing = [mode for mode in self.MODES if not self._mode_started(mode)]
        if not missing:
            # What the screens hold lives as long as the app: keep it out of the collector's full
            # passes, which otherwise stop the event loop for 40-100 ms every few seconds; and make
            # the passes that remain in moments with no keys pressed.
            gc.freeze()
            self.collector.start()
            self.set_interval(1.0, self.collector.tick)
            return
        # A screen takes 0.2-0.6 s to build, and keys wait meanwhile: build in a quiet moment.
        quiet = time.monotonic() - self._last_input >= 1.0
        if not quiet or self.dialog_open or not isinstance(self.screen, PoisonScreen):
            self.set_timer(0.5, self._prebuild_next_screen)
            return
        mode, current = missing[0], self.current_mode
        with self.batch_update():
            App.switch_mode(self, mode)
            App.switch_mode(self, current)
        self._enter_once_mounted(mode, current)

    def _enter_once_mounted(self, mode: str, current: str) -> None:
        """Textual refreshes the whole app's styles on a screen's first entry once it is mounted;
        entering it once more, hidden, keeps that work off the user's first visit. (Polled rather
        than awaited: the app handles no key while one of its callbacks waits.)"""
        if self.exiting:
            return
        if self.main_screen(mode) is None:
            self.set_timer(0.05, partial(self._enter_once_mounted, mode, current))
            return
        if self.current_mode == current and not self.dialog_open:
            with self.batch_update():
                App.switch_mode(self, mode)
                App.switch_mode(self, current)
        self.set_timer(0.1, self._prebuild_next_screen)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _mode_started(self, mode: str) -> bool:
        try:
            return bool(self.get_screen_stack(mode))
        except KeyError:
            return False

    def main_screen(self, mode: str) -> Screen | None:
        """The main screen of `mode` once it is built, whatever dialog is on top of it.

        A screen still being built has nothing to update yet; it shows the app's state when it mounts.
        """
        try:
            stack = self.get_screen_stack(mode)
        except KeyError:
            return None
        return stack[0] if stack and stack[0].is_mounted else None

    def update_styles(self, node, animate: bool = True) -> None:
        if node is self:
            self._app_restyles += 1
        super().update_styles(node, animate)

    @property
    def style_state(self) -> tuple:
        """What every screen's styles depend on beyond the screen itself; a hidden screen whose
        state is unchanged needs no restyle when shown again."""
        return self._app_restyles, self.app_focus, self.theme, frozenset(self.classes)

    @property
    def dialog_open(self) -> bool:
        return isinstance(self.screen, ModalScreen)

    def switch_mode(self, mode: str):
        """Close any dialog first, so none is left behind on the screen we leave."""
        if mode != self.current_mode:
            while self.dialog_open and len(self.screen_stack) > 1:
                self.pop_screen()
        switched = super().switch_mode(mode)
        if not self.running:
            self.status = self._idle_status()  # the sweep screen's own idle line, or the others'
        return switched

    def report_unexpected(self, error: Exception) -> None:
        """A bug met while handling a key or an event: say so, and keep the app and its results."""
        text = "".join(traceback.format_exception(error))
        self.unexpected_errors = [*self.unexpected_errors[-19:], text]
        self.log.error(text)
        self.notify(f"{type(error).__name__}: {error}. The app keeps running; please report this with the "
                    f"steps that led to it.", title="Unexpected error", severity="error", timeout=20, markup=False)

    # State shared by the screens

    @property
    def stale(self) -> bool:
        """Results on show that no longer match the settings (the order of mitigations does not count)."""

        def settings(config: Config) -> dict[str, Any]:
            raw = config.to_dict()
            raw["mitigations"] = sorted(raw["mitigations"], key=lambda spec: json.dumps(spec, sort_keys=True))
            return raw

        return self.result is not None and settings(self.result.config) != settings(self.config)

    def config_changed(self) -> None:
        """Screens call this after changing `self.config`."""
        self._remember_mitigation_params()
        if not self.running:
            self.status = self._idle_status()
        self.live.changed()

    def _idle_status(self) -> str:
        if self.live.on and self.current_mode != "sweep":
            return self.live.status()
        return self._last_run_status()

    def _last_run_status(self) -> str:
        if self.current_mode == "sweep":
            if self.sweep is None:
                return "ready: s sweeps the grid and seeds set at the left"
            return f"{len(self.sweep_cells)} of {self.sweep.cell_count} cells of the last sweep shown; s sweeps again"
        if self.result is None:
            return "ready: r runs the comparison"
        if self.stale:
            return "[b]STALE[/]: settings changed since the results shown; r runs again"
        return f"results of the last run ({self.result.seconds:.1f} s); r runs again"

    def _remember_mitigation_params(self) -> None:
        for spec in self.config.mitigations:
            self.mitigation_params[spec["name"]] = dict(spec.get("params") or {})

    def set_mitigations(self, enabled: Iterable[str]) -> None:
        """Turn on exactly `enabled`: those already on keep their place, new ones join at the end."""
        from poisontui.engine.mitigations import MITIGATIONS

        on = set(enabled)
        names = [spec["name"] for spec in self.config.mitigations if spec["name"] in on]
        names += [name for name in MITIGATIONS if name in on and name not in names]
        self.config.mitigations = [{"name": name, "params": dict(self.mitigation_params.get(name, {}))}
                                   for name in names]
        self.config_changed()

    def set_data_source(self, *, dataset: dict | None = None, data: str | None = None,
                        label: str | None = None, ignore: list[str] | None = None) -> None:
        """Switch to a built-in dataset, a data file, or its label; class-naming settings are reset."""
        self.data_loads += 1
        if dataset is not None:
            self.config.dataset, self.config.data, self.config.label = dataset, None, None
        else:
            self.config.data, self.config.label = data, label
        self.config.features, self.config.ignore = None, ignore
        self.config.focus_class = None
        from poisontui.engine.attacks import ATTACKS

        attack = ATTACKS[self.config.attack["name"]]
        params = dict(self.config.attack.get("params") or {})
        for param in attack.params:
            if param.choices_from == "classes":
                params.pop(param.name, None)
        self.config.attack = {"name": self.config.attack["name"], "params": params}
        self.config.preset = None
        self.config_changed()

    def load_preset(self, name: str) -> None:
        from poisontui.engine.experiment import Config

        self.config = Config.from_preset(name)
        self.mitigation_params = {}
        self.config_changed()
        # The screen on show takes the preset now; the others when they are next shown.
        screen = self.main_screen(self.current_mode)
        if screen is not None:
            screen.sync()
        self.notify(f"Preset {name!r}: {PRESETS[name].summary}", title="Preset loaded")

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape cancels a run if there is one, else leaves a text field; the footer names the one it does.
        if action == "cancel":
            return self.running
        if action == "leave_field":
            return not self.running and isinstance(self.focused, Input)
        if action == "live":  # the footer offers to start live mode, or to stop it
            return parameters[0] != self.live.on
        return True

    def action_live(self, on: bool) -> None:
        if on == self.live.on:
            return
        self.live.toggle()
        self.refresh_bindings()
        if not self.running:
            self.status = self._idle_status()
        if not on:
            self.notify("Live mode off: changes wait for r again.")
            return
        reason = self.live.why_not()
        if reason is None:
            self.notify(f"Live mode: each change reruns {DELAY:g} s after the last one.")
        elif self.result is None and not self.running:
            self.notify("Live mode: running once, to time a run.")
            self.action_run()
        else:
            self.notify(f"Live mode is on, but waits: {reason}.", severity="warning")

    @property
    def sweeping(self) -> bool:
        return self.running and self.job is not None and self.job.kind == "sweep"

    def rerun(self) -> None:
        """Live mode's rerun: a run in progress ends first, and the results stay where they are shown."""
        job = self.job
        if self.running and job is not None and job.kind == "run":
            job.cancel()  # its process ends; what it still sends is ignored, as it is no longer the app's job
            self.job = None
            self._finish_run()
        self.action_run()
        self._live_run = self.running

    MAX_PINS = 4

    def action_pin(self) -> None:
        if self.result is None:
            self.notify("Nothing to pin yet: r runs the comparison first.", severity="warning")
            return
        if any(pin.rows is self.result.rows for pin in self.pins):
            self.notify("This result is already pinned.")
            return
        # A pin is compared by its figures: it keeps no decision regions.
        self.pins.append(dataclasses.replace(self.result, boundary=None))
        if len(self.pins) > self.MAX_PINS:
            self.pins.pop(0)
            self.notify(f"Only {self.MAX_PINS} pins are kept; the oldest was dropped.")
        self.notify(f"Pinned as pin {len(self.pins)}. Change a setting and press r to compare.")
        self._refresh("results")

    def clear_pins(self) -> None:
        self.pins = []
        self._refresh("results")
        self.notify("Pins cleared.")

    def _refresh(self, mode: str) -> None:
        """Bring the screen that shows results (or the sweep) up to date, even under a dialog."""
        screen = self.main_screen(mode)
        if screen is not None:
            screen.sync()

    def action_export(self) -> None:
        if self.dialog_open:
            return
        # The screenshot is of the screen, not of the notices over it: hide them for one frame.
        self.screen.query("#textual-toastrack").set(display=False)
        self.screen.refresh(layout=True)  # so the screen lays out again before the callback below
        self.call_after_refresh(self._open_export, self.screen)

    def _open_export(self, screen: Screen) -> None:
        from poisontui.screens.export import ExportScreen

        screenshot = self.export_screenshot()
        screen.query("#textual-toastrack").set(display=True)
        if self.screen is screen:
            self.push_screen(ExportScreen(self.export_choices(), screenshot))

    def export_choices(self) -> dict[str, Any]:
        """What an export from the current screen can write: the sweep on the sweep screen, else the result."""
        if self.current_mode == "sweep" and self.sweep is not None and self.sweep_cells:
            return {"kind": "sweep", "sweep": self.sweep, "cells": list(self.sweep_cells)}
        return {"kind": "result", "result": self.result}

    def action_help(self) -> None:
        from poisontui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        if self._help is None:
            # Made once and kept installed, so a later ? only refills its table: building the dialog
            # anew took about 100 ms of the event loop.
            self._help = HelpScreen()
            self.install_screen(self._help, name="help")
        self._help.show_for(self.screen)
        self.push_screen(self._help)

    RUN_SCREENS = ("dataset", "attack", "mitigations")

    def _take_fields(self, modes: Iterable[str], what: str) -> bool:
        """Take what the user typed in the screens' fields; refuse, naming and focusing a field with no valid value."""
        for mode in modes:
            screen = self.main_screen(mode)
            problem = screen.commit_fields() if isinstance(screen, PoisonScreen) else None
            if problem is not None:
                field, message = problem
                self.notify(f"{message}. Correct it, or escape to leave the field.", title=f"Cannot {what}",
                            severity="error", timeout=10, markup=False)
                self.switch_mode(mode)
                field.focus()
                return False
        return True

    def action_run(self) -> None:
        if self._busy():
            return
        if not self._take_fields(self.RUN_SCREENS, "run"):
            return
        from poisontui.engine.experiment import Config

        try:
            config = Config.from_dict(json.loads(json.dumps(self.config.to_dict())))
        except PoisonError as exc:
            self.notify(str(exc), title="Cannot run", severity="error", markup=False)
            return
        self._start("run", config.to_dict(), 4 + len(config.mitigations))
        self.run_config = config

    def _busy(self) -> bool:
        """Refuse new work while a run, a sweep or a security curve computes (one at a time on 2 cores)."""
        if self.running:
            what = self.job.kind if self.job is not None else "run"
            self.notify(f"A {what} is in progress; escape cancels it.", severity="warning")
            return True
        security = self.main_screen("security")
        if security is not None and security.computing:
            self.notify("A security curve is being computed; escape on screen 6 cancels it.", severity="warning")
            return True
        return False

    def action_sweep(self) -> None:
        from poisontui.engine.experiment import Config
        from poisontui.engine.sweep import SweepConfig, parse_ratios

        if self._busy():
            return
        if not self._take_fields((*self.RUN_SCREENS, "sweep"), "sweep"):
            return
        settings = self.sweep_settings
        try:
            experiment = Config.from_dict(json.loads(json.dumps(self.config.to_dict())))
            sweep = SweepConfig(experiment, parse_ratios(settings["ratios"]), seeds=settings["seeds"],
                                jobs=settings["jobs"], backend=settings["backend"], scheduler=settings["scheduler"])
            sweep.validate()
        except PoisonError as exc:
            self.notify(str(exc), title="Cannot sweep", severity="error", markup=False)
            return
        self.sweep, self.sweep_cells = sweep, []
        self._start("sweep", sweep.to_dict(), sweep.seeds + sweep.cell_count)
        self._refresh("sweep")
        self.switch_mode("sweep")

    # Runs and sweeps happen in a child process (engine/runner.py); its events arrive as messages.

    def _start(self, kind: str, raw: dict[str, Any], total: int) -> None:
        from poisontui.engine.runner import Job
        from poisontui.jobs import host

        self.job = Job(kind, raw, project=kind == "run", quiet=True, start_method=self.start_method)
        self.running = True
        self._live_run = False
        self._run_started = time.monotonic()
        self._progress_label, self._progress_count, self._eta = "starting", "", None
        self.progress = (0, total)
        self.status = "starting..."
        self.refresh_bindings()
        self._ticker.resume()
        host(self, self.job)

    def on_job_event(self, message: JobEvent) -> None:
        job = message.job
        if job is not self.job or job.cancelled or self.closing:
            return  # an event of a job since cancelled or replaced, or of the app's last moments
        kind, *rest = message.event
        if kind == "progress":
            self._show_progress(*rest)
        elif kind == "cell":
            self._add_cell(rest[0])
        elif kind == "result":
            self._show_result(*rest)
        elif kind == "done" and job.kind == "sweep":
            self._finish_run()
            self.notify(f"Sweep finished in {time.monotonic() - self._run_started:.1f} s.")
            self._show_cells()
        elif kind == "error":
            self._finish_run()
            self._show_error(job.kind, *rest)

    def on_job_ended(self, message: JobEnded) -> None:
        if message.job is not self.job or self.closing:
            return
        self.job = None
        if self.running:
            self._finish_run()
        if message.job.cancelled and not self.exiting:
            self.notify(f"Cancelled: the {message.job.kind}'s process has ended; the results shown are unchanged.")
            self._show_cells()

    def _show_progress(self, done: float, total: int, label: str, eta: float | None) -> None:
        self.progress = (done, total)
        self._progress_label, self._progress_count = label, f"{int(done)}/{total}"
        self._eta = None if eta is None else (eta, time.monotonic())
        self._show_running_status()

    def _show_running_status(self) -> None:
        """The status line while running: what, how far, how long so far, and the time left."""
        job = self.job
        if not self.running or job is None or job.cancelled:
            return
        from poisontui.engine.runner import eta_text, whole_estimate

        now = time.monotonic()
        parts = [self._progress_count, f"{now - self._run_started:.0f} s"]
        if self._eta is not None:
            eta, at = self._eta
            parts.append(eta_text(max(0.0, eta - (now - at)), whole_estimate(job.kind, job.config)))
        # The count and the times first: a narrow line cuts the step's detail at its end, not them.
        parts.append(self._progress_label)
        self.status = " · ".join(p for p in parts if p)

    def _show_result(self, result: Result, coords: Any) -> None:
        self.result, self.result_coords = result, coords
        rerun_of = self._rerun_of[1] if self._rerun_of and self._rerun_of[0] is self.job else None
        self.live.last_seconds = time.monotonic() - self._run_started
        live_run, self._live_run = self._live_run, False
        self._finish_run()
        if rerun_of is not None:
            self._check_loaded(self.result, rerun_of)
            self.status = self._idle_status()
        elif not live_run:
            self.notify(f"Run finished in {time.monotonic() - self._run_started:.1f} s.")
        self._refresh("results")
        attack = self.main_screen("attack")
        if attack is not None:
            attack.show_boundary()
        if live_run:
            return  # live mode keeps the screen being changed on show; the results wait on screen 4
        # A dialog the user opened meanwhile stays open; the results wait on their screen.
        if self.current_mode != "results":
            if self.dialog_open:
                self.notify("The results are on screen 4 (key 4).")
            else:
                self.switch_mode("results")

    def _show_error(self, kind: str, error: str, message: str) -> None:
        title = "Sweep failed" if kind == "sweep" else "Run failed"
        if error == "crash":
            message = f"{message}. The app is still usable; the results shown are unchanged."
        self.notify(message, title=title, severity="error", timeout=10, markup=False)

    def _add_cell(self, cell) -> None:
        self.sweep_cells.append(cell)
        # Redraw a few times a second at most; the last cell always redraws (on success).
        now = time.monotonic()
        if now - self._sweep_drawn > 0.25:
            self._sweep_drawn = now
            self._show_cells()

    def _show_cells(self) -> None:
        # A hidden sweep screen redraws when it is shown again (its sync), not with every cell.
        screen = self.main_screen("sweep")
        if screen is not None and screen.is_current:
            screen.show_cells()

    def action_leave_field(self) -> None:
        self.screen.set_focus(None)

    def action_cancel(self) -> None:
        """Cancel the run or sweep in progress."""
        if self.running and self.job is not None and not self.job.cancelled:
            # The child and its workers get SIGTERM now, SIGKILL in 0.5 s; JobEnded follows when they are gone.
            self.job.cancel()
            self.status = f"cancelling: ending the {self.job.kind}'s process..."

    def _finish_run(self) -> None:
        self.running = False
        self._rerun_of = None
        self._ticker.pause()
        self.status = self._idle_status()
        self.refresh_bindings()

    def on_worker_state_changed(self, event) -> None:
        # The screens' workers (previews, summaries, file checks) handle bad input themselves.
        from textual.worker import WorkerState

        from poisontui.engine.errors import Cancelled

        error = event.worker.error
        if event.state == WorkerState.ERROR and not isinstance(error, Cancelled):
            self.report_unexpected(error)

    def action_quit(self) -> None:
        self.exit()

    def on_unmount(self) -> None:
        self.collector.stop()  # however the app ends, Python's own trigger is back

    def exit(self, *args, **kwargs) -> None:
        self.exiting = True
        self.stop_job()
        super().exit(*args, **kwargs)

    @property
    def closing(self) -> bool:
        """The app is quitting, or has no screen left to update."""
        return self.exiting or not self.is_running or not self.screen_stack

    def stop_job(self) -> None:
        """End the run or sweep in progress, its process and workers, at once."""
        if self.job is not None:
            self.job.stop(grace=0)

    # Command palette

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(Palette(id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own "Keys" opens a panel of the focused widget's keys; ours lists the screen's.
        yield from (command for command in super().get_system_commands(screen) if command.title != "Keys")
        for mode, key, title in SCREENS:
            yield SystemCommand(f"Go to {title}", f"Show the {title.lower()} screen (key {key})",
                                partial(self.switch_mode, mode))
        yield SystemCommand("Run", "Train clean, poisoned and mitigated models and compare (key r)", self.action_run)
        yield SystemCommand("Sweep", "Sweep the ratio grid over several seeds (key s)", self.action_sweep)
        if self.running:
            yield SystemCommand("Cancel run", "Stop the run or sweep in progress (escape)", self.action_cancel)
        for name, preset in PRESETS.items():
            yield SystemCommand(f"Preset: {name}", preset.summary, partial(self.load_preset, name))
        yield SystemCommand("Pin result", "Pin the shown result to compare later runs with it (key p)",
                            self.action_pin)
        yield SystemCommand("Compare with pins", "Show pinned and current results side by side",
                            partial(self.switch_mode, "results"))
        yield SystemCommand("Clear pins", "Forget every pinned result", self.clear_pins)
        yield SystemCommand("Export", "Write the result as JSON, CSV or Markdown, or the screen as SVG (key e)",
                            self.action_export)
        yield SystemCommand("Keys", "List every key of this screen (? or F1)", self.action_help)
