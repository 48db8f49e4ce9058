"""The top line of every screen: the screens by number key, the current one highlighted.

It takes the place of a title bar, so the footer only needs the current screen's own keys and
everything still fits 80 columns. A click on a screen's name goes there (in a browser, where
there may be no keyboard, that is how one moves).
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.text import Text
from textual import events
from textual.widgets import Static

SCREENS = (("1", "dashboard", "Dash"), ("2", "alerts", "Alerts"), ("3", "inventory", "Stock"),
           ("4", "purchase_orders", "POs"), ("5", "catalog", "Catalog"), ("6", "notifications", "Notes"))
TITLE = " invtui "


def spans() -> Iterator[tuple[int, int, str]]:
    """Where each screen's name sits on the line: (first cell, cell after the last, mode)."""
    start = len(TITLE)
    for key, mode, label in SCREENS:
        end = start + len(f" {key} {label} ")
        yield start, end, mode
        start = end


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
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(TITLE, style="bold")
        for key, mode, label in SCREENS:
            if mode == self.current:
                text.append(f" {key} {label} ", style="bold reverse")
            else:
                text.append(f" {key}", style="bold")
                text.append(f" {label} ")
        text.append(" · " + self.detail if self.detail else "  ? help", style="dim" if not self.detail else "italic")
        return text

    async def on_click(self, event: events.Click) -> None:
        for start, end, mode in spans():
            if start <= event.x < end:
                event.stop()
                await self.app.run_action(f"go({mode!r})")  # the number key's action, with its checks
                return
