"""A form built from a component's parameter declarations: ranges enforced, help shown on focus."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from poisontui.engine.errors import InputError
from poisontui.engine.params import Param
from poisontui.guard import Guarded

DEFAULT_CLASS = "(default)"


def step_of(param: Param) -> float:
    """A sensible step for +/-: the declared one, else a tenth of the range."""
    if param.step:
        return param.step
    if param.low is not None and param.high is not None:
        return (param.high - param.low) / 10
    return 1.0


def format_number(param: Param, value: float) -> str:
    if param.kind is int:
        return str(int(value))
    return f"{value:.6g}"


class NumberInput(Guarded, Input):
    """A number field whose value +/- (or left/right) step within the declared range."""

    BINDINGS = [
        Binding("plus,right", "step(1)", "more", show=False, priority=True),
        Binding("minus,left", "step(-1)", "less", show=False, priority=True),
    ]

    def __init__(self, param: Param, value: Any, **kwargs) -> None:
        kind = "integer" if param.kind is int else "number"
        super().__init__(format_number(param, value), type=kind, compact=True, **kwargs)
        self.param = param

    def _on_key(self, event) -> None:
        # A key that cannot be part of a number leaves the field and is pressed again there, so
        # r, s, p, q and ? reach the app while a number field has focus (Input would swallow
        # them). Digits still type; enter or escape leaves the field.
        if event.is_printable and event.character not in "0123456789.eE":
            event.stop()
            event.prevent_default()
            self.screen.set_focus(None)
            self.app.simulate_key(event.key)

    def action_step(self, direction: int) -> None:
        param = self.param
        try:
            current = float(self.value)
        except ValueError:
            current = float(param.default)
        value = current + direction * step_of(param)
        if param.low is not None:
            value = max(param.low, value)
        if param.high is not None:
            value = min(param.high, value)
        # Snap away float noise (0.1 + 0.2) without losing the step's precision.
        value = round(value, 10)
        self.value = format_number(param, value)
        self.cursor_position = len(self.value)


def _select(options: list[tuple[str, str]], value: str) -> Select:
    # No type-to-search: letters and digits stay free for the app's keys.
    return Select(options, value=value, allow_blank=False, compact=True, type_to_search=False)


class Toggle(Guarded, Checkbox):
    """A checkbox whose mark is X when on and blank when off, so it reads without colour."""

    def watch_value(self) -> None:
        self._mark()
        super().watch_value()

    def on_mount(self) -> None:
        self._mark()

    def _mark(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        self.refresh()


class ParamForm(Guarded, Vertical):
    """Fields for a tuple of `Param`s. Posts `ParamForm.Changed` with each valid new value."""

    DEFAULT_CSS = """
    ParamForm { height: auto; }
    ParamForm .param-row { height: 1; }
    ParamForm .param-name { width: 14; color: $text; }
    ParamForm Input, ParamForm Select { width: 1fr; }
    ParamForm Checkbox { width: 1fr; }
    ParamForm .param-range { width: 14; color: $text-muted; padding-left: 1; }
    ParamForm Input.-invalid { color: $error; text-style: bold; }
    ParamForm .param-help { color: $text-muted; height: auto; }
    ParamForm .param-error { color: $error; height: auto; }
    """

    class Changed(Message):
        """A parameter took a new, valid value."""

        def __init__(self, form: "ParamForm", name: str, value: Any) -> None:
            super().__init__()
            self.form = form
            self.name = name
            self.value = value

        @property
        def control(self) -> "ParamForm":
            return self.form

    def __init__(self, params: tuple[Param, ...], values: dict[str, Any], *, class_names=(), owner: str = "",
                 show_help: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.params = params
        self.values = {p.name: values.get(p.name, p.default) for p in params}
        self.class_names = list(class_names)
        self.owner = owner
        self.show_help = show_help

    def reset(self, params: tuple[Param, ...] | None = None, values: dict[str, Any] | None = None, *,
              class_names=None, owner: str | None = None) -> None:
        """Show other parameters or values; the form rebuilds its fields."""
        if params is not None:
            self.params = params
        if owner is not None:
            self.owner = owner
        if class_names is not None:
            self.class_names = list(class_names)
        given = values if values is not None else self.values
        self.values = {p.name: given.get(p.name, p.default) for p in self.params}
        self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        if not self.params:
            yield Static(f"({self.owner or 'this'} has no parameters)", classes="param-help")
            return
        for param in self.params:
            with Horizontal(classes="param-row"):
                yield Label(param.name, classes="param-name")
                field = self._field(param)
                field.param_name = param.name
                field.tooltip = param.help
                yield field
                if self._range(param):
                    yield Label(self._range(param), classes="param-range")
        if self.params and self.show_help:
            yield Static(self.params[0].help, classes="param-help")
        yield Static("", classes="param-error")

    def _range(self, param: Param) -> str:
        if param.choices is not None or param.choices_from is not None:
            return ""  # the drop-down shows the choices
        return param.range_text()

    def _field(self, param: Param) -> Widget:
        value = self.values[param.name]
        if param.kind is bool:
            return Toggle("", value=bool(value), compact=True)
        if param.choices is not None:
            return _select([(c, c) for c in param.choices], value)
        if param.choices_from == "classes":
            options = [(DEFAULT_CLASS, "")] + [(name, name) for name in self.class_names]
            if value not in {v for _, v in options}:
                options.append((value, value))
            return _select(options, value)
        if param.kind in (int, float):
            return NumberInput(param, value)
        return Input(str(value), compact=True)

    def _param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def _accept(self, widget: Widget, raw: Any) -> None:
        name = getattr(widget, "param_name", None)
        if name is None or name not in {p.name for p in self.params}:
            return  # not a field, or one of the parameters the form showed before its last reset
        param = self._param(name)
        error = self.query_one(".param-error", Static)
        if isinstance(raw, str) and raw.strip() == "" and param.kind is not str:
            widget.add_class("-invalid")
            error.update(f"{self.owner} {name}: needs a value ({param.range_text()})".strip())
            return
        try:
            value = param.coerce(raw)
        except InputError as exc:
            widget.add_class("-invalid")
            error.update(f"{self.owner} {exc}".strip())
            return
        widget.remove_class("-invalid")
        error.update("")
        if value != self.values[name]:
            self.values[name] = value
            self.post_message(self.Changed(self, name, value))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._accept(event.input, event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter confirms a field and leaves it, so single-key commands work again."""
        event.stop()
        self.screen.set_focus(None)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._accept(event.select, event.value)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._accept(event.checkbox, event.value)

    def on_descendant_focus(self, event) -> None:
        name = getattr(event.widget, "param_name", None)
        if name is not None and self.show_help:
            param = self._param(name)
            hint = "  (+/- steps; enter leaves the field)" if param.kind in (int, float) else ""
            self.query_one(".param-help", Static).update(param.help + hint)

