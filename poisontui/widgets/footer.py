"""The footer of key bindings, loaded after a screen's first paint."""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's footer, rebuilt only when the keys it shows change, and without its leak.

    Textual's footer rebuilds its keys whenever the focus or the bindings change, several times a
    run. Each key it builds binds itself to the footer's `compact` setting, and Textual drops such
    bindings of removed widgets only when that setting changes, which it never does: every key ever
    built stayed alive. Touching the setting after a rebuild lets them go, and not rebuilding the
    same keys spares the churn (and the render caches each new key fills).
    """

    _shown: list | None = None

    def _keys(self) -> list:
        return [(key, active.binding.description, active.enabled, active.binding.tooltip)
                for key, active in self.screen.active_bindings.items() if active.binding.show]

    async def recompose(self) -> None:
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
        self.mutate_reactive(Footer.compact)
