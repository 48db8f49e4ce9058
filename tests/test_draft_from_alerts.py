"""Draft from alerts: one draft PO per supplier and location, delivering there, for every low item
not already on order there."""

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


def lines(db: Database) -> dict[tuple[str, str], tuple[str, int]]:
    """{(sku, location the PO delivers to): (supplier, quantity)} of every PO line; all drafts."""
    with db.connect() as conn:
        rows = conn.execute("SELECT p.sku, dl.code, s.code, l.quantity_ordered, o.status FROM purchase_order_lines l"
                            " JOIN purchase_orders o ON o.id = l.purchase_order_id JOIN products p ON p.id = l.product_id"
                            " JOIN suppliers s ON s.id = o.supplier_id"
                            " LEFT JOIN locations dl ON dl.id = o.location_id").fetchall()
    assert all(status == "draft" for *_, status in rows)
    return {(sku, location): (supplier, qty) for sku, location, supplier, qty, _ in rows}


def test_one_draft_per_supplier_and_location_delivering_there_with_quantities_up_to_max(
        shop: Database, operator: Actor) -> None:
    with shop.session() as session:
        drafted = purchasing.draft_from_alerts(session, operator)
    assert [(d.supplier, d.location, d.lines) for d in drafted] == [("ACME", "A1", 2), ("ACME", "B1", 1),
                                                                     ("GLOBEX", "A1", 1)]
    # BOLT: 100 - 3 at A1 and 100 - 0 at B1, each on the PO to its location; NUT: no max -> the
    # reorder gap 20 - 4 + 1; TAPE: 60 - 2
    assert lines(shop) == {("BOLT", "A1"): ("ACME", 97), ("NUT", "A1"): ("ACME", 17),
                           ("BOLT", "B1"): ("ACME", 100), ("TAPE", "A1"): ("GLOBEX", 58)}


def test_the_po_detail_says_where_a_draft_delivers_and_why(shop: Database, operator: Actor) -> None:
    with shop.session() as session:
        first = purchasing.draft_from_alerts(session, operator)[1]
        view = purchasing.get(session, first.number)
    assert (view.location, view.notes) == ("B1", "Drafted from stock alerts at B1")
    assert view.history[0].note == "drafted from alerts: 1 line(s), deliver to B1"
    (bolt,) = view.lines
    assert bolt.why == "why 100: max level 100 − 0 projected"  # the line keeps the figures it came from
    assert bolt.suggested["rows"][0]["location"] == "B1"  # type: ignore[index]


def test_a_draft_from_alerts_is_received_where_it_delivers_without_naming_a_location(
        shop: Database, operator: Actor, manager: Actor) -> None:
    with shop.session() as session:
        to_b1 = purchasing.draft_from_alerts(session, operator)[1].number
    with shop.session() as session:
        purchasing.submit(session, operator, to_b1)
        purchasing.approve(session, manager, to_b1)
        receipt = purchasing.receive(session, operator, to_b1)
    assert (receipt.location, receipt.received) == ("B1", {"BOLT": 100})


def test_items_already_on_an_open_po_are_not_ordered_twice(shop: Database, operator: Actor) -> None:
    with shop.session() as session:
        purchasing.draft_from_alerts(session, operator)
    with shop.session() as session:
        assert purchasing.draft_from_alerts(session, operator) == []


def test_an_open_po_to_one_location_does_not_hold_back_the_order_for_another(shop: Database, operator: Actor) -> None:
    with shop.session() as session:
        to_a1 = purchasing.create(session, operator, "ACME", location="A1")
        purchasing.add_line(session, operator, to_a1.number, "BOLT", 5)
    with shop.session() as session:
        purchasing.draft_from_alerts(session, operator)
    drafted = {key: value for key, value in lines(shop).items() if key[0] == "BOLT"}
    assert drafted == {("BOLT", "A1"): ("ACME", 5), ("BOLT", "B1"): ("ACME", 100)}  # A1's 5: the PO typed by hand


def test_a_po_naming_no_location_counts_at_the_default_location_or_everywhere(shop: Database, operator: Actor) -> None:
    with shop.session() as session:  # a PO naming no location: for BOLT (default location B1), it brings B1's
        loose = purchasing.create(session, operator, "ACME")
        purchasing.add_line(session, operator, loose.number, "BOLT", 5)
        purchasing.add_line(session, operator, loose.number, "NUT", 5)  # NUT has no default: everywhere
    with shop.connect() as conn:
        conn.execute("UPDATE products SET default_location_id = (SELECT id FROM locations WHERE code = 'B1')"
                     " WHERE sku = 'BOLT'")
        conn.commit()
    with shop.session() as session:
        purchasing.draft_from_alerts(session, operator)
    assert {key for key in lines(shop) if key[1] is not None} == {("BOLT", "A1"), ("TAPE", "A1")}


def test_rows_at_an_inactive_location_are_not_ordered(shop: Database, operator: Actor) -> None:
    with shop.connect() as conn:
        conn.execute("UPDATE locations SET is_active = false WHERE code = 'B1'")
        conn.commit()
    with shop.session() as session:
        drafted = purchasing.draft_from_alerts(session, operator)
    assert {d.location for d in drafted} == {"A1"}


def test_viewers_cannot_draft(shop: Database, viewer: Actor) -> None:
    with shop.session() as session, pytest.raises(PermissionDenied, match="Role viewer cannot draft purchase orders"):
        purchasing.draft_from_alerts(session, viewer)
