"""The footer of every signed-in screen: the compact Textual footer, cut to the terminal's width,
and rebuilt only when its keys change.

Textual's footer lays its keys out in one row and lets whatever does not fit run off the right
edge, so on a 60-column terminal the help key was the first to go. This one shows the screen's
keys from the left while they fit whole, and always `?` (help lists every key of the screen).

Textual's Footer also rebuilds all its keys after the next refresh for every change of the
screen's bindings, and showing a screen changes them several times in a row (mounted, focused,
the app's bindings refreshed), often to the same keys: on the first `3`, two or three rebuilds of
~15 keys, each key restyled as it mounts (issue 15). Here the rebuilds asked for before the next
refresh come to one, and none happens when the keys it would show are the ones shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ALWAYS_SHOWN = "help"  # the action whose key stays when others do not fit


def key_width(key: FooterKey) -> int:
    """Cells a compact footer key takes: its key, a space and its label, then a space of margin."""
    return cell_len(key.key_display) + (cell_len(key.description) + 1 if key.description else 0) + 1


def fitting(keys: Sequence[Widget], width: int) -> list[Widget]:
    """The keys to show in `width` cells: all if they fit; else the first ones that fit whole beside
    the help key (in their order). Anything but plain keys (a binding group) is left as it is."""
    if width <= 0 or not all(isinstance(key, FooterKey) for key in keys):
        return list(keys)
    plain: list[FooterKey] = list(keys)  # type: ignore[arg-type]
    if sum(key_width(key) for key in plain) <= width:
        return list(keys)
    kept = {id(key) for key in plain if key.action == ALWAYS_SHOWN}
    room = width - sum(key_width(key) for key in plain if id(key) in kept)
    for key in plain:
        if id(key) in kept:
            continue
        if key_width(key) > room:
            break
        kept.add(id(key))
        room -= key_width(key)
    return [key for key in plain if id(key) in kept]


class FittingFooter(Footer):
    """Footer(compact=True) whose keys never run off the screen, rebuilt once per burst of binding
    changes and only for different keys (see the module)."""

    _rebuild_pending = False
    _shown: tuple[object, ...] | None = None

    def __init__(self, **kwargs: object) -> None:
        super().__init__(compact=True, show_command_palette=False, **kwargs)  # type: ignore[arg-type]
        self._fitted_width = 0

    def compose(self) -> ComposeResult:
        self._fitted_width = self.app.size.width
        keys: Iterable[Widget] = super().compose()
        yield from fitting(list(keys), self._fitted_width)

    def on_resize(self, event: events.Resize) -> None:
        if self.app.size.width != self._fitted_width and self.is_attached:
            self.call_after_refresh(self.recompose)

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_pending:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def build_ahead(self) -> None:
        """Build the keys now, on a screen made ahead of its key (ui/ahead.py): shown, it finds
        them built for the keys it has, instead of mounting and styling them on the key."""
        self._bindings_ready = True
        self.call_later(self._rebuild)

    def _keys(self) -> tuple[object, ...]:
        """What `compose` shows: each shown binding with its state, description and key as displayed."""
        return tuple((binding.key, binding.action, binding.description, binding.group, enabled, tooltip,
                      self.app.get_key_display(binding))
                     for _, binding, enabled, tooltip in self.screen.active_bindings.values() if binding.show)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await self.recompose()
