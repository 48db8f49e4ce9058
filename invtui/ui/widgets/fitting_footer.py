"""The footer of every signed-in screen: the compact Textual footer, cut to the terminal's width.

Textual's footer lays its keys out in one row and lets whatever does not fit run off the right
edge, so on a 60-column terminal the help key was the first to go. This one shows the screen's
keys from the left while they fit whole, and always `?` (help lists every key of the screen).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from invtui.ui.widgets.key_footer import KeyFooter

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


class FittingFooter(KeyFooter):
    """Footer(compact=True) whose keys never run off the screen (see the module), rebuilt only when
    its keys change (KeyFooter)."""

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
