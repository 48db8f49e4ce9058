"""CSV import: the catalog and counted stock in from spreadsheets, in bulk, all or nothing.

Import (products: EDIT_CATALOG; inventory: MOVE_STOCK) is ALL OR NOTHING. The file is read once,
row by row: each row is checked with the catalog's and the stock services' own rules (so a bad
price reads the same as `invtui product add`), and the clean rows are streamed with COPY into a
temporary table. Set-based SQL then checks what only the database knows (unknown SKU, category,
supplier or location, a SKU or barcode that exists already, a count below what is reserved) and
finds duplicates within the file. Every error is collected with its row number (the header is
row 1, as a spreadsheet counts); if there is any, or on a dry run, the transaction rolls back and
nothing was written. Otherwise one INSERT ... SELECT (and for inventory one UPDATE ... FROM)
writes everything, with ledger rows, in the same transaction.

Importing inventory sets COUNTED quantities: the difference from what is on hand goes in the
ledger as an 'adjust' movement with reason "CSV import <file>", so `invtui db check` stays clean,
and the inventory triggers judge alerts for the changed rows in the same transaction.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import psycopg

from invtui.db.errors import friendly_error
from invtui.domain.roles import Actor, Permission
from invtui.errors import NotFound, ValidationError
from invtui.services import events
from invtui.services.acting import require_current
from invtui.services.csv_export import csv_kind, raw_connection
from invtui.services.csv_rows import COLUMNS, CountingReader, RowError, a_kind, header, parse_row, read_rows, stored
from invtui.services.files import UserFolder
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

IMPORT_KINDS = ("products", "inventory")

# Progress callback: (phase, done, total). "read" counts bytes of the file; the later phases
# ("check", "write") have no measurable size and report total 0.
Progress = Callable[[str, int, int], None]
_PROGRESS_EVERY_ROWS = 2000


def import_from_folder(session: Session, actor: Actor, kind: str, folder: UserFolder, name: str, *,
                       dry_run: bool = False) -> ImportReport:
    """`import_csv` of the file `name` in the user's own folder (the app's import; nothing outside it is read)."""
    csv_kind(kind, IMPORT_KINDS, "import")
    with folder.open_read(name) as stream:
        total = os.fstat(stream.fileno()).st_size
        return import_csv(session, actor, kind, stream, source=name, dry_run=dry_run, total_bytes=total)


# --- import: reports and errors -------------------------------------------------------------





@dataclass
class ImportReport:
    """What an import did (or, on a dry run or a refusal, would have had to do)."""

    kind: str
    source: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.errors

    def summary(self) -> str:
        """One sentence for a toast or the last line of the command."""
        if self.errors:
            rows = len({e.row for e in self.errors})
            return (f"{self.source} refused: {len(self.errors):,} error{'s' if len(self.errors) != 1 else ''} "
                    f"in {rows:,} row{'s' if rows != 1 else ''}; nothing was imported")
        if self.dry_run:
            return f"Dry run: all {self.rows:,} rows of {self.source} are fine; nothing was written"
        if self.kind == "products":
            return f"Imported {self.created:,} products from {self.source}"
        return (f"Counted {self.rows:,} rows from {self.source}: {self.created:,} new, "
                f"{self.updated:,} changed, {self.unchanged:,} unchanged")


class ImportRefused(ValidationError):
    """The file had errors; nothing was written. `report.errors` lists every one."""

    title = "Import refused"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.summary())
        self.report = report


class _DryRun(Exception):
    """Raised inside the unit of work so a dry run rolls back everything it staged."""



# --- import: database checks and writes -----------------------------------------------------

# Each check yields (row_no, message); together they are everything only the database can know.
_PRODUCT_CHECKS = (
    """SELECT row_no, format('SKU %s is also on row %s', sku, first_row)
         FROM (SELECT row_no, sku, min(row_no) OVER (PARTITION BY sku) AS first_row FROM import_rows) d
        WHERE row_no <> first_row""",
    """SELECT row_no, format('Barcode %s is also on row %s', barcode, first_row)
         FROM (SELECT row_no, barcode, min(row_no) OVER (PARTITION BY barcode) AS first_row
                 FROM import_rows WHERE barcode IS NOT NULL) d
        WHERE row_no <> first_row""",
    """SELECT t.row_no, format('A product with SKU %s already exists', t.sku)
         FROM import_rows t JOIN products p ON p.sku = t.sku""",
    """SELECT t.row_no, format('Barcode %s already belongs to %s', t.barcode, p.sku)
         FROM import_rows t JOIN products p ON p.barcode = t.barcode""",
    """SELECT row_no, format('Unknown category %L', category)
         FROM import_rows WHERE category IS NOT NULL AND category_id IS NULL""",
    """SELECT row_no, format('Unknown supplier %L', supplier)
         FROM import_rows WHERE supplier IS NOT NULL AND supplier_id IS NULL""",
    """SELECT row_no, format('Unknown location %L', default_location)
         FROM import_rows WHERE default_location IS NOT NULL AND default_location_id IS NULL""",
    """SELECT row_no, format('Location %s is inactive', default_location)
         FROM import_rows WHERE default_location IS NOT NULL AND NOT default_location_active""",
)

_INVENTORY_CHECKS = (
    """SELECT row_no, format('Unknown SKU %L', sku) FROM import_rows WHERE product_id IS NULL""",
    """SELECT row_no, format('Product %s is inactive', sku) FROM import_rows WHERE NOT product_active""",
    """SELECT row_no, format('Unknown location %L', location) FROM import_rows WHERE location_id IS NULL""",
    """SELECT row_no, format('Location %s is inactive', location) FROM import_rows WHERE NOT location_active""",
    """SELECT row_no, format('%s at %s is also on row %s', sku, location, first_row)
         FROM (SELECT row_no, sku, location, min(row_no) OVER (PARTITION BY sku, location) AS first_row
                 FROM import_rows) d
        WHERE row_no <> first_row""",
    """SELECT t.row_no, format('Cannot count %s of %s at %s: %s are reserved; release them first',
                               t.quantity, t.sku, t.location, i.reserved_quantity)
         FROM import_rows t JOIN inventory i ON i.product_id = t.product_id AND i.location_id = t.location_id
        WHERE t.quantity < i.reserved_quantity""",
)

# import_raw (the COPY target) becomes import_rows: every row with the ids its names resolve to,
# in one pass (CREATE TABLE AS, no updates of 100,000 rows). Names resolve the way the catalog's
# lookups do: a category by name in any case, a supplier by code (any case) before an exact
# name, each distinct value once; SKUs and location codes are stored upper case and were
# upper-cased when read.
_RESOLVE = {
    "products": """
        CREATE TEMP TABLE import_rows ON COMMIT DROP AS
        SELECT t.*, c.id AS category_id, s.id AS supplier_id,
               l.id AS default_location_id, l.is_active AS default_location_active
          FROM import_raw t
          LEFT JOIN (SELECT w.category, (SELECT c.id FROM categories c WHERE lower(c.name) = lower(w.category)
                                          ORDER BY c.id LIMIT 1) AS id
                       FROM (SELECT DISTINCT category FROM import_raw) w) c ON c.category = t.category
          LEFT JOIN (SELECT w.supplier, (SELECT s.id FROM suppliers s
                                          WHERE s.code = upper(w.supplier) OR s.name = w.supplier
                                          ORDER BY s.code = upper(w.supplier) DESC, s.id LIMIT 1) AS id
                       FROM (SELECT DISTINCT supplier FROM import_raw) w) s ON s.supplier = t.supplier
          LEFT JOIN locations l ON l.code = t.default_location""",
    "inventory": """
        CREATE TEMP TABLE import_rows ON COMMIT DROP AS
        SELECT t.*, p.id AS product_id, p.is_active AS product_active,
               l.id AS location_id, l.is_active AS location_active
          FROM import_raw t
          LEFT JOIN products p ON p.sku = t.sku
          LEFT JOIN locations l ON l.code = t.location""",
}

_INSERT_PRODUCTS = """
    INSERT INTO products (sku, name, description, barcode, category_id, supplier_id, unit_price, cost_price,
                          min_stock_level, reorder_point, max_stock_level, is_active, default_location_id)
    SELECT sku, name, description, barcode, category_id, supplier_id, unit_price, cost_price,
           min_stock_level, reorder_point, max_stock_level, active, default_location_id
      FROM import_rows ORDER BY row_no
