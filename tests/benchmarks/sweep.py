"""Benchmark of the stock alert engine on 1,000,000 inventory rows (issue 5's Benchmark section).

    uv run python tests/benchmarks/sweep.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                            [--products 10000] [--locations 100] [--keep]

Creates its own database `bench_sweep_<pid>` on that server (dropped at the end unless --keep),
seeds it with `invtui seed`'s service (the alert trigger on), then prints:
  - seed time with the trigger;
  - first full sweep (creates every alert; alerts emptied after the seed so it has work), then
    1 % of the alerts dismissed (those items stay disarmed while low, as in a real warehouse),
    steady sweep (nothing changed), and sweep after 10,000 random stock changes made behind the
    trigger's back (session_replication_role = replica, so the sweep, not the trigger, sees them);
  - a bare `SELECT count(*) FROM inventory` beside them, and the seed system's naive per-row ORM
    check over a 10,000-row sample, extrapolated to all rows;
  - what the trigger adds to a single-row stock change (median of 1,000, with and without) and to
    a 100,000-row bulk UPDATE (rolled back).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlmodel import select

from invtui.db import migrations
from invtui.db.engine import Database
from invtui.db.models import AlertRule, Inventory, Product, StockAlert
from invtui.domain.alerts import condition, effective_threshold
from invtui.domain.roles import SYSTEM
from invtui.services import alerts
from invtui.services import seed as seed_service
from invtui.services.sweep import run_full_sweep

SAMPLE = 10_000


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_of(n: int, fn: Callable[[], object]) -> float:
    return statistics.median(timed(fn) for _ in range(n))


def naive_loop(db: Database, sample: int) -> float:
    """The seed's way: for each row, load its product, its rules and its open alert, then decide."""
    with db.session() as session:
        rows = session.exec(select(Inventory).order_by(Inventory.id).limit(sample)).all()
        started = time.perf_counter()
        for row in rows:
            product = session.get(Product, row.product_id)
            assert product is not None
            if not product.is_active:
                continue
            rules = {r.location_id: r.threshold_quantity for r in session.exec(
                select(AlertRule).where(AlertRule.product_id == row.product_id, AlertRule.is_active)).all()}
            threshold = effective_threshold(rules.get(row.location_id), rules.get(None), product.reorder_point,
                                            product.min_stock_level)
            now = condition(row.quantity - row.reserved_quantity, threshold)
            session.exec(select(StockAlert).where(StockAlert.product_id == row.product_id,
                                                  StockAlert.location_id == row.location_id,
                                                  StockAlert.status.in_(["ACTIVE", "ACKNOWLEDGED"]))).first()  # type: ignore[attr-defined]
            _ = now
        return time.perf_counter() - started


