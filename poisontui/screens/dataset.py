"""Dataset screen: built-in data and presets, your own file with its columns, a summary and a 2-D view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from poisontui.engine.datasets import DATASETS
from poisontui.engine.errors import PoisonError
from poisontui.engine.presets import PRESETS
from poisontui.screens.base import PoisonScreen, inputs_of
from poisontui.widgets.text import update_in_place

if TYPE_CHECKING:
    from textual.widgets import Button, Select, SelectionList

    from poisontui.widgets.params import ParamForm

# Settings the data's summary and view do not depend on.
NOT_SUMMARISED = ("model", "attack", "mitigations", "preset", "seed", "seeds", "focus_class")
ROLE_WORDS = {"numeric": "number", "category": "one-hot", "date": "date", "ignored": "left out"}


def summary_text(data, parts, name: str) -> Text:
    """What the data is, as plain text: names from a file are never read as markup."""
    text = Text()
    text.append(name, style="bold")
    text.append(": ")
    if data.synthetic:
        text.append(" SYNTHETIC ", style="bold reverse")
        text.append(" data\n")
    else:
        text.append("real data\n")
    counts = ", ".join(f"{cls} ({n})" for cls, n in data.class_counts().items())
    features = len(parts.feature_names)
    text.append(f"{data.description}\n{len(data.y)} rows · {features} feature{'' if features == 1 else 's'} · "
                f"{data.n_classes} classes: {counts}\ntrain {len(parts.y_train)} · test {len(parts.y_test)}")
    if data.report is not None:
        text.append("\n" + "\n".join(data.report.lines(data.class_counts())))
    return text


def run_params():
    """The run's own parameters (seeds, split), from the engine, which loads after the first paint."""
    from poisontui.engine.experiment import RUN_PARAMS

    return RUN_PARAMS


