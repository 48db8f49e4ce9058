"""CSV import and export at warehouse scale: 100,000 products and 100,000 counted inventory rows.

Creates a scratch database (bench_csv_import) with categories, suppliers and locations, writes
CSV files as a spreadsheet would, then times through the same service the CLI uses:
- a dry run and the real import of N products;
- an import of N inventory counts that creates every row (ledger row each), then one that changes
  every count (UPDATE ... FROM, ledger row each), with the alert trigger on;
- the exports of products, inventory and movements (COPY to a file).
Goal: each import of 100,000 rows under 30 s. Ends with `db check` (ledger = stock).

    uv run python tests/benchmarks/csv_import.py [--database-url URL] [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar


from invtui.db.engine import Database
from invtui.domain.roles import Actor, Role
from invtui.services import csv_export, csv_import, integrity
from scratch import scratch_database  # tests/benchmarks/scratch.py (scripts run from here)

T = TypeVar("T")
LOCATIONS = 2  # inventory rows = products x locations, so N/2 products at two bins each


def _timed(label: str, call: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = call()
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def _reference_data(db: Database) -> Actor:
    """Categories, suppliers, locations and the acting admin, set-based."""
    with db.connect() as conn:
        conn.execute("INSERT INTO categories (name) SELECT 'Category ' || n FROM generate_series(1, 20) n")
        conn.execute("INSERT INTO suppliers (code, name) SELECT 'SUP' || n, 'Supplier ' || n FROM generate_series(1, 10) n")
        conn.execute("INSERT INTO locations (code) SELECT 'WH1-A-' || lpad(n::text, 2, '0') FROM generate_series(1, 10) n")
        user_id = conn.execute("INSERT INTO users (username, role, password_hash) VALUES ('bench', 'admin', 'x') "
                               "RETURNING id").fetchone()[0]  # type: ignore[index]
        conn.commit()
    return Actor(user_id, "bench", Role.ADMIN)


def _products_csv(path: Path, rows: int) -> None:
    rng = random.Random(8)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["sku", "name", "description", "barcode", "category", "supplier", "unit_price", "cost_price",
                         "min_stock_level", "reorder_point", "max_stock_level", "active"])
        for n in range(1, rows + 1):
            low = rng.randint(0, 20)
            writer.writerow([f"SKU-{n:07d}", f"Hex bolt M{n % 24 + 3} x {n % 90 + 10} — lot {n}", "Zinc plated",
                             f"40{n:011d}", f"category {n % 20 + 1}", f"SUP{n % 10 + 1}",
                             f"{rng.randint(1, 99999) / 100:.2f}", f"{rng.randint(1, 9999) / 100:.2f}", low,
                             low + 10, low + 100, "true"])


def _inventory_csv(path: Path, products: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["sku", "location", "quantity", "unit_cost"])
        for n in range(1, products + 1):
            for loc in range(1, LOCATIONS + 1):
                writer.writerow([f"SKU-{n:07d}", f"WH1-A-{loc:02d}", rng.randint(0, 500), "1.25"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="A server to create the scratch database bench_csv_import on.")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    with scratch_database(args.database_url, "bench_csv_import") as db:
        actor = _reference_data(db)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            products, first, second = folder / "products.csv", folder / "count-1.csv", folder / "count-2.csv"
            _products_csv(products, args.rows)
            _inventory_csv(first, args.rows // LOCATIONS, seed=1)
            _inventory_csv(second, args.rows // LOCATIONS, seed=2)
            print(f"files: products {products.stat().st_size / 1e6:.1f} MB, counts {first.stat().st_size / 1e6:.1f} MB")

            def load(kind: str, path: Path, dry_run: bool = False) -> csv_import.ImportReport:
                with db.session() as s:
                    return csv_import.import_from_path(s, actor, kind, path, dry_run=dry_run)

            _timed(f"dry run of {args.rows:,} products", lambda: load("products", products, dry_run=True))
            report = _timed(f"import of {args.rows:,} products", lambda: load("products", products))
            assert report.created == args.rows, report
            report = _timed(f"import of {args.rows:,} inventory counts, all new rows",
                            lambda: load("inventory", first))
            print(f"  {report.summary()}")
            report = _timed(f"import of {args.rows:,} inventory counts, existing rows",
                            lambda: load("inventory", second))
            print(f"  {report.summary()}")

            for kind in ("products", "inventory", "movements"):
                with db.session() as s:
                    rows = _timed(f"export of {kind}", lambda: csv_export.export_to_path(s, actor, kind, folder / "x.csv"))
                print(f"  {rows:,} rows, {(folder / 'x.csv').stat().st_size / 1e6:.1f} MB")
        check = _timed("db check", lambda: integrity.check(db))
        with db.connect() as conn:
            alerts = conn.execute("SELECT count(*) FROM stock_alerts WHERE status = 'ACTIVE'").fetchone()[0]  # type: ignore[index]
        print(f"  ledger matches stock: {check.clean}; active alerts raised by the imports: {alerts:,}")
        assert check.clean, check.problems()[:5]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
