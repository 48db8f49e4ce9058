"""The audit trail: who did what, from the histories the other services already keep.

Nothing is written for the audit itself: the ledger (stock_movements), alert_events,
purchase_order_events, user_events and count_events are each recorded in the same transaction as the change
they describe, so the trail can never disagree with the data. One UNION ALL turns the five
into one time-ordered list; the filters go inside each branch so every branch can use its
created_at index and stops after `limit` rows.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from typing import TYPE_CHECKING

from invtui.db.light import reading
from invtui.domain import validation
from invtui.errors import NotFound, ValidationError

if TYPE_CHECKING:  # read by the CLI on a plain connection (no ORM loaded), by the app in its session
    import psycopg
    from sqlmodel import Session

KINDS = ("stock", "alert", "po", "user", "count")
MAX_LIMIT = 10_000

# Each branch yields: at, kind, who, action, subject, detail, id (the row in its own table) and
# os_user (the real OS account behind the change, migration 0004; NULL when unknown).
# {where} is replaced with that branch's filters; the time column is named in TIME_COLUMN.
BRANCHES: dict[str, str] = {
    "stock": """
        SELECT m.created_at AS at, 'stock' AS kind, coalesce(u.username, 'system') AS who, m.kind AS action,
               p.sku || ' at ' || l.code AS subject,
               concat_ws(' ',
                   CASE WHEN m.quantity_delta <> 0 THEN to_char(m.quantity_delta, 'SG9999999999FM') END,
                   CASE WHEN m.reserved_delta <> 0 THEN 'reserved ' || to_char(m.reserved_delta, 'SG9999999999FM') END,
                   nullif(m.reference, ''), nullif(m.reason, '')) AS detail,
               m.id AS id, m.os_user AS os_user
        FROM stock_movements m
        JOIN products p ON p.id = m.product_id
        JOIN locations l ON l.id = m.location_id
        LEFT JOIN users u ON u.id = m.user_id
        WHERE {where}
        ORDER BY m.created_at DESC, m.id DESC LIMIT %(limit)s""",
    "alert": """
        SELECT e.created_at, 'alert', coalesce(u.username, 'system'), e.event,
               'alert #' || a.id || ' ' || p.sku || ' at ' || l.code,
               concat_ws(' ', coalesce(e.from_status, '-') || ' -> ' || e.to_status, e.alert_type,
                         'qty ' || e.quantity, nullif(e.note, '')),
               e.id, e.os_user
        FROM alert_events e
        JOIN stock_alerts a ON a.id = e.alert_id
        JOIN products p ON p.id = a.product_id
        JOIN locations l ON l.id = a.location_id
        LEFT JOIN users u ON u.id = e.user_id
        WHERE {where}
        ORDER BY e.created_at DESC, e.id DESC LIMIT %(limit)s""",
    "po": """
        SELECT e.created_at, 'po', coalesce(u.username, 'system'), e.to_status, po.number,
               concat_ws(' ', coalesce(e.from_status, '-') || ' -> ' || e.to_status, s.code, nullif(e.note, '')),
               e.id, e.os_user
        FROM purchase_order_events e
        JOIN purchase_orders po ON po.id = e.purchase_order_id
        JOIN suppliers s ON s.id = po.supplier_id
        LEFT JOIN users u ON u.id = e.user_id
        WHERE {where}
        ORDER BY e.created_at DESC, e.id DESC LIMIT %(limit)s""",
    # A failed login or a lockout has no acting user; the person it happened to is the "who".
    "user": """
        SELECT e.created_at, 'user', coalesce(actor.username, target.username, 'system'), e.kind,
               'user ' || coalesce(target.username, '?'), e.detail, e.id, e.os_user
        FROM user_events e
        LEFT JOIN users actor ON actor.id = e.actor_id
        LEFT JOIN users target ON target.id = e.user_id
        WHERE {where}
        ORDER BY e.created_at DESC, e.id DESC LIMIT %(limit)s""",
    # A cycle count's steps (sql/0009): start, lines, reasons, approval, posting; its adjustments
    # themselves are in the stock branch with the count's reference.
    "count": """
        SELECT e.created_at, 'count', coalesce(u.username, 'system'), e.event,
               s.reference || coalesce(' ' || p.sku, '') || ' at ' || l.code, e.detail, e.id, e.os_user
        FROM count_events e
        JOIN count_sessions s ON s.id = e.session_id
        JOIN locations l ON l.id = s.location_id
        LEFT JOIN products p ON p.id = e.product_id
        LEFT JOIN users u ON u.id = e.user_id
        WHERE {where}
        ORDER BY e.created_at DESC, e.id DESC LIMIT %(limit)s""",
}
TIME_COLUMN = {"stock": "m.created_at", "alert": "e.created_at", "po": "e.created_at", "user": "e.created_at",
               "count": "e.created_at"}
USER_COLUMN = {"stock": "m.user_id", "alert": "e.user_id", "po": "e.user_id",
               "user": "coalesce(e.actor_id, e.user_id)", "count": "e.user_id"}

_DURATION = re.compile(r"^(\d{1,6})\s*(s|m|min|h|d|w)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    kind: str
    who: str
    action: str
    subject: str
    detail: str
    id: int
    os_user: str | None = None

    @property
    def who_shown(self) -> str:
        """`admin (os: root)` when the OS account differs from the invtui user who acted."""
        if self.os_user and self.os_user != self.who:
            return f"{self.who} (os: {self.os_user})"
        return self.who

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """'2h', '30m', '7d', '1w' back from now, or a date/time ('2026-11-24', '2026-11-24 08:00').

    A date or time without a zone is the box's local time, which is what an operator means.
    """
    raw = (value or "").strip().lower()
    now = now or datetime.now(timezone.utc)
    match = _DURATION.match(raw)
    if match:
        return now - timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    try:
        moment = datetime.fromisoformat(raw.upper() if "t" in raw else raw)
    except ValueError:
        raise ValidationError(
            f"Since must be a time back from now like 2h, 30m or 7d, or a date like 2026-11-24 (got {value!r})"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def parse_kind(value: str) -> str:
    kind = (value or "").strip().lower()
    if kind not in KINDS:
        raise ValidationError(f"Unknown audit kind {value!r}; choose one of {', '.join(KINDS)}")
    return kind


def trail(source: Session | psycopg.Connection, *, user: str | None = None, since: str | datetime | None = None,
          kinds: list[str] | None = None, limit: object = 100) -> list[AuditEntry]:
    """Newest first: who did what to stock, alerts, purchase orders and users.

    Everyone may read it (viewers see everything, DESIGN.md section 7). `user` filters by the
    person who acted; `since` takes what `parse_since` takes; `kinds` any of KINDS.
    """
    count = validation.quantity(limit, what="Limit", maximum=MAX_LIMIT)
    chosen = [parse_kind(k) for k in kinds] if kinds else list(KINDS)
    start = parse_since(since) if isinstance(since, str) else since
    params: dict[str, Any] = {"limit": count}
    with reading(source) as conn:
        if user is not None:
            name = user.strip().lower()
            found = conn.execute("SELECT id FROM users WHERE username = %(name)s", {"name": name}).fetchone()
            if found is None:
                raise NotFound(f"Unknown user {name!r}")
            params["user_id"] = found[0]
        if start is not None:
            params["since"] = start
        branches = [f"({BRANCHES[k].format(where=_where(k, params))})" for k in dict.fromkeys(chosen)]
        query = (f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS trail (at, kind, who, action, subject, detail,"
                 " id, os_user) ORDER BY at DESC, id DESC LIMIT %(limit)s")
        return [AuditEntry(*row) for row in conn.execute(query, params).fetchall()]


def _where(kind: str, params: dict[str, Any]) -> str:
    conditions = ["true"]
    if "since" in params:
        conditions.append(f"{TIME_COLUMN[kind]} >= %(since)s")
    if "user_id" in params:
        conditions.append(f"{USER_COLUMN[kind]} = %(user_id)s")
    return " AND ".join(conditions)
