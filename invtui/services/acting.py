"""The acting user as the database knows them *now*, checked inside the action's own transaction.

An `Actor` is read once at sign-in; an admin may disable that user or change their role while
their app stays open. Every service that changes something calls `require_current` first: it
reads the user's row in the same transaction as the change, so a disabled user's next action is
refused and a demoted user's is judged by their new role, even if the app missed the event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from invtui.domain.roles import Actor, Permission, Role, require
from invtui.errors import PermissionDenied

if TYPE_CHECKING:
    from sqlmodel import Session

_CURRENT = text("SELECT username, role, is_active FROM users WHERE id = :id")


def current(session: Session, actor: Actor) -> Actor:
    """`actor` with today's role; PermissionDenied if they were disabled or removed. The system passes."""
    if actor.id is None:
        return actor
    row = session.execute(_CURRENT, {"id": actor.id}).first()
    if row is None or not row.is_active:
        raise PermissionDenied(f"User {actor.username!r} is disabled; ask an admin")
    return Actor(id=actor.id, username=row.username, role=Role(row.role))


def require_current(session: Session, actor: Actor, permission: Permission) -> Actor:
    """`require` against the actor's current row (active, role), in the caller's transaction."""
    fresh = current(session, actor)
    require(fresh, permission)
    return fresh
