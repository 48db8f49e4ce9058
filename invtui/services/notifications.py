"""The notification log: rows aimed at everyone, a role or one user, with per-user read state."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from invtui.db.engine import Database
from invtui.db.models import Notification
from invtui.domain import validation
from invtui.domain.roles import Actor
from invtui.errors import NotFound, ValidationError
from invtui.services import events
from invtui.services.tx import unit_of_work

log = logging.getLogger(__name__)

SEVERITIES = ("info", "success", "warning", "error")


def notify(
    session: Session,
    *,
    kind: str,
    title: str,
    body: str = "",
    severity: str = "info",
    link_kind: str | None = None,
    link_id: int | None = None,
    target_user_id: int | None = None,
    target_role: str | None = None,
    actor_id: int | None = None,
) -> Notification | None:
    """Write one notification in the caller's transaction and announce it (delivered on commit).

    Nobody is told of their own action: a personal notice to the acting user is not written
    (None), and one for their role or everyone is already read for them.
    """
    if actor_id is not None and target_user_id == actor_id:
        return None
    note = Notification(kind=kind, title=title[:200], body=body, severity=severity, link_kind=link_kind,
                        link_id=link_id, target_user_id=target_user_id, target_role=target_role)
    session.add(note)
    session.flush()
    if actor_id is not None:
        session.execute(_READ_BY_ACTOR, {"id": note.id, "user_id": actor_id})
    events.emit(session, "notification.created", id=note.id, user_id=actor_id, for_user=target_user_id,
                for_role=target_role, severity=severity, title=note.title, notification_kind=kind)
    return note


_READ_BY_ACTOR = text("INSERT INTO notification_reads (notification_id, user_id) VALUES (:id, :user_id)"
                      " ON CONFLICT DO NOTHING")


# -- reading the log --------------------------------------------------------------------------

# Visible to a user: aimed at them, at their role, or at everyone. `read_at` is this user's own.
_VISIBLE = """
      FROM notifications n
      LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.user_id = :user_id
     WHERE (n.target_user_id = :user_id OR n.target_role = :role
            OR (n.target_user_id IS NULL AND n.target_role IS NULL))
"""
_COLUMNS = """
    SELECT n.id, n.kind, n.severity, n.title, n.body, n.link_kind, n.link_id, n.target_user_id,
           n.target_role, n.created_at, r.read_at
"""
# Unread first, then newest first; the id breaks ties so paging never repeats or skips a row.
_ORDER = " ORDER BY (r.read_at IS NOT NULL), n.created_at DESC, n.id DESC LIMIT :limit"
# Keyset paging: the rows that sort after the cursor row (its read flag, time and id).
_AFTER = """
       AND ((r.read_at IS NOT NULL) > :c_read
            OR ((r.read_at IS NOT NULL) = :c_read AND (n.created_at, n.id) < (:c_at, :c_id)))
