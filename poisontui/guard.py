"""Unexpected errors in the app's own code become a notice; the app keeps running.

Textual ends a widget's message loop when an exception escapes one of its handlers, and then the
whole app, losing every result on screen. The app, its screens and its widgets catch what escapes
their handlers and scheduled callbacks here and report it instead. A crash that still ends the app
(inside one of Textual's own widgets) leaves it with a non-zero exit status.
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

from textual.message import Message


def report(node: Any, error: Exception) -> None:
    """Tell the app about `error`; fall back to Textual's own handling if the app cannot say it."""
    app = node.app
    reporter = getattr(app, "report_unexpected", None)
    if reporter is None:
        app._handle_exception(error)
        return
    reporter(error)


class Guarded:
    """A mixin for the app's message pumps (the app, screens, widgets): handler errors are reported."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001 - every unexpected error is reported, none ends the app
            report(self, error)

    def _guard(self, callback, args: tuple, kwargs: dict):
        bound = partial(callback, *args, **kwargs)

        async def guarded() -> None:
            try:
                outcome = bound()
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception as error:  # noqa: BLE001
                report(self, error)

        return guarded

    def call_after_refresh(self, callback, *args: Any, **kwargs: Any) -> bool:
        return super().call_after_refresh(self._guard(callback, args, kwargs))  # type: ignore[misc]

    def call_next(self, callback, *args: Any, **kwargs: Any) -> None:
        super().call_next(self._guard(callback, args, kwargs))  # type: ignore[misc]


class ClosesOnce:
    """A mixin for dialogs: closing one that is already closed does nothing.

    Two keys that each close a dialog (enter choosing, escape leaving) can both arrive before it has
    gone; the second close would pop the screen beneath, or fail with no screen left to pop.
    """

    def dismiss(self, result=None):
        if self.app.screen is not self:
            return None
        return super().dismiss(result)  # type: ignore[misc]
