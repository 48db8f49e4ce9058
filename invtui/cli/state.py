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
    from sqlmodel import Session

    from invtui.db.engine import Database

T = TypeVar("T")


@dataclass
class CliState:
    settings: Settings
    user_override: str | None = None
    ssh_user: str | None = None
    check_person: bool = False  # the command acts as a person: refuse an unknown or disabled one at once
    _db: Database | None = field(default=None, repr=False)
    _prepared: bool = False
    _acting: Acting | None = None
    _actor: Actor | None = None

    def database(self, *, prepare: bool = True) -> Database:
        """The database in use; `prepare` applies pending migrations and creates the first admin."""
        if self._db is None:
            from invtui.db.engine import Database
            from invtui.services.identity import os_user

            self._db = Database.from_settings(self.settings, os_user=os_user())
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
            from invtui.services import users

            acting = self.acting()
            with db.session() as session:
                try:
                    self._actor = users.actor_for(session, acting.username)
                except NotFound:
                    raise NotFound(unknown_user_hint(acting)) from None
        return self._actor

    def act(self, change: Callable[[Session, Actor], T]) -> T:
        """Run one service call as the acting user, in a session of its own (the service commits)."""
        actor = self.actor()
        with self.database().session() as session:
            return change(session, actor)

    def close(self) -> None:
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
