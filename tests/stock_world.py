"""A small warehouse for the stock and catalog tests, built through the catalog service itself."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from conftest import CliResult, run_invtui_in_process

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import catalog

BOLT = "BOLT-M6"
BOLT_BARCODE = "4006381333931"
NUT = "NUT-M6"
OLD = "OLD-1"  # an inactive product
A, B = "WH1-A-03", "WH1-B-01"
CLOSED = "WH9-X-99"  # an inactive location

# Every table the stock and catalog services write: a snapshot of all of them proves "nothing changed".
TABLES = ("products", "categories", "suppliers", "locations", "inventory", "stock_movements", "alert_rules")


def build(db: Database, manager: Actor) -> None:
    with db.session() as s:
        catalog.create_category(s, manager, "Fasteners")
        catalog.create_supplier(s, manager, "ACME", "Acme Ltd")
        for code in (A, B, CLOSED):
            catalog.create_location(s, manager, code, f"Bin {code}")
        catalog.create_product(s, manager, BOLT, "Bolt M6", barcode=BOLT_BARCODE, category="Fasteners",
                               supplier="ACME", unit_price="0.25", min_stock_level=5, reorder_point=10,
                               max_stock_level=100)
        catalog.create_product(s, manager, NUT, "Hex Nut M6")
        catalog.create_product(s, manager, OLD, "Discontinued")
        catalog.deactivate_product(s, manager, OLD)
        catalog.deactivate_location(s, manager, CLOSED)


def snapshot(db: Database) -> dict[str, list[Any]]:
    """Every row of every table the services write, in id order."""
    with db.connect() as conn:
        return {t: conn.execute(text_of(t)).fetchall() for t in TABLES}


def text_of(table: str) -> str:
    return f"SELECT * FROM {table} ORDER BY id"


def level(db: Database, sku: str, location: str) -> tuple[int, int]:
    """(quantity, reserved) of one item; (0, 0) when the location never held it."""
    with db.session() as s:
        row = s.execute(text(
            "SELECT i.quantity, i.reserved_quantity FROM inventory i JOIN products p ON p.id = i.product_id "
            "JOIN locations l ON l.id = i.location_id WHERE p.sku = :sku AND l.code = :code"),
            {"sku": sku, "code": location}).first()
    return (row[0], row[1]) if row else (0, 0)


@pytest.fixture
def cli(cli_env: dict[str, str]):  # type: ignore[no-untyped-def]
    """`cli("stock", "show", "X")`: the same `main` the executable runs, in this process.

    A new process costs about a second of imports; the refusal tables run many commands, so they
    run here. Each module still drives the real executable (`invtui` fixture) for its happy path.
    """

    def run(*args: str) -> CliResult:
        return run_invtui_in_process(list(args), cli_env)

    return run
