"""A small warehouse for purchasing tests: one supplier, three products, two locations.

Built with the ORM directly (not the catalog service), so purchasing tests do not depend on it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from psycopg import sql
from sqlalchemy import text

from invtui.db.engine import Database
from invtui.db.models import Location, Product, Supplier
from invtui.domain.roles import Actor
from invtui.services import purchasing

SUPPLIER = "ACME"
SUPPLIER_NAME = "Acme Tools"
BOLT, NUT, WASHER = "BOLT-M6", "NUT-M6", "WASHER-M6"
BOLT_BARCODE = "4006381333931"
DOCK, SHELF = "WH1-A-03", "WH1-B-01"
INJECTION = "'; DROP TABLE products; --"


def build(db: Database) -> None:
    with db.transaction() as session:
        acme = Supplier(code=SUPPLIER, name=SUPPLIER_NAME)
        session.add_all([acme, Supplier(code="OLD", name="Gone Ltd", is_active=False),
                         Location(code=DOCK, name="Dock"), Location(code=SHELF, name="Shelf B1"),
                         Location(code="WH9-CLOSED", name="Closed", is_active=False)])
        session.flush()
        session.add_all([
            Product(sku=BOLT, name="Bolt M6", barcode=BOLT_BARCODE, supplier_id=acme.id, cost_price=Decimal("0.25")),
            Product(sku=NUT, name="Nut M6", supplier_id=acme.id, cost_price=Decimal("0.10")),
            Product(sku=WASHER, name="Washer M6 — Ø6", supplier_id=acme.id, cost_price=Decimal("0.05")),
            Product(sku="OLD-1", name="Discontinued", cost_price=Decimal("1.00"), is_active=False),
        ])


def draft(db: Database, actor: Actor, lines: dict[str, int] | None = None) -> str:
    """A draft PO with the given lines (default: 10 bolts, 5 nuts); returns its number."""
    with db.session() as session:
        number = purchasing.create(session, actor, SUPPLIER).number or ""
    for sku, qty in (lines if lines is not None else {BOLT: 10, NUT: 5}).items():
        with db.session() as session:
            purchasing.add_line(session, actor, number, sku, qty)
    return number


def approved(db: Database, operator: Actor, manager: Actor, lines: dict[str, int] | None = None) -> str:
    number = draft(db, operator, lines)
    with db.session() as session:
        purchasing.submit(session, operator, number)
    with db.session() as session:
        purchasing.approve(session, manager, number)
    return number


# Every table a purchasing call may write; a refused call must leave all of them as they were.
_SNAPSHOT_TABLES = ("purchase_orders", "purchase_order_lines", "purchase_order_events", "inventory",
                    "stock_movements", "notifications", "products", "suppliers", "locations")


def snapshot(db: Database) -> dict[str, list]:
    """Every row of every table purchasing touches, as text, for before/after comparisons."""
    with db.session() as session:
        return {
            table: sorted(session.execute(text(f"SELECT t::text FROM {table} t")).scalars().all())
            for table in _SNAPSHOT_TABLES
        }


def stock(db: Database, sku: str, location: str) -> int:
    with db.session() as session:
        found = session.execute(text(
            "SELECT i.quantity FROM inventory i JOIN products p ON p.id = i.product_id "
            "JOIN locations l ON l.id = i.location_id WHERE p.sku = :sku AND l.code = :code"),
            {"sku": sku, "code": location}).scalar()
    return int(found or 0)


@contextmanager
def shared_database(pg_server, template_db: str, label: str) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A migrated database with this world in it, for a whole module of tests that do not interfere.

    Cloning and dropping a database costs seconds on a loaded machine; tests that only read, or
    only make refused calls on their own fresh targets, can share one.
    """
    name = f"invtui_{label}_{os.getpid()}"
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template_db)))
    db = Database(pg_server.url_for(name))
    try:
        build(db)
        yield db
    finally:
        db.dispose()
        with pg_server.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
