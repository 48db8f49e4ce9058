"""The top line of every screen: the screens by number key, the current one highlighted.

It takes the place of a title bar, so the footer only needs the current screen's own keys and
everything still fits 80 columns. A click on a screen's name goes there (in a browser, where
there may be no keyboard, that is how one moves).

Narrower, it condenses: under 80 columns the title goes; under 60 (a handheld scanner), or when
the list's filter would not fit, the other screens show by number only, the current one by name.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.text import Text
from textual import events
from textual.widgets import Static

from invtui.ui.size_class import COMPACT_WIDTH

SCREENS = (("1", "dashboard", "Dash"), ("2", "alerts", "Alerts"), ("3", "inventory", "Stock"),
           ("4", "purchase_orders", "POs"), ("5", "catalog", "Catalog"), ("6", "notifications", "Notes"))
TITLE = " invtui "


def condensed(width: int, detail: str) -> bool:
    """Other screens by number only: under 60 columns, or when their names leave no room for the
    list's filter ("· acknowledged, matching 'tape'")."""
    if width < COMPACT_WIDTH:
        return True
    names = sum(len(f" {key} {label} ") for key, _, label in SCREENS) + (len(TITLE) if width >= 80 else 0)
    return bool(detail) and names + len(" · " + detail) > width


def spans(width: int, current: str, detail: str = "") -> Iterator[tuple[int, int, str]]:
    """Where each screen's name sits on a line `width` cells wide: (first cell, cell after the last, mode)."""
    short = condensed(width, detail)
    start = len(TITLE) if width >= 80 else 0
    for key, mode, label in SCREENS:
        end = start + len(_entry(key, label, short and mode != current))
        yield start, end, mode
        start = end


def _entry(key: str, label: str, short: bool) -> str:
    return f" {key} " if short else f" {key} {label} "


class NavBar(Static):
    DEFAULT_CSS = """
    NavBar { height: 1; background: $panel; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current
        self.detail = ""

    def on_mount(self) -> None:
        # The screen's sub_title says what the list shows ("Alerts — acknowledged, matching 'tape'").
        self.watch(self.screen, "sub_title", self._show_detail, init=True)

    def _show_detail(self, sub_title: str | None) -> None:
        sub_title = sub_title or ""
        self.detail = sub_title.split(" — ", 1)[1] if " — " in sub_title else ""
        self.refresh()

    def render(self) -> Text:
        width = self.size.width or 80
        short = condensed(width, self.detail)
        text = Text(no_wrap=True, overflow="ellipsis")
        if width >= 80:
            text.append(TITLE, style="bold")
        for key, mode, label in SCREENS:
            if mode == self.current:
                text.append(_entry(key, label, False), style="bold reverse")
            else:
                entry = _entry(key, label, short)
                text.append(entry[:len(key) + 1], style="bold")
                text.append(entry[len(key) + 1:])
        if self.detail:
            text.append(" · " + self.detail, style="italic")
        else:
            text.append("  ? help" if width >= COMPACT_WIDTH else " ?", style="dim")
        return text

    async def on_click(self, event: events.Click) -> None:
        for start, end, mode in spans(self.size.width, self.current, self.detail):
            if start <= event.x < end:
                event.stop()
                await self.app.run_action(f"go({mode!r})")  # the number key's action, with its checks
                return
