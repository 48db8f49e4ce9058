"""The schema as it stands after every migration, for readers: `invtui db schema`, sql/schema.sql.

The migrations are history (the alert engine of 0002 is partly replaced by 0003, and so on);
a reader wants the definitions in force. This migrates a scratch database on the same server,
dumps its schema with pg_dump (the tools the backup service finds), drops it again, and strips
what changes from run to run or says nothing (SET lines, pg_dump's own comments, restrict keys),
so the text is stable and can be checked in.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess

import psycopg
from psycopg import sql

from invtui.db import migrations
from invtui.db.engine import Database
from invtui.errors import DatabaseUnavailable
from invtui.services import backup
from invtui.services.backup import BackupError

REGENERATE = "invtui db schema > sql/schema.sql"
HEADER = (
    "-- The invtui schema as it stands after every migration in sql/ (generated; do not edit).\n"
    f"-- Regenerate with: {REGENERATE}\n"
    "-- The migrations (sql/NNNN_*.sql) are what runs; this file is for reading.\n\n"
)
# pg_dump's own noise: settings, its section comments, the random \restrict key of newer versions.
_NOISE = re.compile(r"^(SET |SELECT pg_catalog\.set_config\(|\\restrict |\\unrestrict |-- Dumped |"
                    r"-- PostgreSQL database dump|-- Name: |-- TOC entry |--$)")


def fresh_schema(db: Database) -> str:
    """The schema of a database migrated from nothing, on `db`'s server, as stable text."""
    name = f"invtui_schema_{os.getpid()}_{secrets.token_hex(4)}"
    _create(db, name)
    scratch = Database(db.url.set(database=name))
    try:
        migrations.upgrade(scratch)
        raw = _dump(scratch)
    finally:
        scratch.dispose()
        _drop(db, name)
    return HEADER + clean(raw)


def clean(dump: str) -> str:
    """pg_dump's text without its noise, blank runs collapsed, ending in one newline."""
    kept = [line.rstrip() for line in dump.splitlines() if not _NOISE.match(line)]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept))
    return text.strip() + "\n"


def _create(db: Database, name: str) -> None:
    try:
        with db.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    except psycopg.errors.InsufficientPrivilege:
        raise DatabaseUnavailable(
            "Printing the schema needs a scratch database; this database user may not create one (CREATEDB)"
        ) from None


def _drop(db: Database, name: str) -> None:
    with db.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _dump(db: Database) -> str:
    """pg_dump --schema-only; the connection goes in the environment, never on the command line."""
    tools = backup.find_tools(db)
    dbname, env = db.client_args()
    command = [str(tools.pg_dump), "--schema-only", "--no-owner", "--no-privileges", "--no-tablespaces",
               f"--dbname={dbname}"]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[0]
        raise BackupError("pg_dump failed: " + re.sub(r"^\S+: error: ", "", reason))
    return proc.stdout
