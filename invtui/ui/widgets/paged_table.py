"""One list widget for every server-paged list: alerts, stock, catalog tabs, notifications, POs.

A `PagedTable` shows rows that a service hands out a page at a time (keyset: each page says
where the next one starts). The screen owns the query; the table owns the paging:

- the first page loads on `load()`/`reload()`, the next one when the cursor reaches the last row;
- every fresh list bumps a generation counter, and a page that arrives for an older generation
  (a next page still on its way when a filter changed or a live event reloaded) is dropped;
- rows are de-duplicated by key, so two pages that overlap never raise DuplicateKey;
- a reload keeps the cursor on its row (by key), or on the row that took its place when that row
  left the list (resolved, dismissed), and fetches as many rows as were shown, so an operator a
  few pages down stays where they were;
- `mark_stale()` asks for a reload at most once a second (live events come in bursts);
- an empty list says so in a line of its own ("No acknowledged alerts") instead of a blank table.

Columns are `size_class.Column` values kept in one place per screen; `cells(row)` gives a cell per
column key, so a screen may show fewer columns (`set_columns`) without touching its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable

from invtui.services.tx import ServiceSession
from invtui.ui.tick import StaleTick
from invtui.ui.service_call import call_service
from invtui.ui.size_class import Column
from invtui.ui.size_class import set_columns as set_table_columns

__all__ = ["Column", "Fetch", "Page", "PagedTable", "ShowsPagedList"]

R = TypeVar("R")

RELOAD_CAP = 500  # a reload fetches at most this many rows; deeper down, live reloads wait


@dataclass(frozen=True)
class Page(Generic[R]):
    """One page of rows and where the next page starts (None: this was the last page)."""

    rows: Sequence[R]
    after: object | None


# (session, where to start or None for the first page, how many rows) -> one page
Fetch = Callable[[ServiceSession, Any, int], Page[R]]


class PagedTable(DataTable[Text], Generic[R]):
    """A row-cursor table of server-paged rows; see the module docstring for what it guarantees."""

    COMPONENT_CLASSES = {"paged-table--empty"}

    class Replaced(Message):
        """A fresh list is on screen (after a load or reload, not after a next page)."""

        def __init__(self, table: PagedTable[Any]) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable[Any]:
            return self.table

    def __init__(self, columns: Iterable[Column], *, key: Callable[[R], str], cells: Callable[[R], Mapping[str, Text]],
                 page_size: int = 100, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.items: list[R] = []  # the rows shown, in order (DataTable's own `rows` are its cells)
        self.page_size = page_size
        self.empty_text = ""  # what an empty result says, for the query being loaded
        self._key = key
        self._cells = cells
        self._columns: tuple[Column, ...] = ()
        self._keys: set[str] = set()
        self._fetch: Fetch[R] | None = None
        self._after: object | None = None  # where the next page starts; None: no more
        self._generation = 0  # bumped by every fresh list; pages of older ones are dropped
        self._loading = False  # a fresh list is on its way
        self._loading_more = False
        self._stale = False
        self._empty_shown = ""  # the empty-state line on screen now ("" while there are rows)
        self._tick = StaleTick(self, self._reload_if_stale)  # no wakeup while nothing changed
        self._columns = tuple(columns)
        for column in self._columns:
            self.add_column(column.label, key=column.key, width=column.width)

    def on_mount(self) -> None:
        if self._stale:  # asked for before it was on screen; `is_mounted` holds once mounting is over
            self.call_later(self.reload)

    # -- what the screen reads --------------------------------------------------------------

    @property
    def current(self) -> R | None:
        """The row under the cursor, or None when the list is empty."""
        return self.items[self.cursor_row] if 0 <= self.cursor_row < len(self.items) else None

    @property
    def after(self) -> object | None:
        """Where the next page starts; None when every row is shown."""
        return self._after

    @property
    def has_more(self) -> bool:
        return self._after is not None

    @property
    def empty_message(self) -> str:
        """The empty-state line shown now, or "" when the list has rows (or has not loaded yet)."""
        return self._empty_shown

    # -- columns ------------------------------------------------------------------------------

    def set_columns(self, columns: Iterable[Column], total: int = 0) -> None:
        """Show these columns (a narrow terminal shows fewer); the rows are kept, the cursor too.

        A column of width 0 takes what the others leave of `total` cells (`size_class.widths`)."""
        self._columns = tuple(columns)
        row = self.cursor_row
        set_table_columns(self, self._columns, total)
        self._keys = set()
        shown, self.items = self.items, []
        self._add(shown)
        if self.items:
            self.move_cursor(row=min(row, len(self.items) - 1), animate=False)

    # -- loading ------------------------------------------------------------------------------

    def load(self, fetch: Fetch[R], empty_text: str) -> None:
        """Show the list `fetch` pages through, saying `empty_text` when it has no rows."""
        self._fetch = fetch
        self.empty_text = empty_text
        self.reload()

    def reload(self, fetch: Fetch[R] | None = None, *, cursor_at_end: bool = False, follow_row: bool = True) -> None:
        """Fetch the list again; rows arriving for any earlier load are dropped from now on.

        `fetch` replaces the first page just this once (the last page, say); `cursor_at_end`
        puts the cursor on the last row instead of keeping it on its row. `follow_row=False`
        keeps the cursor at its place rather than on its row, for a row the operator has just
        sent elsewhere in the list (a notification marked read sinks below the unread ones).
        """
        first = fetch or self._fetch
        if first is None:
            return
        if not self.is_mounted:  # the screen is not composed yet: load once it is
            self._stale = True
            return
        self._stale = False
        self._generation += 1
        self._loading, self._loading_more = True, False
        generation, empty = self._generation, self.empty_text
        # As many rows as are shown, so the cursor's row is still there after the reload.
        size = min(max(self.page_size, -(-len(self.items) // self.page_size) * self.page_size), RELOAD_CAP)
        if fetch is not None:
            size = self.page_size
        call_service(self, lambda s: first(s, None, size),
                     partial(self._replace, generation, empty, "end" if cursor_at_end else "row" if follow_row else "place"),
                     group="page", exclusive=True, failed=lambda _: self._settled(generation))

    def mark_stale(self) -> None:
        """Something the list shows changed: reload within a second, once however many changes."""
        self._stale = True
        if self.is_mounted:  # else on_mount reloads
            self._tick.poke()

    def _reload_if_stale(self) -> bool:
        """Reload if stale; True while still stale, to look again in a second."""
        # Not while a load is on its way, nor when the operator is deeper than a reload reaches.
        if self._stale and not self._loading and len(self.items) <= RELOAD_CAP:
            self.reload()
        return self._stale and len(self.items) <= RELOAD_CAP

    def _settled(self, generation: int) -> None:
        if generation == self._generation:
            self._loading = self._loading_more = False

    def _replace(self, generation: int, empty: str, cursor: str, page: Page[R]) -> None:
        if generation != self._generation:  # an older list's answer: a newer one is on its way
            return
        self._loading = False
        current, index = self.current, self.cursor_row
        keep = self._key(current) if current is not None else None
        self.clear()
        self.items, self._keys = [], set()
        self._add(page.rows)
        self._after = page.after
        self._show_empty(empty if not self.items else "")
        if self.items:
            if cursor == "end":
                index = len(self.items) - 1
            elif cursor == "row" and keep in self._keys:
                index = next(n for n, row in enumerate(self.items) if self._key(row) == keep)
            self.move_cursor(row=min(index, len(self.items) - 1), animate=False)
        self.post_message(self.Replaced(self))
        self._more_if_at_end()

    def _add(self, rows: Iterable[R]) -> None:
        for row in rows:
            key = self._key(row)
            if key in self._keys:  # pages may overlap when rows moved between two reads
                continue
            self._keys.add(key)
            self.items.append(row)
            cells = self._cells(row)
            self.add_row(*(cells[column.key] for column in self._columns), key=key)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Not stopped: the screen may want to know too.
        if event.data_table is self:
            self._more_if_at_end()

    def _more_if_at_end(self) -> None:
        fetch, after = self._fetch, self._after
        if (fetch is None or after is None or self._loading or self._loading_more or not self.items
                or self.cursor_row < len(self.items) - 1):
            return
        self._loading_more = True
        generation, size = self._generation, self.page_size
        call_service(self, lambda s: fetch(s, after, size), partial(self._append, generation),
                     group="more", failed=lambda _: self._settled(generation))

    def _append(self, generation: int, page: Page[R]) -> None:
        if generation != self._generation:  # the next page of a list that has since been replaced
            return
        self._loading_more = False
        self._add(page.rows)
        self._after = page.after
        self._more_if_at_end()  # a page of rows already shown: the cursor is still at the end

    def _show_empty(self, text: str) -> None:
        if text != self._empty_shown:
            self._empty_shown = text
            self.refresh()

    # -- rows -----------------------------------------------------------------------------------

    def update_row(self, row: R) -> None:
        """Show a fresh copy of one row (after an action changed it); a row not shown is ignored."""
        key = self._key(row)
        index = next((n for n, shown in enumerate(self.items) if self._key(shown) == key), None)
        if index is None:
            return
        self.items[index] = row
        cells = self._cells(row)
        for column in self._columns:
            self.update_cell(key, column.key, cells[column.key])

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int, cursor: bool = False,
                     hover: bool = False) -> list[list[Segment]]:
        """DataTable's cell, the same segments for less: a one-line text cell of a body row is drawn
        without the two wrappers DataTable renders it through (issue 15: 360 cells on the first
        page, a third of the CPU of `3`). Anything else goes to DataTable."""
        if row_index < max(0, self.fixed_rows) or column_index < max(0, self.fixed_columns):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        cache_key = (row_key, self._column_locations.get_key(column_index), base_style, cursor, hover,
                     self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        row, pad = self.rows[row_key], self.cell_padding
        cell = self._get_row_renderables(row_index)[1][column_index]
        if row.height != 1 or row.auto_height or not isinstance(cell, Text) or width <= 2 * pad:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        # What Styled(Padding(cell, (0, pad)), pre_style, post_style) renders, one line high.
        console = self.app.console
        options = self.app.console_options.update_dimensions(width - 2 * pad, 1).update(no_wrap=True)
        padding = console.get_style("none")
        side = Segment(" " * pad, padding)
        line = [side, *console.render_lines(cell, options, style=padding, pad=True)[0], side, Segment.line()]
        styled = Segment.apply_style(line, console.get_style(pre_style), console.get_style(post_style))
        lines = [next(iter(Segment.split_and_crop_lines(styled, width, include_new_lines=False, pad=True)))]
        self._cell_render_cache[cache_key] = lines
        return lines

    def render_line(self, y: int) -> Strip:
        header = self.header_height if self.show_header else 0
        if self._empty_shown and not self.items and y == header:
            style = self.get_component_rich_style("paged-table--empty")
            return Strip([Segment(f" {self._empty_shown}", style)]).adjust_cell_length(self.size.width,
                                                                                     self.rich_style)
        return super().render_line(y)


def preload_css(app: Any) -> None:
    """Add the lists' default styles (DataTable's) to `app`'s stylesheet before any list is shown.

    The first screen with a list otherwise brings new styles when it mounts, and Textual parses
    every stylesheet again (~30-60 ms of the first `2` or `3`, issue 15); added at start-up they
    join the parse the first screen does anyway.
    """
    for read_from, css, tie_breaker, scope in PagedTable((), key=str, cells=dict)._get_default_css():
        app.stylesheet.add_source(css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker, scope=scope)


class ShowsPagedList(Generic[R]):
    """Mixin for a screen whose list is one PagedTable, made in its `__init__` as `self._table`.

    Made with the screen, not in `compose`, so a reload or a live event that comes before the
    screen is composed reaches the table (which loads once mounted) instead of a failed query.
    """

    _table: PagedTable[R]

    def table(self) -> PagedTable[R]:
        return self._table

    @property
    def rows(self) -> list[R]:
        """The rows shown, in order."""
        return self._table.items
