"""Inventory (`3`): every stock row, paged on the server, searched as you type, acted on by key.

`r` receive, `i` issue, `t` transfer, `j` adjust to a count, `v` reserve, `V` release, `s` scan
mode for barcode scanners, `k` count the row's whole location, `K` counts due and open; `/` searches SKU, name, barcode and location; `f` cycles all / low /
out; Enter shows the item. Rows arrive a page at a time (keyset), so 1M rows never load at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable, Input

from invtui.domain.roles import Permission
from invtui.services import stock_list
from invtui.services.choices import choices
from invtui.services.stock_list import StockPage, StockRow
from invtui.ui.bindings import bindings_for, enter_help
from invtui.ui.messages import EventArrived
from invtui.ui.modals.stock_form import ACTIONS, StockFormModal, StockFormResult
from invtui.ui.numbers import number_cell
from invtui.ui.screens.searchable import SearchableListScreen
from invtui.ui.size_class import columns
from invtui.ui.styles import style
from invtui.ui.widgets.paged_table import Column, Page, PagedTable, ShowsPagedList

PAGE = 100
FILTERS = ("all", "low", "out")
ORDERS = ("name", "cover")  # `o`: by SKU and location, or lowest days of cover first (issue 17)
CONDITION_WORDS = {"OK": ("ok", "quiet"), "LOW_STOCK": ("LOW", "warn"), "OUT_OF_STOCK": ("OUT", "danger"),
                   "LOW_SOON": ("SOON", "warn")}
EMPTY_WORDS = {"all": "stock rows", "low": "low stock rows", "out": "out-of-stock rows"}
# Widths add up to 77 columns with the cell padding and the scrollbar; a SKU is 10 wide
# (ADH-000001). "use": average daily usage, "days": days of cover (issue 17); "—" without usage.
# Reserved units are on hand less available, so they are left to the item (Enter), and the
# product name gets the room: 14 wide at 80 columns.
COLUMNS = (Column("sku", "SKU", 10), Column("name", "product", 14), Column("location", "location", 8),
           Column("qty", "qty", 5), Column("available", "avail", 5), Column("threshold", "thr", 3),
           Column("use", "use", 4), Column("cover", "days", 4), Column("status", "stat", 4))
# Under 80 columns: what can be taken (available), its cover and its state; Enter shows the rest.
# The name is 12 wide there, so the list fits 60 columns.
NARROW_COLUMNS = ("sku", "name", "location", "available", "cover", "status")
NARROW_NAME_WIDTH = 12
COMPACT_COLUMNS = ("sku", "location", "available", "status")


def stock_columns(layout: str) -> tuple[Column, ...]:
    """The stock list's columns for the layout (size_class.layout_for)."""
    shown = columns(COLUMNS, layout, NARROW_COLUMNS, COMPACT_COLUMNS)
    if layout != "narrow":
        return shown
    return tuple(replace(c, width=NARROW_NAME_WIDTH) if c.key == "name" else c for c in shown)


def _page(page: StockPage) -> Page[StockRow]:
    return Page(page.rows, page.last_key if page.has_more else None)


def _cover_page(page: StockPage) -> Page[StockRow]:
    return Page(page.rows, page.cover_key if page.has_more else None)


class InventoryScreen(ShowsPagedList[StockRow], SearchableListScreen):
    TITLE_TEXT = "Inventory"
    ENTER_HELP = enter_help("inventory")  # `?` lists Enter, which the table handles
    MODE = "inventory"
    AUTO_FOCUS = "#inventory-table"
    SEARCH_FIELD = "inventory-search"
    LIST_TABLE = "inventory-table"
    BINDINGS = bindings_for("inventory")
    RELOAD_EARLY = True  # the first page's query runs while the screen is drawn (issue 15)

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0
        self.order_index = 0
        self.search = ""
        self.locations: list[str] = []
        self._table = PagedTable(COLUMNS, key=lambda item: str(item.inventory_id), cells=self._cells, page_size=PAGE,
                                 id="inventory-table")

    def body(self) -> Iterable[Widget]:
        yield Input(placeholder="search SKU, name, barcode or location; Enter returns to the list",
                    id="inventory-search")
        self._table.set_columns(stock_columns(self.size_layout))
        yield self._table

    @property
    def has_more(self) -> bool:
        return self.table().has_more

    def layout_changed(self) -> None:
        self._table.set_columns(stock_columns(self.size_layout))

    # -- loading ----------------------------------------------------------------------------

    def _query(self) -> dict[str, Any]:
        return {"search": self.search or None, "condition": FILTERS[self.filter_index]}

    def reload(self) -> None:
        query = self._query()
        by_cover = ORDERS[self.order_index] == "cover"
        self.sub_title = ("Inventory — " + FILTERS[self.filter_index] + (f", matching {self.search!r}" if self.search else "")
                          + (", lowest cover first" if by_cover else ""))
        empty = f"No {EMPTY_WORDS[FILTERS[self.filter_index]]}" + (f" match {self.search!r}" if self.search else "")
        if by_cover:
            self.table().load(lambda s, after, limit: _cover_page(stock_list.page_by_cover(s, **query, after=after,
                                                                                           limit=limit)), empty)
        else:
            self.table().load(lambda s, after, limit: _page(stock_list.page(s, **query, after=after, limit=limit)),
                              empty)
        if not self.locations:
            self.service(lambda s: [c.code for c in choices(s, "location")],
                         lambda codes: setattr(self, "locations", codes), group="locations")

    def _cells(self, item: StockRow) -> Mapping[str, Text]:
        condition = item.alert_condition or item.condition
        word, meaning = CONDITION_WORDS.get(condition, (condition, "strong"))
        return {
            "sku": Text(item.sku), "name": Text(item.name, overflow="ellipsis", no_wrap=True),
            "location": Text(item.location), "qty": number_cell(item.quantity, 5),
            "available": number_cell(item.available, 5),
            "threshold": number_cell(item.threshold, 3), "use": number_cell(item.avg_daily_usage, 4, 1, blank="—"),
            "cover": number_cell(item.days_of_cover, 4, 0, blank="—"), "status": Text(word, style=style(self.app, meaning)),
        }

    def action_last_page(self) -> None:
        query = self._query()
        last = stock_list.last_page_by_cover if ORDERS[self.order_index] == "cover" else stock_list.last_page
        self.table().reload(lambda s, _after, limit: _page(last(s, **query, limit=limit)), cursor_at_end=True)

    def action_first_page(self) -> None:
        self.table().move_cursor(row=0)
        self.reload()

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind in ("stock.changed", "catalog.changed") or message.event.kind.startswith("alert"):  # type: ignore[attr-defined]
            self.table().mark_stale()

    # -- filters and search -------------------------------------------------------------------

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.reload()

    def action_cycle_order(self) -> None:
        self.order_index = (self.order_index + 1) % len(ORDERS)
        self.table().move_cursor(row=0)
        self.reload()

    def action_clear(self) -> None:
        if self.clear_search():
            self.reload()

    # -- acting ---------------------------------------------------------------------------------

    def _current(self) -> StockRow | None:
        return self.table().current

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
        from invtui.services import inventory  # the ORM loads with the first write, not with the screen

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
            self.table().mark_stale()

    def _refresh_row(self, inventory_id: int) -> None:
        def show(fresh: StockRow | None) -> None:
            if fresh is not None:
                self.table().update_row(fresh)

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
