"""Parameter declarations, read by validation, the CLI, `poisontui list` and the app's forms."""

from __future__ import annotations

import difflib
import math
import reprlib
from dataclasses import dataclass
from typing import Any, ClassVar

from poisontui.engine.errors import InputError


@dataclass(frozen=True)
class Param:
    """One tunable parameter: its type, default, allowed range or choices, and a line of help."""

    name: str
    kind: type
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    step: float | None = None
    choices_from: str | None = None
    """Where choices come from at run time: "classes" for a class of the chosen data."""

    def coerce(self, value: Any) -> Any:
        """Return `value` as this parameter's type, or raise `InputError` saying why not."""
        if isinstance(value, str):
            value = self._parse(value.strip())
        if self.kind is bool:
            if not isinstance(value, bool):
                raise InputError(f"{self.name} must be true or false, not {shown(value)}")
        elif self.kind is int:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not _is_whole(value):
                raise InputError(f"{self.name} must be a whole number, not {shown(value)}")
            value = int(value)
        elif self.kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(f"{self.name} must be a number, not {shown(value)}")
            if not _is_finite(value):
                raise InputError(f"{self.name} must be a finite number, not {shown(value)}")
            value = float(value)
        elif not isinstance(value, str):
            raise InputError(f"{self.name} must be text, not {shown(value)}")
        if self.choices is not None and value not in self.choices:
            raise InputError(
                f"{self.name} must be one of {', '.join(self.choices)}, not {shown(value)}"
                + _suggestion(str(value), self.choices)
            )
        too_low = self.low is not None and value < self.low
        too_high = self.high is not None and value > self.high
        if self.kind in (int, float) and (too_low or too_high):
            raise InputError(f"{self.name} must be {self.range_phrase()}, not {_num(value)}")
        return value

    def _parse(self, text: str) -> Any:
        if self.kind is bool:
            lowered = text.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise InputError(f"{self.name} must be true or false, not {shown(text)}")
        if self.kind in (int, float):
            try:
                number = float(text)
            except ValueError:
                kind = "a whole number" if self.kind is int else "a number"
                raise InputError(f"{self.name} must be {kind}, not {shown(text)}") from None
            return number
        return text

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly description, as `poisontui list --format json` prints it."""
        info: dict[str, Any] = {"name": self.name, "type": self.kind.__name__, "default": self.default}
        if self.low is not None:
            info["min"] = self.low
        if self.high is not None:
            info["max"] = self.high
        if self.choices is not None:
            info["choices"] = list(self.choices)
        info["range"] = self.range_text()
        info["help"] = self.help
        return info

    def range_phrase(self) -> str:
        if self.low is not None and self.high is not None:
            return f"between {_num(self.low)} and {_num(self.high)}"
        return f"at least {_num(self.low)}" if self.low is not None else f"at most {_num(self.high)}"

    def range_text(self) -> str:
        """The allowed values in a few characters, for tables and forms."""
        if self.choices is not None:
            return "|".join(self.choices)
        if self.kind is bool:
            return "true|false"
        if self.low is not None and self.high is not None:
            return f"{_num(self.low)}..{_num(self.high)}"
        return self.kind.__name__


class Component:
    """Something chosen by name and tuned by declared parameters: a dataset, model, attack or mitigation.

    Parameters are given to the constructor, checked against `params`, and kept
    in `self.values`, as scikit-learn estimators keep theirs.
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()

    def __init__(self, **values: Any) -> None:
        self.values = check_params(self.name, self.params, values)

    def __getattr__(self, item: str) -> Any:
        values = self.__dict__.get("values")
        if values is not None and item in values:
            return values[item]
        raise AttributeError(item)

    def get_params(self) -> dict[str, Any]:
        return dict(self.values)

    def spec(self) -> dict[str, Any]:
        """The name and the parameters that differ from their defaults, JSON-ready."""
        changed = {p.name: self.values[p.name] for p in self.params if self.values[p.name] != p.default}
        return {"name": self.name, "params": changed}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.spec()["params"].items())
        return f"{type(self).__name__}({args})"

    @classmethod
    def param(cls, name: str) -> Param:
        for p in cls.params:
            if p.name == name:
                return p
        raise KeyError(name)


def check_params(owner: str, params: tuple[Param, ...], values: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults and validate `values` against `params`; unknown names raise with a suggestion."""
    known = {p.name: p for p in params}
    for key in values:
        if key not in known:
            if not known:
                raise InputError(f"{owner} takes no parameters, but was given {shown(key)}")
            raise InputError(
                f"{owner} has no parameter {shown(key)}{_suggestion(str(key), known)}; "
                f"its parameters are {', '.join(known)}"
            )
    checked = {}
    for p in params:
        try:
            checked[p.name] = p.coerce(values[p.name]) if p.name in values else p.default
        except InputError as exc:
            raise InputError(f"{owner}: {exc}") from None
    return checked


def parse_spec(text: str) -> tuple[str, dict[str, str]]:
    """Split `NAME:k=v,k2=v2` into the name and its raw (string) parameter values."""
    name, _, rest = text.strip().partition(":")
    values: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise InputError(f"in {shown(text)}: expected key=value, got {shown(item)}")
        values[key.strip()] = value.strip()
    return name.strip(), values


def lookup(kind: str, name: str, registry: dict[str, type]) -> type:
    """Find `name` in `registry`, or raise an `InputError` naming the nearest match."""
    try:
        return registry[name]
    except KeyError:
        raise InputError(
            f"unknown {kind} {shown(name)}{_suggestion(name, registry)}; choose from {', '.join(registry)}"
        ) from None


def whole_number(text: str) -> int | None:
    """`text` as an integer if it is one written in ASCII digits ("-3", "12"), else None.

    Unlike `str.isdigit`, refuses what `int` refuses ("²") and what it would take with
    surprise ("١٢", " 1_0 ").
    """
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
        return None
    return int(text)


def shown(value: Any) -> str:
    """`value` as it goes into a one-line message: a repr, shortened if long or deeply nested."""
    return _SHORT.repr(value)


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 2, 60, 60, 40


def _is_whole(value: int | float) -> bool:
    return isinstance(value, int) or (math.isfinite(value) and value.is_integer())


def _is_finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the float range, as JSON can hold
        return False


def _num(value: float) -> str:
    """A bound or value as people write it: 4294967295, not 4.29497e+09; 0.05, not 0.050000."""
    if isinstance(value, int):
        return shown(value)  # shortened: JSON can hold an integer of any length
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _suggestion(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""
