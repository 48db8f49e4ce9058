"""Counted quantities from a scan batch: all or nothing, the ledger agrees, no deadlock."""

from __future__ import annotations

import threading

import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError, NotFound
from invtui.services import integrity, inventory


@pytest.fixture
def shelf(db: Database, operator: Actor) -> Database:
    with db.connect() as conn:
        conn.execute("INSERT INTO locations (code) VALUES ('A1'), ('B1')")
        conn.execute("INSERT INTO products (sku, name, reorder_point) VALUES ('BOLT', 'Bolt', 5), ('NUT', 'Nut', 5)")
        conn.commit()
    with db.session() as session:
        for sku in ("BOLT", "NUT"):
            for code in ("A1", "B1"):
                inventory.receive(session, operator, sku, code, 20)
        inventory.reserve(session, operator, "NUT", "B1", 8)
    return db


def levels(db: Database) -> dict[str, int]:
    with db.connect() as conn:
        return dict(conn.execute("SELECT p.sku || '@' || l.code, i.quantity FROM inventory i JOIN products p"
                                 " ON p.id = i.product_id JOIN locations l ON l.id = i.location_id").fetchall())


def test_counts_set_quantities_and_the_ledger_agrees(shelf: Database, operator: Actor) -> None:
    with shelf.session() as session:
        result = inventory.apply_counts(session, operator, [("BOLT", "A1", 17), ("NUT", "A1", 20), ("BOLT", "B1", 0)])
    assert result.lines == 3 and len(result.changes) == 2  # NUT@A1 already held 20: nothing recorded
    assert levels(shelf) == {"BOLT@A1": 17, "BOLT@B1": 0, "NUT@A1": 20, "NUT@B1": 20}
    assert integrity.check(shelf).clean


def test_a_count_below_the_reservation_refuses_the_whole_batch(shelf: Database, operator: Actor) -> None:
    before = levels(shelf)
    with shelf.session() as session, pytest.raises(ConflictError, match="Line 2: Cannot count 3 of NUT at B1: 8 are reserved"):
        inventory.apply_counts(session, operator, [("BOLT", "A1", 1), ("NUT", "B1", 3)])
    assert levels(shelf) == before


def test_an_unknown_sku_names_its_line_and_changes_nothing(shelf: Database, operator: Actor) -> None:
    before = levels(shelf)
    with shelf.session() as session, pytest.raises(NotFound, match="Line 2: Unknown SKU 'WASHER'"):
        inventory.apply_counts(session, operator, [("BOLT", "A1", 1), ("WASHER", "A1", 3)])
    assert levels(shelf) == before


def test_two_batches_naming_the_same_items_in_opposite_order_both_finish(shelf: Database, operator: Actor) -> None:
    lines = [("BOLT", "A1", 11), ("NUT", "A1", 12), ("BOLT", "B1", 13)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def count(batch: list[tuple[str, str, int]]) -> None:
        try:
            barrier.wait()
            for _ in range(10):
                with shelf.session() as session:
                    inventory.apply_counts(session, operator, batch)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=count, args=(batch,)) for batch in (lines, lines[::-1])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert integrity.check(shelf).clean
