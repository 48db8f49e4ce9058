"""Bringing a database to the state the app needs: migrations applied, a first admin present."""

from __future__ import annotations

from dataclasses import dataclass

from invtui.db import migrations
from invtui.db.engine import Database


@dataclass(frozen=True)
class Prepared:
    applied: list[migrations.Migration]
    admin_password: str | None  # set only the one time the first admin is created


def prepare_database(db: Database) -> Prepared:
    """Apply pending migrations and create the first admin on an empty database. Idempotent."""
    applied = migrations.upgrade(db)
    if not applied and _has_users(db):
        return Prepared(applied, None)  # every call but the first: no ORM models to load (~0.2 s a command)
    from invtui.services import users

    with db.session() as session:
        password = users.ensure_admin(session)
    return Prepared(applied, password)


def _has_users(db: Database) -> bool:
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()
    return bool(row and row[0])
