"""The footer of the signed-in screens: Textual's Footer, rebuilt only when its keys change.

Textual's Footer rebuilds all its keys after the next refresh for every change of the screen's
bindings, and showing a screen changes them several times in a row (mounted, focused, the app's
bindings refreshed), often to the same keys: on the first `3`, two or three rebuilds of ~15
keys, each key restyled as it mounts (issue 15). Here the rebuilds asked for before the next
refresh come to one, and none happens when the keys it would show are the ones shown.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A Footer that rebuilds once per burst of binding changes, and only for different keys."""

    _rebuild_pending = False
    _shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_pending:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def _keys(self) -> tuple[object, ...]:
        """What `compose` shows: each binding with its state, description and key as displayed."""
        return tuple((binding.key, binding.action, binding.description, binding.show, binding.group, enabled, tooltip,
                      self.app.get_key_display(binding))
                     for _, binding, enabled, tooltip in self.screen.active_bindings.values())

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await self.recompose()
