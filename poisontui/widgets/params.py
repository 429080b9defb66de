"""A form built from a component's parameter declarations: ranges enforced, help shown on focus.

A field's value reaches the settings only when the user changed it: a choice or a toggle at once,
typed text when the field is left (enter, tab, a click elsewhere), stepped with + or -, or when a
run starts. Values the settings put in a field, events that arrive after the field has moved on,
and the keystrokes in between never reach them.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from poisontui.engine.errors import InputError
from poisontui.engine.params import Param
from poisontui.guard import Guarded
from poisontui.widgets.text import update_in_place

DEFAULT_CLASS = "(default)"
_UNSET = object()


def show(field: Widget, value: Any, shown: Any = _UNSET) -> None:
    """Put a value from the settings in a field (`shown` if the field shows it as text).

    The field's own Changed event for it is held back, and `value` becomes the value the field is
    known to hold, so only a later change by the user counts.
    """
    field.known = value
    with field.prevent(Select.Changed, Checkbox.Changed, Input.Changed):
        field.value = value if shown is _UNSET else shown


def user_changed(field: Widget, value: Any) -> bool:
    """Whether `value`, from a field's Changed event, is a change the user made.

    It is when the field still holds it (the event is not stale) and it differs from the value the
    field is known to hold (set by `show` or taken by an earlier change). Taking it makes it known.
    """
    known = getattr(field, "known", _UNSET)
    if known is _UNSET or field.value != value or value == known:
        return False
    field.known = value
    return True


def step_value(param: Param, value: float, direction: int) -> float:
    """The value one step up (1) or down (-1) within the range.

    Wide positive ranges (the top a thousand times the bottom or more, as for C) step along
    1, 2, 5, 10, 20, ...; others by the declared step, else a tenth of the range.
    """
    low, high = param.low, param.high
    if low is not None and high is not None and low > 0 and high / low >= 1000:
        value = max(value, low)
        exponent = math.floor(math.log10(value))
        series = [m * 10.0 ** e for e in range(exponent - 1, exponent + 2) for m in (1, 2, 5)]
        if direction > 0:
            value = min(s for s in series if s > value * (1 + 1e-9))
        else:
            value = max(s for s in series if s < value * (1 - 1e-9))
    else:
        step = param.step or ((high - low) / 10 if low is not None and high is not None else 1.0)
        value += direction * step
    if low is not None:
        value = max(low, value)
    if high is not None:
        value = min(high, value)
    # Snap away float noise (0.1 + 0.2) without losing the step's precision.
    return round(value, 10)


def format_number(param: Param, value: float) -> str:
    if param.kind is int:
        return str(int(value))
    return f"{value:.6g}"


class KeysLeave(Input):
    """A field of a few characters: any other key (r, s, p, q, ?, ...) leaves it and is pressed again
    there, so it reaches the app (Input would swallow it). `leave` first takes what was typed."""

    ACCEPTS = ""

    def _on_key(self, event) -> None:
        if event.is_printable and event.character not in self.ACCEPTS:
            event.stop()
            event.prevent_default()
            self.leave()
            self.screen.set_focus(None)
            self.app.simulate_key(event.key)

    def leave(self) -> None:
        """Take what was typed before the key acts; the owner's own checks say whether it is valid."""


class GridInput(KeysLeave):
    """A grid of poison ratios: a key that cannot be part of one (s, c, r, q, ...) leaves the field and acts."""

    ACCEPTS = "0123456789.eE+-:, "


class NumberInput(Guarded, KeysLeave):
    """A number field: + and - step within the declared range; left and right move the cursor."""

    ACCEPTS = "0123456789.eE"

    BINDINGS = [
        Binding("plus", "step(1)", "more", show=False, priority=True),
        Binding("minus", "step(-1)", "less", show=False, priority=True),
    ]

    def __init__(self, param: Param, value: Any, **kwargs) -> None:
        kind = "integer" if param.kind is int else "number"
        # The form checks the value itself (validate_on empty: Textual's own checks would reset -invalid).
        super().__init__(format_number(param, value), type=kind, compact=True, validate_on=(), **kwargs)
        self.param = param

    def leave(self) -> None:
        form = self._form()
        if form is not None:
            form.commit_field(self)  # so a run started by the key sees the value

    def _form(self) -> "ParamForm | None":
        return next((node for node in self.ancestors if isinstance(node, ParamForm)), None)

    def action_step(self, direction: int) -> None:
        try:
            current = float(self.value)
        except ValueError:
            current = float(self.param.default)
        self.value = format_number(self.param, step_value(self.param, current, direction))
        self.cursor_position = len(self.value)
        form = self._form()
        if form is not None:
            form.commit_field(self)


