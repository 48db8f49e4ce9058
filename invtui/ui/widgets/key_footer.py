"""The footer of the signed-in screens: Textual's Footer, rebuilt once per burst of key changes.

Textual's Footer rebuilds all its keys after the next refresh for every change of the screen's
bindings, and showing a screen changes them several times in a row (mounted, focused, the app's
bindings refreshed): four rebuilds of ~15 keys each on the first `3`, every key restyled as it
mounts (issue 15). One rebuild after the burst reads the same bindings, so it shows the same keys.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A Footer whose rebuilds asked for before the next refresh come to one."""

    _rebuild_pending = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_pending:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        await self.recompose()
