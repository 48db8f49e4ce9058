"""A count's own history: every start, line, reason, approval and posting, as it happened.

`record` writes one `count_events` row (sql/0009) in the caller's transaction and announces the
change as a `count.changed` event, so the history can never disagree with the count and every
app showing that count (or the counts due) refreshes only when the change committed. The same
rows are the "count" branch of `invtui audit` (services/audit.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from invtui.services import events

if TYPE_CHECKING:
    from sqlmodel import Session

# The event of every change to a count session, its lines or the count schedule (issue 16).
EVENT = "count.changed"
ACTIONS = ("started", "scanned", "recounted", "reason", "approved", "posted", "abandoned")

_RECORD = text(
    """INSERT INTO count_events (session_id, event, product_id, quantity, detail, user_id)
       VALUES (:sid, :event, :pid, :quantity, :detail, :uid)""")

# The count's own events, and the adjustments its posting wrote to the ledger (same reference).
_HISTORY = text(
    """
    SELECT at, who, action, sku, quantity, detail, os_user FROM (
        SELECT e.created_at AS at, e.id AS id, 0 AS source, coalesce(u.username, 'system') AS who,
               e.event AS action, coalesce(p.sku, '') AS sku, e.quantity, e.detail, e.os_user
          FROM count_events e
          LEFT JOIN products p ON p.id = e.product_id
          LEFT JOIN users u ON u.id = e.user_id
         WHERE e.session_id = :sid
        UNION ALL
        SELECT m.created_at, m.id, 1, coalesce(u.username, 'system'), 'adjusted', p.sku, m.quantity_delta,
               m.reason, m.os_user
          FROM stock_movements m
          JOIN products p ON p.id = m.product_id
          LEFT JOIN users u ON u.id = m.user_id
         WHERE m.reference = :ref AND m.location_id = :loc AND m.kind = 'adjust'
    ) AS h
    ORDER BY at, source, id
    """)


@dataclass(frozen=True)
class HistoryEntry:
    """One step of a count: `action` is one of ACTIONS, or `adjusted` for a ledger row it posted."""

    at: datetime
    who: str
    action: str
    sku: str
    quantity: int | None
    detail: str
    os_user: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


def record(session: Session, row: dict[str, Any], action: str, user_id: int | None, *,
           product_id: int | None = None, sku: str | None = None, quantity: int | None = None,
           detail: str = "") -> None:
    """Write one history row for the session `row` and announce it; both land only at commit."""
    session.execute(_RECORD, {"sid": row["id"], "event": action, "pid": product_id, "quantity": quantity,
                              "detail": detail, "uid": user_id})
    events.emit(session, EVENT, id=row["id"], location_id=row["location_id"], user_id=user_id,
                reference=row["reference"], action=action, sku=sku)


def entries(session: Session, row: dict[str, Any]) -> list[HistoryEntry]:
    """The history of the session `row`, oldest first."""
    result = session.execute(_HISTORY, {"sid": row["id"], "ref": row["reference"], "loc": row["location_id"]})
    return [HistoryEntry(*line) for line in result.all()]
