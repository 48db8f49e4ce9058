"""Alerts (`2`): open alerts, OUT before LOW, newest first, acted on with one key.

`a` acknowledge, `d` dismiss, `r` resolve (each asks for an optional note); `space` marks rows and
the same keys then act on every marked alert in one call. Pages come from the server (keyset), so
thousands of open alerts stay instant. New alerts from anyone appear without a reload.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable, Input

from invtui.domain.roles import Permission
from invtui.services import alerts
from invtui.services.alerts import AlertView, BulkResult
from invtui.ui.bindings import bindings_for, enter_help
from invtui.ui.messages import EventArrived
from invtui.ui.modals.note_modal import NoteModal
from invtui.ui.numbers import number_cell
from invtui.ui.screens.searchable import SearchableListScreen
from invtui.ui.size_class import columns
from invtui.ui.styles import style
from invtui.ui.widgets.paged_table import Column, Page, PagedTable, ShowsPagedList

PAGE = 100
FILTERS = (("open", "open"), ("ACKNOWLEDGED", "acknowledged"), ("all", "all, including closed"))
ACTION_WORDS = {"acknowledge": "Acknowledge", "dismiss": "Dismiss", "resolve": "Resolve"}
TYPE_WORDS = {"OUT_OF_STOCK": ("OUT", "danger"), "LOW_STOCK": ("LOW", "warn"), "LOW_SOON": ("SOON", "warn")}
STATUS_WORDS = {"ACTIVE": "active", "ACKNOWLEDGED": "acked", "RESOLVED": "resolved", "DISMISSED": "dismissed"}
EMPTY_WORDS = {"open": "open alerts", "ACKNOWLEDGED": "acknowledged alerts", "all": "alerts"}
# Widths add up to 80 columns with the cell padding: the SSH default terminal.
COLUMNS = (Column("mark", "✓", 1), Column("type", "sev", 3), Column("sku", "SKU", 10), Column("name", "product", 11),
           Column("location", "location", 8), Column("qty", "avail", 5), Column("threshold", "thr", 3),
           Column("status", "status", 6), Column("age", "age", 3), Column("by", "by", 7))
# 60 columns: threshold, age and who go (Enter shows them). Under 60 (a handheld scanner, 40
# wide): what an operator walking the aisles acts on; the top line says which statuses are listed.
NARROW_COLUMNS = ("mark", "type", "sku", "name", "location", "qty", "status")
COMPACT_COLUMNS = ("mark", "type", "sku", "location", "qty")


def alert_columns(layout: str) -> tuple[Column, ...]:
    """The alerts list's columns for the layout (size_class.layout_for)."""
    return columns(COLUMNS, layout, NARROW_COLUMNS, COMPACT_COLUMNS)