"""

# Rows that exist: lock them in (product, location) order -- the order transfers lock in, so an
# import beside operators cannot deadlock with them -- then set the count and write the ledger
# row of the difference from the locked (current) quantity.
_UPDATE_INVENTORY = """
    WITH current AS MATERIALIZED (
        SELECT i.id, i.quantity AS old_quantity, t.quantity AS new_quantity, t.unit_cost
          FROM inventory i
          JOIN import_rows t ON t.product_id = i.product_id AND t.location_id = i.location_id
         WHERE i.quantity <> t.quantity OR (t.unit_cost IS NOT NULL AND i.unit_cost IS DISTINCT FROM t.unit_cost)
         ORDER BY i.product_id, i.location_id
           FOR UPDATE OF i
    ), counted AS (
        UPDATE inventory i
           SET quantity = c.new_quantity, unit_cost = coalesce(c.unit_cost, i.unit_cost), updated_at = now()
          FROM current c
         WHERE i.id = c.id
        RETURNING i.product_id, i.location_id, i.quantity - c.old_quantity AS delta
    ), recorded AS (
        INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, reason, user_id)
        SELECT product_id, location_id, 'adjust', delta, %(reason)s, %(user_id)s
          FROM counted WHERE delta <> 0
    )
    SELECT count(*) FROM counted
