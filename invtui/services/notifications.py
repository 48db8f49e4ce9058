"""The notification log: rows aimed at everyone, a role or one user, with per-user read state."""

from __future__ import annotations

from sqlmodel import Session

from invtui.db.models import Notification
from invtui.services import events

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
) -> Notification:
    """Write one notification in the caller's transaction and announce it (delivered on commit)."""
    note = Notification(kind=kind, title=title[:200], body=body, severity=severity, link_kind=link_kind,
                        link_id=link_id, target_user_id=target_user_id, target_role=target_role)
    session.add(note)
    session.flush()
    events.emit(session, "notification.created", id=note.id, user_id=actor_id, for_user=target_user_id,
                for_role=target_role, severity=severity, title=note.title, notification_kind=kind)
    return note
