"""Attack screen: choose the attack and the model, set their parameters, preview the poisoning."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Select, Static

from poisontui.engine.attacks import ATTACKS
from poisontui.engine.errors import PoisonError
from poisontui.engine.experiment import RUN_PARAMS, Config
from poisontui.engine.models import MODELS
from poisontui.screens.base import PoisonScreen, inputs_of
from poisontui.widgets.boundary import BoundaryView, scene_of
from poisontui.report import POISONED_MARKER
from poisontui.widgets.charts import ScatterChart, Series, class_series
from poisontui.widgets.params import ParamForm, show, user_changed
from poisontui.widgets.text import update_in_place


# Settings the attack's preview does not depend on.
NOT_PREVIEWED = ("model", "mitigations", "preset", "seeds", "focus_class")


class AttackScreen(PoisonScreen):
    MODE = "attack"
    _sentence: str | None = None  # the preview's sentence, once there is one
    _previewed: tuple | None = None  # the settings of the preview shown or being computed

    def compose_body(self) -> ComposeResult:
        config = self.poison_app.config
        with Horizontal(classes="body"):
            with VerticalScroll(classes="side", id="attack-side"):
                yield Label("Attack", classes="section")
                yield self._select("attack", ATTACKS, config.attack["name"])
                yield Static("", id="attack-summary", classes="hint")
                yield ParamForm((), {}, name="attack", id="attack-form", apply=self._apply)
                yield Label("Model", classes="section")
                yield self._select("model", MODELS, config.model["name"])
                yield Static("", id="model-summary", classes="hint")
                yield ParamForm((), {}, name="model", id="model-form", apply=self._apply)
                yield Label("Seeds", classes="section")
                yield ParamForm(RUN_PARAMS[:2], {"seed": config.seed, "seeds": config.seeds}, name="seed",
                                id="seed-form", apply=self._apply)
            with Vertical(classes="main"):
                yield Static("preparing preview...", id="preview-text")
                yield ScatterChart(id="preview-view")
                boundary = BoundaryView(id="preview-boundary")
                boundary.display = False  # until a run of these settings
                yield boundary

    @staticmethod
    def _select(kind: str, registry: dict, value: str) -> Select:
        select = Select([(n, n) for n in registry], value=value, allow_blank=False, id=f"{kind}-select",
                        compact=True, type_to_search=False)
        select.known = value
        return select

    def on_mount(self) -> None:
        self.query_one("#attack-select", Select).focus()

    def sync(self) -> None:
        config = self.poison_app.config
        show(self.query_one("#attack-select", Select), config.attack["name"])
        show(self.query_one("#model-select", Select), config.model["name"])
        self.query_one("#seed-form", ParamForm).reset(values={"seed": config.seed, "seeds": config.seeds})
        self._rebuild_forms(getattr(self, "_class_names", []))
        if inputs_of(self.poison_app, NOT_PREVIEWED) != self._previewed:
            self.update_preview()

    def _rebuild_forms(self, class_names: list[str]) -> None:
        config = self.poison_app.config
        for kind, registry in (("attack", ATTACKS), ("model", MODELS)):
            spec = getattr(config, kind)
            cls = registry[spec["name"]]
            update_in_place(self.query_one(f"#{kind}-summary", Static), cls.summary)
            self.query_one(f"#{kind}-form", ParamForm).reset(
                cls.params, spec.get("params") or {}, class_names=class_names, owner=cls.name)
        self._class_names = class_names

    def on_select_changed(self, event: Select.Changed) -> None:
        kind = {"attack-select": "attack", "model-select": "model"}.get(event.select.id or "")
        if kind is None or not user_changed(event.select, event.value):
            return
        app = self.poison_app
        setattr(app.config, kind, {"name": event.value, "params": {}})
        app.config.preset = None
        app.config_changed()
        self._rebuild_forms(getattr(self, "_class_names", []))
        self.update_preview()

    def _apply(self, form: ParamForm, name: str, value) -> None:
        app = self.poison_app
        if form.name == "seed":
            setattr(app.config, name, value)
        else:
            defaults = {p.name: p.default for p in form.params}
            params = {k: v for k, v in form.values.items() if v != defaults[k]}
            setattr(app.config, form.name, {"name": getattr(app.config, form.name)["name"], "params": params})
        app.config.preset = None
        app.config_changed()
        if form.name != "model":
            self.update_preview()

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def update_preview(self) -> None:
        app = self.poison_app
        self._previewed = inputs_of(app, NOT_PREVIEWED)
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
        self._sentence = preview.sentence
        self.query_one("#preview-view", ScatterChart).draw("training rows after the attack", series, preview.axes)
        self.show_boundary()

    def show_boundary(self) -> None:
        """After a run of these settings, the rows over the clean model's regions and the poisoned model's boundary."""
        app = self.poison_app
        result = app.result
        scene = scene_of(result, "poisoned") if result is not None and same_poisoning(result.config, app.config) else None
        view = self.query_one("#preview-boundary", BoundaryView)
        view.display = scene is not None
        self.query_one("#preview-view", ScatterChart).display = scene is None
        if scene is None:
            after = "\nbefore any training; poisoned rows marked " + POISONED_MARKER + ("; r runs to see the boundary move"
                                                                       if app.result is None or app.stale else "")
        else:
            after = ""
            view.show(f"after the run: clean model's regions, poisoned model's boundary; "
                      f"{scene.boundary.disagreement('poisoned'):.0%} of the view changed class", scene)
        if self._sentence is not None:
            update_in_place(self.query_one("#preview-text", Static), Text.assemble((self._sentence, "bold"), after))

    def _show_error(self, message: str) -> None:
        self._previewed = None  # shown again, the screen tries again
        self.query_one("#preview-text", Static).update(Text.assemble(("no preview", "bold"), ": ", message))
        self.query_one("#preview-view", ScatterChart).blank("no preview")
        self.query_one("#preview-view", ScatterChart).display = True
        self.query_one("#preview-boundary", BoundaryView).display = False


def same_poisoning(ran: Config, now: Config) -> bool:
    """The data, attack, model and seed of `now` are those of the run of `ran` (mitigations may differ)."""
    ignored = ("mitigations", "preset", "focus_class", "seeds")
    before, after = ran.to_dict(), now.to_dict()
    return all(before[name] == after[name] for name in before if name not in ignored)
