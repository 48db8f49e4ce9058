"""Reading alerts: the list, one alert, its history. Plain SQL on a psycopg connection.

The CLI's `alerts list` / `alerts history` run these on a light connection (invtui.db.light: no
SQLAlchemy, no ORM, issue 15's start-up), and `invtui.services.alerts` runs the very same
functions inside an ORM session for the app, so the list a script reads is the list on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import kwargs_row

from invtui.domain import validation
from invtui.domain.alerts import AlertStatus, AlertType
from invtui.errors import NotFound, ValidationError

STATUS_CHOICES = ("open", "all", *(s.value for s in AlertStatus))


@dataclass(frozen=True)
class AlertView:
    """One alert with the names a person reads (SKU, product, location code, who acted)."""

    id: int
    product_id: int
    location_id: int
    sku: str
    name: str
    location: str
    alert_type: str
    status: str
    current_quantity: int
    threshold_quantity: int
    message: str
    note: str
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    judged_on: dict[str, Any] | None = None  # what the engine judged it on (issue 17)
    covered: bool = False  # stock on order covers the lead time: no action needed

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AlertEventView:
    """One line of an alert's history."""

    id: int
    event: str
    from_status: str | None
    to_status: str
    alert_type: str
    quantity: int | None
    user: str | None  # None: the sweep
    note: str
    created_at: datetime
    judged_on: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AlertCursor:
    """Where the next page starts: the sort key of the last alert shown."""

    alert_type: str
    created_at: datetime
    id: int


@dataclass(frozen=True)
class AlertPage:
    rows: list[AlertView]
    next: AlertCursor | None


SELECT = """
    SELECT a.id, a.product_id, a.location_id, p.sku, p.name, l.code AS location, a.alert_type, a.status,
           a.current_quantity, a.threshold_quantity, a.message, a.note, a.created_at, a.updated_at,
           a.acknowledged_at, ua.username AS acknowledged_by, a.resolved_at, ur.username AS resolved_by,
           a.resolution, a.judged_on, a.covered
      FROM stock_alerts a
      JOIN products p ON p.id = a.product_id
      JOIN locations l ON l.id = a.location_id
      LEFT JOIN users ua ON ua.id = a.acknowledged_by
      LEFT JOIN users ur ON ur.id = a.resolved_by
"""
_HISTORY = """
    SELECT e.id, e.event, e.from_status, e.to_status, e.alert_type, e.quantity, u.username AS user,
           e.note, e.created_at, e.judged_on
      FROM alert_events e LEFT JOIN users u ON u.id = e.user_id
     WHERE e.alert_id = %(id)s ORDER BY e.id
"""


def alert_number(value: object) -> int:
    """An alert number as typed ("12" or "#12"); anything else is refused with one sentence."""
    if isinstance(value, str):
        value = value.strip().lstrip("#")
    return validation.quantity(value, minimum=1, maximum=9_999_999_999, what="Alert number")


def get(conn: psycopg.Connection, alert_id: object) -> AlertView:
    number = alert_number(alert_id)
    with conn.cursor(row_factory=kwargs_row(AlertView)) as cur:
        row = cur.execute(SELECT + " WHERE a.id = %(id)s", {"id": number}).fetchone()
    if row is None:
        raise NotFound(f"Alert #{number} does not exist")
    return row


def open_for(conn: psycopg.Connection, sku: str) -> list[AlertView]:
    """A product's open alerts at every location (by its stored SKU, exactly), the worst kind
    first, then by location code."""
    with conn.cursor(row_factory=kwargs_row(AlertView)) as cur:
        return cur.execute(SELECT + " WHERE p.sku = %(sku)s AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')"
                           " ORDER BY a.alert_type DESC, l.code", {"sku": sku}).fetchall()


def history(conn: psycopg.Connection, alert_id: object) -> list[AlertEventView]:
    """Every transition of one alert, oldest first, with who made it (None: the sweep)."""
    number = get(conn, alert_id).id
    with conn.cursor(row_factory=kwargs_row(AlertEventView)) as cur:
        return cur.execute(_HISTORY, {"id": number}).fetchall()


def list_alerts(
    conn: psycopg.Connection,
    *,
    status: str = "open",
    alert_type: str | None = None,
    location: str | None = None,
    search: str | None = None,
    after: AlertCursor | None = None,
    limit: int = 50,
) -> AlertPage:
    """Alerts, OUT before LOW, newest first, one page at a time (keyset paging, fast at any depth).

    `status`: 'open' (ACTIVE or ACKNOWLEDGED, the default), 'all', or one status.
    """
    where, params = _filters(status, alert_type, location, search)
    limit = validation.quantity(limit, minimum=1, maximum=1000, what="Page size")
    if after is not None:
        where.append("(a.alert_type, a.created_at, a.id) < (%(after_type)s, %(after_at)s, %(after_id)s)")
        params.update(after_type=after.alert_type, after_at=after.created_at, after_id=after.id)
    sql = SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY a.alert_type DESC, a.created_at DESC, a.id DESC LIMIT %(limit)s"
    with conn.cursor(row_factory=kwargs_row(AlertView)) as cur:
        rows = cur.execute(sql, {**params, "limit": limit + 1}).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = AlertCursor(rows[-1].alert_type, rows[-1].created_at, rows[-1].id) if more and rows else None
    return AlertPage(rows, cursor)


def _filters(
    status: str, alert_type: str | None, location: str | None, search: str | None
) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    wanted = (status or "open").strip()
    if wanted.lower() == "open":
        where.append("a.status IN ('ACTIVE', 'ACKNOWLEDGED')")
    elif wanted.lower() != "all":
        if wanted.upper() not in AlertStatus.__members__:
            raise ValidationError(f"Status must be one of {', '.join(STATUS_CHOICES)}")
        where.append("a.status = %(status)s")
        params["status"] = wanted.upper()
    if alert_type:
        kind = alert_type.strip().upper().replace(" ", "_")
        kind = {"LOW": "LOW_STOCK", "OUT": "OUT_OF_STOCK", "SOON": "LOW_SOON", "RUNS_OUT_SOON": "LOW_SOON"}.get(kind, kind)
        if kind not in AlertType.__members__:
            raise ValidationError("Type must be LOW_STOCK, OUT_OF_STOCK or LOW_SOON (or low / out / soon)")
        where.append("a.alert_type = %(alert_type)s")
        params["alert_type"] = kind
    if location:
        where.append("upper(l.code) = upper(%(location)s)")
        params["location"] = location.strip()
    if search:
        term = validation.text(search, what="Search", max_length=200)
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("(p.sku ILIKE %(search)s OR p.name ILIKE %(search)s OR p.barcode = %(exact)s)")
        params.update(search=f"%{escaped}%", exact=term)
    return where, params