class DatasetScreen(PoisonScreen):
    MODE = "dataset"
    BINDINGS = [Binding("o", "browse", "Open file", id="dataset.open", show=False,
                        tooltip="Choose a data file from a folder tree")]

    completed = False  # the widgets that follow the first paint are mounted
    _summarised: tuple | None = None  # the settings of the summary shown or being computed

    def compose_body(self) -> ComposeResult:
        # The first paint shows the choices only; the fields below them follow (`_complete`).
        with Horizontal(classes="body"):
            with VerticalScroll(classes="side", id="dataset-side"):
                yield Label("Presets and data (enter chooses)", classes="section")
                options = [Option("── presets ──", disabled=True)]
                options += [Option(f"★ {name}", id=f"preset:{name}") for name in PRESETS]
                options += [Option("── built-in data ──", disabled=True)]
                options += [Option(name, id=f"dataset:{name}") for name in DATASETS]
                yield OptionList(*options, id="dataset-list")
            with Vertical(classes="main"):
                yield Static("loading...", id="dataset-summary")
                # The chart (and plotext) arrives with the first data, after the first paint.
                yield Vertical(id="dataset-view-slot")

    def compose_fields(self) -> ComposeResult:
        from textual.widgets import Button, Select, SelectionList

        from poisontui.widgets.params import ParamForm

        yield Static("", id="dataset-hint", classes="hint")
        yield Label("Your data file", classes="section")
        yield Input(placeholder="path/to/data.csv (enter loads)", id="csv-path", compact=True)
        yield Button("Browse files (o)", id="browse", compact=True, flat=True)
        yield Static("", id="csv-error", classes="error", markup=False)
        yield Vertical(
            Label("label column"),
            Select([], id="data-label", prompt="(load a file)", compact=True),
            Label("columns to leave out (space toggles)"),
            SelectionList(id="data-ignore", compact=True),
            ParamForm((), {}, name="file", id="file-form", apply=self._apply),
            id="file-options",
        )
        yield Label("Parameters", classes="section")
        yield ParamForm((), {}, name="dataset", id="dataset-form", apply=self._apply)
        yield Label("Split", classes="section")
        yield ParamForm((), {}, name="split", id="split-form", apply=self._apply)

    def on_mount(self) -> None:
        self.query_one("#dataset-list", OptionList).focus()
        self.call_after_refresh(self._complete)

    async def _complete(self) -> None:
        if not self.is_attached:  # the app quit before this screen's first paint was over
            return
        await self.query_one("#dataset-side").mount_all(self.compose_fields())
        self.completed = True
        self._show_hint()
        self.sync()

    def sync(self) -> None:
        if not (self.completed and self.poison_app.config_built):
            return  # the first paint: this screen syncs again once its fields and the app's config are ready
        config = self.poison_app.config
        options = self.query_one("#dataset-list", OptionList)
        wanted = f"dataset:{config.dataset['name']}" if not config.data else None
        if config.preset and config.preset in PRESETS:
            wanted = f"preset:{config.preset}"
        # The list shows what the settings hold (a preset, built-in data, or nothing for a data file).
        options.highlighted = options.get_option_index(wanted) if wanted is not None else None
        if wanted is None:
            update_in_place(self.query_one("#dataset-hint", Static), "your data file (below)")
        from poisontui.widgets.params import show

        # A path the settings did not change keeps what the user is typing.
        path = self.query_one("#csv-path", Input)
        if getattr(path, "known", None) != (config.data or ""):
            show(path, config.data or "")
        self.query_one("#file-options").display = bool(config.data)
        # Forms, data and chart fill in after the next paint: they are many widgets, and loading
        # imports scikit-learn; neither may delay the first screen.
        self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        config = self.poison_app.config
        from poisontui.widgets.params import ParamForm

        form = self.query_one("#dataset-form", ParamForm)
        if config.data:
            form.reset((), {}, owner="a data file")
        else:
            cls = DATASETS[config.dataset["name"]]
            form.reset(cls.params, config.dataset.get("params") or {}, owner=cls.name)
        self.query_one("#split-form", ParamForm).reset(
            run_params()[2:], {"data_seed": config.data_seed, "test_size": config.test_size}, owner="split")
        from poisontui.engine.filedata import FILE_PARAMS

        self.query_one("#file-form", ParamForm).reset(
            FILE_PARAMS, {"missing": config.missing, "sample": config.sample}, owner="data file")
        if inputs_of(self.poison_app, NOT_SUMMARISED) != self._summarised:
            self.load_summary()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_hint()

    def _show_hint(self) -> None:
        """The highlighted choice's summary, under the list (once the fields are mounted)."""
        option = self.query_one("#dataset-list", OptionList).highlighted_option
        kind, _, name = ((option.id if option else None) or "").partition(":")
        summary = PRESETS[name].summary if kind == "preset" else DATASETS[name].summary if kind else ""
        for hint in self.query("#dataset-hint").results(Static):
            update_in_place(hint, summary)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, _, name = (event.option.id or "").partition(":")
        app = self.poison_app
        if kind == "preset":
            app.load_preset(name)
        elif kind == "dataset":
            app.set_data_source(dataset={"name": name, "params": {}})
            self.sync()

    def _apply(self, form: ParamForm, name: str, value) -> None:
        app = self.poison_app
        if form.name in ("split", "file"):
            setattr(app.config, name, value)
        else:
            defaults = {p.name: p.default for p in form.params}
            params = {k: v for k, v in form.values.items() if v != defaults[k]}
            app.config.dataset = {"name": app.config.dataset["name"], "params": params}
            app.config.preset = None
        app.config_changed()
        self.load_summary()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "csv-path":
            return
        path = event.input.value.strip()
        if not path:
            if self.poison_app.config.data:
                self.poison_app.set_data_source(dataset=self.poison_app.config.dataset)
                self.sync()
            return
        self.open_file(path)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "browse":
            self.action_browse()

    def action_browse(self) -> None:
        from poisontui.screens.files import FilePickerScreen

        start = self.poison_app.config.data or self.query_one("#csv-path", Input).value.strip() or None
        self.app.push_screen(FilePickerScreen(start), self._picked)

    def _picked(self, path: str | None) -> None:
        if path:
            self.query_one("#csv-path", Input).value = path
            self.open_file(path)

    def open_file(self, path: str) -> None:
        self.query_one("#csv-error", Static).update("checking...")
        self.check_csv(path, None)

    def on_select_changed(self, event: Select.Changed) -> None:
        from textual.widgets import Select

        config = self.poison_app.config
        if event.select.id != "data-label" or not config.data or event.value in (Select.BLANK, config.label):
            return
        from poisontui.widgets.params import user_changed

        if not user_changed(event.select, event.value):
            return  # the drop-down filled in from the file, not a choice
        config.label = str(event.value)
        if config.ignore and config.label in config.ignore:
            config.ignore = [c for c in config.ignore if c != config.label] or None
        self.poison_app.set_data_source(data=config.data, label=config.label, ignore=config.ignore)
        self.load_summary()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        config = self.poison_app.config
        if event.selection_list.id != "data-ignore" or not config.data:
            return
        config.ignore = [str(c) for c in event.selection_list.selected] or None
        self.poison_app.config_changed()
        self.load_summary()

    @work(thread=True, exclusive=True, group="csv", exit_on_error=False)
    def check_csv(self, path: str, label: str | None) -> None:
        from poisontui.engine.experiment import Config

        current = self.poison_app.config
        probe = Config(data=path, label=label, data_seed=current.data_seed, test_size=current.test_size,
                       missing=current.missing, sample=current.sample)
        from poisontui.engine.runner import preview

        try:
            preview("data", probe.to_dict())  # loads it in a child process: the app's own never holds data
        except PoisonError as exc:
            self.app.call_from_thread(self._csv_failed, str(exc))
            return
        self.app.call_from_thread(self._csv_loaded, path, label)

    def _csv_failed(self, message: str) -> None:
        self.query_one("#csv-error", Static).update(Text(message))
        self.notify(message, title="File not loaded; settings unchanged", severity="error", timeout=8, markup=False)

    def _csv_loaded(self, path: str, label: str | None) -> None:
        self.query_one("#csv-error", Static).update("")
        self.poison_app.set_data_source(data=path, label=label)
        self.notify(f"Loaded {path}", markup=False)
        self.sync()

    @work(thread=True, exclusive=True, group="summary", exit_on_error=False)
    def load_summary(self) -> None:
        from poisontui.engine.experiment import Config

        app = self.poison_app
        self._summarised = inputs_of(app, NOT_SUMMARISED)
        config = Config.from_dict(app.config.to_dict())
        try:
            from poisontui.engine.runner import preview
            from poisontui.widgets.charts import class_series

            data, parts, coords, axes = preview("summary", config.to_dict())
        except PoisonError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        name = config.data or config.dataset["name"]
        self.app.call_from_thread(self._show_summary, summary_text(data, parts, name),
                                  class_series(coords, parts.y_train, data.class_names), axes, data.report)

    def _chart(self):
        from poisontui.widgets.charts import ScatterChart

        slot = self.query_one("#dataset-view-slot")
        if not slot.children:
            slot.mount(ScatterChart(id="dataset-view"))
        return slot.query_one(ScatterChart)

    def _show_error(self, message: str) -> None:
        self._summarised = None  # shown again, the screen tries again
        text = Text("cannot load this data", style="bold")
        text.append(f": {message}", style="")
        self.query_one("#dataset-summary", Static).update(text)
        self._chart().blank("no data")

    def _show_summary(self, text: Text, series: list, axes: str, report=None) -> None:
        self.query_one("#dataset-summary", Static).update(text)
        self._chart().draw("training rows, by class", series, axes)
        if report is not None:
            self._show_columns(report)

    def _show_columns(self, report) -> None:
        """The file's columns in the label drop-down and the leave-out list, marked with their roles."""
        from textual.widgets import Select, SelectionList

        roles = {r.column: r for r in report.roles}
        label = self.query_one("#data-label", Select)
        ignore = self.query_one("#data-ignore", SelectionList)
        left_out = set(self.poison_app.config.ignore or ())
        from poisontui.widgets.params import show

        with self.prevent(Select.Changed, SelectionList.SelectedChanged):
            label.set_options([(Text(c), c) for c in report.columns])
            show(label, report.label)
            ignore.clear_options()
            ignore.add_options([(Text(f"{c} ({ROLE_WORDS.get(roles[c].role, roles[c].role)})"), c, c in left_out)
                                for c in report.columns if c != report.label and c in roles])
