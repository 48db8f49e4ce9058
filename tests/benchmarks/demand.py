"""Benchmark of the demand figures and RUNS OUT SOON (issue 17).

    uv run python tests/benchmarks/demand.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                             [--products 1000] [--locations 100] [--movements 1000000] [--keep]

Creates `bench_demand_<pid>` (dropped at the end unless --keep): suppliers with 14 days' lead
time, products x locations inventory rows, and a ledger of issues spread over the last 120 days
(loaded behind the triggers' back with the ledger's indexes dropped and built again after, then
the first-movement table filled, every row's kept usage computed (sql/0012_kept_usage.sql) and the
tables vacuumed as autovacuum would; the alert tables analyzed again after the first sweep fills
them: planned as empty, a look took 5-15 s). 1,000,000 inventory rows and 10,000,000 ledger rows:
--products 10000 --locations 100 --movements 10000000. Prints:
  - the load, and the one-pass computation of every row's kept usage (a migration, a window change);
  - the first full sweep (raises every alert, LOW_SOON included), then the steady full sweep
    (median of 5) that looks for items running out soon (every 10 minutes), and the one between
    looks, beside a bare count(*);
  - what the triggers cost a single-row stock change up or down, and an issue as the ledger books
    it (UPDATE inventory and INSERT the ledger row in one statement: the ledger trigger keeps the
    row's usage too): 400 of each on random rows, each its own transaction, with the triggers on
    and off in turn (session_replication_role = replica), and the triggers' own time as EXPLAIN
    ANALYZE reports it (200 more);
  - the first full sweep of the next day, with the clock (invtui.now) moved to tomorrow: at most
    demand_settings.usage_refresh_rows of the rows whose kept usage ran out of days are computed
    again (sql/0014_usage_refresh_batches.sql), then the look; `stock cover` and the stock screen
    in cover order while the other rows wait; the sweeps that finish the refresh; a look after;
  - `invtui stock cover`'s first page (50 rows, lowest cover first) through the service, median of 5,
    and the stock screen in cover order (stock_list.page_by_cover): first page of 100 and the next
    one (before the next day).
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


STOCK_UP = "UPDATE inventory SET quantity = quantity + 1 WHERE id = %s"
STOCK_DOWN = "UPDATE inventory SET quantity = quantity - 1 WHERE id = %s AND quantity > reserved_quantity"


def single_row_costs(url: str, conn: psycopg.Connection, ids: list[int]) -> None:
    """Each change timed at the client with the triggers on and off in turn (two connections, so
    the cache and the machine's load are the same for both), and the triggers' own time as the
    server reports it (EXPLAIN ANALYZE: no commit, no round trip)."""
    with psycopg.connect(url, autocommit=True) as off:
        off.execute("SET session_replication_role = replica")
        for what, statement in (("stock +1", STOCK_UP), ("stock -1", STOCK_DOWN), ("issue through the ledger", ISSUE)):
            on_costs: list[float] = []
            off_costs: list[float] = []
            for _ in range(400):
                on_costs.append(timed(lambda s=statement: conn.execute(s, (random.choice(ids),))))
                off_costs.append(timed(lambda s=statement: off.execute(s, (random.choice(ids),))))
            inside = []
            for _ in range(200):
                plan = [r[0] for r in conn.execute("EXPLAIN (ANALYZE) " + statement, (random.choice(ids),)).fetchall()]
                inside.append(sum(float(line.split("time=")[1].split()[0]) for line in plan if line.startswith("Trigger ")))
            print(f"single-row change ({what}): median {statistics.median(on_costs):.2f} ms with the triggers, "
                  f"{statistics.median(off_costs):.2f} ms without; the triggers' own time in the server median "
                  f"{statistics.median(inside):.2f} ms, p90 {sorted(inside)[179]:.2f} ms (load average {loadavg()})")


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
            conn.execute("ANALYZE stock_alerts, alert_events")  # as autovacuum soon would: they were empty
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
            single_row_costs(url, conn, ids)
            with db.session() as session:
                demand.cover(session)  # a first call plans the statement
                pages = [timed(lambda: demand.cover(session)) for _ in range(5)]
                print(f"stock cover, first page of 50: median {statistics.median(pages):,.0f} ms (load average {loadavg()})")
                first_page = stock_list.page_by_cover(session)
                firsts = [timed(lambda: stock_list.page_by_cover(session)) for _ in range(5)]
                nexts = [timed(lambda: stock_list.page_by_cover(session, after=first_page.cover_key)) for _ in range(5)]
                print(f"stock screen in cover order, first page of 100: median {statistics.median(firsts):,.0f} ms, "
                      f"next page {statistics.median(nexts):,.0f} ms (load average {loadavg()})")
            conn.execute("SET session_replication_role = origin")
            tomorrow = "(current_date + 1 + interval '12 hours')::text"
            conn.execute(f"SELECT set_config('invtui.now', {tomorrow}, false)")
            due = conn.execute("SELECT count(*) FROM inventory WHERE usage_until < demand_now()::date").fetchone()[0]  # type: ignore[index]
            cap, budget = conn.execute("SELECT usage_refresh_rows, usage_refresh_ms FROM demand_settings").fetchone()  # type: ignore[misc]
            conn.execute("UPDATE demand_settings SET judged_at = NULL")
            first_of_day = timed(lambda: conn.execute("SELECT * FROM evaluate_stock_alert_items()"))
            print(f"first full sweep of the next day, with the look ({due:,} rows' kept usage ran out of days, "
                  f"at most {cap:,} computed again a sweep, for {budget} ms at most): {first_of_day:,.0f} ms (load average {loadavg()})")
            unkept = "SELECT count(*) FROM inventory WHERE NOT coalesce(demand_usage_kept(usage_from, usage_until), false)"
            waiting = conn.execute(unkept).fetchone()[0]  # type: ignore[index]
            with db.session() as session:  # `stock cover` while the day's refresh is under way
                session.connection().exec_driver_sql(f"SELECT set_config('invtui.now', {tomorrow}, false)")
                demand.cover(session)
                during = [timed(lambda: demand.cover(session)) for _ in range(5)]
                session.connection().exec_driver_sql(f"SELECT set_config('invtui.now', {tomorrow}, false)")
                stock_list.page_by_cover(session)
                screen = [timed(lambda: stock_list.page_by_cover(session)) for _ in range(5)]
            print(f"  while {waiting:,} rows wait: stock cover first page median {statistics.median(during):,.0f} ms, "
                  f"stock screen in cover order {statistics.median(screen):,.0f} ms (load average {loadavg()})")
            later = []
            while len(later) < 1000 and conn.execute(unkept).fetchone()[0]:  # type: ignore[index]
                later.append(timed(lambda: conn.execute("SELECT * FROM evaluate_stock_alert_items()")))
            if later:
                print(f"  the next {len(later)} sweeps (between looks) finish the refresh: median "
                      f"{statistics.median(later):,.0f} ms, slowest {max(later):,.0f} ms (load average {loadavg()})")
            conn.execute("UPDATE demand_settings SET judged_at = NULL")
            look = timed(lambda: conn.execute("SELECT * FROM evaluate_stock_alert_items()"))
            print(f"  then a look: {look:,.0f} ms (load average {loadavg()})")
            conn.execute("RESET invtui.now")
        db.dispose()
    finally:
        if not args.keep:
            with psycopg.connect(args.database_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
