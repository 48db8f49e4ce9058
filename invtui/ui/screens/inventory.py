"""Inventory (`3`): every stock row, paged on the server, searched as you type, acted on by key.

`r` receive, `i` issue, `t` transfer, `j` adjust to a count, `v` reserve, `V` release, `s` scan
mode for barcode scanners, `k` count the row's whole location, `K` counts due and open; `/` searches SKU, name, barcode and location; `f` cycles all / low /
out; Enter shows the item. Rows arrive a page at a time (keyset), so 1M rows never load at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable, Input

from invtui.domain.roles import Permission
from invtui.services import catalog, inventory, stock_list
from invtui.services.stock_list import StockPage, StockRow
from invtui.ui.bindings import bindings_for, enter_help
from invtui.ui.messages import EventArrived
from invtui.ui.numbers import number_cell
from invtui.ui.screens.searchable import SearchableListScreen
from invtui.ui.size_class import Column, columns, pick, set_columns
from invtui.ui.styles import style
from invtui.ui.modals.stock_form import ACTIONS, StockFormModal, StockFormResult

PAGE = 100
FILTERS = ("all", "low", "out")
CONDITION_WORDS = {"OK": ("ok", "quiet"), "LOW_STOCK": ("LOW", "warn"), "OUT_OF_STOCK": ("OUT", "danger")}
# Widths add up to 80 columns with the cell padding.
COLUMNS: tuple[Column, ...] = (
    ("SKU", "sku", 10), ("product", "name", 14), ("location", "location", 8), ("on hand", "qty", 7),
    ("rsv", "reserved", 4), ("avail", "available", 5), ("thr", "threshold", 3), ("status", "status", 6))
# Under 80 columns: what can be taken (available) and its state; Enter shows on hand and reserved.
NARROW_COLUMNS = ("sku", "name", "location", "available", "status")
COMPACT_COLUMNS = ("sku", "location", "available", "status")


def stock_columns(layout: str) -> tuple[Column, ...]:
    """The stock list's columns for the layout (size_class.layout_for)."""
    return columns(COLUMNS, layout, NARROW_COLUMNS, COMPACT_COLUMNS)


class InventoryScreen(SearchableListScreen):
    TITLE_TEXT = "Inventory"
    ENTER_HELP = enter_help("inventory")  # `?` lists Enter, which the table handles
    MODE = "inventory"
    AUTO_FOCUS = "#inventory-table"
    SEARCH_FIELD = "inventory-search"
    LIST_TABLE = "inventory-table"
    BINDINGS = bindings_for("inventory")

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
        set_columns(table, stock_columns(self.size_layout))
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1.0, self._reload_if_stale)

    def layout_changed(self) -> None:
        set_columns(self.query_one("#inventory-table", DataTable), stock_columns(self.size_layout))
        self.reload()

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
            table.add_row(*pick(self._cells(item), COLUMNS, stock_columns(self.size_layout)), key=str(item.inventory_id))
        self.rows.extend(fresh)
        self.has_more = page.has_more
        self._loading_more = False

    def _cells(self, item: StockRow) -> tuple[Text, ...]:
        word, meaning = CONDITION_WORDS.get(item.condition, (item.condition, "strong"))
        return (
            Text(item.sku), Text(item.name, overflow="ellipsis", no_wrap=True), Text(item.location),
            number_cell(item.quantity, 7), number_cell(item.reserved or None, 4),
            number_cell(item.available, 5), number_cell(item.threshold, 3),
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

    def action_count(self) -> None:
        """`k`: count the whole location of the row (start, or resume the open count there)."""
        from invtui.ui.screens.count import open_count

        item = self._current()
        if item is not None:
            open_count(self, item.location, lambda _: self.reload())

    def action_counts(self) -> None:
        from invtui.ui.screens.counts_list import CountsListScreen

        self.app.push_screen(CountsListScreen(), lambda _: self.reload())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        item = self._current()
        if item is not None:
            from invtui.ui.screens.stock_detail import StockDetailScreen

            self.app.push_screen(StockDetailScreen(item.sku))
