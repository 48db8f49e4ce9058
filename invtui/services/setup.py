"""Bringing a database to the state the app needs: migrations applied, a first admin present."""

from __future__ import annotations

from dataclasses import dataclass

from invtui.db import migrations
from invtui.db.engine import Database
from invtui.services import users


@dataclass(frozen=True)
class Prepared:
    applied: list[migrations.Migration]
    admin_password: str | None  # set only the one time the first admin is created


def prepare_database(db: Database) -> Prepared:
    """Apply pending migrations and create the first admin on an empty database. Idempotent."""
    applied = migrations.upgrade(db)
    with db.session() as session:
        password = users.ensure_admin(session)
    return Prepared(applied, password)
