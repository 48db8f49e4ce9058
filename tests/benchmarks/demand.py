"""Benchmark of the demand figures and RUNS OUT SOON (issue 17).

    uv run python tests/benchmarks/demand.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                             [--products 1000] [--locations 100] [--movements 1000000] [--keep]

Creates `bench_demand_<pid>` (dropped at the end unless --keep): suppliers with 14 days' lead
time, products x locations inventory rows, and a ledger of issues spread over the last 120 days
(loaded behind the triggers' back with the ledger's indexes dropped and built again after, then
the first-movement table filled, every row's kept usage computed (sql/0012_kept_usage.sql) and the
tables vacuumed as autovacuum would). 1,000,000 inventory rows and 10,000,000 ledger rows:
--products 10000 --locations 100 --movements 10000000. Prints:
  - the load, and the one-pass computation of every row's kept usage (a migration, a window change);
  - the first full sweep (raises every alert, LOW_SOON included), then the steady full sweep
    (median of 5) that looks for items running out soon (every 10 minutes), and the one between
    looks, beside a bare count(*);
  - what the trigger costs a single-row stock change (median of 500 UPDATEs of random rows, each
    its own transaction), with the triggers on and off (session_replication_role = replica);
  - the same for an issue as the ledger books it (UPDATE inventory and INSERT the ledger row in one
    statement: the ledger trigger keeps the row's usage too);
  - the first full sweep of the next day (the rows whose kept usage ran out of days are computed
    again, then the look), with the clock (invtui.now) moved to tomorrow;
  - `invtui stock cover`'s first page (50 rows, lowest cover first) through the service, median of 5;
  - the stock screen in cover order (stock_list.page_by_cover): first page of 100 and the next one.
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
from invtui.services import demand, stock_list

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

# An issue as services/ledger.py books it: the stock change and its ledger row in one statement.
ISSUE = """
WITH moved AS (
    UPDATE inventory SET quantity = quantity - 1, updated_at = now()
     WHERE id = %s AND quantity >= 1 + reserved_quantity
    RETURNING product_id, location_id
)
INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta)
SELECT product_id, location_id, 'issue', -1 FROM moved
"""


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


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
            indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'stock_movements'"
                                   " AND indexname <> 'stock_movements_pkey'").fetchall()
            for index, _ in indexes:
                conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index)))
            load = timed(lambda: [conn.execute(statement % {k: int(v) for k, v in vars(args).items() if k != "keep"
                                                             and k != "database_url"})
                                  for statement in LOAD.split(";") if statement.strip()])
            load += sum(timed(lambda d=definition: conn.execute(d)) for _, definition in indexes)
            conn.execute("VACUUM ANALYZE")
            rows = conn.execute("SELECT count(*) FROM inventory").fetchone()[0]  # type: ignore[index]
            print(f"loaded {rows:,} inventory rows, {args.movements:,} ledger rows in {load / 1000:.1f} s "
                  f"(load average {loadavg()})")
            keep = timed(lambda: conn.execute("SELECT demand_keep_usage()"))
            conn.execute("VACUUM ANALYZE inventory")
            print(f"every row's kept usage, one pass: {keep / 1000:.1f} s (load average {loadavg()})")
            conn.execute("SET session_replication_role = origin")
            first = timed(lambda: conn.execute("SELECT * FROM evaluate_stock_alert_items()"))
            kinds = conn.execute("SELECT alert_type, count(*) FROM stock_alerts GROUP BY 1 ORDER BY 1").fetchall()
            print(f"first full sweep: {first:,.0f} ms, open alerts {dict(kinds)} (load average {loadavg()})")
            def look() -> None:
                conn.execute("UPDATE demand_settings SET judged_at = NULL")  # due for a look
                conn.execute("SELECT * FROM evaluate_stock_alert_items()")

            looks = [timed(look) for _ in range(5)]
            print(f"steady full sweep that looks for items running out soon: median {statistics.median(looks):,.0f} ms "
                  f"(load average {loadavg()})")
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
                costs = [timed(lambda: conn.execute(ISSUE, (random.choice(ids),))) for _ in range(500)]
                print(f"single-row issue through the ledger, triggers {'on' if role == 'origin' else 'off'}: "
                      f"median {statistics.median(costs):.2f} ms (load average {loadavg()})")
            conn.execute("SET session_replication_role = origin")
            conn.execute("SELECT set_config('invtui.now', (current_date + 1 + interval '12 hours')::text, false)")
            due = conn.execute("SELECT count(*) FROM inventory WHERE usage_until < demand_now()::date").fetchone()[0]  # type: ignore[index]
            conn.execute("UPDATE demand_settings SET judged_at = NULL")
            tomorrow = timed(lambda: conn.execute("SELECT * FROM evaluate_stock_alert_items()"))
            print(f"first full sweep of the next day ({due:,} rows' kept usage ran out of days): {tomorrow:,.0f} ms "
                  f"(load average {loadavg()})")
            conn.execute("RESET invtui.now")
            conn.execute("SELECT demand_refresh_usage()")
        with db.session() as session:
            demand.cover(session)  # a first call plans the statement
            pages = [timed(lambda: demand.cover(session)) for _ in range(5)]
            print(f"stock cover, first page of 50: median {statistics.median(pages):,.0f} ms (load average {loadavg()})")
            first_page = stock_list.page_by_cover(session)
            firsts = [timed(lambda: stock_list.page_by_cover(session)) for _ in range(5)]
            nexts = [timed(lambda: stock_list.page_by_cover(session, after=first_page.cover_key)) for _ in range(5)]
            print(f"stock screen in cover order, first page of 100: median {statistics.median(firsts):,.0f} ms, "
                  f"next page {statistics.median(nexts):,.0f} ms (load average {loadavg()})")
        db.dispose()
    finally:
        if not args.keep:
            with psycopg.connect(args.database_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