"""

# Rows that do not exist yet and are counted above zero. No ON CONFLICT: if someone creates the
# same row at this moment, the unique index refuses and the whole import rolls back.
_CREATE_INVENTORY = """
    WITH created AS (
        INSERT INTO inventory (product_id, location_id, quantity, reserved_quantity, unit_cost)
        SELECT t.product_id, t.location_id, t.quantity, 0, t.unit_cost
          FROM import_rows t
         WHERE t.quantity > 0
           AND NOT EXISTS (SELECT 1 FROM inventory i
                            WHERE i.product_id = t.product_id AND i.location_id = t.location_id)
         ORDER BY t.product_id, t.location_id
        RETURNING product_id, location_id, quantity
    ), recorded AS (
        INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, reason, user_id)
        SELECT product_id, location_id, 'adjust', quantity, %(reason)s, %(user_id)s FROM created
    )
    SELECT count(*) FROM created
"""

def _create_staging(cur: psycopg.Cursor, kind: str) -> None:
    columns = ", ".join(f"{c.name} {c.sql_type}" for c in stored(kind))
    cur.execute(f"CREATE TEMP TABLE import_raw (row_no integer PRIMARY KEY, {columns}) ON COMMIT DROP")


def _stage(cur: psycopg.Cursor, kind: str, stream: BinaryIO, report: ImportReport,
           progress: Progress | None, total_bytes: int) -> bool:
    """Read, check and COPY every clean row into import_raw; False if the header is unusable."""
    counter = CountingReader(stream)
    rows = read_rows(counter, report.errors)
    first = next(rows, None)
    if first is None:
        if not report.errors:
            expected = ", ".join(c.name for c in COLUMNS[kind] if c.parse is not None)
            report.errors.append(RowError(1, f"The file is empty; {a_kind(kind)} file starts with a header row: "
                                             f"{expected}"))
        return False
    columns, header_errors, readable = header(kind, *first)
    report.errors.extend(header_errors)
    if not readable:
        return False
    names = ", ".join(["row_no", *(c.name for c in stored(kind))])
    with cur.copy(f"COPY import_raw ({names}) FROM STDIN") as copy:
        for number, cells in rows:
            report.rows += 1
            clean = parse_row(kind, number, columns, cells, report.errors)
            if clean is not None:
                copy.write_row(clean)
            if progress is not None and report.rows % _PROGRESS_EVERY_ROWS == 0:
                progress("read", counter.count, total_bytes)
    if progress is not None:
        progress("read", total_bytes or counter.count, total_bytes)
    return True


def _check(cur: psycopg.Cursor, kind: str, report: ImportReport) -> None:
    cur.execute("ANALYZE import_raw")  # temp tables are never analysed automatically
    cur.execute(_RESOLVE[kind])
    cur.execute("ANALYZE import_rows")
    for query in _PRODUCT_CHECKS if kind == "products" else _INVENTORY_CHECKS:
        report.errors.extend(RowError(row, message) for row, message in cur.execute(query))
    report.errors.sort(key=lambda e: e.row)


def _write(cur: psycopg.Cursor, kind: str, actor: Actor, report: ImportReport) -> None:
    if kind == "products":
        cur.execute(_INSERT_PRODUCTS)
        report.created = cur.rowcount
        return
    params = {"reason": f"CSV import {report.source}", "user_id": actor.id}
    report.updated = cur.execute(_UPDATE_INVENTORY, params).fetchone()[0]  # type: ignore[index]
    report.created = cur.execute(_CREATE_INVENTORY, params).fetchone()[0]  # type: ignore[index]
    report.unchanged = report.rows - report.created - report.updated


def _announce(session: Session, actor: Actor, report: ImportReport) -> None:
    """One summary event for the whole file (never one per row: a NOTIFY payload is small)."""
    if report.kind == "products":
        events.emit(session, "catalog.changed", user_id=actor.id, entity="product", action="imported",
                    count=report.created, source=report.source)
    else:
        events.emit(session, "stock.changed", user_id=actor.id, action="imported", source=report.source,
                    created=report.created, changed=report.updated)


def import_csv(session: Session, actor: Actor, kind: str, stream: BinaryIO, *, source: str,
               dry_run: bool = False, progress: Progress | None = None, total_bytes: int = 0) -> ImportReport:
    """Import a products or inventory CSV file, all or nothing.

    Returns the report when every row is fine (written, or on `dry_run` only checked). Raises
    ImportRefused, whose `report.errors` lists every bad row with its number and reason, when any
    row is bad; then nothing was written.
    """
    what = csv_kind(kind, IMPORT_KINDS, "import")
    require_current(session, actor, Permission.EDIT_CATALOG if what == "products" else Permission.MOVE_STOCK)
    report = ImportReport(kind=what, source=source, dry_run=dry_run)
    try:
        with unit_of_work(session):
            with raw_connection(session).cursor() as cur:
                _create_staging(cur, what)
                if _stage(cur, what, stream, report, progress, total_bytes):
                    if progress is not None:
                        progress("check", 0, 0)
                    _check(cur, what, report)
                if report.errors:
                    raise ImportRefused(report)
                if dry_run:
                    raise _DryRun
                if progress is not None:
                    progress("write", 0, 0)
                try:
                    _write(cur, what, actor, report)
                except psycopg.errors.IntegrityError as exc:  # a race lost to another writer
                    raise (friendly_error(exc) or exc) from None
            _announce(session, actor, report)
    except _DryRun:
        pass
    return report


def import_from_path(session: Session, actor: Actor, kind: str, path: str | Path, *, dry_run: bool = False,
                     progress: Progress | None = None) -> ImportReport:
    """`import_csv` of a file; the ledger's reason names the file ("CSV import counts.csv")."""
    csv_kind(kind, IMPORT_KINDS, "import")
    source = Path(path).expanduser()
    try:
        stream = open(source, "rb")
    except FileNotFoundError:
        raise NotFound(f"No file {str(path)!r}") from None
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}") from None
    with stream:
        total = os.fstat(stream.fileno()).st_size
        return import_csv(session, actor, kind, stream, source=source.name, dry_run=dry_run,
                          progress=progress, total_bytes=total)
