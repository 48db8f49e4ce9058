"""Counts due and open counts (`K` on the stock screen, F3 while counting).

The due list is oldest first (never counted at the top) with how many items and units each
location holds; the open list shows who counts where. Tab moves between the two; Enter starts or
resumes a count there (operators and up; viewers see the lists only). Posted counts from anyone
refresh the lists live.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from invtui.services import counts
from invtui.ui.bindings import bindings_for
from invtui.ui.messages import EventArrived
from invtui.ui.tick import StaleTick
from invtui.ui.numbers import number_cell
from invtui.ui.service_call import call_service


class CountsListScreen(ModalScreen[None]):
    CSS_PATH = "count.tcss"
    AUTO_FOCUS = "#due-table"
    ENTER_HELP = "Count this location (start, or resume its open count)"
    BINDINGS = bindings_for("counts_list")

    def __init__(self, *, can_open: bool = True) -> None:
        super().__init__()
        self.can_open = can_open  # False when shown over a count: one count at a time
        self.due: list[counts.DueLocation] = []
        self.open: list[counts.CountSession] = []
        self._stale = False

    def compose(self) -> ComposeResult:
        with Vertical(id="counts-box"):
            yield Static("", id="due-title")
            due: DataTable[Text] = DataTable(id="due-table", cursor_type="row", zebra_stripes=True)
            for label, width in (("location", 10), ("name", 18), ("last counted", 12), ("items", 6), ("units", 7)):
                due.add_column(label, width=width)
            yield due
            yield Static("", id="open-title")
            sessions: DataTable[Text] = DataTable(id="open-table", cursor_type="row", zebra_stripes=True)
            for label, width in (("count", 10), ("location", 10), ("by", 10), ("lines", 5), ("units", 6),
                                 ("started", 11)):
                sessions.add_column(label, width=width)
            yield sessions
            hint = "Tab: due / open · ⏎ count there · Esc close" if self.can_open else "Tab: due / open · Esc close"
            yield Static(hint, classes="modal-hint")

    def on_mount(self) -> None:
        self.reload()
        self._tick = StaleTick(self, self._reload_if_stale)  # no wakeup while nothing changed

    def reload(self) -> None:
        app: Any = self.app
        actor, settings, now = app.actor, app.settings, app.clock.now()
        call_service(self, lambda s: (counts.due(s, actor, settings, now=now),
                                      counts.list_sessions(s, actor, status="open")),
                     self._show, group="counts-list", exclusive=True)

    def _show(self, result: tuple[list[counts.DueLocation], list[counts.CountSession]]) -> None:
        self.due, self.open = result
        clock = self.app.clock  # type: ignore[attr-defined]
        due = self.query_one("#due-table", DataTable)
        keep = due.cursor_row
        due.clear()
        for place in self.due:
            last = f"{place.last_counted_at:%Y-%m-%d}" if place.last_counted_at else "never"
            due.add_row(Text(place.code), Text(place.name, overflow="ellipsis", no_wrap=True), Text(last),
                        number_cell(place.items, 6), number_cell(place.units, 7))
        if self.due:
            due.move_cursor(row=min(keep, len(self.due) - 1))
        sessions = self.query_one("#open-table", DataTable)
        sessions.clear()
        for cnt in self.open:
            sessions.add_row(Text(cnt.reference), Text(cnt.location), Text(cnt.owner), number_cell(cnt.lines, 5),
                             number_cell(cnt.units, 6), Text(f"{clock.age(cnt.created_at)} ago"))
        self.query_one("#due-title", Static).update(
            Text(f"Counts due: {len(self.due)} location(s), oldest first", style="bold"))
        self.query_one("#open-title", Static).update(Text(f"Open counts: {len(self.open)}", style="bold"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if not self.can_open:
            self.notify("Finish or leave this count first; one count at a time", title="Counts")
            return
        table = event.data_table
        if table.id == "due-table" and self.due:
            where = self.due[table.cursor_row].code
        elif table.id == "open-table" and self.open:
            where = self.open[table.cursor_row].location
        else:
            return
        from invtui.ui.screens.count import open_count

        open_count(self, where, lambda _: self.reload())

    def action_close(self) -> None:
        self.dismiss(None)

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind == "stock.changed" or message.event.kind.startswith("count."):  # type: ignore[attr-defined]
            self._stale = True  # a posted count (or any movement) changes what is due and held
            self._tick.poke()

    def _reload_if_stale(self) -> None:
        if self._stale:
            self._stale = False
            self.reload()
