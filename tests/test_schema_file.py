"""sql/schema.sql, the schema in force for readers, is exactly what a fresh migration makes."""

from __future__ import annotations

import re

import psycopg

from conftest import ROOT
from invtui.db.engine import Database
from invtui.services.schema import REGENERATE


def unqualified(schema: str) -> str:
    """The schema with column and object names unqualified (`m.kind`, `public.f` -> `kind`, `f`).

    PostgreSQL 15 prints a one-table view's columns qualified (`stock_movements.kind`) and 18 does
    not; the file is made on the embedded PostgreSQL 18, and a developer's 15 must agree with it.
    Both sides lose the same qualifiers, so any other difference still fails.
    """
    return re.sub(r"(?<![\w.])[a-z_][a-z0-9_]*\.(?=[a-z_])", "", schema)


def test_sql_schema_file_matches_a_fresh_migration(db: Database, invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("db", "schema")
    assert result.code == 0, result.stderr
    checked_in = (ROOT / "sql" / "schema.sql").read_text(encoding="utf-8")
    assert unqualified(result.stdout) == unqualified(checked_in), (
        f"sql/schema.sql is out of date; regenerate it with `{REGENERATE}`")
    # the scratch database it migrated is gone again
    with psycopg.connect(db.conninfo) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'invtui_schema_%'").fetchall()
    assert left == []
