"""Stock services as an operator's day: receipts, issues, counts, moves and reservations."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from invtui.services import integrity, inventory
from invtui.services.inventory import BatchLine

from stock_world import A, B, BOLT, BOLT_BARCODE, CLOSED, NUT, OLD, build, level, snapshot

QUANTITY_MESSAGE = "Quantity must be a whole number from 1 to 1,000,000"


@pytest.fixture
def world(db: Database, manager: Actor) -> Database:
    build(db, manager)
    return db


@pytest.fixture
def stocked(world: Database, operator: Actor) -> Database:
    """10 bolts at A."""
    with world.session() as s:
        inventory.receive(s, operator, BOLT, A, 10)
    return world


@pytest.fixture
def listener(db: Database) -> Iterator[psycopg.Connection]:
    conn = db.connect(autocommit=True)
    conn.execute("LISTEN invtui_events")
    yield conn
    conn.close()


def heard(conn: psycopg.Connection, kind: str) -> list[dict]:
    events = [json.loads(n.payload) for n in conn.notifies(timeout=0.5)]
    return [e for e in events if e["kind"] == kind]


# --- the happy path ---------------------------------------------------------------------------


def test_receiving_creates_the_row_and_a_ledger_entry(world: Database, operator: Actor) -> None:
    with world.session() as s:
        change = inventory.receive(s, operator, BOLT, A, "12", reference="DN-1")
        history = inventory.movements(s, sku=BOLT)
    assert (change.quantity, change.reserved, change.available) == (12, 0, 12)
    assert [(m.kind, m.quantity_delta, m.reference, m.user) for m in history] == [("receive", 12, "DN-1", "operator")]


def test_a_scanned_barcode_and_lower_case_codes_find_the_item(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        change = inventory.issue(s, operator, BOLT_BARCODE, A.lower(), 3)
    assert (change.sku, change.location, change.quantity) == (BOLT, A, 7)


def test_issuing_more_than_available_says_how_many_are_available(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        inventory.reserve(s, operator, BOLT, A, 5)
    before = snapshot(stocked)
    with stocked.session() as s, pytest.raises(ConflictError, match=rf"^Only 5 available of {BOLT} at {A} \(5 reserved\)$"):
        inventory.issue(s, operator, BOLT, A, 6)
    assert snapshot(stocked) == before


def test_reserved_stock_stays_on_hand_until_released(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        reserved = inventory.reserve(s, operator, BOLT, A, 4)
        released = inventory.release(s, operator, BOLT, A, 1)
    assert (reserved.quantity, reserved.reserved, reserved.available) == (10, 4, 6)
    assert (released.quantity, released.reserved, released.available) == (10, 3, 7)


def test_releasing_more_than_reserved_is_refused(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        inventory.reserve(s, operator, BOLT, A, 2)
    before = snapshot(stocked)
    with stocked.session() as s, pytest.raises(ConflictError, match=f"Only 2 reserved of {BOLT} at {A}; cannot release 3"):
        inventory.release(s, operator, BOLT, A, 3)
    assert snapshot(stocked) == before


def test_reserving_more_than_available_is_refused(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s, pytest.raises(ConflictError, match=f"Only 10 available of {BOLT} at {A} to reserve"):
        inventory.reserve(s, operator, BOLT, A, 11)


def test_adjusting_to_a_count_records_the_difference_with_the_reason(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        change = inventory.adjust(s, operator, BOLT, A, "7", "cycle count aisle A")
        last = inventory.movements(s, sku=BOLT, limit=1)[0]
    assert change.quantity == 7
    assert (last.kind, last.quantity_delta, last.reason) == ("adjust", -3, "cycle count aisle A")


def test_a_count_at_a_location_that_never_held_the_item_creates_its_row(world: Database, operator: Actor) -> None:
    with world.session() as s:
        inventory.adjust(s, operator, NUT, B, 4, "found on the floor")
    assert level(world, NUT, B) == (4, 0)


def test_a_count_equal_to_the_quantity_on_hand_is_refused(stocked: Database, operator: Actor) -> None:
    before = snapshot(stocked)
    with stocked.session() as s, pytest.raises(ValidationError, match=f"{A} already holds 10 of {BOLT}; the count changes nothing"):
        inventory.adjust(s, operator, BOLT, A, 10, "recount")
    assert snapshot(stocked) == before


def test_an_adjustment_needs_a_reason(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s, pytest.raises(ValidationError, match="^A reason is required for an adjustment$"):
        inventory.adjust(s, operator, BOLT, A, 4, "   ")


def test_a_count_below_the_reserved_quantity_is_refused(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        inventory.reserve(s, operator, BOLT, A, 6)
    before = snapshot(stocked)
    with stocked.session() as s, pytest.raises(ConflictError, match="6 are reserved; release them first"):
        inventory.adjust(s, operator, BOLT, A, 5, "count")
    assert snapshot(stocked) == before


def test_counting_zero_empties_the_shelf(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        assert inventory.adjust(s, operator, BOLT, A, 0, "all damaged").quantity == 0


def test_transfer_moves_stock_and_creates_the_destination_row(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        result = inventory.transfer(s, operator, BOLT, A, B, 4)
        kinds = sorted((m.kind, m.location, m.quantity_delta) for m in inventory.movements(s, sku=BOLT, limit=2))
    assert (result.source.quantity, result.destination.quantity) == (6, 4)
    assert level(stocked, BOLT, A) == (6, 0) and level(stocked, BOLT, B) == (4, 0)
    assert kinds == [("transfer_in", B, 4), ("transfer_out", A, -4)]


def test_a_transfer_short_of_stock_changes_neither_location(stocked: Database, operator: Actor) -> None:
    before = snapshot(stocked)
    with stocked.session() as s, pytest.raises(ConflictError, match=f"Only 10 available of {BOLT} at {A}"):
        inventory.transfer(s, operator, BOLT, A, B, 11)
    assert snapshot(stocked) == before


def test_a_transfer_to_the_same_location_is_refused(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s, pytest.raises(ValidationError, match=f"Source and destination are both {A}"):
        inventory.transfer(s, operator, BOLT, A, A.lower(), 1)


def test_stock_for_lists_every_location_with_totals(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        inventory.transfer(s, operator, BOLT, A, B, 3)
        inventory.reserve(s, operator, BOLT, A, 2)
        stock = inventory.stock_for(s, BOLT_BARCODE)
    assert [(line.location, line.quantity, line.reserved, line.available) for line in stock.lines] == [
        (A, 7, 2, 5), (B, 3, 0, 3)]
    assert (stock.quantity, stock.reserved, stock.available) == (10, 2, 8)


def test_movements_are_newest_first_and_limited(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        inventory.receive(s, operator, NUT, B, 5)
        inventory.issue(s, operator, BOLT, A, 1)
        rows = inventory.movements(s, limit=2)
    assert [(m.sku, m.kind) for m in rows] == [(BOLT, "issue"), (NUT, "receive")]


def test_db_check_is_clean_after_every_kind_of_movement(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        inventory.transfer(s, operator, BOLT, A, B, 4)
        inventory.reserve(s, operator, BOLT, B, 2)
        inventory.issue(s, operator, BOLT, A, 1)
        inventory.release(s, operator, BOLT, B, 1)
        inventory.adjust(s, operator, BOLT, A, 9, "count")
        inventory.apply_batch(s, operator, [(NUT, A, "receive", 3), (NUT, A, "issue", 1)])
    assert integrity.check(stocked).clean


# --- events -------------------------------------------------------------------------------


def test_a_receipt_announces_one_stock_changed_event_with_what_a_toast_needs(
        world: Database, operator: Actor, listener: psycopg.Connection) -> None:
    with world.session() as s:
        inventory.receive(s, operator, BOLT, A, 5)
    [event] = heard(listener, "stock.changed")
    assert {k: event[k] for k in ("sku", "name", "location", "quantity", "reserved", "available", "movement",
                                  "user_id")} == {
        "sku": BOLT, "name": "Bolt M6", "location": A, "quantity": 5, "reserved": 0, "available": 5,
        "movement": "receive", "user_id": operator.id}


def test_a_transfer_announces_one_event_naming_both_locations(
        stocked: Database, operator: Actor, listener: psycopg.Connection) -> None:
    with stocked.session() as s:
        inventory.transfer(s, operator, BOLT, A, B, 2)
    [event] = heard(listener, "stock.changed")
    assert (event["location"], event["quantity"], event["to_location"], event["to_quantity"]) == (A, 8, B, 2)


def test_a_refused_movement_announces_nothing(stocked: Database, operator: Actor, listener: psycopg.Connection) -> None:
    with stocked.session() as s, pytest.raises(ConflictError):
        inventory.issue(s, operator, BOLT, A, 99)
    assert heard(listener, "stock.changed") == []


# --- batches ------------------------------------------------------------------------------


def test_a_batch_applies_every_line_and_announces_one_summary(
        world: Database, operator: Actor, listener: psycopg.Connection) -> None:
    lines = [BatchLine(BOLT, A, "receive", 5), (BOLT_BARCODE, A, "issue", "2"), (NUT, B, "receive", 1),
             (BOLT, A, "reserve", 1)]
    with world.session() as s:
        result = inventory.apply_batch(s, operator, lines, reference="SCAN-7")
    assert result.lines == 4
    assert level(world, BOLT, A) == (3, 1) and level(world, NUT, B) == (1, 0)
    [event] = heard(listener, "stock.changed")
    assert (event["movement"], event["lines"]) == ("batch", 4)


def test_one_bad_line_keeps_nothing_of_the_batch(world: Database, operator: Actor) -> None:
    before = snapshot(world)
    lines = [(BOLT, A, "receive", 5), (NUT, A, "issue", 1)]
    with world.session() as s, pytest.raises(ConflictError, match=f"^Line 2: Only 0 available of {NUT} at {A}$"):
        inventory.apply_batch(s, operator, lines)
    assert snapshot(world) == before


def test_bad_batch_lines_name_their_line_and_change_nothing(world: Database, operator: Actor) -> None:
    cases = [
        ((BOLT, A, "receive", "1.5"), f"Line 1: {QUANTITY_MESSAGE}"),
        ((BOLT, A, "steal", 1), "Line 1: unknown movement 'steal'"),
        (("BOLT-M7", A, "receive", 1), "Line 1: Unknown SKU 'BOLT-M7'"),
        ((BOLT, "WH9", "receive", 1), "Line 1: Unknown location 'WH9'"),
    ]
    before = snapshot(world)
    for line, message in cases:
        with world.session() as s, pytest.raises((ValidationError, NotFound), match=message):
            inventory.apply_batch(s, operator, [line])
    assert snapshot(world) == before


def test_an_empty_batch_is_refused(world: Database, operator: Actor) -> None:
    with world.session() as s, pytest.raises(ValidationError, match="The batch is empty"):
        inventory.apply_batch(s, operator, [])


# --- bad input: each refusal says why and changes nothing ------------------------------------

BAD_QUANTITIES = [0, -3, "-3", 1_000_001, "abc", "1.5", 1.5, "", None, True, "1e3"]


def test_bad_quantities_are_refused_by_every_movement_and_change_nothing(stocked: Database, operator: Actor) -> None:
    before = snapshot(stocked)
    for action in ("receive", "issue", "reserve", "release"):
        for quantity in BAD_QUANTITIES:
            with stocked.session() as s, pytest.raises(ValidationError, match=f"^{QUANTITY_MESSAGE}$"):
                getattr(inventory, action)(s, operator, BOLT, A, quantity)
    for quantity in BAD_QUANTITIES:
        with stocked.session() as s, pytest.raises(ValidationError, match=f"^{QUANTITY_MESSAGE}$"):
            inventory.transfer(s, operator, BOLT, A, B, quantity)
    for counted in (-1, "abc", "3.5", 1_000_001, None):
        with stocked.session() as s, pytest.raises(
                ValidationError, match="^Counted quantity must be a whole number from 0 to 1,000,000$"):
            inventory.adjust(s, operator, BOLT, A, counted, "count")
    assert snapshot(stocked) == before


def test_unknown_or_inactive_items_are_refused_and_nothing_changes(world: Database, operator: Actor) -> None:
    cases = [
        ("BOLT-M7", A, NotFound, "^Unknown SKU 'BOLT-M7'$"),
        (BOLT, "WH9", NotFound, "^Unknown location 'WH9'$"),
        ("", A, ValidationError, "^A SKU or barcode is required$"),
        (BOLT, "  ", ValidationError, "^A location code is required$"),
        ("'; DROP TABLE products; --", A, NotFound, "^Unknown SKU \"'; DROP TABLE products; --\"$"),
        (OLD, A, ConflictError, f"^Product {OLD} is inactive$"),
        (BOLT, CLOSED, ConflictError, f"^Location {CLOSED} is inactive$"),
    ]
    before = snapshot(world)
    for sku, location, error, message in cases:
        with world.session() as s, pytest.raises(error, match=message):
            inventory.receive(s, operator, sku, location, 1)
        with world.session() as s, pytest.raises(error, match=message):
            inventory.adjust(s, operator, sku, location, 5, "count")
        with world.session() as s, pytest.raises(error, match=message):
            inventory.transfer(s, operator, sku, location, B, 1)
    with world.session() as s, pytest.raises(ConflictError, match=f"^Location {CLOSED} is inactive$"):
        inventory.transfer(s, operator, BOLT, A, CLOSED, 1)
    assert snapshot(world) == before


def test_over_long_reference_and_reason_are_refused(stocked: Database, operator: Actor) -> None:
    before = snapshot(stocked)
    with stocked.session() as s, pytest.raises(ValidationError, match="Reference is too long"):
        inventory.receive(s, operator, BOLT, A, 1, reference="R" * 101)
    with stocked.session() as s, pytest.raises(ValidationError, match="Reason is too long"):
        inventory.adjust(s, operator, BOLT, A, 3, "x" * 501)
    assert snapshot(stocked) == before


def test_sql_like_reference_is_stored_as_plain_text(stocked: Database, operator: Actor) -> None:
    with stocked.session() as s:
        inventory.receive(s, operator, BOLT, A, 1, reference="'; DROP TABLE products; --")
        last = inventory.movements(s, sku=BOLT, limit=1)[0]
        assert inventory.stock_for(s, BOLT).quantity == 11
    assert last.reference == "'; DROP TABLE products; --"


def test_bad_movement_limits_are_refused(world: Database) -> None:
    for limit in (0, -1, "many", 1001):
        with world.session() as s, pytest.raises(ValidationError, match="^Limit must be a whole number from 1 to 1,000$"):
            inventory.movements(s, limit=limit)


# --- roles --------------------------------------------------------------------------------


ALL_MOVES = {
    "receive": lambda s, a: inventory.receive(s, a, BOLT, A, 1),
    "issue": lambda s, a: inventory.issue(s, a, BOLT, A, 1),
    "reserve": lambda s, a: inventory.reserve(s, a, BOLT, A, 1),
    "release": lambda s, a: inventory.release(s, a, BOLT, A, 1),
    "adjust": lambda s, a: inventory.adjust(s, a, BOLT, A, 3, "count"),
    "transfer": lambda s, a: inventory.transfer(s, a, BOLT, A, B, 1),
    "batch": lambda s, a: inventory.apply_batch(s, a, [(BOLT, A, "receive", 1)]),
}


def test_a_viewer_may_not_move_stock_in_any_way(stocked: Database, viewer: Actor) -> None:
    before = snapshot(stocked)
    for name, call in ALL_MOVES.items():
        with stocked.session() as s, pytest.raises(PermissionDenied, match="^Role viewer cannot move stock$"):
            call(s, viewer)
    assert snapshot(stocked) == before


def test_operators_managers_and_admins_may_move_stock(world: Database, operator: Actor, manager: Actor,
                                                      admin: Actor) -> None:
    with world.session() as s:
        for actor in (operator, manager, admin):
            inventory.receive(s, actor, BOLT, A, 1)
    assert level(world, BOLT, A) == (3, 0)


def test_a_viewer_may_look_at_stock_and_history(stocked: Database) -> None:
    with stocked.session() as s:
        assert inventory.stock_for(s, BOLT).quantity == 10
        assert len(inventory.movements(s)) == 1
