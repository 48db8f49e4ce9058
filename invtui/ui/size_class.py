"""Size classes: how much room the terminal gives, as CSS classes on every screen.

Handheld scanners run an SSH terminal of 40x16 or so; the SSH default is 80x24. Textual sets
one class of each list below on the screen as the terminal resizes, and `app.tcss` styles by
them (`Screen.-compact #scan-input { ... }`):

- `-compact` under 60 columns (a handheld scanner): essential columns only, borders dropped,
  the nav bar by number, the status bar counts only;
- `-narrow` from 60 to 79 columns: everything, with fewer words;
- `-normal` from 80 columns;
- `-short` under 24 rows, `-tall` from 24.

Columns of a data table are not CSS: a screen keeps its `Column`s in one place, chooses them with
`columns(...)` for its layout and rebuilds its table when a resize changes the layout
(`LayoutAware`). The same `Column` serves a plain DataTable (`set_columns`, `pick`) and a paged
list (`widgets.paged_table.PagedTable`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from textual import events
from textual.widgets import DataTable

COMPACT_WIDTH = 60
HORIZONTAL_BREAKPOINTS = [(0, "-compact"), (COMPACT_WIDTH, "-narrow"), (80, "-normal")]
VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]

T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    """One column of a table: its cell key, its header and its width (None: as wide as its widest
    cell; 0: what the other columns leave, see `widths`)."""

    key: str
    label: str
    width: int | None = None


def is_compact(width: int) -> bool:
    """A handheld scanner's width: the compact layout."""
    return 0 < width < COMPACT_WIDTH


def layout_for(width: int) -> str:
    """"compact" under 60 columns, "narrow" under 80, else "normal"."""
    return "compact" if is_compact(width) else "narrow" if 0 < width < 80 else "normal"


def columns(every: Sequence[Column], layout: str, narrow: Sequence[str] = (),
            compact: Sequence[str] = ()) -> tuple[Column, ...]:
    """The columns to show in `layout`: all of `every` on a normal terminal; the keys in `narrow`
    from 60 to 79 columns and those in `compact` under 60 (each empty: as the wider layout)."""
    keep = {"normal": (), "narrow": narrow, "compact": compact or narrow}[layout]
    return tuple(column for column in every if not keep or column.key in keep)


def pick(cells: Sequence[T], every: Sequence[Column], shown: Sequence[Column]) -> list[T]:
    """From a row's cells in `every`'s order, those of the `shown` columns."""
    keep = {column.key for column in shown}
    return [cell for cell, column in zip(cells, every) if column.key in keep]


def widths(shown: Sequence[Column], total: int = 0) -> list[int | None]:
    """The width of each of `shown`: a column of width 0 takes what the others leave of `total`
    cells (cell padding and a scrollbar counted, at least 8), so a long text column is cut with "…"
    instead of pushing the ones after it off the screen."""
    fixed = sum((column.width or 0) + 2 for column in shown) + 2
    return [max(8, total - fixed) if column.width == 0 else column.width for column in shown]


def set_columns(table: DataTable[Any], shown: Sequence[Column], total: int = 0) -> None:
    """Empty `table` and give it `shown` columns (widths as `widths` says); the caller then adds
    its rows again."""
    table.clear(columns=True)
    for column, width in zip(shown, widths(shown, total), strict=True):
        table.add_column(column.label, key=column.key, width=width)


class LayoutAware:
    """Mixin for a screen whose tables choose columns by width: `size_layout` says which is on
    ("compact", "narrow", "normal"), `layout_changed()` runs when a resize changes it."""

    size_layout: str = "normal"

    @property
    def compact(self) -> bool:
        return self.size_layout == "compact"

    def _check_layout(self, width: int) -> None:
        layout = layout_for(width)
        if layout != self.size_layout:
            self.size_layout = layout
            if getattr(self, "is_mounted", False):  # before that, compose builds for the new layout
                self.layout_changed()

    def layout_changed(self) -> None:
        """Rebuild what depends on the layout (columns); the default has nothing to rebuild."""

    def on_resize(self, event: events.Resize) -> None:
        self._check_layout(event.size.width)
