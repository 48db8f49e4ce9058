"""The notification log: rows aimed at everyone, a role or one user, with per-user read state."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import text

from invtui.db.engine import Database
from invtui.db.light import raw_connection
from invtui.domain import validation
from invtui.domain.roles import Actor
from invtui.errors import NotFound, ValidationError
from invtui.services import events
from invtui.services.notification_list import (  # noqa: F401 (re-exported: the app and tests name them here)
    MAX_PAGE,
    VISIBLE,
    NotificationView,
    list_for,
    reader,
    unread_count,
)
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

    from invtui.db.models import Notification

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
    from invtui.db.models import Notification  # a write: the models load with it, not with the app

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


# -- marking read (the reads are in notification_list) ---------------------------------------

# Run on the session's own psycopg connection (raw_connection): they share VISIBLE with the reads.
_MARK_READ = """
    INSERT INTO notification_reads (notification_id, user_id)
    SELECT n.id, %(user_id)s""" + VISIBLE + """ AND r.read_at IS NULL AND n.id = ANY(%(ids)s)
    ON CONFLICT DO NOTHING
"""
_MARK_ALL_READ = """
    INSERT INTO notification_reads (notification_id, user_id)
    SELECT n.id, %(user_id)s""" + VISIBLE + """ AND r.read_at IS NULL
    ON CONFLICT DO NOTHING
"""
_VISIBLE_IDS = "SELECT n.id" + VISIBLE + " AND n.id = ANY(%(ids)s)"
_PURGE = text("DELETE FROM notifications WHERE created_at < now() - make_interval(days => :days)")

RETENTION_JOB_ID = "notification-retention"
RETENTION_EVERY_SECONDS = 3600  # hourly: an app that runs for one shift still purges; cheap (index on created_at)
MAX_IDS = 1000


def mark_read(session: Session, actor: Actor, ids: Iterable[object]) -> int:
    """Mark these notifications read for `actor` only; returns how many were unread.

    Every id must be one the actor can see, else NotFound names it and nothing is marked.
    """
    params: dict[str, object] = {**reader(actor), "ids": _clean_ids(ids)}
    with unit_of_work(session):
        conn = raw_connection(session)
        visible = {row[0] for row in conn.execute(_VISIBLE_IDS, params)}
        missing = [i for i in params["ids"] if i not in visible]  # type: ignore[attr-defined]
        if missing:
            raise NotFound(f"No notification #{missing[0]} for {actor.username}")
        marked = conn.execute(_MARK_READ, params).rowcount
        _announce_read(session, actor, marked)
    return marked


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every notification `actor` may see as read, for `actor` only; returns how many were unread."""
    params = reader(actor)
    with unit_of_work(session):
        marked = raw_connection(session).execute(_MARK_ALL_READ, params).rowcount
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
