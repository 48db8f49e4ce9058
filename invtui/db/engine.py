"""Engine, sessions and raw connections for one PostgreSQL database.

A `Database` is passed explicitly to whatever needs it (CLI commands, the app, tests), so a
test can point the very same code at its own throwaway database.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import unquote

import psycopg
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from invtui.config import Settings, redact_url
from invtui.db.pool import DEFAULT_IDLE_SECONDS, IdleClosingPool
from invtui.db.session import LazySession
from invtui.errors import ConfigError

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5
# libpq settings that are secrets and have no PG* variable: never on a child's command line.
_SECRET_SETTINGS = frozenset({"sslpassword", "scram_client_key", "scram_server_key", "oauth_client_secret"})


def normalize_url(raw: str) -> URL:
    """Accept postgres://, postgresql:// or postgresql+psycopg:// and return a psycopg 3 URL."""
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise ConfigError(f"Database URL {redact_url(raw)!r} is malformed; expected postgresql://user@host:port/dbname") from None
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise ConfigError(f"Database URL must be a postgresql:// URL (got {url.get_backend_name()}://...)")
    if url.drivername not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise ConfigError(f"Database URL driver {url.drivername!r} is not supported; use postgresql+psycopg://")
    if not url.database:
        raise ConfigError("Database URL names no database; expected postgresql://user@host:port/dbname")
    return url.set(drivername="postgresql+psycopg")


class Database:
    """One PostgreSQL database: a SQLAlchemy engine for services, raw psycopg for LISTEN and bulk work."""

    def __init__(self, url: str | URL, *, embedded: bool = False, os_user: str | None = None,
                 idle_seconds: float = DEFAULT_IDLE_SECONDS) -> None:
        """`idle_seconds`: a pooled connection unused this long is closed (see db/pool.py)."""
        self.url = normalize_url(url) if isinstance(url, str) else url
        self.embedded = embedded
        self.os_user = os_user
        self.idle_seconds = idle_seconds

    @classmethod
    def from_settings(cls, settings: Settings, *, os_user: str | None = None) -> Database:
        """The configured URL untouched, or the embedded server when none is configured.

        `os_user` is the real OS account of this process: every connection carries it as the
        setting `invtui.os_user`, which the audit columns of migration 0004 default to.
        """
        idle = settings.idle_connection_seconds
        if settings.database_url:
            return cls(settings.database_url, os_user=os_user, idle_seconds=idle)
        from invtui.db.embedded import start_embedded

        return cls(start_embedded(idle_minutes=settings.embedded_idle_minutes), embedded=True, os_user=os_user,
                   idle_seconds=idle)

    @property
    def _connect_options(self) -> dict[str, str]:
        """libpq startup options: the OS account for the audit (backslash-escaped for `-c`)."""
        if not self.os_user:
            return {}
        escaped = "".join(f"\\{c}" if c in " \\" else c for c in self.os_user)
        return {"options": f"-c invtui.os_user={escaped}"}

    @classmethod
    def demo(cls, settings: Settings, *, os_user: str | None = None) -> Database:
        """The embedded server's demo database (`invtui demo`, `invtui --demo ...`), whatever is configured."""
        from invtui.db.embedded import DEMO_DATABASE, start_embedded

        return cls(start_embedded(database=DEMO_DATABASE, idle_minutes=settings.embedded_idle_minutes), embedded=True,
                   os_user=os_user, idle_seconds=settings.idle_connection_seconds)

    @property
    def display_url(self) -> str:
        """The URL for people: password hidden (if there is one), socket paths readable."""
        url = self.url if self.url.password else self.url._replace(password=None)  # set() cannot clear it
        return redact_url(unquote(redact_url(url.render_as_string(hide_password=True))))

    @property
    def conninfo(self) -> str:
        """The URL as libpq understands it (no SQLAlchemy driver suffix), password included."""
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def client_args(self) -> tuple[str, dict[str, str]]:
        """(`--dbname` value, environment) for a libpq tool run as a child (pg_dump, pg_restore).

        The connection travels in the environment, as the PG* variables libpq reads (PGHOST,
        PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE, ...), readable in /proc/PID/environ by
        the same account only: the command line, which any local user reads with `ps`, shows
        nothing of it. The `--dbname` value holds only the settings that have no variable
        (keepalives, say; "" for an ordinary URL): libpq takes the database from PGDATABASE then.
        A secret without a variable (sslpassword) is refused rather than put on the command line.
        """
        from psycopg import pq
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        variables = {o.keyword.decode(): o.envvar.decode() for o in pq.Conninfo.get_defaults() if o.envvar}
        env, rest = dict(os.environ), {}
        # `user:@host` has an empty password: libpq lets a later `?password=` count, and so does this
        for key, value in conninfo_to_dict(self.conninfo).items():
            if value is None or str(value) == "":
                continue
            if key in variables:
                env[variables[key]] = str(value)
            elif key in _SECRET_SETTINGS:
                raise ConfigError(f"The database URL's {key} cannot be handed to pg_dump / pg_restore without "
                                  "showing it to every local user; use a key file without a passphrase or ~/.pgpass")
            else:
                rest[key] = value
        return make_conninfo(**rest), env

    @cached_property
    def engine(self) -> Engine:
        return create_engine(
            self.url,
            poolclass=IdleClosingPool,  # connections unused for idle_seconds are closed
            idle_seconds=self.idle_seconds,
            pool_pre_ping=True,  # a server restart leaves dead pooled connections behind
            pool_size=5,
            max_overflow=20,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "application_name": "invtui",
                          **self._connect_options},
        )

    def session(self) -> Session:
        """A new session; services commit or roll back the one transaction they run in it.

        It runs raw SQL on SQLAlchemy core and loads the ORM only when used (db/session.py), so
        an app that only reads never imports SQLModel; to its callers it is a `Session`.
        """
        return LazySession(self.engine)  # type: ignore[return-value]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any exception."""
        with self.session() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection:
        """A raw psycopg connection (LISTEN, COPY, migrations); the caller closes it."""
        return psycopg.connect(
            self.conninfo,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name="invtui",
            **self._connect_options,
        )

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
