"""The catalog screen's alert rules tab: what each rule does, over 1,000,000 stock rows.

Seeds a scratch database (10,000 products x 100 locations = 1,000,000 inventory rows), adds one
rule for all locations to every tenth product and one location rule to every twentieth, then
times `alert_rules.rule_effects` (one statement over alert_rules, products and inventory_status) for
the first page, a page deep in the list and a search.

    uv run python tests/benchmarks/rule_effects.py [--database-url URL] [--products 10000] [--locations 100]
"""

from __future__ import annotations

import argparse
import statistics
import time


from invtui.db.engine import Database
from invtui.services import alert_rules, catalog, seed
from scratch import scratch_database  # tests/benchmarks/scratch.py (scripts run from here)

PAGE = 100  # rows per page, as the catalog screen asks for


def _timed(call, repeat: int = 10) -> float:  # type: ignore[no-untyped-def]
    """Median milliseconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _rules(db: Database) -> int:
    with db.connect() as conn:
        conn.execute("INSERT INTO alert_rules (product_id, threshold_quantity)"
                     " SELECT id, 25 FROM products WHERE id % 10 = 0")
        conn.execute("INSERT INTO alert_rules (product_id, location_id, threshold_quantity)"
                     " SELECT p.id, (p.id % (SELECT count(*) FROM locations)) + 1, 40 FROM products p"
                     " WHERE p.id % 20 = 5")
        conn.execute("ANALYZE")
        count = conn.execute("SELECT count(*) FROM alert_rules").fetchone()[0]
        conn.commit()
    return int(count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="A server to create the scratch database bench_rule_effects on.")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--locations", type=int, default=100)
    args = parser.parse_args()

    with scratch_database(args.database_url, "bench_rule_effects") as db:
        started = time.perf_counter()
        seed.seed(db, products=args.products, locations=args.locations)
        rules = _rules(db)
        print(f"{args.products * args.locations:,} stock rows and {rules:,} rules in "
              f"{time.perf_counter() - started:.1f} s")
        with db.session() as s:
            first = _timed(lambda: alert_rules.rule_effects(s, limit=PAGE))
            # the last page: start just before its first rule (the whole list when it is one page)
            cursor = alert_rules.rule_effects(s, limit=PAGE, after=str(max(0, rules - PAGE))).items[0].id - 1
            deep = _timed(lambda: alert_rules.rule_effects(s, limit=PAGE, after=str(cursor)))
            search = _timed(lambda: alert_rules.rule_effects(s, limit=PAGE, search="0042"), repeat=5)
            page = alert_rules.rule_effects(s, limit=PAGE).items

    everywhere = next(r for r in page if r.location is None)
    print(f"e.g. rule #{everywhere.id}: {everywhere.effect}, {everywhere.rows} rows, {everywhere.low} low now")
    print(f"first page of {PAGE}: {first:.1f} ms median")
    print(f"last page of {PAGE} (keyset after #{cursor}): {deep:.1f} ms median")
    print(f"search '0042', first page: {search:.1f} ms median")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
