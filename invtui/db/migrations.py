"""The migration runner: applies sql/NNNN_name.sql in order, once each, and remembers them.

Each file runs in its own transaction and is recorded in schema_migrations with a checksum.
An applied file that was edited afterwards is refused by name (the database would no longer
match the file). A session-level advisory lock serialises upgrades from several processes.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from invtui import paths
from invtui.errors import MigrationError

if TYPE_CHECKING:  # only its `connect` is used: the light read path passes its own (invtui.db.light)
    from invtui.db.engine import Database
    from invtui.db.light import LightDatabase

log = logging.getLogger(__name__)

# Arbitrary but fixed: the advisory lock key every invtui process uses for upgrades.
MIGRATION_LOCK_KEY = 0x1A7_0001
_FILE_PATTERN = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# The generated schema for readers (`invtui db schema`) lives beside the migrations but is not one.
GENERATED_SCHEMA = "schema.sql"

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    char(64) NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path
    checksum: str

    @property
    def filename(self) -> str:
        return self.path.name

    def read(self) -> str:
        return self.path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class MigrationState:
    migration: Migration
    applied_at: datetime | None


def checksum(path: Path) -> str:
    """sha256 of the file with line endings normalised, so a checkout on Windows is not "edited"."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def discover(directory: Path | None = None) -> list[Migration]:
    directory = directory or paths.sql_dir()
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        if path.name == GENERATED_SCHEMA:
            continue
        match = _FILE_PATTERN.match(path.name)
        if not match:
            raise MigrationError(f"Migration file {path.name} is not named NNNN_lowercase_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"Migrations {found[version].filename} and {path.name} share version {version}")
        found[version] = Migration(version, match.group(2), path, checksum(path))
    return [found[v] for v in sorted(found)]


def _applied(conn: psycopg.Connection) -> dict[int, tuple[str, str, datetime]]:
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return {}
    rows = conn.execute("SELECT version, name, checksum, applied_at FROM schema_migrations").fetchall()
    return {version: (name, digest.strip(), applied_at) for version, name, digest, applied_at in rows}


def _verify(migrations: list[Migration], applied: dict[int, tuple[str, str, datetime]]) -> None:
    by_version = {m.version: m for m in migrations}
    for version, (name, digest, _) in sorted(applied.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"The database has migration {version:04d}_{name}.sql applied, which this invtui does not have; "
                "upgrade invtui"
            )
        if migration.checksum != digest:
            raise MigrationError(
                f"Migration {migration.filename} was edited after it was applied (checksum differs); "
                "restore the file and put the change in a new migration"
            )


def status(db: Database | LightDatabase, directory: Path | None = None) -> list[MigrationState]:
    """Every migration on disk with the time it was applied (None if pending)."""
    migrations = discover(directory)
    with db.connect(autocommit=True) as conn:
        applied = _applied(conn)
    _verify(migrations, applied)
    return [MigrationState(m, applied[m.version][2] if m.version in applied else None) for m in migrations]


def upgrade(db: Database, directory: Path | None = None) -> list[Migration]:
    """Apply every pending migration; returns those applied (empty when already current)."""
    migrations = discover(directory)
    done: list[Migration] = []
    with db.connect(autocommit=True) as conn:
        conn.execute("SET client_min_messages = warning")
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        try:
            conn.execute(_CREATE_TABLE)
            applied = _applied(conn)
            _verify(migrations, applied)
            for migration in migrations:
                if migration.version in applied:
                    continue
                _apply(conn, migration)
                done.append(migration)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
    return done


def _apply(conn: psycopg.Connection, migration: Migration) -> None:
    log.info("applying migration %s", migration.filename)
    try:
        with conn.transaction():
            conn.execute(migration.read())
            conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                (migration.version, migration.name, migration.checksum),
            )
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MigrationError(f"Migration {migration.filename} failed and was rolled back: {first}") from exc


def is_current(db: Database, directory: Path | None = None) -> bool:
    return all(state.applied_at is not None for state in status(db, directory))
