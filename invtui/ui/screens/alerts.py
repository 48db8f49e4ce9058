"""Alerts (`2`): open alerts, OUT before LOW, newest first, acted on with one key.

`a` acknowledge, `d` dismiss, `r` resolve (each asks for an optional note); `space` marks rows and
the same keys then act on every marked alert in one call. Pages come from the server (keyset), so
thousands of open alerts stay instant. New alerts from anyone appear without a reload.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Input

from invtui.domain.roles import Permission
from invtui.services import alerts
from invtui.services.alerts import AlertPage, AlertView, BulkResult
from invtui.ui.messages import EventArrived
from invtui.ui.numbers import number_cell
from invtui.ui.screens.searchable import SearchableListScreen
from invtui.ui.styles import style
from invtui.ui.widgets.note_modal import NoteModal

PAGE = 100
FILTERS = (("open", "open"), ("ACKNOWLEDGED", "acknowledged"), ("all", "all, including closed"))
ACTION_WORDS = {"acknowledge": "Acknowledge", "dismiss": "Dismiss", "resolve": "Resolve"}
TYPE_WORDS = {"OUT_OF_STOCK": ("OUT", "danger"), "LOW_STOCK": ("LOW", "warn"), "LOW_SOON": ("SOON", "warn")}
STATUS_WORDS = {"ACTIVE": "active", "ACKNOWLEDGED": "acked", "RESOLVED": "resolved", "DISMISSED": "dismissed"}


class AlertsScreen(SearchableListScreen):
    TITLE_TEXT = "Alerts"
    ENTER_HELP = "The alert: its history and last movements"  # `?` lists Enter, which the table handles
    MODE = "alerts"
    AUTO_FOCUS = "#alerts-table"
    SEARCH_FIELD = "alerts-search"
    LIST_TABLE = "alerts-table"
    SEARCH_DELAY = 0.3
    BINDINGS = [
        Binding("a", "act('acknowledge')", "Ack"),
        Binding("d", "act('dismiss')", "Dismiss"),
        Binding("r", "act('resolve')", "Resolve"),
        Binding("space", "mark", "Mark", key_display="␣"),
        Binding("f", "cycle_filter", "Filter"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("enter", "detail", "Detail", show=False),
        Binding("c", "check_now", "Check"),
        Binding("escape", "clear", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AlertView] = []
        self.marked: set[int] = set()
        self.filter_index = 0
        self.alert_type: str | None = None
        self.search = ""
        self._next: alerts.AlertCursor | None = None
        self._stale = False

    def body(self) -> Iterable[Widget]:
        yield Input(placeholder="search SKU, name or barcode; Enter to return to the list", id="alerts-search")
        table: DataTable[Text] = DataTable(id="alerts-table", cursor_type="row", zebra_stripes=True)
        # Widths add up to 80 columns with the cell padding: the SSH default terminal.
        for label, key, width in (("✓", "mark", 1), ("sev", "type", 3), ("SKU", "sku", 10), ("product", "name", 11),
                                  ("location", "location", 8), ("avail", "qty", 5), ("thr", "threshold", 3),
                                  ("status", "status", 6), ("age", "age", 3), ("by", "by", 7)):
            table.add_column(label, key=key, width=width)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1.0, self._reload_if_stale)

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

    def reload(self) -> None:
        status, kind, search = FILTERS[self.filter_index][0], self.alert_type, self.search or None
        self.sub_title = self._describe_filter()
        self._stale = False
        self.service(lambda s: alerts.list_alerts(s, status=status, alert_type=kind, search=search, limit=PAGE),
                     self._show, group="alerts", exclusive=True)

    def _show(self, page: AlertPage) -> None:
        table = self.query_one("#alerts-table", DataTable)
        index = table.cursor_row
        current = self.rows[index].id if self.rows and index < len(self.rows) else None
        table.clear()
        self.rows = []
        self._append(page)
        visible = {row.id for row in self.rows}
        self.marked &= visible
        if current in visible:
            table.move_cursor(row=next(i for i, r in enumerate(self.rows) if r.id == current))
        elif self.rows:  # the row left the list (resolved, dismissed): the next one takes its place
            table.move_cursor(row=min(index, len(self.rows) - 1))

    def _append(self, page: AlertPage) -> None:
        table = self.query_one("#alerts-table", DataTable)
        for view in page.rows:
            table.add_row(*self._cells(view), key=str(view.id))
        self.rows.extend(page.rows)
        self._next = page.next

    def _cells(self, view: AlertView) -> tuple[Text, ...]:
        word, meaning = TYPE_WORDS.get(view.alert_type, (view.alert_type, "strong"))
        if view.covered:  # stock on order covers the lead time: no action needed (issue 17)
            word, meaning = f"{word}·PO", "quiet"
        by = view.acknowledged_by or view.resolved_by or ""
        return (
            Text("✓" if view.id in self.marked else "", style="bold"),
            Text(word, style=style(self.app, meaning)),
            Text(view.sku),
            Text(view.name, overflow="ellipsis", no_wrap=True),
            Text(view.location),
            number_cell(view.current_quantity, 5),
            number_cell(view.threshold_quantity, 3),
            Text(STATUS_WORDS.get(view.status, view.status.lower())),
            Text(self.invtui.clock.age(view.created_at)),
            Text(by),
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._next is not None and event.cursor_row >= len(self.rows) - 1:
            cursor, self._next = self._next, None
            status, kind, search = FILTERS[self.filter_index][0], self.alert_type, self.search or None
            self.service(lambda s: alerts.list_alerts(s, status=status, alert_type=kind, search=search,
                                                      after=cursor, limit=PAGE), self._append, group="alerts-more")

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind.startswith("alert"):  # type: ignore[attr-defined]
            self._stale = True

    def _reload_if_stale(self) -> None:
        if self._stale:
            self.reload()

    # -- acting -----------------------------------------------------------------------------

    def _targets(self) -> list[int]:
        if self.marked:
            return sorted(self.marked)
        table = self.query_one("#alerts-table", DataTable)
        if self.rows and table.cursor_row < len(self.rows):
            return [self.rows[table.cursor_row].id]
        return []

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
        table = self.query_one("#alerts-table", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        view = self.rows[table.cursor_row]
        self.marked ^= {view.id}
        table.update_cell(str(view.id), "mark", Text("✓" if view.id in self.marked else "", style="bold"))
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
        table = self.query_one("#alerts-table", DataTable)
        if self.rows and table.cursor_row < len(self.rows):
            from invtui.ui.screens.alert_detail import AlertDetailScreen

            self.app.push_screen(AlertDetailScreen(self.rows[table.cursor_row]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_detail()

    def action_check_now(self) -> None:
        self.invtui.action_check_now()
