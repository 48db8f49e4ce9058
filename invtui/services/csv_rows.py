"""Reading an import file: its columns, its header and its rows, each cell checked as the services check it.

Pure reading, no database: a row becomes the tuple the import stages with COPY, or errors with
its row number (the header is row 1, as a spreadsheet counts). `csv_import` does the rest.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from invtui.domain import validation
from invtui.errors import InvtuiError, ValidationError


@dataclass(frozen=True)
class RowError:
    """One reason a row was refused; row 1 is the header, as a spreadsheet numbers it."""

    row: int
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}"


# --- columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    parse: Callable[[str], Any] | None  # None: an export column the import reads past
    required: bool = False


def _optional_text(what: str, max_length: int) -> Callable[[str], str | None]:
    return lambda value: validation.text(value, what=what, max_length=max_length, required=False) or None


def _money_or_zero(what: str) -> Callable[[str], Any]:
    return lambda value: validation.money(value if value.strip() else "0", what=what)


def _optional_money(what: str) -> Callable[[str], Any]:
    return lambda value: validation.money(value, what=what) if value.strip() else None


def _level_or_zero(what: str) -> Callable[[str], int]:
    return lambda value: validation.level(value if value.strip() else "0", what)


_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def _active(value: str) -> bool:
    text = value.strip().lower()
    if not text or text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError("Active must be true or false")


def _upper_text(what: str, max_length: int) -> Callable[[str], str]:
    return lambda value: validation.text(value, what=what, max_length=max_length).upper()


COLUMNS: dict[str, tuple[Column, ...]] = {
    "products": (
        Column("sku", "text", lambda v: validation.code(v, "SKU", 100), required=True),
        Column("name", "text", lambda v: validation.text(v, what="Product name", max_length=255), required=True),
        Column("description", "text",
                lambda v: validation.text(v, what="Description", max_length=5000, required=False)),
        Column("barcode", "text", validation.barcode),
        Column("category", "text", _optional_text("Category", 100)),
        Column("supplier", "text", _optional_text("Supplier", 200)),
        Column("unit_price", "numeric(12,2)", _money_or_zero("Price")),
        Column("cost_price", "numeric(12,2)", _money_or_zero("Cost")),
        Column("min_stock_level", "integer", _level_or_zero("Min level")),
        Column("reorder_point", "integer", lambda v: validation.optional_level(v, "Reorder point")),
        Column("max_stock_level", "integer", lambda v: validation.optional_level(v, "Max level")),
        Column("active", "boolean", _active),
        # where the product is kept (a PO naming no location counts there); by code, empty: none
        Column("default_location", "text", lambda v: _upper_text("Default location", 32)(v) if v.strip() else None),
    ),
    "inventory": (
        Column("sku", "text", _upper_text("SKU", 100), required=True),
        Column("location", "text", _upper_text("Location code", 32), required=True),
        Column("quantity", "integer",
                lambda v: validation.quantity(v, minimum=0, what="Counted quantity"), required=True),
        Column("unit_cost", "numeric(12,2)", _optional_money("Unit cost")),
        # what an inventory export also carries; read past, so an export can be edited and imported
        Column("name", "", None), Column("reserved", "", None), Column("available", "", None),
        Column("threshold", "", None), Column("status", "", None),
    ),
}

# Defaults for columns a file leaves out (only the required ones must be there).
DEFAULTS: dict[str, Any] = {"description": "", "unit_price": 0, "cost_price": 0, "min_stock_level": 0,
                             "active": True}


def stored(kind: str) -> list[Column]:
    return [c for c in COLUMNS[kind] if c.parse is not None]


# --- reading the file ---------------------------------------------------------------


class CountingReader(io.RawIOBase):
    """Counts the bytes read from a binary stream, for the progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size


def a_kind(kind: str) -> str:
    """The kind with its article, as in "an inventory file"."""
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def header(kind: str, number: int, cells: list[str]) -> tuple[list[Column | None], list[RowError], bool]:
    """The column of each cell (None: unknown), the header's errors, and whether rows can be read."""
    known = {c.name: c for c in COLUMNS[kind]}
    expected = ", ".join(c.name for c in COLUMNS[kind])
    errors: list[RowError] = []
    columns: list[Column | None] = []
    seen: set[str] = set()
    for cell in cells:
        name = cell.strip().lower()
        if name in seen:
            errors.append(RowError(number, f"Column {name!r} appears twice"))
        seen.add(name)
        if name not in known:
            errors.append(RowError(number, f"Unknown column {cell.strip()!r}; {a_kind(kind)} file has columns {expected}"))
        columns.append(known.get(name))
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in seen]
    for name in missing:
        errors.append(RowError(number, f"Column {name!r} is missing; {a_kind(kind)} file needs "
                                  f"{', '.join(c.name for c in COLUMNS[kind] if c.required)}"))
    readable = not missing and len(seen) == len(cells)
    return columns, errors, readable


def parse_row(kind: str, number: int, columns: list[Column | None], cells: list[str],
               errors: list[RowError]) -> tuple[Any, ...] | None:
    """The row's values in the temp table's column order, or None (its errors appended)."""
    if len(cells) != len(columns):
        errors.append(RowError(number, f"Has {len(cells)} fields; the header has {len(columns)}"))
        return None
    values: dict[str, Any] = {}
    failed = False
    for column, cell in zip(columns, cells):
        if column is None or column.parse is None:
            continue
        try:
            values[column.name] = column.parse(cell)
        except InvtuiError as exc:
            errors.append(RowError(number, f"{column.name} {_shown(cell)}: {exc.message}"))
            failed = True
    if kind == "products" and not failed:
        try:
            validation.check_thresholds(values.get("min_stock_level", 0), values.get("reorder_point"),
                             values.get("max_stock_level"))
        except InvtuiError as exc:
            errors.append(RowError(number, exc.message))
            failed = True
    if failed:
        return None
    return (number, *(values.get(c.name, DEFAULTS.get(c.name)) for c in stored(kind)))


def _shown(cell: str) -> str:
    """The offending value as the operator typed it, cut short if it is long."""
    return repr(cell if len(cell) <= 40 else cell[:37] + "...")


def read_rows(counter: CountingReader, errors: list[RowError]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every non-blank row; text that is not UTF-8 ends the file with an error.

    Rows are numbered as a spreadsheet shows them: every record counts, blank ones too, the
    header is row 1.
    """
    text = io.TextIOWrapper(io.BufferedReader(counter), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            errors.append(RowError(number + 1, "The file is not UTF-8 text from here on; save it as CSV UTF-8"))
            return
        except csv.Error as exc:
            errors.append(RowError(number + 1, f"Is not valid CSV ({exc})"))
            return
        number += 1
        if cells and any(cell.strip() for cell in cells):
            yield number, cells
