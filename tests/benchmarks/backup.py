"""Backup and restore of a big database: time, file size, and the same `db check` afterwards.

Seeds N products x M locations (default 10,000 x 100 = 1,000,000 inventory rows with their
ledger), runs a full sweep, backs it up with `invtui db backup`'s service, restores it into a
fresh database and compares row counts and the `db check` result.

    uv run python tests/benchmarks/backup.py [--database-url URL] [--products 10000] [--locations 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from invtui.db import migrations
from invtui.db.engine import Database
from invtui.services import backup, integrity, seed, sweep

NAMES = ("bench_backup_src", "bench_backup_dst")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="A server to create the scratch databases bench_backup_src/_dst on.")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--locations", type=int, default=100)
    args = parser.parse_args()
    base = Database(args.database_url)
    with psycopg.connect(base.conninfo, autocommit=True) as conn:
        for name in NAMES:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    source, target = (Database(base.url.set(database=name)) for name in NAMES)
    try:
        migrations.upgrade(source)
        started = time.perf_counter()
        seed.seed(source, products=args.products, locations=args.locations)
        sweep.run_full_sweep(source, "cli")
        print(f"seeded {args.products:,} x {args.locations:,} and swept in {time.perf_counter() - started:.1f} s")
        before = integrity.check(source)
        with tempfile.TemporaryDirectory() as tmp:
            made = backup.backup(source, Path(tmp) / "big.dump")
            print(f"backup: {made.size} in {made.seconds:.1f} s ({made.tables} tables, {backup.find_tools(source).origin} tools)")
            restored = backup.restore(target, made.path)
        print(f"restore (one transaction, then upgrade and db check): {restored.seconds:.1f} s; "
              + ", ".join(f"{n:,} {label}" for label, n in restored.counts.items()))
        same = (restored.counts == backup.table_counts(source) and restored.check.clean == before.clean
                and restored.check.inventory_rows == before.inventory_rows
                and restored.check.movements == before.movements)
        print(f"db check before: {'clean' if before.clean else 'NOT clean'} ({before.inventory_rows:,} rows, "
              f"{before.movements:,} movements); after restore: {'clean' if restored.check.clean else 'NOT clean'} "
              f"({restored.check.inventory_rows:,} rows, {restored.check.movements:,} movements): "
              f"{'same' if same else 'DIFFERENT'}")
    finally:
        source.dispose()
        target.dispose()
        with psycopg.connect(base.conninfo, autocommit=True) as conn:
            for name in NAMES:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
