"""Security screen: a defence's accuracy against the poison ratio, under the plain attack and the adapted one."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Label, ProgressBar, Static

from poisontui.engine.errors import InputError, PoisonError
from poisontui.engine.security import SECURITY_PARAMS
from poisontui.engine.sweep import parse_ratios
from poisontui.jobs import JobEnded, JobEvent
from poisontui.report import MARKERS
from poisontui.screens.base import PoisonScreen
from poisontui.widgets.charts import LineChart
from poisontui.widgets.params import GridInput, ParamForm
from poisontui.widgets.text import update_in_place


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
        self.job = None  # the curve in progress (engine.runner.Job)

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="body"):
            with VerticalScroll(classes="side", id="security-side"):
                yield Label("Security curve", classes="section")
                yield Label("Poison ratios", classes="section")
                yield GridInput(self.ratios, id="security-ratios", compact=True, validate_on=(),
                                placeholder="0,0.05,0.1 or 0:0.1:0.02")
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
        return self.job is not None and not self.job.cancelled

    def on_input_changed(self, event: Input.Changed) -> None:
        """Say at once whether the grid typed so far is valid; the curve takes it when computed."""
        if event.input.id == "security-ratios":
            self._check_ratios(event.value)

    def _check_ratios(self, text: str) -> list[float] | str:
        """The grid's ratios, or why there are none (also shown under the field)."""
        field = self.query_one("#security-ratios", Input)
        error = self.query_one("#security-ratios-error", Static)
        try:
            ratios = parse_ratios(text)
        except InputError as exc:
            error.update(Text(str(exc)))
            field.add_class("-invalid")
            return str(exc)
        error.update("")
        field.remove_class("-invalid")
        return ratios

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape cancels the curve here only while one computes; otherwise the app's escape applies.
        return self.computing if action == "stop" else True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "security-ratios":
            self.action_curve()

    def on_param_form_changed(self, event: ParamForm.Changed) -> None:
        self.settings[event.name] = event.value

    def action_curve(self) -> None:
        if self.computing:
            self.notify("The curve is being computed; escape cancels it.", severity="warning")
            return
        if self.poison_app._busy():
            return
        from poisontui.engine.experiment import Config
        from poisontui.engine.runner import Job
        from poisontui.engine.security import job_config, security_sweeps
        from poisontui.jobs import host

        field = self.query_one("#security-ratios", Input)
        ratios = self._check_ratios(field.value)
        if isinstance(ratios, str):  # what is computed is what the field shows, or nothing
            self.notify(f"Poison ratios: {ratios}", title="Cannot compute the curve", severity="error",
                        markup=False)
            field.focus()
            return
        self.ratios = field.value
        try:
            config = Config.from_dict(json.loads(json.dumps(self.poison_app.config.to_dict())))
            defence = {"name": self.settings["defence"], "params": {}}
            security_sweeps(config, defence, ratios, self.settings["seeds"], self.settings["jobs"])
        except PoisonError as exc:
            self.notify(str(exc), title="Cannot compute the curve", severity="error", markup=False)
            return
        self.set_class(True, "-computing")
        self.query_one("#security-progress", ProgressBar).update(total=1, progress=0)
        self.query_one("#security-headline", Static).update(
            Text(f"computing the security curve of {defence['name']}...; escape cancels"))
        # In a child process, as runs and sweeps are: escape ends it and its workers at once.
        raw = job_config(config, defence, ratios, self.settings["seeds"], self.settings["jobs"])
        self.job = Job("security", raw, quiet=True, start_method=self.poison_app.start_method)
        host(self, self.job)
        self.refresh_bindings()

    def on_job_event(self, message: JobEvent) -> None:
        message.stop()  # the screen's own job: not the app's run or sweep
        if message.job is not self.job or message.job.cancelled:
            return
        kind, *rest = message.event
        if kind == "progress":
            done, total, label, _ = rest
            self.query_one("#security-progress", ProgressBar).update(total=max(total, 1), progress=done)
            self.query_one("#security-headline", Static).update(
                Text(f"{label} ({int(done)}/{total}); escape cancels"))
        elif kind == "result":
            self.curve = rest[0]
            self.show_curve()
        elif kind == "error":
            error, text = rest
            if error == "crash":
                text = f"{text}. The app is still usable; the curve shown is unchanged."
            self.notify(text, title="Curve failed", severity="error", timeout=10, markup=False)

    def on_job_ended(self, message: JobEnded) -> None:
        message.stop()
        if message.job is not self.job:
            return
        self.job = None
        self.set_class(False, "-computing")
        self.refresh_bindings()
        if message.job.cancelled:
            self.query_one("#security-headline", Static).update(
                Text("Cancelled; press c to compute again." if self.curve is None else
                     "Cancelled; the curve shown is the last one computed."))
        elif self.curve is not None:
            self.show_curve()

    def action_stop(self) -> None:
        """Cancel the curve; else leave a text field, or pass escape on to the app (a run to cancel)."""
        if self.computing:
            self.job.cancel()  # SIGTERM to the child and its workers; JobEnded follows when they are gone
            self.set_class(False, "-computing")
            self.refresh_bindings()
            self.query_one("#security-headline", Static).update(Text("cancelling: ending the curve's process..."))
        elif isinstance(self.focused, Input):
            self.set_focus(None)
        else:
            self.poison_app.action_cancel()

    def on_unmount(self) -> None:
        if self.job is not None:
            self.job.stop(grace=0)

    def show_curve(self) -> None:
        chart = self.query_one("#security-chart", LineChart)
        table = self.query_one("#security-table", DataTable)
        table.clear(columns=True)
        curve = self.curve
        if curve is None:
            chart.blank("accuracy behind the defence against poison ratio (none yet)")
            return
        from poisontui.report_security import HEADERS, rows, title

        update_in_place(self.query_one("#security-headline", Static), Text(title(curve)))
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
        for row in rows(curve, names=False):  # the chart's legend names the attacks
            table.add_row(*row)
