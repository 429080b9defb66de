"""Dataset screen: built-in data and presets, a CSV path, a summary and a 2-D view."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from poisontui.engine.datasets import DATASETS
from poisontui.engine.errors import PoisonError
from poisontui.engine.experiment import RUN_PARAMS, Config
from poisontui.engine.presets import PRESETS
from poisontui.screens.base import PoisonScreen
from poisontui.widgets.params import ParamForm


def summary_text(data, parts, name: str) -> str:
    kind = "[b reverse] SYNTHETIC [/] data" if data.synthetic else "real data"
    counts = ", ".join(f"{cls} ([b]{n}[/])" for cls, n in data.class_counts().items())
    return (
        f"[b]{name}[/]: {kind}\n{data.description}\n"
        f"{len(data.y)} rows · {len(data.feature_names)} features · {data.n_classes} classes: {counts}\n"
        f"train {len(parts.y_train)} · test {len(parts.y_test)}"
    )


class DatasetScreen(PoisonScreen):
    MODE = "dataset"

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="body"):
            with VerticalScroll(classes="side", id="dataset-side"):
                yield Label("Presets and data (enter chooses)", classes="section")
                options = [Option("── presets ──", disabled=True)]
                options += [Option(f"★ {name}", id=f"preset:{name}") for name in PRESETS]
                options += [Option("── built-in data ──", disabled=True)]
                options += [Option(name, id=f"dataset:{name}") for name in DATASETS]
                yield OptionList(*options, id="dataset-list")
                yield Static("", id="dataset-hint", classes="hint")
                yield Label("Your CSV file", classes="section")
                yield Input(placeholder="path/to/file.csv (enter loads)", id="csv-path", compact=True)
                yield Input(placeholder="label column (default: last)", id="csv-label", compact=True)
                yield Static("", id="csv-error", classes="error")
                yield Label("Parameters", classes="section")
                yield ParamForm((), {}, name="dataset", id="dataset-form")
                yield Label("Split", classes="section")
                yield ParamForm((), {}, name="split", id="split-form")
            with Vertical(classes="main"):
                yield Static("loading...", id="dataset-summary")
                # The chart (and plotext) arrives with the first data, after the first paint.
                yield Vertical(id="dataset-view-slot")

    def on_mount(self) -> None:
        self.query_one("#dataset-list", OptionList).focus()

    def sync(self) -> None:
        config = self.poison_app.config
        options = self.query_one("#dataset-list", OptionList)
        wanted = f"dataset:{config.dataset['name']}" if not config.data else None
        if config.preset and config.preset in PRESETS:
            wanted = f"preset:{config.preset}"
        if wanted is not None and options.highlighted is None:
            options.highlighted = options.get_option_index(wanted)
        self.query_one("#csv-path", Input).value = config.data or ""
        self.query_one("#csv-label", Input).value = config.label or ""
        # Forms, data and chart fill in after the next paint: they are many widgets, and loading
        # imports scikit-learn; neither may delay the first screen.
        self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        config = self.poison_app.config
        form = self.query_one("#dataset-form", ParamForm)
        if config.data:
            form.reset((), {}, owner="a CSV file")
        else:
            cls = DATASETS[config.dataset["name"]]
            form.reset(cls.params, config.dataset.get("params") or {}, owner=cls.name)
        self.query_one("#split-form", ParamForm).reset(
            RUN_PARAMS[2:], {"data_seed": config.data_seed, "test_size": config.test_size}, owner="split")
        self.load_summary()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        kind, _, name = (event.option.id or "").partition(":")
        summary = PRESETS[name].summary if kind == "preset" else DATASETS[name].summary if kind else ""
        self.query_one("#dataset-hint", Static).update(summary)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, _, name = (event.option.id or "").partition(":")
        app = self.poison_app
        if kind == "preset":
            app.load_preset(name)
        elif kind == "dataset":
            app.set_data_source(dataset={"name": name, "params": {}})
            self.sync()

    def on_param_form_changed(self, event: ParamForm.Changed) -> None:
        app = self.poison_app
        if event.form.name == "split":
            setattr(app.config, event.name, event.value)
        else:
            defaults = {p.name: p.default for p in event.form.params}
            params = {k: v for k, v in event.form.values.items() if v != defaults[k]}
            app.config.dataset = {"name": app.config.dataset["name"], "params": params}
            app.config.preset = None
        app.config_changed()
        self.load_summary()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id not in ("csv-path", "csv-label"):
            return
        path = self.query_one("#csv-path", Input).value.strip()
        label = self.query_one("#csv-label", Input).value.strip() or None
        if not path:
            if self.poison_app.config.data:
                self.poison_app.set_data_source(dataset=self.poison_app.config.dataset)
                self.sync()
            return
        self.query_one("#csv-error", Static).update("checking...")
        self.check_csv(path, label)

    @work(thread=True, exclusive=True, group="csv", exit_on_error=False)
    def check_csv(self, path: str, label: str | None) -> None:
        probe = Config(data=path, label=label, data_seed=self.poison_app.config.data_seed,
                       test_size=self.poison_app.config.test_size)
        try:
            self.poison_app.cache.get(probe)
        except PoisonError as exc:
            self.app.call_from_thread(self._csv_failed, str(exc))
            return
        self.app.call_from_thread(self._csv_loaded, path, label)

    def _csv_failed(self, message: str) -> None:
        self.query_one("#csv-error", Static).update(message)
        self.notify(message, title="CSV not loaded; settings unchanged", severity="error", timeout=8)

    def _csv_loaded(self, path: str, label: str | None) -> None:
        self.query_one("#csv-error", Static).update("")
        self.poison_app.set_data_source(data=path, label=label)
        self.notify(f"Loaded {path}")
        self.sync()

    @work(thread=True, exclusive=True, group="summary", exit_on_error=False)
    def load_summary(self) -> None:
        app = self.poison_app
        config = Config.from_dict(app.config.to_dict())
        try:
            data, parts = app.cache.get(config)
            from poisontui.engine.projection import project_2d
            from poisontui.widgets.charts import class_series

            coords, axes = project_2d(parts.X_train)
        except PoisonError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        name = config.data or config.dataset["name"]
        self.app.call_from_thread(self._show_summary, summary_text(data, parts, name),
                                  class_series(coords, parts.y_train, data.class_names), axes)

    def _chart(self):
        from poisontui.widgets.charts import ScatterChart

        slot = self.query_one("#dataset-view-slot")
        if not slot.children:
            slot.mount(ScatterChart(id="dataset-view"))
        return slot.query_one(ScatterChart)

    def _show_error(self, message: str) -> None:
        self.query_one("#dataset-summary", Static).update(f"[b]cannot load this data[/]: {message}")
        self._chart().blank("no data")

    def _show_summary(self, text: str, series: list, axes: str) -> None:
        self.query_one("#dataset-summary", Static).update(text)
        self._chart().draw("training rows, by class", series, axes)
