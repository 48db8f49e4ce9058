"""A cycle count of a big bin: 5,000 items in one location, 5,000 scans, then review and post.

Seeds one location holding N items (the demo seed, alert trigger on), opens a count, scans every
item once through the service with its counted quantity (one in ten is off by a few, one in fifty
is not counted at all; never below what is reserved), then times the review (goal < 200 ms) and the posting (goal < 2 s) with
the inventory alert trigger on. Afterwards `db check` must be clean and the ledger must hold one
adjustment per difference.

    uv run python tests/benchmarks/counts.py [--database-url URL] [--items 5000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from sqlalchemy import text

from invtui.config import Settings
from invtui.services import counts, integrity, users
from invtui.services import seed as seed_service
from scratch import scratch_database  # tests/benchmarks/scratch.py (scripts run from here)

REVIEW_GOAL_MS = 200
POST_GOAL_S = 2.0
# Nobody waits for a manager here: every difference may be posted by the operator.
LENIENT = Settings(counts_approve_above_value=10**9, counts_approve_above_percent=100_000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="A server to create the scratch database bench_counts on.")
    parser.add_argument("--items", type=int, default=5000, help="Items held by the counted location.")
    args = parser.parse_args()

    with scratch_database(args.database_url, "bench_counts") as db:
        with db.connect() as conn:
            conn.execute("INSERT INTO users (username, role, password_hash) VALUES ('operator', 'operator', 'x')")
            conn.commit()
        seed_service.seed(db, products=args.items, locations=1)
        with db.session() as s:
            operator = users.actor_for(s, "operator")
            stock = s.execute(text(
                "SELECT p.sku, i.quantity, i.reserved_quantity, l.code FROM inventory i JOIN products p ON p.id = i.product_id"
                " JOIN locations l ON l.id = i.location_id ORDER BY p.sku")).all()
            trigger = s.execute(text(
                "SELECT tgenabled FROM pg_trigger WHERE tgname LIKE 'inventory_alerts_on_%'")).scalars().all()
        location = stock[0][3]
        print(f"cycle count benchmark: {len(stock):,} items at {location}; alert triggers enabled: "
              f"{all(state != 'D' for state in trigger)} ({len(trigger)})")

        with db.session() as s:
            reference = counts.start(s, operator, location, blind=True).reference
            scan_times = []
            expected_differences = 0
            for index, (sku, quantity, reserved, _) in enumerate(stock):
                if index % 50 == 0 and not reserved:
                    expected_differences += quantity > 0
                    continue  # not found on the shelf
                counted = quantity + (3 if index % 20 == 1 else -1 if index % 20 == 11 and quantity > reserved else 0)
                expected_differences += counted != quantity
                started = time.perf_counter()
                counts.scan(s, operator, reference, sku, counted) if counted else counts.set_quantity(
                    s, operator, reference, sku, 0)
                scan_times.append(time.perf_counter() - started)
        print(f"scans: {len(scan_times):,}, median {1000 * statistics.median(scan_times):.1f} ms, "
              f"p95 {1000 * sorted(scan_times)[int(0.95 * len(scan_times))]:.1f} ms")

        review_times = []
        with db.session() as s:
            for _ in range(5):
                started = time.perf_counter()
                review = counts.review(s, operator, reference, LENIENT)
                review_times.append(time.perf_counter() - started)
        review_ms = 1000 * statistics.median(review_times)
        print(f"review of {len(review.lines):,} lines ({len(review.differences):,} differences): "
              f"{review_ms:.0f} ms median of 5 (goal < {REVIEW_GOAL_MS} ms)")

        alerts = text("SELECT count(*) FROM alert_events")
        with db.session() as s:
            before = s.execute(alerts).scalar_one()
            s.commit()
            started = time.perf_counter()
            result = counts.post(s, operator, reference, reason="miscount", settings=LENIENT)
            post_s = time.perf_counter() - started
            raised = s.execute(alerts).scalar_one() - before
        print(f"post: {result.movements:,} adjustments (+{result.units_up:,} / -{result.units_down:,} units) in "
              f"{post_s:.2f} s (goal < {POST_GOAL_S} s); alert events from the trigger: {raised:,}")
        with db.session() as s:
            again = counts.post(s, operator, reference, reason="miscount", settings=LENIENT)
            written = s.execute(text("SELECT count(*) FROM stock_movements WHERE reference = :r"),
                                {"r": reference}).scalar_one()
        clean = integrity.check(db).clean
        ok = (clean and again.already_posted and written == result.movements == expected_differences
              and review_ms < REVIEW_GOAL_MS and post_s < POST_GOAL_S)
        print(f"ledger rows {written:,} (expected {expected_differences:,}); second post wrote nothing: "
              f"{again.already_posted}; db check {'clean' if clean else 'NOT CLEAN'}; {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
