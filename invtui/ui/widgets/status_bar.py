"""The status bar at the bottom of every screen: who, database state, sweep, live counts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from invtui.ui.styles import COLOUR, PLAIN


@dataclass(frozen=True)
class StatusInfo:
    """Everything the status bar shows; the app replaces it whole, every bar follows."""

    user: str = ""
    role: str = ""
    db_state: str = "connecting"  # connected | reconnecting | unreachable | connecting
    db_detail: str = ""
    last_sweep: str = "—"
    next_sweep: str = "—"
    open_alerts: int = 0
    out_alerts: int = 0
    unread: int = 0


class StatusBar(Static):
    """Renders the app's `status`; words and symbols carry the meaning, colour only helps."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $foreground; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._show, init=True)

    _info: StatusInfo | None = None
    _compact: bool | None = None

    def _show(self, info: StatusInfo) -> None:
        self._info = info
        self._compact = self.size.width < 100
        self.update(render_status(info, compact=self._compact, plain=self.app.no_color))

    def on_resize(self) -> None:
        # Re-render only when crossing the 100-column line: updating may itself cause a resize.
        if self._info is not None and self._compact != (self.size.width < 100):
            self._show(self._info)


def render_status(info: StatusInfo, *, compact: bool = False, plain: bool = False) -> Text:
    """The bar's text; `compact` (under 100 columns) drops words, never facts; `plain`: NO_COLOR."""
    styles = PLAIN if plain else COLOUR
    bar = "│" if compact else " │ "
    text = Text(no_wrap=True, overflow="ellipsis")
    if info.user:
        text.append(f" {info.user}", style="bold")
        text.append(f"·{info.role}" if compact else f" ({info.role})")
    else:
        text.append(" not signed in")
    text.append(bar)
    if info.db_state == "connected":
        text.append("DB ok", style=styles["ok"])
    elif info.db_state == "connecting":
        text.append("DB connecting…")
    else:
        text.append("DB UNREACHABLE", style=styles["danger"])
        if info.db_detail:
            text.append(f", {info.db_detail}", style=styles["danger"])
    text.append(bar)
    text.append(f"sweep {info.last_sweep} next {info.next_sweep}")
    text.append(bar)
    if info.open_alerts:
        style = styles["danger"] if info.out_alerts else styles["warn"]
        text.append(f"▲{info.open_alerts}" if compact else f"▲ {info.open_alerts} alert{'s' if info.open_alerts != 1 else ''}",
                    style=style)
        if info.out_alerts:
            text.append(f" ({info.out_alerts} out)", style=style)
    else:
        text.append("no alerts")
    text.append(bar)
    text.append(f"✉{info.unread}" if compact else f"✉ {info.unread} unread", style="bold" if info.unread else "")
    return text
