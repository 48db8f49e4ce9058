"""Notifications (`6`): the log of everything worth telling, unread first, newest first."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import events
from textual.widget import Widget
from textual.widgets import DataTable

from invtui.services import notifications
from invtui.services.notifications import NotificationView
from invtui.ui.bindings import bindings_for, enter_help
from invtui.ui.messages import EventArrived
from invtui.ui.screens.base import BaseScreen
from invtui.ui.size_class import Column, columns, pick, set_columns
from invtui.ui.styles import style

PAGE = 100
SEVERITY_WORDS = {"info": "info", "success": "ok", "warning": "WARN", "error": "ERROR"}
SEVERITY_MEANING = {"info": "quiet", "success": "ok", "warning": "warn", "error": "danger"}
# The text takes the width the others leave (0); under 60 columns "for" (you / everyone) goes.
COLUMNS: tuple[Column, ...] = (("", "unread", 1), ("age", "age", 4), ("kind", "severity", 5),
                               ("notification", "title", 0), ("for", "for", 9))


def notification_columns(layout: str) -> tuple[Column, ...]:
    """The notification list's columns for the layout (size_class.layout_for)."""
    return columns(COLUMNS, layout, compact=("unread", "age", "severity", "title"))


class NotificationsScreen(BaseScreen):
    TITLE_TEXT = "Notifications"
    ENTER_HELP = enter_help("notifications")  # `?` lists Enter, which the table handles
    MODE = "notifications"
    AUTO_FOCUS = "#notifications-table"
    BINDINGS = bindings_for("notifications")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[NotificationView] = []
        self._stale = False
        self._more = False

    def body(self) -> Iterable[Widget]:
        table: DataTable[Text] = DataTable(id="notifications-table", cursor_type="row", zebra_stripes=True)
        self._width = self.app.size.width
        set_columns(table, notification_columns(self.size_layout), self._width)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1.0, self._reload_if_stale)

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        if event.size.width != self._width:  # the text column fills the width: any resize rebuilds
            self._width = event.size.width
            set_columns(self.query_one(DataTable), notification_columns(self.size_layout), self._width)
            self.reload()

    def reload(self) -> None:
        actor = self.invtui.actor
        if actor is None:
            return
        self._stale = False
        self.service(lambda s: notifications.list_for(s, actor, limit=PAGE), self._show, group="notifications",
                     exclusive=True)

    def action_reload(self) -> None:
        self.reload()

    def _load_more(self) -> None:
        actor, last = self.invtui.actor, self.rows[-1].id if self.rows else None
        if actor is None or last is None:
            return
        self._more = False
        self.service(lambda s: notifications.list_for(s, actor, after=last, limit=PAGE), self._append,
                     group="notifications")

    def _show(self, rows: list[NotificationView]) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = []
        self._append(rows)
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))

    def _append(self, rows: list[NotificationView]) -> None:
        table = self.query_one(DataTable)
        for view in rows:
            table.add_row(*pick(self._cells(view), COLUMNS, notification_columns(self.size_layout)), key=str(view.id))
        self.rows.extend(rows)
        self._more = len(rows) == PAGE

    def _cells(self, view: NotificationView) -> tuple[Text, ...]:
        weight = "" if view.is_read else "bold"
        return (
            Text("" if view.is_read else "●", style="bold"),
            Text(self.invtui.clock.age(view.created_at)),
            Text(SEVERITY_WORDS.get(view.severity, view.severity), style=style(self.app, SEVERITY_MEANING.get(view.severity, "quiet"))),
            Text(view.title + (f" — {view.body}" if view.body else ""), style=weight, overflow="ellipsis",
                 no_wrap=True),
            Text(view.audience),
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._more and event.cursor_row >= len(self.rows) - 1:
            self._load_more()

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind in ("notification.created", "notifications.read"):  # type: ignore[attr-defined]
            self._stale = True

    def _reload_if_stale(self) -> None:
        if self._stale:
            self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # The table takes Enter before the screen's binding sees it: Enter marks read, like `m`.
        event.stop()
        self.action_mark_read()

    def action_mark_read(self) -> None:
        table = self.query_one(DataTable)
        actor = self.invtui.actor
        if actor is None or not self.rows or table.cursor_row >= len(self.rows):
            return
        view = self.rows[table.cursor_row]
        if view.is_read:
            table.action_cursor_down()
            return
        self.service(lambda s: notifications.mark_read(s, actor, [view.id]), lambda _: self._after_read(),
                     group="mark")

    def action_mark_all_read(self) -> None:
        actor = self.invtui.actor
        if actor is None:
            return
        self.service(lambda s: notifications.mark_all_read(s, actor),
                     lambda n: (self.notify(f"Marked {n} notification{'s' if n != 1 else ''} read."),
                                self._after_read()), group="mark")

    def _after_read(self) -> None:
        self.reload()
        self.invtui.refresh_counts()
