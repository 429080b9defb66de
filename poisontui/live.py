"""Live mode, for demos: each change of the settings reruns by itself, while runs are quick.

A change starts a rerun `DELAY` seconds after the last change (so typing a ratio, or toggling
three mitigations, makes one run), and only while the last run took under `QUICK` seconds on the
same data; otherwise the status line says why live mode waits. A rerun started while one is
going ends that one first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from poisontui.app import PoisonApp

QUICK = 1.0
"""Seconds: live mode reruns by itself only while the last run, from key to result, took less."""
DELAY = 0.4
"""Seconds after the last change before the rerun starts."""


def data_key(config) -> str:
    """What the data and its split depend on (a run on other data may take any time)."""
    from poisontui.engine.cache import DataCache

    return DataCache.key(config)


def figures(result) -> str:
    """Clean, poisoned and the best mitigation's accuracy (means over seeds where there are several)."""
    names = ["clean", "poisoned"] + ([result.best] if result.best else [])
    return " -> ".join(f"{name} {result.row(name).get('accuracy_mean', result.row(name)['accuracy']):.3f}"
                       for name in names)


class Live:
    """The app's live mode: whether it is on, and the rerun waiting for the changes to stop."""

    def __init__(self, app: "PoisonApp") -> None:
        self.app = app
        self.on = False
        self.last_seconds: float | None = None  # the last finished run, from its start to its result
        self._timer = None

    def why_not(self) -> str | None:
        """Why a change would not rerun by itself now, in a few words; None when it would."""
        app = self.app
        if app.result is None or self.last_seconds is None:
            return "no run to time yet: r runs once"
        if self.last_seconds >= QUICK:
            return f"the last run took {self.last_seconds:.1f} s (live reruns runs under {QUICK:g} s); r runs"
        if data_key(app.result.config) != data_key(app.config):
            return "the data changed: r runs once, to time it"
        return None

    def status(self) -> str:
        """The status line while live mode is on (markup): why it waits, or the last run's accuracies."""
        reason = self.why_not()
        if reason is not None:
            return f"[b]LIVE[/] waits: {reason}"
        if self.app.stale:
            return f"[b]LIVE[/]: reruns {DELAY:g} s after the last change"
        return f"[b]LIVE[/] {self.last_seconds:.1f} s: {figures(self.app.result)}"

    def toggle(self) -> None:
        self.on = not self.on
        if not self.on:
            self._stop_timer()

    def changed(self) -> None:
        """The settings changed: rerun once they have stayed unchanged for `DELAY` seconds."""
        if not self.on:
            return
        self._stop_timer()
        self._timer = self.app.set_timer(DELAY, self._rerun, name="live rerun")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _rerun(self) -> None:
        self._timer = None
        app = self.app
        if not self.on or app.closing or not app.stale or self.why_not() is not None or app.sweeping:
            return
        if app.running and app.run_config is not None and app.run_config.to_dict() == app.config.to_dict():
            return  # the run in progress has these settings already
        app.rerun()