"""
_UNREAD_COUNT = text("SELECT count(*)" + _VISIBLE + " AND r.read_at IS NULL")
_MARK_READ = text(
    """
    INSERT INTO notification_reads (notification_id, user_id)
    SELECT n.id, :user_id""" + _VISIBLE + """ AND r.read_at IS NULL AND n.id = ANY(:ids)
    ON CONFLICT DO NOTHING
    """
)
_MARK_ALL_READ = text(
    """
    INSERT INTO notification_reads (notification_id, user_id)
    SELECT n.id, :user_id""" + _VISIBLE + """ AND r.read_at IS NULL
    ON CONFLICT DO NOTHING
    """
)
_VISIBLE_IDS = text("SELECT n.id" + _VISIBLE + " AND n.id = ANY(:ids)")
_PURGE = text("DELETE FROM notifications WHERE created_at < now() - make_interval(days => :days)")

MAX_PAGE = 1000
RETENTION_JOB_ID = "notification-retention"
RETENTION_EVERY_SECONDS = 3600  # hourly: an app that runs for one shift still purges; cheap (index on created_at)
MAX_IDS = 1000


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


def _reader(actor: Actor) -> dict[str, object]:
    """The bind parameters naming a reader; the system actor has no read state of its own."""
    if actor.id is None:
        raise ValidationError("The system user has no notifications of its own")
    return {"user_id": actor.id, "role": actor.role.value}


def list_for(
    session: Session, actor: Actor, *, unread_only: bool = False, after: int | None = None, limit: int = 50
) -> list[NotificationView]:
    """The notifications `actor` may see: unread first, newest first, at most `limit`.

    `after` is the id of the last notification of the previous page (keyset paging, so a page
    stays correct while new notifications arrive). An id the actor cannot see is NotFound.
    """
    page = validation.quantity(limit, maximum=MAX_PAGE, what="Page size")
    params: dict[str, object] = {**_reader(actor), "limit": page}
    with unit_of_work(session):
        query = _COLUMNS + _VISIBLE + (" AND r.read_at IS NULL" if unread_only else "")
        if after is not None:
            cursor = _one_visible(session, params, after)
            params.update(c_read=cursor.is_read, c_at=cursor.created_at, c_id=cursor.id)
            query += _AFTER
        rows = session.execute(text(query + _ORDER), params).all()
    return [NotificationView(*row) for row in rows]


def unread_count(session: Session, actor: Actor) -> int:
    """How many notifications `actor` may see and has not read (the badge in the status bar)."""
    with unit_of_work(session):
        return int(session.execute(_UNREAD_COUNT, _reader(actor)).scalar_one())


def mark_read(session: Session, actor: Actor, ids: Iterable[object]) -> int:
    """Mark these notifications read for `actor` only; returns how many were unread.

    Every id must be one the actor can see, else NotFound names it and nothing is marked.
    """
    params: dict[str, object] = {**_reader(actor), "ids": _clean_ids(ids)}
    with unit_of_work(session):
        visible = set(session.execute(_VISIBLE_IDS, params).scalars())
        missing = [i for i in params["ids"] if i not in visible]  # type: ignore[attr-defined]
        if missing:
            raise NotFound(f"No notification #{missing[0]} for {actor.username}")
        marked = session.execute(_MARK_READ, params).rowcount
        _announce_read(session, actor, marked)
    return marked


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every notification `actor` may see as read, for `actor` only; returns how many were unread."""
    params = _reader(actor)
    with unit_of_work(session):
        marked = session.execute(_MARK_ALL_READ, params).rowcount
        _announce_read(session, actor, marked)
    return marked


def purge_older_than(session: Session, keep_days: int) -> int:
    """Delete notifications older than `keep_days` days (their read marks go with them); returns how many.

    The retention job runs this with the `notifications_keep_days` setting; it acts for the
    system, not for a person, so it takes no actor.
    """
    days = validation.quantity(keep_days, maximum=3650, what="Days to keep notifications")
    with unit_of_work(session):
        return session.execute(_PURGE, {"days": days}).rowcount


def apply_retention(db: Database, keep_days: int) -> int:
    """The scheduled retention job: purge with the configured `notifications_keep_days`.

    Every running app and `invtui worker` schedule it; running it in several processes at once
    is harmless (the later DELETE finds nothing left), so it needs no cross-process lock.
    """
    with db.session() as session:
        removed = purge_older_than(session, keep_days)
    if removed:
        log.info("notification retention: removed %d notifications older than %d days", removed, keep_days)
    return removed


def _one_visible(session: Session, params: dict[str, object], notification_id: int) -> NotificationView:
    row = session.execute(text(_COLUMNS + _VISIBLE + " AND n.id = :one"), {**params, "one": notification_id}).first()
    if row is None:
        raise NotFound(f"No notification #{notification_id}")
    return NotificationView(*row)


def _clean_ids(ids: Iterable[object]) -> list[int]:
    cleaned = list(dict.fromkeys(validation.quantity(i, maximum=2**62, what="Notification id") for i in ids))
    if not cleaned:
        raise ValidationError("Name at least one notification to mark read")
    if len(cleaned) > MAX_IDS:
        raise ValidationError(f"At most {MAX_IDS:,} notifications at once; use mark all read")
    return cleaned


def _announce_read(session: Session, actor: Actor, count: int) -> None:
    """Tell the reader's other sessions (another terminal, the app) to update the unread badge."""
    if count:
        events.emit(session, "notifications.read", user_id=actor.id, for_user=actor.id, count=count)
