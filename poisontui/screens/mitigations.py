"""Mitigations screen: a toggle for every mitigation, grouped by the article's four families."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Checkbox, Label, Static

from poisontui.engine.mitigations import FAMILIES, MITIGATIONS
from poisontui.screens.base import PoisonScreen
from poisontui.widgets.params import ParamForm, Toggle, show, user_changed
from poisontui.widgets.text import update_in_place


class MitigationsScreen(PoisonScreen):
    MODE = "mitigations"
    AUTO_FOCUS = "Checkbox"  # the first toggle (the list around it would be focused, then blurred)
    BINDINGS = [
        Binding("a", "toggle_all", "All/none", id="mitigations.all", tooltip="Turn every mitigation on, or all off"),
    ]

    def compose_body(self) -> ComposeResult:
        enabled = set(self._enabled())
        with VerticalScroll(classes="body", id="mitigations-body"):
            yield Static("", id="mitigation-count", classes="hint")
            for family, title in FAMILIES.items():
                yield Label(f"{title}", classes="family")
                for name, cls in MITIGATIONS.items():
                    if cls.family != family:
                        continue
                    with Vertical(classes="mitigation", id=f"mitigation-{name}"):
                        toggle = Toggle(name, value=name in enabled, id=f"toggle-{name}", compact=True)
                        toggle.known = toggle.value
                        yield toggle
                        yield Static(cls.summary, classes="mitigation-summary")
                        if name in enabled:
                            yield self._new_form(name)

    def _new_form(self, name: str) -> ParamForm:
        params = self.poison_app.mitigation_params.get(name, {})
        return ParamForm(MITIGATIONS[name].params, params, owner=name, id=f"form-{name}", apply=self._apply)

    def _form(self, name: str, *, create: bool) -> ParamForm | None:
        """A mitigation's fields, made when it is first turned on: most stay off, and forms for all
        twelve made this screen four times the widgets (and its first showing four times slower)."""
        box = self.query_one(f"#mitigation-{name}")
        forms = box.query_children(ParamForm)
        if forms:
            return forms.first()
        if not create:
            return None
        form = self._new_form(name)
        box.mount(form)
        return form

    def _enabled(self) -> list[str]:
        return [spec["name"] for spec in self.poison_app.config.mitigations]

    def sync(self) -> None:
        enabled = set(self._enabled())
        params = self.poison_app.mitigation_params
        for name in MITIGATIONS:
            show(self.query_one(f"#toggle-{name}", Checkbox), name in enabled)
            form = self._form(name, create=name in enabled)
            if form is not None:
                wanted = {p.name: params.get(name, {}).get(p.name, p.default) for p in form.params}
                if wanted != form.values:
                    form.reset(values=wanted)
            self.query_one(f"#mitigation-{name}").set_class(name not in enabled, "-off")
        self._show_count()

    def _show_count(self) -> None:
        enabled = self._enabled()
        update_in_place(
            self.query_one("#mitigation-count", Static),
            f"{len(enabled)} of {len(MITIGATIONS)} on: {', '.join(enabled) or 'none'}\n"
            "space toggles; parameters show when a mitigation is on; a toggles all"
        )

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        box_id = event.checkbox.id or ""
        if not box_id.startswith("toggle-") or not user_changed(event.checkbox, event.value):
            return
        name = box_id.removeprefix("toggle-")
        enabled = set(self._enabled())
        if event.value:
            enabled.add(name)
        else:
            enabled.discard(name)
        self.poison_app.set_mitigations(enabled)
        self._form(name, create=event.value)
        self.query_one(f"#mitigation-{name}").set_class(not event.value, "-off")
        self._show_count()

    def _apply(self, form: ParamForm, name: str, value) -> None:
        mitigation = (form.id or "").removeprefix("form-")
        defaults = {p.name: p.default for p in form.params}
        app = self.poison_app
        app.mitigation_params[mitigation] = {k: v for k, v in form.values.items() if v != defaults[k]}
        app.set_mitigations(self._enabled())

    def action_toggle_all(self) -> None:
        enabled = [] if len(self._enabled()) == len(MITIGATIONS) else list(MITIGATIONS)
        self.poison_app.set_mitigations(enabled)
        self.sync()
