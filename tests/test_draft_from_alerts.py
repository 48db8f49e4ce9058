"""Draft from alerts: one draft PO per supplier for every low item not already on order."""

from __future__ import annotations

import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import PermissionDenied
from invtui.services import purchasing


@pytest.fixture
def shop(db: Database) -> Database:
    with db.connect() as conn:
        conn.execute("INSERT INTO suppliers (code, name) VALUES ('ACME', 'Acme'), ('GLOBEX', 'Globex')")
        conn.execute("INSERT INTO locations (code) VALUES ('A1'), ('B1')")
        conn.execute(
            "INSERT INTO products (sku, name, supplier_id, cost_price, min_stock_level, reorder_point, max_stock_level)"
            " VALUES ('BOLT', 'Bolt', 1, 0.10, 5, 10, 100), ('NUT', 'Nut', 1, 0.05, 5, 20, NULL),"
            " ('TAPE', 'Tape', 2, 1.20, 0, 12, 60), ('FINE', 'Fine', 2, 1.00, 0, 5, 50),"
            " ('ORPHAN', 'No supplier', NULL, 1.00, 0, 5, 50)")
        # BOLT low at A1 (3) and out at B1 (0); NUT low (4); TAPE low (2); FINE well stocked; ORPHAN low
        for sku, loc, qty in (("BOLT", "A1", 3), ("BOLT", "B1", 0), ("NUT", "A1", 4), ("TAPE", "A1", 2),
                              ("FINE", "A1", 40), ("ORPHAN", "A1", 1)):
            conn.execute("INSERT INTO inventory (product_id, location_id, quantity) SELECT p.id, l.id, %s"
                         " FROM products p, locations l WHERE p.sku = %s AND l.code = %s", (qty, sku, loc))
        conn.commit()
    return db


def lines(db: Database) -> dict[str, tuple[str, int]]:
    with db.connect() as conn:
        rows = conn.execute("SELECT p.sku, s.code, l.quantity_ordered, o.status FROM purchase_order_lines l"
                            " JOIN purchase_orders o ON o.id = l.purchase_order_id JOIN products p ON p.id = l.product_id"
                            " JOIN suppliers s ON s.id = o.supplier_id").fetchall()
    assert all(status == "draft" for *_, status in rows)
    return {sku: (supplier, qty) for sku, supplier, qty, _ in rows}


def test_one_draft_per_supplier_with_quantities_up_to_max(shop: Database, operator: Actor) -> None:
    with shop.session() as session:
        drafted = purchasing.draft_from_alerts(session, operator)
    assert len(drafted) == 2
    # BOLT: (100 - 3) + (100 - 0); NUT: no max -> the reorder gap 20 - 4 + 1; TAPE: 60 - 2
    assert lines(shop) == {"BOLT": ("ACME", 197), "NUT": ("ACME", 17), "TAPE": ("GLOBEX", 58)}


def test_items_already_on_an_open_po_are_not_ordered_twice(shop: Database, operator: Actor) -> None:
    with shop.session() as session:
        purchasing.draft_from_alerts(session, operator)
    with shop.session() as session:
        assert purchasing.draft_from_alerts(session, operator) == []


def test_viewers_cannot_draft(shop: Database, viewer: Actor) -> None:
    with shop.session() as session, pytest.raises(PermissionDenied, match="Role viewer cannot draft purchase orders"):
        purchasing.draft_from_alerts(session, viewer)
