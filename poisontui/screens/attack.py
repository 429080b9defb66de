"""Attack screen: choose the attack and the model, set their parameters, preview the poisoning."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Select, Static

from poisontui.engine.attacks import ATTACKS
from poisontui.engine.errors import PoisonError
from poisontui.engine.experiment import RUN_PARAMS, Config
from poisontui.engine.models import MODELS
from poisontui.screens.base import PoisonScreen
from poisontui.widgets.charts import ScatterChart, Series, class_series
from poisontui.widgets.params import ParamForm


class AttackScreen(PoisonScreen):
    MODE = "attack"

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="body"):
            with VerticalScroll(classes="side", id="attack-side"):
                yield Label("Attack", classes="section")
                yield Select([(n, n) for n in ATTACKS], allow_blank=False, id="attack-select", compact=True,
                             type_to_search=False)
                yield Static("", id="attack-summary", classes="hint")
                yield ParamForm((), {}, name="attack", id="attack-form")
                yield Label("Model", classes="section")
                yield Select([(n, n) for n in MODELS], allow_blank=False, id="model-select", compact=True,
                             type_to_search=False)
                yield Static("", id="model-summary", classes="hint")
                yield ParamForm((), {}, name="model", id="model-form")
                yield Label("Seeds", classes="section")
                yield ParamForm(RUN_PARAMS[:2], {}, name="seed", id="seed-form")
            with Vertical(classes="main"):
                yield Static("preparing preview...", id="preview-text")
                yield ScatterChart(id="preview-view")

    def on_mount(self) -> None:
        self.query_one("#attack-select", Select).focus()

    def sync(self) -> None:
        config = self.poison_app.config
        with self.prevent(Select.Changed):
            self.query_one("#attack-select", Select).value = config.attack["name"]
            self.query_one("#model-select", Select).value = config.model["name"]
        self.query_one("#seed-form", ParamForm).reset(values={"seed": config.seed, "seeds": config.seeds})
        self._rebuild_forms(getattr(self, "_class_names", []))
        self.update_preview()

    def _rebuild_forms(self, class_names: list[str]) -> None:
        config = self.poison_app.config
        for kind, registry in (("attack", ATTACKS), ("model", MODELS)):
            spec = getattr(config, kind)
            cls = registry[spec["name"]]
            self.query_one(f"#{kind}-summary", Static).update(cls.summary)
            self.query_one(f"#{kind}-form", ParamForm).reset(
                cls.params, spec.get("params") or {}, class_names=class_names, owner=cls.name)
        self._class_names = class_names

    def on_select_changed(self, event: Select.Changed) -> None:
        kind = {"attack-select": "attack", "model-select": "model"}.get(event.select.id or "")
        if kind is None or event.value == getattr(self.poison_app.config, kind)["name"]:
            return
        app = self.poison_app
        setattr(app.config, kind, {"name": event.value, "params": {}})
        app.config.preset = None
        app.config_changed()
        self._rebuild_forms(getattr(self, "_class_names", []))
        self.update_preview()

    def on_param_form_changed(self, event: ParamForm.Changed) -> None:
        app = self.poison_app
        if event.form.name == "seed":
            setattr(app.config, event.name, event.value)
        else:
            kind = event.form.name
            defaults = {p.name: p.default for p in event.form.params}
            params = {k: v for k, v in event.form.values.items() if v != defaults[k]}
            setattr(app.config, kind, {"name": getattr(app.config, kind)["name"], "params": params})
        app.config.preset = None
        app.config_changed()
        if event.form.name != "model":
            self.update_preview()

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def update_preview(self) -> None:
        app = self.poison_app
        try:
            from poisontui.engine.runner import preview as compute

            preview = compute("attack", Config.from_dict(app.config.to_dict()).to_dict())
        except PoisonError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        series = class_series(preview.coords, preview.poisoned.y, preview.data.class_names, preview.poisoned.mask)
        self.app.call_from_thread(self._show_preview, preview, series)

    def _show_preview(self, preview, series: list[Series]) -> None:
        if preview.data.class_names != getattr(self, "_class_names", []):
            self._rebuild_forms(preview.data.class_names)
        self.query_one("#preview-text", Static).update(
            f"[b]{preview.sentence}[/]\nbefore any training; poisoned rows marked X"
        )
        self.query_one("#preview-view", ScatterChart).draw("training rows after the attack", series, preview.axes)

    def _show_error(self, message: str) -> None:
        self.query_one("#preview-text", Static).update(f"[b]no preview[/]: {message}")
        self.query_one("#preview-view", ScatterChart).blank("no preview")
