"""The status bar at the bottom of every screen: who, database state, sweep, live counts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static


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

    def _show(self, info: StatusInfo) -> None:
        self.update(render_status(info))


def render_status(info: StatusInfo) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    if info.user:
        text.append(f" {info.user}", style="bold")
        text.append(f" ({info.role})")
    else:
        text.append(" not signed in")
    text.append(" │ ")
    if info.db_state == "connected":
        text.append("DB ok", style="green")
    elif info.db_state == "connecting":
        text.append("DB connecting…")
    else:
        text.append("DB UNREACHABLE", style="bold red")
        if info.db_detail:
            text.append(f", {info.db_detail}", style="red")
    text.append(" │ ")
    text.append(f"sweep {info.last_sweep}, next {info.next_sweep}")
    text.append(" │ ")
    if info.open_alerts:
        style = "bold red" if info.out_alerts else "bold yellow"
        text.append(f"▲ {info.open_alerts} alert{'s' if info.open_alerts != 1 else ''}", style=style)
        if info.out_alerts:
            text.append(f" ({info.out_alerts} out)", style=style)
    else:
        text.append("no alerts")
    text.append(" │ ")
    text.append(f"✉ {info.unread} unread", style="bold" if info.unread else "")
    return text