class AlertsScreen(ShowsPagedList[AlertView], SearchableListScreen):
    TITLE_TEXT = "Alerts"
    ENTER_HELP = enter_help("alerts")  # `?` lists Enter, which the table handles
    MODE = "alerts"
    AUTO_FOCUS = "#alerts-table"
    SEARCH_FIELD = "alerts-search"
    LIST_TABLE = "alerts-table"
    SEARCH_DELAY = 0.3
    BINDINGS = bindings_for("alerts")

    def __init__(self) -> None:
        super().__init__()
        self.marked: set[int] = set()
        self.filter_index = 0
        self.alert_type: str | None = None
        self.search = ""
        self._table = PagedTable(COLUMNS, key=lambda view: str(view.id), cells=self._cells, page_size=PAGE,
                                 id="alerts-table")

    def body(self) -> Iterable[Widget]:
        yield Input(placeholder="search SKU, name or barcode; Enter to return to the list", id="alerts-search")
        self._table.set_columns(alert_columns(self.size_layout))
        yield self._table

    def layout_changed(self) -> None:
        self._table.set_columns(alert_columns(self.size_layout))

    # -- loading ----------------------------------------------------------------------------

    def show_type(self, alert_type: str | None) -> None:
        self.alert_type = alert_type
        self.reload()

    def _describe_filter(self) -> str:
        parts = [FILTERS[self.filter_index][1]]
        if self.alert_type:
            parts.append(TYPE_WORDS[self.alert_type][0] + " only")
        if self.search:
            parts.append(f"matching {self.search!r}")
        return "Alerts — " + ", ".join(parts)

    def _empty_text(self) -> str:
        noun = EMPTY_WORDS[FILTERS[self.filter_index][0]]
        if self.alert_type:
            noun = noun.replace("alerts", TYPE_WORDS[self.alert_type][0] + " alerts")
        return f"No {noun}" + (f" match {self.search!r}" if self.search else "")

    def reload(self) -> None:
        status, kind, search = FILTERS[self.filter_index][0], self.alert_type, self.search or None
        self.sub_title = self._describe_filter()

        def fetch(session: Any, after: alerts.AlertCursor | None, limit: int) -> Page[AlertView]:
            page = alerts.list_alerts(session, status=status, alert_type=kind, search=search, after=after, limit=limit)
            return Page(page.rows, page.next)

        self.table().load(fetch, self._empty_text())

    def on_paged_table_replaced(self, message: PagedTable.Replaced) -> None:
        self.marked &= {row.id for row in self.rows}  # a mark on a row that left the list is gone too

    def _cells(self, view: AlertView) -> Mapping[str, Text]:
        word, meaning = TYPE_WORDS.get(view.alert_type, (view.alert_type, "strong"))
        if view.covered:  # stock on order covers the lead time: no action needed (issue 17)
            word, meaning = f"{word}·PO", "quiet"
        return {
            "mark": Text("✓" if view.id in self.marked else "", style="bold"),
            "type": Text(word, style=style(self.app, meaning)),
            "sku": Text(view.sku),
            "name": Text(view.name, overflow="ellipsis", no_wrap=True),
            "location": Text(view.location),
            "qty": number_cell(view.current_quantity, 5),
            "threshold": number_cell(view.threshold_quantity, 3),
            "status": Text(STATUS_WORDS.get(view.status, view.status.lower())),
            "age": Text(self.invtui.clock.age(view.created_at)),
            "by": Text(view.acknowledged_by or view.resolved_by or ""),
        }

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind.startswith("alert"):  # type: ignore[attr-defined]
            self.table().mark_stale()

    # -- acting -----------------------------------------------------------------------------

    def _targets(self) -> list[int]:
        if self.marked:
            return sorted(self.marked)
        current = self.table().current
        return [current.id] if current is not None else []

    def action_act(self, action: str) -> None:
        actor = self.invtui.actor
        ids = self._targets()
        if actor is None or not ids:
            return
        if not actor.can(Permission.HANDLE_ALERTS):
            self.notify(f"Role {actor.role.value} cannot {Permission.HANDLE_ALERTS.words}", title="Not allowed",
                        severity="warning")
            return
        what = f"alert #{ids[0]}" if len(ids) == 1 else f"{len(ids)} marked alerts"

        def confirmed(note: str | None) -> None:
            if note is None:
                return
            self.service(lambda s: alerts.act(s, actor, action, ids, note), self._acted, group="act")

        def ask(warnings: list[str]) -> None:
            title = f"{ACTION_WORDS[action]} {what}"
            if warnings:  # resolving an item that is still short disarms it: say so first
                shown = warnings[:3] + ([f"+{len(warnings) - 3} more still short"] if len(warnings) > 3 else [])
                title += "\n" + "\n".join(shown)
            self.app.push_screen(NoteModal(title), confirmed)

        if action == "resolve":
            self.service(lambda s: alerts.still_short(s, ids), ask, group="act-check")
        else:
            ask([])

    def _acted(self, result: BulkResult) -> None:
        self.marked.clear()
        if result.refused and not result.done and len(result.refused) == 1:
            self.notify(next(iter(result.refused.values())), title="Not done", severity="warning", timeout=8)
        else:
            reasons = "; ".join(result.refused.values())
            self.notify(result.summary + (f": {reasons}" if reasons else ""),
                        severity="warning" if result.refused else "information", timeout=8)
        self.reload()
        self.invtui.refresh_counts()

    def action_mark(self) -> None:
        table = self.table()
        view = table.current
        if view is None:
            return
        self.marked ^= {view.id}
        table.update_row(view)
        table.action_cursor_down()

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.marked.clear()
        self.reload()

    def action_clear(self) -> None:
        had_type, self.alert_type = self.alert_type, None
        if self.clear_search() or had_type:
            self.reload()

    def action_detail(self) -> None:
        view = self.table().current
        if view is not None:
            from invtui.ui.screens.alert_detail import AlertDetailScreen

            self.app.push_screen(AlertDetailScreen(view))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_detail()

    def action_check_now(self) -> None:
        self.invtui.action_check_now()
