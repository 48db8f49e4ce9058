"""Notifications (`6`): the log of everything worth telling, unread first, newest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text
from textual import events
from textual.widget import Widget
from textual.widgets import DataTable

from invtui.services import notifications
from invtui.services.notifications import NotificationView
from invtui.ui.bindings import bindings_for, enter_help
from invtui.ui.messages import EventArrived
from invtui.ui.screens.base import BaseScreen
from invtui.ui.size_class import columns
from invtui.ui.styles import style
from invtui.ui.widgets.paged_table import Column, Page, PagedTable, ShowsPagedList

PAGE = 100
SEVERITY_WORDS = {"info": "info", "success": "ok", "warning": "WARN", "error": "ERROR"}
SEVERITY_MEANING = {"info": "quiet", "success": "ok", "warning": "warn", "error": "danger"}
# The text takes the width the others leave (0); under 60 columns "for" (you / everyone) goes.
COLUMNS = (Column("unread", "", 1), Column("age", "age", 4), Column("severity", "kind", 5),
           Column("title", "notification", 0), Column("for", "for", 9))


def notification_columns(layout: str) -> tuple[Column, ...]:
    """The notification list's columns for the layout (size_class.layout_for)."""
    return columns(COLUMNS, layout, compact=("unread", "age", "severity", "title"))


class NotificationsScreen(ShowsPagedList[NotificationView], BaseScreen):
    TITLE_TEXT = "Notifications"
    ENTER_HELP = enter_help("notifications")  # `?` lists Enter, which the table handles
    MODE = "notifications"
    AUTO_FOCUS = "#notifications-table"
    BINDINGS = bindings_for("notifications")

    def __init__(self) -> None:
        super().__init__()
        self._table = PagedTable(COLUMNS, key=lambda view: str(view.id), cells=self._cells, page_size=PAGE,
                                 id="notifications-table")

    def body(self) -> Iterable[Widget]:
        self._width = self.app.size.width
        self._table.set_columns(notification_columns(self.size_layout), self._width)
        yield self._table

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        if event.size.width != self._width:  # the text column fills the width: any resize rebuilds
            self._width = event.size.width
            self._table.set_columns(notification_columns(self.size_layout), self._width)

    def reload(self) -> None:
        actor = self.invtui.actor
        if actor is None:
            return

        def fetch(session: Any, after: int | None, limit: int) -> Page[NotificationView]:
            rows = notifications.list_for(session, actor, after=after, limit=limit)
            return Page(rows, rows[-1].id if len(rows) == limit else None)

        self.table().load(fetch, "No notifications")

    def action_reload(self) -> None:
        self.reload()

    def _cells(self, view: NotificationView) -> Mapping[str, Text]:
        weight = "" if view.is_read else "bold"
        return {
            "unread": Text("" if view.is_read else "●", style="bold"),
            "age": Text(self.invtui.clock.age(view.created_at)),
            "severity": Text(SEVERITY_WORDS.get(view.severity, view.severity),
                             style=style(self.app, SEVERITY_MEANING.get(view.severity, "quiet"))),
            "title": Text(view.title + (f" — {view.body}" if view.body else ""), style=weight, overflow="ellipsis",
                          no_wrap=True),
            "for": Text(view.audience),
        }

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind in ("notification.created", "notifications.read"):  # type: ignore[attr-defined]
            self.table().mark_stale()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # The table takes Enter before the screen's binding sees it: Enter marks read, like `m`.
        event.stop()
        self.action_mark_read()

    def action_mark_read(self) -> None:
        table, actor = self.table(), self.invtui.actor
        view = table.current
        if actor is None or view is None:
            return
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
        # The row read sinks below the unread ones; the cursor stays put, on the next unread one.
        self.table().reload(follow_row=False)
        self.invtui.refresh_counts()
