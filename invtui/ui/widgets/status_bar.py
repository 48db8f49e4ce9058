"""The status bar at the bottom of every screen: who, database state, live counts, the sweep.

It says as much as the width allows: counts spelled out on a wide terminal ("▲ 12 alerts
(3 out): 9 active · 3 acknowledged", "sweep 10:42: 2 new · 0 escalated · 1 resolved"), fewer
words as it narrows, and only the counts on a handheld scanner ("▲12 (3 out)│✉1"). It is
docked to the bottom, so a tall screen can never push it out of sight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from invtui.ui.styles import COLOUR, PLAIN


@dataclass(frozen=True)
class StatusInfo:
    """Everything the status bar shows; the app replaces it whole, every bar follows."""

    user: str = ""
    role: str = ""
    db_state: str = "connecting"  # connected | reconnecting | unreachable | connecting
    db_detail: str = ""
    last_sweep: str = "—"  # local time the last finished sweep started, "—" before the first
    sweep_new: int = 0
    sweep_escalated: int = 0
    sweep_resolved: int = 0
    sweep_failed: bool = False
    next_sweep: str = "—"
    open_alerts: int = 0
    out_alerts: int = 0
    acknowledged_alerts: int = 0
    unread: int = 0


class StatusBar(Widget):
    """Renders the app's `status` for its own width; words and symbols carry the meaning, colour only helps."""

    DEFAULT_CSS = """
    StatusBar { dock: bottom; margin-bottom: 1; height: 1; background: $panel; color: $foreground; }
    """

    _info: StatusInfo | None = None

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._show, init=True)

    def _show(self, info: StatusInfo) -> None:
        self._info = info
        self.refresh()

    def render(self) -> Text:
        # Rendered for the current width each time: a resize repaints it at the new size.
        return render_status(self._info or StatusInfo(), width=self.size.width or 200, plain=self.app.no_color)


# Detail levels of each part, most words first; a level past the end drops the part.
Part = Callable[[StatusInfo, dict[str, str], int], Text | None]


def _who(info: StatusInfo, styles: dict[str, str], level: int) -> Text | None:
    if not info.user:
        return Text("not signed in") if level < 3 else None
    forms = [f"{info.user} ({info.role})", f"{info.user}·{info.role}", info.user]
    if level >= len(forms):
        return None
    text = Text(info.user, style="bold")
    text.append(forms[level][len(info.user):])
    return text


def _db(info: StatusInfo, styles: dict[str, str], level: int) -> Text:
    if info.db_state == "connected":
        return Text("DB ok", style=styles["ok"])
    if info.db_state == "connecting":
        return Text("DB connecting…" if level == 0 else "DB…")
    detail = f", {info.db_detail}" if info.db_detail and level == 0 else ""
    return Text(("DB UNREACHABLE" if level == 0 else "DB DOWN") + detail, style=styles["danger"])


def _alerts(info: StatusInfo, styles: dict[str, str], level: int) -> Text:
    n, out = info.open_alerts, info.out_alerts
    if not n:
        return Text("no alerts" if level < 2 else "▲0")
    style = styles["danger"] if out else styles["warn"]
    if level >= 2:
        return Text(f"▲{n}" + (f" ({out} out)" if out else ""), style=style)
    text = Text(f"▲ {n} alert{'s' if n != 1 else ''}" + (f" ({out} out)" if out else ""), style=style)
    if level == 0:
        text.append(f": {n - info.acknowledged_alerts} active · {info.acknowledged_alerts} acknowledged")
    return text


def _unread(info: StatusInfo, styles: dict[str, str], level: int) -> Text:
    style = "bold" if info.unread else ""
    return Text(f"✉ {info.unread} unread" if level < 2 else f"✉{info.unread}", style=style)


def _sweep(info: StatusInfo, styles: dict[str, str], level: int) -> Text | None:
    if level >= 2:
        return Text("sweep FAILED", style=styles["danger"]) if info.sweep_failed else None
    text = Text("no sweep yet" if info.last_sweep == "—" else f"sweep {info.last_sweep}")
    if info.sweep_failed:
        text.append(" FAILED", style=styles["danger"])
    elif level == 0 and info.last_sweep != "—":
        text.append(f": {info.sweep_new} new · {info.sweep_escalated} escalated · {info.sweep_resolved} resolved")
    text.append(f" · next {info.next_sweep}")
    return text


PARTS: tuple[Part, ...] = (_who, _db, _alerts, _unread, _sweep)
# (level of each part in PARTS order, separator), tried in turn until one fits the width.
TIERS: tuple[tuple[tuple[int, ...], str], ...] = (
    ((0, 0, 0, 0, 0), " │ "),
    ((0, 0, 0, 0, 1), " │ "),
    ((0, 0, 1, 0, 1), " │ "),
    ((1, 0, 1, 0, 1), "│"),
    ((1, 0, 1, 0, 2), "│"),
    ((1, 0, 2, 2, 2), "│"),  # the counts only, but why the database is unreachable still in words
    ((1, 1, 2, 2, 2), "│"),
    ((2, 1, 2, 2, 2), "│"),
    ((3, 1, 2, 2, 2), "│"),
)


def render_status(info: StatusInfo, *, width: int = 200, plain: bool = False) -> Text:
    """The bar's text for `width` cells: the first tier that fits drops words, then parts the
    operator can do without (sweep times, the role, the user); never the DB state or the counts.
    `plain`: NO_COLOR."""
    styles = PLAIN if plain else COLOUR
    text = Text()
    for levels, bar in TIERS:
        pieces = [part(info, styles, level) for part, level in zip(PARTS, levels)]
        text = Text(" ", no_wrap=True, overflow="ellipsis")
        text.append_text(Text(bar).join(piece for piece in pieces if piece is not None))
        if text.cell_len <= width:
            break
    return text
