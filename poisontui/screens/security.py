"""Security screen: a defence's accuracy against the poison ratio, under the plain attack and the adapted one."""

from __future__ import annotations

import json
import time
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from poisontui.engine.errors import Cancelled, InputError, PoisonError
from poisontui.engine.security import SECURITY_PARAMS
from poisontui.engine.sweep import parse_ratios
from poisontui.report import MARKERS
from poisontui.screens.base import PoisonScreen
from poisontui.widgets.charts import LineChart
from poisontui.widgets.params import ParamForm

# Progress reaches the screen a few times a second at most.
PROGRESS_EVERY = 0.2


class SecurityScreen(PoisonScreen):
    MODE = "security"
    BINDINGS = [
        Binding("c", "curve", "Curve", id="security.curve",
                tooltip="Compute the security curve of the chosen defence"),
        Binding("escape", "stop", "Cancel", id="security.cancel",
                tooltip="Cancel the curve (in a text field: leave the field)"),
    ]
    DEFAULT_CSS = """
    SecurityScreen #security-progress { display: none; }
    SecurityScreen.-computing #security-progress { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.settings: dict[str, Any] = {p.name: p.default for p in SECURITY_PARAMS}
        self.settings["seeds"] = 3
        self.ratios = "0:0.1:0.02"
        self.curve: dict[str, Any] | None = None
        self._worker: Worker | None = None
        self._shown = 0.0

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="body"):
            with VerticalScroll(classes="side", id="security-side"):
                yield Label("Security curve", classes="section")
                yield Label("Poison ratios", classes="section")
                yield Input(self.ratios, id="security-ratios", compact=True, placeholder="0,0.05,0.1 or 0:0.1:0.02")
                yield Static("", id="security-ratios-error", classes="error")
                yield ParamForm(SECURITY_PARAMS, self.settings, name="security", id="security-form")
                yield Static(
                    "c computes the defence's accuracy over the ratios, under the attack that ignores it and "
                    "the attack adapted to it, on the data and model of screens 1-2; escape cancels.",
                    classes="hint",
                )
            with VerticalScroll(classes="main"):
                yield Static("No curve yet: press c.", id="security-headline")
                yield ProgressBar(total=1, show_eta=False, id="security-progress")
                yield LineChart(id="security-chart")
                yield DataTable(id="security-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#security-table", DataTable).focus()
        self.show_curve()

    @property
    def computing(self) -> bool:
        return self._worker is not None and self._worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "security-ratios":
            return
        error = self.query_one("#security-ratios-error", Static)
        try:
            parse_ratios(event.value)
        except InputError as exc:
            error.update(Text(str(exc)))
            event.input.add_class("-invalid")
            return
        error.update("")
        event.input.remove_class("-invalid")
        self.ratios = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "security-ratios":
            self.action_curve()

    def on_param_form_changed(self, event: ParamForm.Changed) -> None:
        self.settings[event.name] = event.value

    def action_curve(self) -> None:
        if self.computing or self.poison_app.running:
            self.notify("Work is in progress; escape cancels it.", severity="warning")
            return
        from poisontui.engine.experiment import Config
        from poisontui.engine.security import security_sweeps

        try:
            config = Config.from_dict(json.loads(json.dumps(self.poison_app.config.to_dict())))
            ratios = parse_ratios(self.ratios)
            defence = {"name": self.settings["defence"], "params": {}}
            security_sweeps(config, defence, ratios, self.settings["seeds"], self.settings["jobs"])
        except PoisonError as exc:
            self.notify(str(exc), title="Cannot compute the curve", severity="error", markup=False)
            return
        self.set_class(True, "-computing")
        self.query_one("#security-progress", ProgressBar).update(total=1, progress=0)
        self.query_one("#security-headline", Static).update(
            Text(f"computing the security curve of {defence['name']}...; escape cancels"))
        self._worker = self.compute(config, defence, ratios, self.settings["seeds"], self.settings["jobs"])

    @work(thread=True, exclusive=True, exit_on_error=False, group="security")
    def compute(self, config, defence: dict[str, Any], ratios: list[float], seeds: int, jobs: int) -> dict[str, Any]:
        from poisontui.engine.security import security_curve

        worker = get_current_worker()

        def progress(done: int, total: int, label: str) -> None:
            now = time.monotonic()
            if not worker.is_cancelled and (now - self._shown > PROGRESS_EVERY or done >= total):
                self._shown = now
                self.app.call_from_thread(self.show_progress, done, total, label)

        return security_curve(config, defence, ratios, seeds, jobs, progress=progress, is_cancelled=lambda: worker.is_cancelled)

    def show_progress(self, done: int, total: int, label: str) -> None:
        if self.computing:
            self.query_one("#security-progress", ProgressBar).update(total=max(total, 1), progress=done)
            self.query_one("#security-headline", Static).update(Text(f"{label} ({done}/{total}); escape cancels"))

    def action_stop(self) -> None:
        """Cancel the curve; else leave a text field, or pass escape on to the app (a run to cancel)."""
        if self.computing:
            self._worker.cancel()
            self._done()
            self.query_one("#security-headline", Static).update(
                Text("Cancelled; press c to compute again." if self.curve is None else
                     "Cancelled; the curve shown is the last one computed."))
            self.notify("Curve cancelled.")
        elif isinstance(self.focused, Input):
            self.set_focus(None)
        else:
            self.poison_app.action_cancel()

    def _done(self) -> None:
        self._worker = None
        self.set_class(False, "-computing")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker:
            return
        if event.state == WorkerState.SUCCESS:
            self.curve = event.worker.result
            self._done()
            self.show_curve()
        elif event.state == WorkerState.ERROR:
            self._done()
            error = event.worker.error
            self.show_curve()
            if isinstance(error, Cancelled):
                return
            message = str(error) if isinstance(error, PoisonError) else f"{type(error).__name__}: {error}"
            self.notify(message, title="Curve failed", severity="error", timeout=10, markup=False)

    def show_curve(self) -> None:
        chart = self.query_one("#security-chart", LineChart)
        table = self.query_one("#security-table", DataTable)
        table.clear(columns=True)
        curve = self.curve
        if curve is None:
            chart.blank("accuracy behind the defence against poison ratio (none yet)")
            return
        from poisontui.report_security import HEADERS, rows, title

        self.query_one("#security-headline", Static).update(Text(title(curve)))
        lines = []
        for role in ("plain", "adapted"):
            points = [p for p in curve["points"] if p["attack"] == role]
            lines.append((f"{role}: {curve[role]}", [p["ratio"] for p in points],
                          [p["accuracy_mean"] for p in points], [p["accuracy_std"] for p in points]))
        values = [p["accuracy_mean"] + sign * p["accuracy_std"] for p in curve["points"] for sign in (-1, 1)]
        pad = max(0.01, (max(values) - min(values)) * 0.1)
        # The line chart gives its lines the markers in order; the title says which is which.
        key = ", ".join(f"{MARKERS[i]} {role}" for i, role in enumerate(("plain", "adapted")))
        chart.draw(f"{curve['defence']['name']}: {key}", lines, "poison ratio",
                   ylim=(max(0.0, min(values) - pad), min(1.0, max(values) + pad)))
        for header in HEADERS:
            table.add_column(header)
        for row in rows(curve):
            table.add_row(*row)
