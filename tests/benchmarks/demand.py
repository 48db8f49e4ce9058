"""Benchmark of the demand figures and RUNS OUT SOON (issue 17).

    uv run python tests/benchmarks/demand.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                             [--products 1000] [--locations 100] [--movements 1000000] [--keep]

Creates `bench_demand_<pid>` (dropped at the end unless --keep): suppliers with 14 days' lead
time, products x locations inventory rows, and a ledger of issues spread over the last 120 days
(loaded behind the triggers' back, then the first-movement table filled and the tables vacuumed
as autovacuum would). Prints:
  - the first full sweep (raises every alert, LOW_SOON included), then the steady full sweep
    (median of 5) that looks for items running out soon (every 10 minutes), and the one between
    looks, beside a bare count(*);
  - what the trigger costs a single-row stock change (median of 500 UPDATEs of random rows, each
    its own transaction), with the triggers on and off (session_replication_role = replica);
  - `invtui stock cover`'s first page (50 rows, lowest cover first) through the service, median of 5.
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

from invtui.db import migrations
from invtui.db.engine import Database
from invtui.services import demand

LOAD = """
INSERT INTO suppliers (code, name, lead_time_days) VALUES ('ACME', 'Acme', 14);
INSERT INTO products (sku, name, supplier_id, reorder_point)
     SELECT 'SKU-' || lpad(g::text, 7, '0'), 'Product ' || g, 1, 10 FROM generate_series(1, %(products)d) g;
INSERT INTO locations (code) SELECT 'LOC-' || g FROM generate_series(1, %(locations)d) g;
INSERT INTO inventory (product_id, location_id, quantity)
     SELECT p.id, l.id, (random() * 400)::int FROM products p, locations l;
INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, created_at)
     SELECT 1 + (random() * (%(products)d - 1))::int, 1 + (random() * (%(locations)d - 1))::int, 'issue',
            -(1 + (random() * 9)::int), now() - random() * interval '120 days'
       FROM generate_series(1, %(movements)d);
INSERT INTO item_first_movements SELECT product_id, location_id, min(created_at) FROM stock_movements GROUP BY 1, 2;
"""


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--locations", type=int, default=100)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    name = f"bench_demand_{os.getpid()}"
    with psycopg.connect(args.database_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = args.database_url.rsplit("/", 1)[0] + "/" + name
    try:
        db = Database(url)
        migrations.upgrade(db)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")
            load = timed(lambda: [conn.execute(statement % {k: int(v) for k, v in vars(args).items() if k != "keep"
                                                             and k != "database_url"})
                                  for statement in LOAD.split(";") if statement.strip()])
            conn.execute("VACUUM ANALYZE")
            rows = conn.execute("SELECT count(*) FROM inventory").fetchone()[0]  # type: ignore[index]
            print(f"loaded {rows:,} inventory rows, {args.movements:,} ledger rows in {load / 1000:.1f} s")
            conn.execute("SET session_replication_role = origin")
            first = timed(lambda: conn.execute("SELECT * FROM evaluate_stock_alert_items()"))
            kinds = conn.execute("SELECT alert_type, count(*) FROM stock_alerts GROUP BY 1 ORDER BY 1").fetchall()
            print(f"first full sweep: {first:,.0f} ms, open alerts {dict(kinds)}")
            def look() -> None:
                conn.execute("UPDATE demand_settings SET judged_at = NULL")  # due for a look
                conn.execute("SELECT * FROM evaluate_stock_alert_items()")

            looks = [timed(look) for _ in range(5)]
            print(f"steady full sweep that looks for items running out soon: median {statistics.median(looks):,.0f} ms")
            steady = [timed(lambda: conn.execute("SELECT * FROM evaluate_stock_alert_items()")) for _ in range(5)]
            count = [timed(lambda: conn.execute("SELECT count(*) FROM inventory")) for _ in range(5)]
            print(f"steady full sweep between looks: median {statistics.median(steady):,.0f} ms "
                  f"(bare count(*) {statistics.median(count):,.0f} ms)")
            ids = [r[0] for r in conn.execute("SELECT id FROM inventory").fetchall()]
            for role in ("origin", "replica"):
                conn.execute(f"SET session_replication_role = {role}")
                costs = [timed(lambda: conn.execute("UPDATE inventory SET quantity = quantity + 1 WHERE id = %s",
                                                    (random.choice(ids),))) for _ in range(500)]
                print(f"single-row change, triggers {'on' if role == 'origin' else 'off'}: "
                      f"median {statistics.median(costs):.2f} ms")
            conn.execute("SET session_replication_role = origin")
        with db.session() as session:
            demand.cover(session)  # a first call plans the statement
            pages = [timed(lambda: demand.cover(session)) for _ in range(5)]
        print(f"stock cover, first page of 50: median {statistics.median(pages):,.0f} ms")
        db.dispose()
    finally:
        if not args.keep:
            with psycopg.connect(args.database_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
