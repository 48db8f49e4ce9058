"""What every command shares: settings, the database (opened and upgraded lazily), the acting user."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import typer

from invtui.config import Settings
from invtui.domain.roles import Actor

if TYPE_CHECKING:
    from sqlmodel import Session

    from invtui.db.engine import Database

T = TypeVar("T")


@dataclass
class CliState:
    settings: Settings
    user_override: str | None = None
    demo: bool = False  # --demo: the embedded server's demo database
    _db: Database | None = field(default=None, repr=False)
    _prepared: bool = False

    def database(self, *, prepare: bool = True) -> Database:
        """The database in use; `prepare` applies pending migrations and creates the first admin."""
        if self._db is None:
            from invtui.db.engine import Database

            self._db = Database.demo(self.settings) if self.demo else Database.from_settings(self.settings)
        if prepare and not self._prepared:
            from invtui.services.setup import prepare_database

            prepared = prepare_database(self._db)
            self._prepared = True
            announce_admin(prepared.admin_password)
        return self._db

    def username(self) -> str:
        """--user, else $INVTUI_USER, else the OS login name (shell access to the box is trust)."""
        return self.user_override or os.environ.get("INVTUI_USER") or getpass.getuser()

    def actor(self) -> Actor:
        from invtui.services import users

        with self.database().session() as session:
            return users.actor_for(session, self.username())

    def act(self, change: Callable[[Session, Actor], T]) -> T:
        """Run one service call as the acting user, in a session of its own (the service commits)."""
        actor = self.actor()
        with self.database().session() as session:
            return change(session, actor)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def announce_admin(password: str | None) -> None:
    if password:
        print(
            f"Created the first user: admin, password {password} (shown once; change it with "
            "`invtui user passwd admin --user admin`)",
            file=sys.stderr,
        )


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj
