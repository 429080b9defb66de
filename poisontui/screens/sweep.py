"""Sweep screen: a ratio grid and seeds; the chart fills in live as cells finish."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Static

from poisontui.engine.errors import InputError
from poisontui.engine.sweep import SWEEP_PARAMS, parse_ratios, summarise
from poisontui.screens.base import PoisonScreen
from poisontui.widgets.charts import LineChart
from poisontui.widgets.params import GridInput, ParamForm, show
from poisontui.widgets.text import update_in_place


class SweepScreen(PoisonScreen):
    MODE = "sweep"
    _shown: tuple | None = None  # the sweep, its count of cells and whether it ran, when last drawn
    BINDINGS = [Binding("s", "app.sweep", "Sweep", id="sweep.start", tooltip="Start a sweep of the grid and seeds")]

    def compose_body(self) -> ComposeResult:
        settings = self.poison_app.sweep_settings
        with Horizontal(classes="body"):
            with VerticalScroll(classes="side", id="sweep-side"):
                yield Label("Poison ratios", classes="section")
                ratios = GridInput(settings["ratios"], id="sweep-ratios", compact=True, validate_on=(),
                                   placeholder="0,0.1,0.2 or 0:0.4:0.05")
                ratios.known = settings["ratios"]
                yield ratios
                yield Static("", id="sweep-ratios-error", classes="error", markup=False)
                yield ParamForm(SWEEP_PARAMS, settings, name="sweep", id="sweep-form", apply=self._apply)
                yield Label("Dask scheduler (backend dask)", classes="section")
                scheduler = Input(settings["scheduler"] or "", id="sweep-scheduler", compact=True,
                                  placeholder="tcp://HOST:8786")
                scheduler.known = scheduler.value
                yield scheduler
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
        # A field the settings did not change keeps what the user is typing in it.
        ratios = self.query_one("#sweep-ratios", Input)
        if ratios.known != settings["ratios"]:
            show(ratios, settings["ratios"])
            self._mark_grid(None)
        scheduler = self.query_one("#sweep-scheduler", Input)
        if scheduler.known != (settings["scheduler"] or ""):
            show(scheduler, settings["scheduler"] or "")
        self.query_one("#sweep-form", ParamForm).reset(values=settings)
        self.show_cells()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "sweep-ratios" and event.value == event.input.value:
            # A fine grid takes a while to expand; never on the event loop.
            self.check_grid(event.value)

    @work(thread=True, exclusive=True, group="grid", exit_on_error=False)
    def check_grid(self, text: str) -> None:
        try:
            parse_ratios(text)
        except InputError as exc:
            self.app.call_from_thread(self._grid_checked, text, str(exc))
        else:
            self.app.call_from_thread(self._grid_checked, text, None)

    def _grid_checked(self, text: str, problem: str | None) -> None:
        field = self.query_one("#sweep-ratios", Input)
        if field.value != text:
            return  # the user has typed on since
        self._grid_valid = text if problem is None else None
        self._mark_grid(problem)
        if problem is None and not field.has_focus:
            self._take_grid()

    def _mark_grid(self, problem: str | None) -> None:
        self.query_one("#sweep-ratios", Input).set_class(problem is not None, "-invalid")
        update_in_place(self.query_one("#sweep-ratios-error", Static), problem or "")

    def _take_grid(self) -> None:
        """Take the grid typed, once it is known to be valid (else when its check says so)."""
        field = self.query_one("#sweep-ratios", Input)
        if field.value == getattr(self, "_grid_valid", None) and field.value != field.known:
            field.known = field.value
            self.poison_app.sweep_settings["ratios"] = field.value

    def _take_scheduler(self) -> None:
        field = self.query_one("#sweep-scheduler", Input)
        if field.value != field.known:
            field.known = field.value
            self.poison_app.sweep_settings["scheduler"] = field.value.strip() or None

    def on_descendant_blur(self, event) -> None:
        if event.widget.id == "sweep-ratios":
            self._take_grid()
        elif event.widget.id == "sweep-scheduler":
            self._take_scheduler()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "sweep-ratios":
            self.poison_app.action_sweep()
        elif event.input.id == "sweep-scheduler":
            self._take_scheduler()

    def commit_fields(self) -> tuple[Widget, str] | None:
        problem = super().commit_fields()
        if problem is not None:
            return problem
        field = self.query_one("#sweep-ratios", Input)
        if field.has_class("-invalid"):
            return field, str(self.query_one("#sweep-ratios-error", Static).render())
        # Text not checked yet is taken as it is; the sweep checks it before it starts.
        if field.value != field.known:
            field.known = field.value
            self.poison_app.sweep_settings["ratios"] = field.value
        self._take_scheduler()
        return None

    def _apply(self, form: ParamForm, name: str, value) -> None:
        self.poison_app.sweep_settings[name] = value

    def show_cells(self) -> None:
        """Redraw from the app's cells so far (called as cells arrive)."""
        app = self.poison_app
        sweep, cells = app.sweep, app.sweep_cells
        shown = (sweep, len(cells), app.running)
        if shown == self._shown:
            return  # a screen shown again, with no cell since
        self._shown = shown
        table = self.query_one("#sweep-table", DataTable)
        chart = self.query_one("#sweep-chart", LineChart)
        table.clear(columns=True)
        if sweep is None or not cells:
            chart.blank("accuracy against poison ratio (no cells yet)")
            if sweep is None:
                update_in_place(
                    self.query_one("#sweep-headline", Static),
                    "Checking the grid..." if app.running else "No sweep yet: press s.")
                return
        summary = summarise(cells)
        done = len(cells)
        state = "running" if app.running else "done" if done == sweep.cell_count else "stopped"
        update_in_place(
            self.query_one("#sweep-headline", Static),
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
        rows = []
        # The clean model does not depend on the ratio: one row for it, not one per ratio.
        clean_shown = False
        for entry in summary:
            if entry["name"] == "clean":
                if clean_shown:
                    continue
                clean_shown = True
            ratio = "any" if entry["name"] == "clean" else f"{entry['ratio']:g}"
            rows.append((ratio, entry["name"], f"{entry['accuracy_mean']:.3f} ± {entry['accuracy_std']:.3f}",
                         f"{entry['accuracy_min']:.3f}..{entry['accuracy_max']:.3f}", str(entry["n"])))
        # Widths from the content, not from a later refresh, so a column is never drawn cut.
        for i, header in enumerate(("ratio", "variant", "accuracy mean ± std", "min..max", "n")):
            table.add_column(header, width=max([cell_len(header)] + [cell_len(row[i]) for row in rows]))
        for ratio, name, *rest in rows:
            table.add_row(ratio, Text(name), *rest)
