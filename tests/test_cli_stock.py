"""`invtui stock ...` as an operator types it: real database, one-line errors.

The happy path runs the real executable; the rest runs the same `main` in this process (`cli`),
because every process start costs about a second of imports. The world is built through the
services, so the CLI is used only for what is being tested.
"""

from __future__ import annotations

import json

import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import inventory

from stock_world import A, B, BOLT, BOLT_BARCODE, build, cli, level, snapshot  # noqa: F401 (cli is a fixture)
from test_cli import assert_one_line_error

QUANTITY_MESSAGE = "Quantity must be a whole number from 1 to 1,000,000"


@pytest.fixture
def world(db: Database, manager: Actor) -> Database:
    build(db, manager)
    return db


@pytest.fixture
def stocked(world: Database, operator: Actor) -> Database:
    """7 bolts at A, 2 of them reserved."""
    with world.session() as s:
        inventory.receive(s, operator, BOLT, A, 7, reference="DN-9")
        inventory.reserve(s, operator, BOLT, A, 2)
    return world


def test_an_operator_receives_moves_issues_and_counts(world: Database, invtui) -> None:  # type: ignore[no-untyped-def]
    op = ("--user", "operator")
    received = invtui(*op, "stock", "receive", BOLT, A, "10", "--reference", "DN-1")
    assert received.code == 0, received.stderr
    assert f"Received {BOLT} at {A}: on hand 10, reserved 0, available 10." in received.stdout
    moved = invtui(*op, "stock", "transfer", BOLT_BARCODE, A.lower(), B, "4")
    assert f"Moved to {BOLT} at {B}: on hand 4" in moved.stdout
    counted = invtui(*op, "stock", "adjust", BOLT, B, "5", "--reason", "cycle count")
    assert counted.code == 0 and "on hand 5" in counted.stdout
    assert level(world, BOLT, A) == (6, 0) and level(world, BOLT, B) == (5, 0)
    checked = invtui("db", "check")
    assert checked.code == 0, checked.stdout


def test_reserve_release_and_issue_report_what_is_left(stocked: Database, cli) -> None:  # type: ignore[no-untyped-def]
    assert "on hand 7, reserved 1, available 6" in cli("stock", "release", BOLT, A, "1").stdout
    assert "on hand 4, reserved 1, available 3" in cli("stock", "issue", BOLT, A, "3").stdout
    assert "on hand 4, reserved 3, available 1" in cli("stock", "reserve", BOLT, A, "2").stdout


def test_stock_show_json_lists_locations_and_totals(stocked: Database, cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("stock", "show", BOLT, "--json")
    assert shown.code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert (data["quantity"], data["reserved"], data["available"]) == (7, 2, 5)
    assert data["locations"] == [{"location": A, "quantity": 7, "reserved": 2, "available": 5}]


def test_stock_movements_json_is_newest_first(stocked: Database, cli) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(cli("stock", "movements", "--sku", BOLT, "--limit", "5", "--json").stdout)
    assert [(r["kind"], r["quantity_delta"], r["reserved_delta"], r["user"]) for r in rows] == [
        ("reserve", 0, 2, "operator"), ("receive", 7, 0, "operator")]
    assert rows[1]["reference"] == "DN-9"


def test_bad_quantities_give_the_services_message_and_change_nothing(world: Database, invtui, cli) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(world)
    # "-3" through the real executable: it must reach the service, not be taken for an option
    assert_one_line_error(invtui("stock", "receive", BOLT, A, "-3"), QUANTITY_MESSAGE)
    for quantity in ("abc", "1.5", "0", "-3"):
        assert_one_line_error(cli("stock", "issue", BOLT, A, quantity), QUANTITY_MESSAGE)
    assert_one_line_error(cli("stock", "transfer", BOLT, A, B, "1000001"), QUANTITY_MESSAGE)
    assert_one_line_error(cli("stock", "reserve", BOLT, A, "1e3"), QUANTITY_MESSAGE)
    assert snapshot(world) == before


def test_refusals_are_one_line_and_change_nothing(stocked: Database, cli) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(stocked)
    for args, message in [
        (("stock", "issue", BOLT, A, "6"), f"Only 5 available of {BOLT} at {A} (2 reserved)"),
        (("stock", "receive", "'; DROP TABLE products; --", A, "1"), "Unknown SKU"),
        (("stock", "receive", BOLT, "WH9", "1"), "Unknown location 'WH9'"),
        (("stock", "adjust", BOLT, A, "2"), "A reason is required for an adjustment"),
        (("stock", "transfer", BOLT, A, A, "1"), f"Source and destination are both {A}"),
        (("stock", "receive", "OLD-1", A, "1"), "Product OLD-1 is inactive"),
        (("--user", "viewer", "stock", "receive", BOLT, A, "1"), "Role viewer cannot move stock"),
    ]:
        assert_one_line_error(cli(*args), message)
    assert snapshot(stocked) == before
