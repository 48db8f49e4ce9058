"""Reading users on a plain psycopg connection: who acts, and the user list.

Every CLI command checks its acting user before it runs; the read commands do it here, without the
ORM (invtui.db.light, issue 15), and `invtui.services.users.actor_for` runs the same lookup inside
an ORM session, so both paths refuse an unknown or disabled user with the same sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import kwargs_row

from invtui.domain.roles import Actor, Role
from invtui.errors import NotFound, PermissionDenied


@dataclass(frozen=True)
class UserView:
    """One user as `invtui user list` shows it (no password hash)."""

    username: str
    full_name: str
    role: str
    is_active: bool
    locked_until: datetime | None
    last_login_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {"username": self.username, "full_name": self.full_name, "role": self.role,
                "active": self.is_active, "locked_until": self.locked_until, "last_login_at": self.last_login_at}


def actor_for(conn: psycopg.Connection, username: str) -> Actor:
    """The acting user named by a caller who holds the secret, an SSH key or the OS account."""
    name = username.strip().lower()
    row = conn.execute("SELECT id, username, role, is_active FROM users WHERE username = %s", (name,)).fetchone()
    if row is None:
        raise NotFound(f"Unknown user {name!r}")
    user_id, found, role, active = row
    if not active:
        raise PermissionDenied(f"User {found!r} is disabled; ask an admin")
    return Actor(id=user_id, username=found, role=Role(role))


def list_users(conn: psycopg.Connection) -> list[UserView]:
    with conn.cursor(row_factory=kwargs_row(UserView)) as cur:
        return cur.execute("SELECT username, full_name, role, is_active, locked_until, last_login_at"
                           " FROM users ORDER BY username").fetchall()
