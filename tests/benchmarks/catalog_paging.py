"""Keyset paging of the product list: page 5,000 of 1,000,000 products costs what page 1 costs.

Creates a scratch database with N products (set-based INSERT), then times
`catalog.list_products` for the first page and for a page deep in the list (continuing "after"
the cursor of the page before it), plus a name search.

    uv run python tests/benchmarks/catalog_paging.py [--database-url URL] [--products 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


from invtui.services import catalog
from scratch import scratch_database  # tests/benchmarks/scratch.py (scripts run from here)

PAGE = 200  # rows per page, as the inventory screen asks for


def _timed(call, repeat: int = 20) -> float:  # type: ignore[no-untyped-def]
    """Median milliseconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="A server to create the scratch database bench_catalog_paging on.")
    parser.add_argument("--products", type=int, default=1_000_000)
    args = parser.parse_args()

    with scratch_database(args.database_url, "bench_catalog_paging") as db:
        started = time.perf_counter()
        with db.connect() as conn:
            conn.execute(
                "INSERT INTO products (sku, name) SELECT 'SKU-' || lpad(n::text, 7, '0'), 'Product number ' || n "
                "FROM generate_series(1, %s) AS n", (args.products,))
            conn.execute("ANALYZE products")
            conn.commit()
        print(f"{args.products:,} products inserted in {time.perf_counter() - started:.1f} s")

        deep_page = max(1, min(5000, args.products // PAGE))
        cursor = f"SKU-{(deep_page - 1) * PAGE:07d}"  # the last SKU of the page before it
        with db.session() as s:
            first = _timed(lambda: catalog.list_products(s, limit=PAGE))
            deep = _timed(lambda: catalog.list_products(s, limit=PAGE, after=cursor))
            page = catalog.list_products(s, limit=PAGE, after=cursor)
            search = _timed(lambda: catalog.list_products(s, limit=PAGE, search="number 4242"), repeat=5)
        assert page.items[0].sku == f"SKU-{(deep_page - 1) * PAGE + 1:07d}", page.items[0].sku

    print(f"page 1 of {PAGE}: {first:.1f} ms median")
    print(f"page {deep_page:,} of {PAGE} (keyset, after {cursor}): {deep:.1f} ms median")
    print(f"name search 'number 4242' (ILIKE, no trigram index), first page: {search:.1f} ms median")
    return 0


if __name__ == "__main__":
    sys.exit(main())
