"""Benchmark of the inventory screen on 1,000,000 stock rows (issue 8's Benchmark section).

    uv run python tests/benchmarks/inventory_screen.py --reuse postgresql://postgres@127.0.0.1:5432/DB
    uv run python tests/benchmarks/inventory_screen.py [--database-url URL] [--products 10000] [--locations 100]

With --reuse it runs on an existing seeded database; otherwise it makes and seeds `bench_inv_<pid>`
(dropped at the end). Prints, for the first page, page 5,000 and a search: the query time of the
service (median of 20) and the keypress-to-repaint time in the real app (headless Pilot); and the
app's resident memory after scrolling through 100 pages.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time

import psycopg
from psycopg import sql
from scratch import warehouse_arguments  # tests/benchmarks/scratch.py (scripts run from here)

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.services import seed as seed_service
from invtui.services import stock_list
from invtui.services.setup import prepare_database
from invtui.ui.app import InvtuiApp
from invtui.ui.screens.inventory import InventoryScreen

PAGE = 100


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_ms(fn, runs: int = 20) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def query_times(db: Database) -> dict[str, float]:
    with db.session() as session:
        # The key of the row that starts page 5,000 (rows 499,901..500,000 in SKU, location order).
        key = session.execute(stock_list.text(
            "SELECT sku, location_code FROM inventory_status ORDER BY sku, location_code OFFSET 499899 LIMIT 1"
        )).one()
        return {
            "first page": median_ms(lambda: stock_list.page(session, limit=PAGE)),
            "page 5,000": median_ms(lambda: stock_list.page(session, after=(key[0], key[1]), limit=PAGE)),
            "search 'glue'": median_ms(lambda: stock_list.page(session, search="glue", limit=PAGE)),
            "search a barcode": median_ms(lambda: stock_list.page(session, search="2000000004242", limit=PAGE)),
            "filter low": median_ms(lambda: stock_list.page(session, condition="low", limit=PAGE)),
        }


async def until(pilot, condition, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Wait for `condition`; a benchmark that hangs tells nobody anything, so give up loudly."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await pilot.pause(0.002)


async def in_the_app(db: Database) -> dict[str, float]:
    settings = Settings(database_url=db.url.render_as_string(hide_password=False))
    app = InvtuiApp(settings=settings, db=db, username="admin", trusted=True, live=False)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.actor is not None, "sign-in")
        await pilot.pause(2.0)  # the dashboard's first loads are over, and the stock list made ahead (ui/ahead.py)
        started, cpu = time.perf_counter(), time.process_time()
        await pilot.press("3")
        await until(pilot, lambda: isinstance(app.screen, InventoryScreen) and bool(app.screen.rows), "first page")
        figures["'3' to first page on screen"] = (time.perf_counter() - started) * 1000
        # On a shared machine the wall time is mostly the neighbours'; the app's own CPU is not.
        figures["'3' to first page, CPU of the app process"] = (time.process_time() - cpu) * 1000
        screen = app.screen
        table = screen.query_one("#inventory-table")
        downs = []
        for _ in range(30):
            started = time.perf_counter()
            await pilot.press("down")
            await pilot.pause()
            downs.append((time.perf_counter() - started) * 1000)
        figures["cursor down to repaint (median)"] = statistics.median(downs)
        started = time.perf_counter()
        await pilot.press("slash", *"glue")
        await until(pilot, lambda: screen.search == "glue" and bool(screen.rows) and "Glue" in screen.rows[0].name,
                    "search results")
        figures["typed search 'glue' to rows (incl. 250 ms debounce)"] = (time.perf_counter() - started) * 1000
        await pilot.press("escape")
        await until(pilot, lambda: not screen.search and len(screen.rows) == PAGE, "search cleared")
        before = rss_mb()
        for page in range(2, 101):  # scroll through 100 pages: each end of page loads the next
            table.move_cursor(row=len(screen.rows) - 1)
            await until(pilot, lambda page=page: len(screen.rows) >= page * PAGE, f"page {page}")
        figures["RSS before scrolling (MB)"] = before
        figures["RSS after scrolling 100 pages (MB)"] = rss_mb()
        started = time.perf_counter()
        await pilot.press("G")
        await until(pilot, lambda: screen.rows[-1].sku >= "TOO", "the last page")
        figures["'G' to the last page on screen"] = (time.perf_counter() - started) * 1000
    return figures


def main() -> None:
    parser = warehouse_arguments()
    args = parser.parse_args()
    name = f"bench_inv_{os.getpid()}"
    if args.reuse:
        db = Database(args.reuse)
    else:
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        db = Database(args.database_url.rsplit("/", 1)[0] + "/" + name)
        prepare_database(db)
        seed_service.seed(db, products=args.products, locations=args.locations)
    try:
        print(f"load average {os.getloadavg()[0]:.1f}")
        for what, ms in query_times(db).items():
            print(f"query  {what:<40} {ms:7.1f} ms  (goal < 50 ms)")
        for what, value in asyncio.run(in_the_app(db)).items():
            unit = "" if "MB" in what else " ms"
            print(f"app    {what:<52} {value:7.1f}{unit}")
    finally:
        db.dispose()
        if not args.reuse:
            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
