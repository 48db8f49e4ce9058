"""The purchase order list (`invtui po list`, the Purchase orders screen): plain SQL on psycopg.

The CLI reads it on a light connection with no ORM loaded (invtui.db.light, issue 15); the app
and `invtui.services.purchasing.list_pos` call the same function with their session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from invtui.db.light import reading
from invtui.domain import purchasing as rules
from invtui.domain import validation
from invtui.errors import NotFound, ValidationError

if TYPE_CHECKING:
    import psycopg
    from sqlmodel import Session

MAX_LIST = 1000

_LIST = """
    SELECT po.id, po.number, po.status, s.code, s.name, po.created_at, u.username,
           count(l.id), coalesce(sum(l.quantity_ordered), 0), coalesce(sum(l.quantity_received), 0),
           coalesce(sum(l.quantity_ordered * l.unit_cost), 0)::numeric(14, 2), loc.code
      FROM purchase_orders po
      JOIN suppliers s ON s.id = po.supplier_id
      LEFT JOIN locations loc ON loc.id = po.location_id
      LEFT JOIN users u ON u.id = po.created_by
      LEFT JOIN purchase_order_lines l ON l.purchase_order_id = po.id
     WHERE (%(status)s::text IS NULL OR po.status = %(status)s::text)
       AND (%(supplier_id)s::bigint IS NULL OR po.supplier_id = %(supplier_id)s::bigint)
       AND (%(after)s::bigint IS NULL OR po.id < %(after)s::bigint)
     GROUP BY po.id, s.id, u.id, loc.id
     ORDER BY po.id DESC
     LIMIT %(limit)s
"""
# The supplier named as `lookup.supplier` names it: its code in any case, or its exact name.
_SUPPLIER = "SELECT id FROM suppliers WHERE code = %(t)s OR code = upper(%(t)s) OR name = %(t)s LIMIT 1"


@dataclass(frozen=True)
class POSummary:
    """One row of `po list`."""

    id: int
    number: str
    status: str
    supplier_code: str
    supplier_name: str
    created_at: datetime
    created_by: str | None
    line_count: int
    units_ordered: int
    units_received: int
    total: Decimal
    location: str | None = None  # the location code it delivers to; None: not said


def list_pos(source: Session | psycopg.Connection, status: str | None = None, supplier: str | None = None,
             after: str | None = None, limit: int | str = 50) -> list[POSummary]:
    """POs newest first, optionally of one status and supplier; `after` is the last PO number seen."""
    size = validation.quantity(limit, maximum=MAX_LIST, what="Limit")
    wanted_status = None if status is None else rules.parse_status(status).value
    after_id = None if after is None else rules.parse_number(after)
    with reading(source) as conn:
        supplier_id = None if supplier is None else _supplier_id(conn, supplier)
        rows = conn.execute(_LIST, {"status": wanted_status, "supplier_id": supplier_id, "after": after_id,
                                    "limit": size}).fetchall()
    return [POSummary(*row) for row in rows]


def _supplier_id(conn: psycopg.Connection, code: str) -> int:
    text = (code or "").strip()
    if not text:
        raise ValidationError("A supplier code is required")
    row = conn.execute(_SUPPLIER, {"t": text}).fetchone()
    if row is None:
        raise NotFound(f"Unknown supplier {text!r}")
    return int(row[0])
