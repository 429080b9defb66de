"""Sweep screen: a ratio grid and seeds; the chart fills in live as cells finish."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Label, Static

from poisontui.engine.errors import InputError
from poisontui.engine.sweep import SWEEP_PARAMS, parse_ratios, summarise
from poisontui.screens.base import PoisonScreen
from poisontui.widgets.charts import LineChart
from poisontui.widgets.params import ParamForm


class SweepScreen(PoisonScreen):
    MODE = "sweep"

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="body"):
            with VerticalScroll(classes="side", id="sweep-side"):
                yield Label("Poison ratios", classes="section")
                yield Input(id="sweep-ratios", compact=True, placeholder="0,0.1,0.2 or 0:0.4:0.05")
                yield Static("", id="sweep-ratios-error", classes="error")
                yield ParamForm(SWEEP_PARAMS, {}, name="sweep", id="sweep-form")
                yield Label("Dask scheduler (backend dask)", classes="section")
                yield Input(id="sweep-scheduler", compact=True, placeholder="tcp://HOST:8786")
                yield Static(
                    "s starts a sweep of the data, model, attack and mitigations set on screens 1-3; "
                    "escape cancels.",
                    classes="hint",
                )
            with VerticalScroll(classes="main"):
                yield Static("No sweep yet: press s.", id="sweep-headline")
                yield LineChart(id="sweep-chart")
                yield DataTable(id="sweep-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        # Not the text field: single-letter keys (s, e, p) should work as soon as the screen shows.
        self.query_one("#sweep-table", DataTable).focus()

    def sync(self) -> None:
        settings = self.poison_app.sweep_settings
        field = self.query_one("#sweep-ratios", Input)
        if field.value != settings["ratios"]:
            field.value = settings["ratios"]
        self.query_one("#sweep-scheduler", Input).value = settings["scheduler"] or ""
        self.query_one("#sweep-form", ParamForm).reset(values=settings)
        self.show_cells()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "sweep-scheduler":
            self.poison_app.sweep_settings["scheduler"] = event.value.strip() or None
            return
        if event.input.id != "sweep-ratios":
            return
        error = self.query_one("#sweep-ratios-error", Static)
        try:
            parse_ratios(event.value)
        except InputError as exc:
            error.update(str(exc))
            event.input.add_class("-invalid")
            return
        error.update("")
        event.input.remove_class("-invalid")
        self.poison_app.sweep_settings["ratios"] = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "sweep-ratios":
            self.poison_app.action_sweep()

    def on_param_form_changed(self, event: ParamForm.Changed) -> None:
        self.poison_app.sweep_settings[event.name] = event.value

    def show_cells(self) -> None:
        """Redraw from the app's cells so far (called as cells arrive)."""
        app = self.poison_app
        sweep, cells = app.sweep, app.sweep_cells
        table = self.query_one("#sweep-table", DataTable)
        chart = self.query_one("#sweep-chart", LineChart)
        table.clear(columns=True)
        if sweep is None or not cells:
            chart.blank("accuracy against poison ratio (no cells yet)")
            if sweep is None:
                return
        summary = summarise(cells)
        done = len(cells)
        state = "running" if app.running else "done" if done == sweep.cell_count else "stopped"
        self.query_one("#sweep-headline", Static).update(
            f"[b]{done} of {sweep.cell_count} cells[/] ({state}): {len(sweep.ratios)} ratios x {sweep.seeds} seeds; "
            f"mean accuracy per variant, bars show one standard deviation"
        )
        names = list(dict.fromkeys(e["name"] for e in summary))
        lines = []
        for name in names:
            points = [e for e in summary if e["name"] == name]
            lines.append((name, [e["ratio"] for e in points], [e["accuracy_mean"] for e in points],
                          [e["accuracy_std"] for e in points]))
        if lines:
            low = min(e["accuracy_mean"] - e["accuracy_std"] for e in summary)
            high = max(e["accuracy_mean"] + e["accuracy_std"] for e in summary)
            pad = max(0.01, (high - low) * 0.1)
            chart.draw("mean accuracy against poison ratio", lines, "poison ratio",
                       ylim=(max(0.0, low - pad), min(1.0, high + pad)))
        for header in ("ratio", "variant", "accuracy mean ± std", "min..max", "n"):
            table.add_column(header)
        for entry in summary:
            table.add_row(f"{entry['ratio']:g}", entry["name"],
                          f"{entry['accuracy_mean']:.3f} ± {entry['accuracy_std']:.3f}",
                          f"{entry['accuracy_min']:.3f}..{entry['accuracy_max']:.3f}", str(entry["n"]))
