"""`invtui seed` and `invtui demo`: demo data, and the app on it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, err_console
from invtui.cli.state import announce_admin, state

if TYPE_CHECKING:
    from invtui.db import engine
    from invtui.services import seed as seed_service
    from invtui.services import setup
else:
    engine = lazy_module("invtui.db.engine")
    seed_service = lazy_module("invtui.services.seed")
    setup = lazy_module("invtui.services.setup")

DEMO_DATABASE = "invtui_demo"  # invtui.db.embedded.DEMO_DATABASE (that module loads psycopg)


def _run_seed(db: engine.Database, products: int, locations: int, low_fraction: float) -> seed_service.SeedResult:
    columns = (TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        return seed_service.seed(db, products=products, locations=locations, low_fraction=low_fraction,
                                 progress=report)


def _summary(result: seed_service.SeedResult) -> str:
    return (
        f"Seeded {result.products:,} products, {result.locations:,} locations, "
        f"{result.inventory_rows:,} inventory rows, {result.suppliers} suppliers, "
        f"{result.purchase_orders} purchase orders in {result.seconds:.1f} s"
    )


def seed(
    ctx: typer.Context,
    products: int = typer.Option(500, "--products", help="How many products (1..1,000,000)."),
    locations: int = typer.Option(20, "--locations", help="How many bin locations; every product is stocked in each."),
    low_fraction: float = typer.Option(0.05, "--low-fraction", help="Share of stock rows at or below the reorder point."),
) -> None:
    """Fill an empty database with realistic demo data (set-based SQL; 1M stock rows in seconds)."""
    db = state(ctx).database()
    result = _run_seed(db, products, locations, low_fraction)
    console.print(_summary(result))


def demo(
    ctx: typer.Context,
    products: int = typer.Option(500, "--products", help="Products to seed if the demo database is empty."),
    locations: int = typer.Option(20, "--locations", help="Locations to seed if the demo database is empty."),
) -> None:
    """Run the app on the embedded server's demo database, seeding it first if it is empty.

    Always the embedded `invtui_demo` database, never a configured one: demo data stays out of
    a real warehouse's books.
    """
    settings = state(ctx).settings
    with _step("Starting the embedded PostgreSQL server"):
        db = engine.Database.demo(settings)
    with _step(f"Preparing the {DEMO_DATABASE} database (migrations, first user)"):
        prepared = setup.prepare_database(db)
    announce_admin(prepared.admin_password)
    with db.connect(autocommit=True) as conn:
        empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM products)").fetchone()[0]
    if empty:
        err_console.print(f"Seeding {products:,} products in {locations:,} locations")
        console.print(_summary(_run_seed(db, products, locations, 0.05)))
    err_console.print("The CLI reaches this data with `invtui --demo COMMAND` (e.g. `invtui --demo alerts list`).")
    with _step("Opening the app as admin"):
        from invtui.cli.run_app import run_app
        from invtui.ui import app as _app  # noqa: F401  (the import is most of the wait; time it here)
    run_app(settings, db, username="admin", trusted=True)


@contextmanager
def _step(what: str) -> Iterator[None]:
    """`what...` on stderr before a slow step and its time after it, so the wait is never silent."""
    err_console.print(f"{what}...", end="")
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        err_console.print(" failed")
        raise
    err_console.print(f" {time.perf_counter() - started:.1f} s", highlight=False)
