"""CSV export: the catalog, the stock, the ledger, the alerts and the POs out to spreadsheets.

Everyone may export: products, inventory, movements, alerts and pos, each one
`COPY (SELECT ...) TO STDOUT` whose chunks go straight to the file, so a million rows never sit in
memory. Column names are stable (README, "CSV files"); scripts may rely on them. The import side,
which reads two of these formats back, is `csv_import`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import psycopg

from invtui.domain.roles import Actor
from invtui.errors import ValidationError
from invtui.services.files import UserFolder
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

EXPORT_KINDS = ("products", "inventory", "movements", "alerts", "pos")


def _ts(column: str) -> str:
    """A timestamp as ISO 8601 in UTC ("2026-11-30T08:34:05Z"), whatever the session's time zone."""
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


# --- export ---------------------------------------------------------------------------------

# One query per export, ordered by a unique key so two exports of the same data are identical.
_EXPORTS: dict[str, str] = {
    "products": """
        SELECT p.sku, p.name, p.description, p.barcode, c.name AS category, s.code AS supplier,
               p.unit_price, p.cost_price, p.min_stock_level, p.reorder_point, p.max_stock_level,
               CASE WHEN p.is_active THEN 'true' ELSE 'false' END AS active, dl.code AS default_location
          FROM products p
          LEFT JOIN categories c ON c.id = p.category_id
          LEFT JOIN suppliers s ON s.id = p.supplier_id
          LEFT JOIN locations dl ON dl.id = p.default_location_id
         ORDER BY p.sku""",
    # threshold and status come from inventory_status, the one definition the screens use; a row of
    # an inactive product has none and says INACTIVE.
    "inventory": """
        SELECT p.sku, p.name, l.code AS location, i.quantity, i.reserved_quantity AS reserved,
               i.available_quantity AS available, i.unit_cost, st.threshold,
               coalesce(st.condition, 'INACTIVE') AS status
          FROM inventory i
          JOIN products p ON p.id = i.product_id
          JOIN locations l ON l.id = i.location_id
          LEFT JOIN inventory_status st ON st.inventory_id = i.id
         ORDER BY p.sku, l.code""",
    "movements": f"""
        SELECT m.id, {_ts("m.created_at")} AS created_at, p.sku, l.code AS location, m.kind,
               m.quantity_delta, m.reserved_delta, m.reference, m.reason, u.username AS "user"
          FROM stock_movements m
          JOIN products p ON p.id = m.product_id
          JOIN locations l ON l.id = m.location_id
          LEFT JOIN users u ON u.id = m.user_id
         ORDER BY m.id""",
    "alerts": f"""
        SELECT a.id, p.sku, p.name, l.code AS location, a.alert_type AS type, a.status,
               a.current_quantity, a.threshold_quantity AS threshold, a.message, a.note,
               {_ts("a.created_at")} AS created_at, {_ts("a.acknowledged_at")} AS acknowledged_at,
               ua.username AS acknowledged_by, {_ts("a.resolved_at")} AS resolved_at,
               ur.username AS resolved_by, a.resolution
          FROM stock_alerts a
          JOIN products p ON p.id = a.product_id
          JOIN locations l ON l.id = a.location_id
          LEFT JOIN users ua ON ua.id = a.acknowledged_by
          LEFT JOIN users ur ON ur.id = a.resolved_by
         ORDER BY a.id""",
    # One row per PO line with its PO's header; a PO without lines is one row with empty line columns.
    # `location`: the location code it delivers to (empty: not said), last so columns keep their places.
    "pos": f"""
        SELECT po.number, s.code AS supplier, po.status, to_char(po.expected_date, 'YYYY-MM-DD') AS expected_date,
               {_ts("po.created_at")} AS created_at, uc.username AS created_by,
               {_ts("po.submitted_at")} AS submitted_at, {_ts("po.approved_at")} AS approved_at,
               ua.username AS approved_by, {_ts("po.received_at")} AS received_at,
               {_ts("po.cancelled_at")} AS cancelled_at, p.sku,
               pl.quantity_ordered, pl.quantity_received,
               pl.quantity_ordered - pl.quantity_received AS outstanding, pl.unit_cost,
               pl.quantity_ordered * pl.unit_cost AS line_total, dl.code AS location
          FROM purchase_orders po
          JOIN suppliers s ON s.id = po.supplier_id
          LEFT JOIN locations dl ON dl.id = po.location_id
          LEFT JOIN users uc ON uc.id = po.created_by
          LEFT JOIN users ua ON ua.id = po.approved_by
          LEFT JOIN purchase_order_lines pl ON pl.purchase_order_id = po.id
          LEFT JOIN products p ON p.id = pl.product_id
         ORDER BY po.id, p.sku""",
}


def csv_kind(kind: str, allowed: tuple[str, ...], verb: str) -> str:
    clean = (kind or "").strip().lower()
    if clean not in allowed:
        raise ValidationError(f"Cannot {verb} {kind!r}; choose one of {', '.join(allowed)}")
    return clean


def raw_connection(session: Session) -> psycopg.Connection:
    """The psycopg connection under the session, in the session's transaction (for COPY)."""
    return session.connection().connection.driver_connection  # type: ignore[return-value]


def export_csv(session: Session, actor: Actor, kind: str, out: BinaryIO) -> int:
    """Write the export `kind` as UTF-8 CSV with a header row to `out`; return the number of rows.

    Everyone may export (viewers too): it changes nothing. One COPY statement, so the file is one
    consistent snapshot even while operators keep working.
    """
    what = csv_kind(kind, EXPORT_KINDS, "export")
    with unit_of_work(session):
        with raw_connection(session).cursor() as cur:
            with cur.copy(f"COPY ({_EXPORTS[what]}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                for chunk in copy:
                    out.write(chunk)
            rows = cur.rowcount
    return max(rows, 0)


def export_to_path(session: Session, actor: Actor, kind: str, path: str | Path) -> int:
    """`export_csv` into a file; the file appears complete or not at all (written aside, then renamed)."""
    target = Path(path).expanduser()
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb") as out:
            rows = export_csv(session, actor, kind, out)
        os.replace(partial, target)
    except OSError as exc:
        raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return rows


def export_to_folder(session: Session, actor: Actor, kind: str, folder: UserFolder, name: str, *,
                     replace: bool = False) -> int:
    """`export_csv` into the file `name` of the user's own folder (the app's export; no path, no link).

    Raises FileExists when the name is taken and `replace` is false: the app asks, then calls again.
    """
    csv_kind(kind, EXPORT_KINDS, "export")
    try:
        with folder.open_write(name, replace=replace) as out:
            return export_csv(session, actor, kind, out)
    except OSError as exc:
        raise ValidationError(f"Cannot write {name}: {exc.strerror or exc}") from None


def export_download(session: Session, actor: Actor, kind: str) -> tuple[int, BinaryIO]:
    """`export_csv` into a private temporary file, rewound, for the browser to download (browser mode)."""
    csv_kind(kind, EXPORT_KINDS, "export")
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the caller hands it on)
    try:
        rows = export_csv(session, actor, kind, out)  # type: ignore[arg-type]
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return rows, out  # type: ignore[return-value]
