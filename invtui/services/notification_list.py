"""Reading the notification log as one user sees it: the list (unread first) and the unread count.

Plain SQL on a psycopg connection, so `invtui notifications list` loads no ORM (invtui.db.light,
issue 15); the app and `invtui.services.notifications` call the same functions with their session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from invtui.db.light import reading
from invtui.domain import validation
from invtui.domain.roles import Actor
from invtui.errors import NotFound, ValidationError

if TYPE_CHECKING:
    import psycopg
    from sqlmodel import Session

MAX_PAGE = 1000

# Visible to a user: aimed at them, at their role, or at everyone. `read_at` is this user's own.
VISIBLE = """
      FROM notifications n
      LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.user_id = %(user_id)s
     WHERE (n.target_user_id = %(user_id)s OR n.target_role = %(role)s
            OR (n.target_user_id IS NULL AND n.target_role IS NULL))
"""
_COLUMNS = """
    SELECT n.id, n.kind, n.severity, n.title, n.body, n.link_kind, n.link_id, n.target_user_id,
           n.target_role, n.created_at, r.read_at
"""
# Unread first, then newest first; the id breaks ties so paging never repeats or skips a row.
_ORDER = " ORDER BY (r.read_at IS NOT NULL), n.created_at DESC, n.id DESC LIMIT %(limit)s"
# Keyset paging: the rows that sort after the cursor row (its read flag, time and id).
_AFTER = """
       AND ((r.read_at IS NOT NULL) > %(c_read)s
            OR ((r.read_at IS NOT NULL) = %(c_read)s AND (n.created_at, n.id) < (%(c_at)s, %(c_id)s)))
"""
_UNREAD_COUNT = "SELECT count(*)" + VISIBLE + " AND r.read_at IS NULL"


@dataclass(frozen=True)
class NotificationView:
    """One notification as one user sees it: `read_at` is that user's read time, None if unread."""

    id: int
    kind: str
    severity: str
    title: str
    body: str
    link_kind: str | None
    link_id: int | None
    target_user_id: int | None
    target_role: str | None
    created_at: datetime
    read_at: datetime | None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def audience(self) -> str:
        """Whom it is for, in words: "you", "managers", "everyone"."""
        if self.target_user_id is not None:
            return "you"
        return f"{self.target_role}s" if self.target_role else "everyone"


def reader(actor: Actor) -> dict[str, object]:
    """The bind parameters naming a reader; the system actor has no read state of its own."""
    if actor.id is None:
        raise ValidationError("The system user has no notifications of its own")
    return {"user_id": actor.id, "role": actor.role.value}


def list_for(
    source: Session | psycopg.Connection, actor: Actor, *, unread_only: bool = False, after: int | None = None,
    limit: int = 50,
) -> list[NotificationView]:
    """The notifications `actor` may see: unread first, newest first, at most `limit`.

    `after` is the id of the last notification of the previous page (keyset paging, so a page
    stays correct while new notifications arrive). An id the actor cannot see is NotFound.
    """
    page = validation.quantity(limit, maximum=MAX_PAGE, what="Page size")
    params: dict[str, object] = {**reader(actor), "limit": page}
    with reading(source) as conn:
        query = _COLUMNS + VISIBLE + (" AND r.read_at IS NULL" if unread_only else "")
        if after is not None:
            cursor = _one_visible(conn, params, after)
            params.update(c_read=cursor.is_read, c_at=cursor.created_at, c_id=cursor.id)
            query += _AFTER
        rows = conn.execute(query + _ORDER, params).fetchall()
    return [NotificationView(*row) for row in rows]


def unread_count(source: Session | psycopg.Connection, actor: Actor) -> int:
    """How many notifications `actor` may see and has not read (the badge in the status bar)."""
    with reading(source) as conn:
        row = conn.execute(_UNREAD_COUNT, reader(actor)).fetchone()
    return int(row[0]) if row else 0


def _one_visible(conn: psycopg.Connection, params: dict[str, object], notification_id: int) -> NotificationView:
    row = conn.execute(_COLUMNS + VISIBLE + " AND n.id = %(one)s", {**params, "one": notification_id}).fetchone()
    if row is None:
        raise NotFound(f"No notification #{notification_id}")
    return NotificationView(*row)
