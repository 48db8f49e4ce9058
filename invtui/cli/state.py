"""What every command shares: settings, the database (opened and upgraded lazily), the acting user."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import typer

from invtui.config import Settings
from invtui.domain.identity import Acting, NamedBy
from invtui.domain.roles import Actor
from invtui.errors import NotFound

if TYPE_CHECKING:
    import psycopg
    from sqlmodel import Session

    from invtui.db.engine import Database

T = TypeVar("T")


@dataclass
class CliState:
    settings: Settings
    user_override: str | None = None
    ssh_user: str | None = None
    check_person: bool = False  # the command acts as a person: refuse an unknown or disabled one at once
    demo: bool = False  # --demo: the embedded server's demo database
    _db: Database | None = field(default=None, repr=False)
    _prepared: bool = False
    _acting: Acting | None = None
    _actor: Actor | None = None
    _light: psycopg.Connection | None = field(default=None, repr=False)

    def database(self, *, prepare: bool = True) -> Database:
        """The database in use; `prepare` applies pending migrations and creates the first admin."""
        if self._db is None:
            from invtui.db.engine import Database
            from invtui.services.identity import os_user

            account = os_user()
            self._db = (Database.demo(self.settings, os_user=account) if self.demo
                        else Database.from_settings(self.settings, os_user=account))
        if prepare and not self._prepared:
            from invtui.services.setup import prepare_database

            prepared = prepare_database(self._db)
            self._prepared = True
            announce_admin(prepared.admin_password)
            if self.check_person:
                self.actor()
        return self._db

    def acting(self) -> Acting:
        """Who acts (--ssh-user, --user, $INVTUI_USER for a caller holding the secret, else the OS account)."""
        if self._acting is None:
            from invtui.services.identity import acting_for

            self._acting = acting_for(self.settings, user_option=self.user_override, ssh_user=self.ssh_user)
        return self._acting

    def username(self) -> str:
        return self.acting().username

    def actor(self) -> Actor:
        """The acting invtui user, checked to exist and be active; one sentence with the fix if not."""
        db = self.database()
        if self._actor is None:
            with db.connect(autocommit=True) as conn:
                self._check_person(conn)
        assert self._actor is not None
        return self._actor

    def act(self, change: Callable[[Session, Actor], T]) -> T:
        """Run one service call as the acting user, in a session of its own (the service commits)."""
        actor = self.actor()
        with self.database().session() as session:
            return change(session, actor)

    def read(self, query: Callable[[psycopg.Connection], T]) -> T:
        """Run a read-only query on a plain psycopg connection, with no ORM loaded (issue 15).

        A ready database (migrated, with users) is read through `invtui.db.light`; anything else
        goes through `database()` first, which migrates, creates the first admin or says what is
        wrong, and the query then runs on a raw connection of that database.
        """
        conn = self._light_connection()
        if conn is not None:
            return query(conn)
        with self.database().connect(autocommit=True) as raw:
            return query(raw)

    def read_as(self, query: Callable[[psycopg.Connection, Actor], T]) -> T:
        """`read` for a query that depends on who asks (their notifications): the acting user, checked."""
        def run(conn: psycopg.Connection) -> T:
            if self._actor is None:
                self._check_person(conn)
            assert self._actor is not None
            return query(conn, self._actor)

        return self.read(run)

    def _light_connection(self) -> psycopg.Connection | None:
        if self._light is None and self._db is None:
            from invtui.db import light
            from invtui.services.identity import os_user

            found = light.from_settings(self.settings, os_user=os_user(), demo=self.demo)
            self._light = light.open_ready(found) if found is not None else None
            if self._light is not None and self.check_person:
                self._check_person(self._light)
        return self._light

    def _check_person(self, conn: psycopg.Connection) -> None:
        from invtui.services import user_list

        acting = self.acting()
        try:
            self._actor = user_list.actor_for(conn, acting.username)
        except NotFound:
            raise NotFound(unknown_user_hint(acting)) from None

    def close(self) -> None:
        if self._light is not None:
            self._light.close()
        if self._db is not None:
            self._db.dispose()


def unknown_user_hint(acting: Acting) -> str:
    """'Unknown user' plus how to fix it, which depends on how the name was chosen."""
    name = acting.username
    if acting.named_by is NamedBy.OS_ACCOUNT:
        return (f"Unknown user {name!r} (your OS login); the service account or root may name one with "
                f"--user NAME, or ask an admin to `invtui user add {name}`")
    return f"Unknown user {name!r}; ask an admin to `invtui user add {name}`"


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
