"""Inventory (`3`): every stock row, paged on the server, searched as you type, acted on by key.

`r` receive, `i` issue, `t` transfer, `j` adjust to a count, `v` reserve, `V` release, `s` scan
mode for barcode scanners; `/` searches SKU, name, barcode and location; `f` cycles all / low /
out; Enter shows the item. Rows arrive a page at a time (keyset), so 1M rows never load at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Input

from invtui.domain.roles import Permission
from invtui.services import catalog, inventory, stock_list
from invtui.services.stock_list import StockPage, StockRow
from invtui.ui.messages import EventArrived
from invtui.ui.numbers import number_cell
from invtui.ui.screens.searchable import SearchableListScreen
from invtui.ui.styles import style
from invtui.ui.widgets.stock_form import ACTIONS, StockFormModal, StockFormResult

PAGE = 100
FILTERS = ("all", "low", "out")
CONDITION_WORDS = {"OK": ("ok", "quiet"), "LOW_STOCK": ("LOW", "warn"), "OUT_OF_STOCK": ("OUT", "danger"),
                   "LOW_SOON": ("SOON", "warn")}


class InventoryScreen(SearchableListScreen):
    TITLE_TEXT = "Inventory"
    ENTER_HELP = "The item: stock per location, open alerts, last movements"  # `?` lists Enter, which the table handles
    MODE = "inventory"
    AUTO_FOCUS = "#inventory-table"
    SEARCH_FIELD = "inventory-search"
    LIST_TABLE = "inventory-table"
    BINDINGS = [
        Binding("r", "stock('receive')", "Recv", tooltip="Receive"),
        Binding("i", "stock('issue')", "Issue"),
        Binding("t", "stock('transfer')", "Xfer", tooltip="Transfer"),
        Binding("j", "stock('adjust')", "Adj", tooltip="Adjust"),
        Binding("v", "stock('reserve')", "Rsv", tooltip="Reserve"),
        Binding("V", "stock('release')", "Rel", key_display="V", tooltip="Release"),
        Binding("s", "scan", "Scan"),
        Binding("f", "cycle_filter", "Filter"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("G,end", "last_page", "Last page", show=False),
        Binding("g,home", "first_page", "First page", show=False),
        Binding("escape", "clear", "Clear search", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[StockRow] = []
        self.has_more = False
        self.filter_index = 0
        self.search = ""
        self.locations: list[str] = []
        self._stale = False
        self._loading_more = False
        # Bumped by every fresh load: a next page that arrives for an older list is dropped.
        self._generation = 0

    def body(self) -> Iterable[Widget]:
        yield Input(placeholder="search SKU, name, barcode or location; Enter returns to the list",
                    id="inventory-search")
        table: DataTable[Text] = DataTable(id="inventory-table", cursor_type="row", zebra_stripes=True)
        # Widths add up to 80 columns with the cell padding.
        # "use": average daily usage, "days": days of cover (issue 17); "—" without usage.
        for label, key, width in (("SKU", "sku", 9), ("product", "name", 7), ("location", "location", 8),
                                  ("qty", "qty", 6), ("rsv", "reserved", 3), ("avail", "available", 5),
                                  ("thr", "threshold", 3), ("use", "use", 4), ("days", "cover", 4),
                                  ("stat", "status", 4)):
            table.add_column(label, key=key, width=width)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1.0, self._reload_if_stale)

    # -- loading ----------------------------------------------------------------------------

    def _query(self) -> dict[str, Any]:
        return {"search": self.search or None, "condition": FILTERS[self.filter_index]}

    def reload(self) -> None:
        self._stale = False
        self._generation += 1
        self._loading_more = False
        query = self._query()
        self.sub_title = "Inventory — " + FILTERS[self.filter_index] + (f", matching {self.search!r}" if self.search else "")
        self.service(lambda s: stock_list.page(s, **query, limit=PAGE), self._replace, group="inventory",
                     exclusive=True)
        if not self.locations:
            self.service(lambda s: [loc.code for loc in catalog.list_locations(s, active=True, limit=1000).items],
                         lambda codes: setattr(self, "locations", codes), group="locations")

    def _replace(self, page: StockPage, *, cursor_at_end: bool = False) -> None:
        table = self.query_one("#inventory-table", DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = []
        self._append(page)
        if self.rows:
            table.move_cursor(row=len(self.rows) - 1 if cursor_at_end else min(keep, len(self.rows) - 1))

    def _append(self, page: StockPage) -> None:
        table = self.query_one("#inventory-table", DataTable)
        shown = {row.inventory_id for row in self.rows}
        fresh = [item for item in page.rows if item.inventory_id not in shown]  # a page may overlap a refresh
        for item in fresh:
            table.add_row(*self._cells(item), key=str(item.inventory_id))
        self.rows.extend(fresh)
        self.has_more = page.has_more
        self._loading_more = False

    def _cells(self, item: StockRow) -> tuple[Text, ...]:
        condition = item.alert_condition or item.condition
        word, meaning = CONDITION_WORDS.get(condition, (condition, "strong"))
        return (
            Text(item.sku), Text(item.name, overflow="ellipsis", no_wrap=True), Text(item.location),
            number_cell(item.quantity, 6), number_cell(item.reserved or None, 3),
            number_cell(item.available, 5), number_cell(item.threshold, 3),
            number_cell(item.avg_daily_usage, 4, 1, blank="—"), number_cell(item.days_of_cover, 4, 0, blank="—"),
            Text(word, style=style(self.app, meaning)),
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.has_more and not self._loading_more and event.cursor_row >= len(self.rows) - 1 and self.rows:
            self._loading_more = True
            after = (self.rows[-1].sku, self.rows[-1].location)
            query, generation = self._query(), self._generation

            def more(page: StockPage) -> None:
                if generation == self._generation:
                    self._append(page)

            self.service(lambda s: stock_list.page(s, **query, after=after, limit=PAGE), more,
                         group="inventory-more", failed=lambda _: setattr(self, "_loading_more", False))

    def action_last_page(self) -> None:
        self._generation += 1
        query = self._query()
        self.service(lambda s: stock_list.last_page(s, **query, limit=PAGE),
                     lambda page: self._replace(page, cursor_at_end=True), group="inventory", exclusive=True)

    def action_first_page(self) -> None:
        self.query_one("#inventory-table", DataTable).move_cursor(row=0)
        self.reload()

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind in ("stock.changed", "catalog.changed") or message.event.kind.startswith("alert"):  # type: ignore[attr-defined]
            self._stale = True

    def _reload_if_stale(self) -> None:
        # Reload only the rows on screen, and only when the operator is not mid-scroll deep down.
        if self._stale and len(self.rows) <= PAGE:
            self.reload()

    # -- filters and search -------------------------------------------------------------------

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.reload()

    def action_clear(self) -> None:
        if self.clear_search():
            self.reload()

    # -- acting ---------------------------------------------------------------------------------

    def _current(self) -> StockRow | None:
        table = self.query_one("#inventory-table", DataTable)
        return self.rows[table.cursor_row] if self.rows and table.cursor_row < len(self.rows) else None

    def action_stock(self, kind: str) -> None:
        item, actor = self._current(), self.invtui.actor
        if item is None or actor is None:
            return
        if not actor.can(Permission.MOVE_STOCK):
            self.notify(f"Role {actor.role.value} cannot {Permission.MOVE_STOCK.words}", title="Not allowed",
                        severity="warning")
            return
        spec = ACTIONS[kind]
        label = f"{item.sku} {item.name} at {item.location} ({item.available} available)"
        others = [code for code in self.locations if code != item.location]
        # The form sends the movement itself and stays open on a refusal, keeping what was typed.
        self.app.push_screen(StockFormModal(spec, label, others, source=item.location,
                                            perform=lambda form: self._call(kind, item, form)),
                             lambda outcome: self._done(kind, item, *outcome) if outcome else None)

    def _call(self, kind: str, item: StockRow, form: StockFormResult) -> Callable[[Any], Any]:
        """The service call behind a stock key, for the typed `form`."""
        actor = self.invtui.actor
        assert actor is not None
        if kind == "adjust":
            call = lambda s: inventory.adjust(s, actor, item.sku, item.location, form.quantity, form.reason,  # noqa: E731
                                              reference=form.reference)
        elif kind == "transfer":
            call = lambda s: inventory.transfer(s, actor, item.sku, item.location, form.destination,  # noqa: E731
                                                form.quantity, reference=form.reference)
        else:
            function = getattr(inventory, kind)
            call = lambda s: function(s, actor, item.sku, item.location, form.quantity, reference=form.reference)  # noqa: E731
        return call

    def _done(self, kind: str, item: StockRow, form: StockFormResult, result: Any) -> None:
        change = getattr(result, "source", result)
        verb = {"adjust": "Counted", "transfer": "Moved"}.get(kind, kind.title() + "d")
        where = f" to {form.destination}" if kind == "transfer" else ""
        self.notify(f"{verb} {form.quantity} × {item.sku}{where}: {change.quantity} on hand at "
                    f"{change.location}, {change.available} available", title=ACTIONS[kind].title)
        self._refresh_row(item.inventory_id)
        if kind == "transfer":
            self._stale = True

    def _refresh_row(self, inventory_id: int) -> None:
        def show(fresh: StockRow | None) -> None:
            index = next((n for n, r in enumerate(self.rows) if r.inventory_id == inventory_id), None)
            if fresh is None or index is None:
                return
            self.rows[index] = fresh
            table = self.query_one("#inventory-table", DataTable)
            for key, cell in zip(("sku", "name", "location", "qty", "reserved", "available", "threshold", "status"),
                                 self._cells(fresh), strict=True):
                table.update_cell(str(inventory_id), key, cell)

        self.service(lambda s: stock_list.row(s, inventory_id), show, group="row")

    def action_scan(self) -> None:
        from invtui.ui.screens.scan import ScanScreen

        self.app.push_screen(ScanScreen(), lambda _: self.reload())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        item = self._current()
        if item is not None:
            from invtui.ui.screens.stock_detail import StockDetailScreen

            self.app.push_screen(StockDetailScreen(item.sku))