def dismiss_some(db: Database, n: int) -> int:
    """Dismiss every n-th open alert, as operators do: real warehouses keep some items disarmed."""
    with db.session() as session:
        ids = [row[0] for row in session.execute(text(
            "SELECT id FROM stock_alerts WHERE status = 'ACTIVE' ORDER BY id")).all()]
        picked = ids[:: max(1, len(ids) // max(n, 1))][:n]
        return len(alerts.dismiss_many(session, SYSTEM, picked, note="benchmark").done)


def single_row_costs(conn: psycopg.Connection, ids: list[int], n: int = 1000) -> list[float]:
    """Seconds per one-row UPDATE (each its own transaction), alternating +1/-1 so levels stay put."""
    costs = []
    for i in range(n):
        row_id = ids[i % len(ids)]
        delta = 1 if (i // len(ids)) % 2 == 0 else -1
        started = time.perf_counter()
        conn.execute("UPDATE inventory SET quantity = quantity + %s WHERE id = %s", (delta, row_id))
        conn.commit()
        costs.append(time.perf_counter() - started)
    return costs


def bulk_update(conn: psycopg.Connection, first_id: int) -> float:
    started = time.perf_counter()
    conn.execute("UPDATE inventory SET quantity = quantity + 1 WHERE id >= %s AND id < %s", (first_id, first_id + 100_000))
    elapsed = time.perf_counter() - started
    conn.rollback()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="any database on the server to use; the benchmark creates its own beside it")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--locations", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--no-baseline", action="store_true", help="skip the seed without the trigger")
    args = parser.parse_args()

    admin = Database(args.database_url)
    name = f"bench_sweep_{os.getpid()}"
    with psycopg.connect(admin.conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = Database(admin.url.set(database=name))
    try:
        if not args.no_baseline:
            seed_without_trigger(admin, args.products, args.locations)
        return run(db, args.products, args.locations)
    finally:
        db.dispose()
        if not args.keep:
            with psycopg.connect(admin.conninfo, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def seed_without_trigger(admin: Database, products: int, locations: int) -> None:
    """The same seed in a scratch database with the inventory insert trigger disabled: the baseline."""
    name = f"bench_sweep_base_{os.getpid()}"
    with psycopg.connect(admin.conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = Database(admin.url.set(database=name))
    try:
        migrations.upgrade(db)
        with psycopg.connect(db.conninfo, autocommit=True) as conn:
            conn.execute("ALTER TABLE inventory DISABLE TRIGGER inventory_alerts_on_insert")
        result = seed_service.seed(db, products=products, locations=locations)
        print(f"seed with the alert trigger off ....... {result.seconds:8.1f} s")
    finally:
        db.dispose()
        with psycopg.connect(admin.conninfo, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run(db: Database, products: int, locations: int) -> int:
    migrations.upgrade(db)
    rows = products * locations
    print(f"invtui alert engine benchmark: {products:,} products x {locations:,} locations = {rows:,} rows")
    result = seed_service.seed(db, products=products, locations=locations)
    print(f"seed with the alert trigger on ........ {result.seconds:8.1f} s")
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        seeded_alerts = conn.execute("SELECT count(*) FROM stock_alerts").fetchone()[0]  # type: ignore[index]
        print(f"  alerts raised by the trigger while seeding: {seeded_alerts:,}")
        conn.execute("TRUNCATE alert_events, alert_disarmed, notification_reads, notifications, sweep_runs")
        conn.execute("DELETE FROM stock_alerts")
        conn.execute("VACUUM ANALYZE")

    first = run_full_sweep(db, "manual")
    print(f"first full sweep (creates alerts) ..... {first.duration_ms / 1000:8.3f} s  "
          f"({first.created_count:,} created; {first.rows_scanned:,} rows probed: at or below their product's "
          f"highest threshold)")
    dismissed = dismiss_some(db, first.created_count // 100)
    print(f"  dismissed by operators (disarmed while low): {dismissed:,}")
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE stock_alerts")
        conn.execute("VACUUM ANALYZE alert_disarmed")
    run_full_sweep(db, "manual")  # warm
    steady = median_of(5, lambda: run_full_sweep(db, "manual"))
    print(f"steady full sweep (median of 5) ....... {steady:8.3f} s")

    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        count = median_of(5, lambda: conn.execute("SELECT count(*) FROM inventory").fetchone())
    print(f"bare SELECT count(*) (median of 5) .... {count:8.3f} s   -> steady sweep = {steady / count:.1f}x the scan")

    rng = random.Random(5)
    changed_ids = rng.sample(range(1, rows + 1), 10_000)
    with psycopg.connect(db.conninfo) as conn:
        conn.execute("SET session_replication_role = replica")  # behind the trigger's back: the sweep must see them
        conn.execute(
            """UPDATE inventory SET quantity = CASE WHEN id %% 3 = 0 THEN 0 WHEN id %% 3 = 1 THEN quantity + 40
                                                   ELSE reserved_quantity + 3 END,
                                   reserved_quantity = CASE WHEN id %% 3 = 0 THEN 0 ELSE reserved_quantity END
                WHERE id = ANY(%s)""", (changed_ids,))
        conn.commit()
    after = run_full_sweep(db, "manual")
    print(f"sweep after 10,000 random changes ..... {after.duration_ms / 1000:8.3f} s  "
          f"({after.created_count:,} created, {after.escalated_count:,} escalated, "
          f"{after.downgraded_count:,} downgraded, {after.resolved_count:,} resolved)")

    naive = naive_loop(db, SAMPLE) * rows / SAMPLE
    print(f"naive per-row ORM loop, extrapolated .. {naive:8.1f} s   ({SAMPLE:,}-row sample x {rows // SAMPLE}) "
          f"-> steady sweep is {naive / steady:,.0f}x faster")

    ids = rng.sample(range(1, rows + 1), 200)
    with psycopg.connect(db.conninfo) as conn:
        single_row_costs(conn, ids, 200)  # warm plans and caches
        with_trigger = statistics.median(single_row_costs(conn, ids))
        conn.execute("ALTER TABLE inventory DISABLE TRIGGER inventory_alerts_on_update")
        conn.commit()
        single_row_costs(conn, ids, 200)
        without = statistics.median(single_row_costs(conn, ids))
        print(f"single-row change (median of 1,000) ... {with_trigger * 1000:8.3f} ms with the trigger, "
              f"{without * 1000:.3f} ms without -> adds {(with_trigger - without) * 1000:.3f} ms")
        bulk_without = bulk_update(conn, 200_001)
        conn.execute("ALTER TABLE inventory ENABLE TRIGGER inventory_alerts_on_update")
        conn.commit()
        bulk_with = bulk_update(conn, 200_001)
        print(f"100,000-row bulk UPDATE ............... {bulk_with:8.3f} s with the trigger, "
              f"{bulk_without:.3f} s without -> adds {bulk_with - bulk_without:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