def _select(options: list[tuple[str, str]], value: str) -> Select:
    # No type-to-search: letters and digits stay free for the app's keys. Prompts (class names from
    # the user's file among them) are text, not markup.
    select = Select([(Text(prompt), v) for prompt, v in options], value=value, allow_blank=False, compact=True,
                    type_to_search=False)
    select.choices = {v for _, v in options}
    return select


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


Apply = Callable[["ParamForm", str, Any], None]


class ParamForm(Guarded, Vertical):
    """Fields for a tuple of `Param`s. Each change the user makes is passed to `apply(form, name, value)`
    at once, before any other key is handled."""

    DEFAULT_CSS = """
    ParamForm { height: auto; }
    ParamForm .param-row { height: 1; }
    ParamForm .param-name { width: 17; color: $text; }
    ParamForm Input, ParamForm Select { width: 1fr; min-width: 8; }
    ParamForm Checkbox { width: 1fr; }
    ParamForm .param-range { width: auto; max-width: 14; color: $text-muted; padding-left: 1; }
    ParamForm Input.-invalid { color: $error; text-style: bold; }
    ParamForm .param-help { color: $text-muted; height: auto; }
    /* The focused field's row: its name in reverse (visible in monochrome too), the row lit. */
    ParamForm .param-row:focus-within { background: $boost; }
    ParamForm .param-row:focus-within .param-name { text-style: bold reverse; }
    ParamForm .param-error { color: $error; height: auto; }
    """

    def __init__(self, params: tuple[Param, ...], values: dict[str, Any], *, apply: Apply | None = None,
                 class_names=(), owner: str = "", show_help: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.params = params
        self.values = {p.name: values.get(p.name, p.default) for p in params}
        self.apply = apply
        self.class_names = list(class_names)
        self.owner = owner
        self.show_help = show_help
        self._generation = 0

    def reset(self, params: tuple[Param, ...] | None = None, values: dict[str, Any] | None = None, *,
              class_names=None, owner: str | None = None) -> None:
        """Show other parameters or values.

        Other parameters (or class names to choose from) rebuild the fields; other values only
        change the fields they concern, so what the user is typing elsewhere in the form stays.
        """
        layout = (self.params, self.class_names, self.owner)
        if params is not None:
            self.params = params
        if owner is not None:
            self.owner = owner
        if class_names is not None:
            self.class_names = list(class_names)
        given = values if values is not None else self.values
        new_values = {p.name: given.get(p.name, p.default) for p in self.params}
        # A drop-down cannot show a value it does not offer (another preset's class, say): rebuild it.
        unoffered = any(new_values[name] not in field.choices for field in self._fields()
                        if (name := field.param_name) in new_values and getattr(field, "choices", None) is not None)
        if (self.params, self.class_names, self.owner) != layout or not self.is_mounted or unoffered:
            self.values = new_values
            self._generation += 1
            self.refresh(recompose=True)
            return
        for param in self.params:
            if new_values[param.name] != self.values[param.name]:
                field = self._field_of(param.name)
                if field is not None:
                    self._show(field, param, new_values[param.name])
        self.values = new_values

    def compose(self) -> ComposeResult:
        if not self.params:
            yield Static(f"({self.owner or 'this'} has no parameters)", classes="param-help", markup=False)
            return
        for param in self.params:
            with Horizontal(classes="param-row"):
                yield Label(param.name, classes="param-name")
                field = self._field(param)
                field.param_name = param.name
                field.generation = self._generation
                field.known = self.values[param.name]
                field.tooltip = f"{param.help} ({param.range_text()})"
                yield field
                if self._range(param):
                    yield Label(self._range(param), classes="param-range")
        if self.params and self.show_help:
            yield Static(self.params[0].help, classes="param-help", markup=False)
        yield Static("", classes="param-error", markup=False)

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
        return Input(str(value), compact=True, validate_on=())

    def _param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def _fields(self) -> list[Widget]:
        return [w for w in self.query("*") if getattr(w, "param_name", None) is not None]

    def _field_of(self, name: str) -> Widget | None:
        return next((w for w in self._fields() if w.param_name == name), None)

    def _current(self, widget: Widget) -> bool:
        """Whether `widget` is one of the fields on show (not one a rebuild has removed)."""
        return getattr(widget, "param_name", None) is not None and getattr(widget, "generation", -1) == self._generation

    def _show(self, field: Widget, param: Param, value: Any) -> None:
        if isinstance(field, NumberInput):
            show(field, value, format_number(param, value))
        elif isinstance(field, Input):
            show(field, value, str(value))
        else:
            show(field, value)
        self._mark(field, None)

    def _mark(self, field: Widget, message: str | None) -> None:
        field.set_class(message is not None, "-invalid")
        update_in_place(self.query_one(".param-error", Static), message or "")

    def _take(self, name: str, value: Any) -> None:
        self.values[name] = value
        if self.apply is not None:
            self.apply(self, name, value)

    def _check(self, field: Widget) -> tuple[Any, str | None]:
        """The field's value as its parameter's type, or the reason it is not one."""
        param = self._param(field.param_name)
        raw = field.value
        if isinstance(raw, str) and raw.strip() == "" and param.kind is not str:
            return None, f"{self.owner} {param.name}: needs a value ({param.range_text()})".strip()
        try:
            return param.coerce(raw), None
        except InputError as exc:
            return None, f"{self.owner} {exc}".strip()

    def commit_field(self, field: Widget) -> str | None:
        """Take what the user typed in a text field; the reason it cannot be taken, if so."""
        if not self._current(field):
            return None
        value, problem = self._check(field)
        self._mark(field, problem)
        if problem is None and value != field.known:
            field.known = value
            self._take(field.param_name, value)
        return problem

    def commit(self) -> tuple[Widget, str] | None:
        """Take every text field's typed value; the first field that holds no valid value, and why."""
        for field in self._fields():
            if isinstance(field, Input):
                problem = self.commit_field(field)
                if problem is not None:
                    return field, problem
        return None

    def on_input_changed(self, event: Input.Changed) -> None:
        """Say at once whether the text is valid; the settings take it when the field is left."""
        event.stop()
        if self._current(event.input) and event.input.value == event.value:
            self._mark(event.input, self._check(event.input)[1])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter confirms a field and leaves it, so single-key commands work again."""
        event.stop()
        self.commit_field(event.input)
        self.screen.set_focus(None)

    def on_descendant_blur(self, event) -> None:
        self.remove_class("-editing")
        if isinstance(event.widget, Input):
            self.commit_field(event.widget)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._choose(event.select, event.value)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._choose(event.checkbox, event.value)

    def _choose(self, field: Widget, value: Any) -> None:
        if not self._current(field) or not user_changed(field, value):
            return
        param = self._param(field.param_name)
        self._take(param.name, param.coerce(value))

    def on_descendant_focus(self, event) -> None:
        # A class, not :focus-within, so a help line hidden until then is laid out again when shown.
        self.add_class("-editing")
        name = getattr(event.widget, "param_name", None)
        if name is not None and self.show_help:
            param = self._param(name)
            hint = f" ({param.range_text()}; + and - step; enter leaves)" if param.kind in (int, float) else ""
            help_line = self.query_one(".param-help", Static)
            help_line.update(param.help + hint)
            # The help sits right under the focused field, and scrolls into view with it.
            row = next((a for a in event.widget.ancestors if a.has_class("param-row")), None)
            if row is not None and row.parent is self:
                self.move_child(help_line, after=row)
                self.call_after_refresh(help_line.scroll_visible, animate=False)
