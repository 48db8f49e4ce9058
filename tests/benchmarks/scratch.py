"""The scratch database every benchmark runs in: made fresh and migrated, dropped afterwards."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from invtui.db import migrations
from invtui.db.engine import Database


def _drop(base: Database, name: str) -> None:
    with psycopg.connect(base.conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def scratch_database(server_url: str, name: str) -> Iterator[Database]:
    """Database `name` on the server of `server_url`, migrated; dropped when the block ends."""
    base = Database(server_url)
    _drop(base, name)
    with psycopg.connect(base.conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = Database(base.url.set(database=name))
    try:
        migrations.upgrade(db)
        yield db
    finally:
        db.dispose()
        _drop(base, name)


def warehouse_arguments() -> argparse.ArgumentParser:
    """Options of a benchmark on a seeded warehouse: the server, or a seeded database to reuse,
    and the size to seed (10,000 products x 100 locations = 1,000,000 stock rows)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--locations", type=int, default=100)
    return parser
