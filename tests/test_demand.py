"""Demand figures (issue 17): usage, on order, projected, days of cover, as computed by hand.

The ledger is written with created_at in the past (days before today), so the figures are fixed
numbers a person can check: the window is the last 28 calendar days, today included.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import catalog, demand, stock_list

from stock_world import cli  # noqa: F401 (a fixture)
from test_cli import assert_one_line_error

WORLD = """
INSERT INTO suppliers (code, name, lead_time_days) VALUES ('ACME', 'Acme', 14);
INSERT INTO products (sku, name, supplier_id, reorder_point) VALUES
    ('GEAR', 'Gear', 1, 20), ('RARE', 'Rare part', 1, 0), ('OWN', 'Own lead time', 1, 0);
UPDATE products SET lead_time_days = 3 WHERE sku = 'OWN';
INSERT INTO locations (code) VALUES ('L1'), ('L2');
"""


def _ids(conn: psycopg.Connection, sku: str, code: str) -> tuple[int, int]:
    return conn.execute("SELECT p.id, l.id FROM products p, locations l WHERE p.sku = %s AND l.code = %s",
                        (sku, code)).fetchone()  # type: ignore[return-value]


def move(conn: psycopg.Connection, sku: str, code: str, kind: str, delta: int, days_ago: int) -> None:
    """One ledger row `days_ago` days back (at noon, so no window edge is near) and the stock it makes."""
    product_id, location_id = _ids(conn, sku, code)
    conn.execute("""INSERT INTO inventory (product_id, location_id) VALUES (%s, %s)
                    ON CONFLICT (product_id, location_id) DO NOTHING""", (product_id, location_id))
    conn.execute("""INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, created_at)
                    VALUES (%s, %s, %s, %s, date_trunc('day', now()) + interval '12 hours' - make_interval(days => %s))""",
                 (product_id, location_id, kind, delta, days_ago))
    conn.execute("UPDATE inventory SET quantity = quantity + %s WHERE product_id = %s AND location_id = %s",
                 (delta, product_id, location_id))


@pytest.fixture
def world(db: Database) -> Database:
    """GEAR at L1: 500 received 40 days ago, 10 issued on each of the last 27 days, 20 returned
    (an issue booked back) 3 days ago, 50 moved out and 7 written off (neither is usage).
    GEAR at L2: new, 100 received 4 days ago, 6 issued on each of the last 3 days.
    RARE at L1: one issue only. OWN at L1: lead time 3 days of its own, no issues.
    POs for GEAR: submitted, 200 ordered, 50 received, no location (counts everywhere); approved,
    40 to L2; a draft of 999 (not on order)."""
    with psycopg.connect(db.conninfo) as conn:
        conn.execute(WORLD)
        move(conn, "GEAR", "L1", "receive", 500, 40)
        for day in range(27, 0, -1):
            move(conn, "GEAR", "L1", "issue", -10, day)
        move(conn, "GEAR", "L1", "issue", 20, 3)
        move(conn, "GEAR", "L1", "transfer_out", -50, 5)
        move(conn, "GEAR", "L1", "adjust", -7, 2)
        move(conn, "GEAR", "L2", "receive", 100, 4)
        for day in (3, 2, 1):
            move(conn, "GEAR", "L2", "issue", -6, day)
        move(conn, "RARE", "L1", "receive", 10, 30)
        move(conn, "RARE", "L1", "issue", -4, 2)
        move(conn, "OWN", "L1", "receive", 10, 30)
        conn.execute("""
            INSERT INTO purchase_orders (supplier_id, status, location_id, expected_date)
            VALUES (1, 'submitted', NULL, current_date + 9), (1, 'approved', (SELECT id FROM locations WHERE code = 'L2'), current_date + 3),
                   (1, 'draft', NULL, NULL);
            INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered, quantity_received)
            VALUES (1, 1, 200, 50), (2, 1, 40, 0), (3, 1, 999, 0)""")
    return db


def test_usage_and_cover_equal_the_figures_worked_out_by_hand(world: Database) -> None:
    today = date.today()
    with world.session() as s:
        rows = {(r.sku, r.location): r for r in demand.cover(s)}
        overall = {r.sku: r for r in demand.cover(s, overall=True)}
    l1, l2 = rows["GEAR", "L1"], rows["GEAR", "L2"]
    # L1: 27 issues of 10 less a return of 20 = 250 units over the whole 28-day window
    assert l1.available == 500 - 270 + 20 - 50 - 7 == 193
    assert l1.avg_daily_usage == Decimal("8.9286")  # 250 / 28
    assert (l1.on_order, l1.projected) == (150, 343)  # the draft does not count, the L2 PO neither
    assert l1.days_of_cover == Decimal("21.6")  # 193 / 8.9286
    assert l1.projected_days_of_cover == Decimal("38.4")
    assert l1.stockout_date == today + timedelta(days=21)
    assert l1.lead_time_days == 14 and not l1.runs_out_within_lead_time
    # L2 is 5 days old (4 days ago to today): 18 / 5, not diluted over 28 days
    assert (l2.available, l2.avg_daily_usage, l2.on_order) == (82, Decimal("3.6"), 190)
    assert l2.days_of_cover == Decimal("22.8")
    # fewer than two issues: no usage figure, no cover; a product's own lead time wins
    assert rows["RARE", "L1"].avg_daily_usage is None and rows["RARE", "L1"].days_of_cover is None
    assert rows["OWN", "L1"].lead_time_days == 3
    # lowest cover first, items without usage last
    assert list(rows) == [("GEAR", "L1"), ("GEAR", "L2"), ("OWN", "L1"), ("RARE", "L1")]
    # per item over all locations: 268 units since GEAR's first movement (40 days ago) -> 268 / 28
    gear = overall["GEAR"]
    assert (gear.available, gear.on_order, gear.avg_daily_usage) == (275, 190, Decimal("9.5714"))
    assert gear.days_of_cover == Decimal("28.7")


def test_stock_cover_on_the_command_line(world: Database, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("stock", "cover", "--below", "22", "--json")
    assert result.code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row == {"sku": "GEAR", "location": "L1", "available": 193, "on_order": 150, "projected": 343,
                   "avg_daily_usage": 8.9286, "days_of_cover": 21.6,
                   "stockout_date": (date.today() + timedelta(days=21)).isoformat(), "lead_time_days": 14}
    table = cli("stock", "cover", "--sku", "gear", "--location", "L2")
    assert table.code == 0 and "3.6" in table.stdout and "22.8" in table.stdout and "L1" not in table.stdout
    assert_one_line_error(cli("stock", "cover", "--below", "soon"), "Days (--below) must be a whole number")
    assert_one_line_error(cli("stock", "cover", "--location", "NOPE"), "Unknown location 'NOPE'")


def test_a_return_booked_by_an_operator_counts_off_the_usage_not_as_a_receipt(world: Database, cli) -> None:  # type: ignore[no-untyped-def]
    """GEAR at L2 used 18 over the 5 days since its first movement (3.6/day); 8 of them come back
    unused: 10 used, 2.0/day, and 90 available. A receipt of 8 would have left 3.6/day."""
    done = cli("--user", "operator", "stock", "return", "gear", "L2", "8", "--reference", "RMA-7")
    assert done.code == 0, done.stderr
    assert "Returned GEAR at L2: on hand 90, reserved 0, available 90." in done.stdout
    with world.session() as s:
        (row,) = demand.cover(s, sku="GEAR", location="L2")
    assert (row.avg_daily_usage, row.available) == (Decimal("2.0000"), 90)
    with psycopg.connect(world.conninfo) as conn:
        booked = conn.execute("SELECT kind, quantity_delta, reference, reason FROM stock_movements"
                              " ORDER BY id DESC LIMIT 1").fetchone()
    assert booked == ("issue", 8, "RMA-7", "return")
    assert_one_line_error(cli("--user", "viewer", "stock", "return", "GEAR", "L2", "1"), "Role viewer cannot")


def test_the_stock_list_carries_use_per_day_and_days_of_cover(world: Database) -> None:
    with world.session() as s:
        rows = {(r.sku, r.location): r for r in stock_list.page(s, search="GEAR").rows}
        again = stock_list.row(s, rows["GEAR", "L1"].inventory_id)
    assert (rows["GEAR", "L1"].avg_daily_usage, rows["GEAR", "L1"].days_of_cover) == (Decimal("8.9286"), Decimal("21.6"))
    assert rows["GEAR", "L2"].alert_condition == "OK" and again is not None and again.days_of_cover == Decimal("21.6")


def test_a_manager_gives_a_product_its_own_lead_time_and_pack_size(world: Database, cli, operator: Actor) -> None:  # type: ignore[no-untyped-def]
    done = cli("product", "terms", "RARE", "--lead-time", "30", "--pack-size", "12")
    assert done.code == 0 and "RARE: lead time 30 days (own), pack size 12." in done.stdout
    with world.session() as s:
        assert demand.cover(s, sku="RARE")[0].lead_time_days == 30
    assert "lead time 14 days (supplier's), pack size 12." in cli("product", "terms", "RARE", "--lead-time", "none").stdout
    assert_one_line_error(cli("product", "terms", "RARE", "--pack-size", "0"), "Pack size must be a whole number from 1")
    assert_one_line_error(cli("--user", "operator", "product", "terms", "RARE", "--lead-time", "3"), "")
    with world.session() as s:
        assert demand.cover(s, sku="RARE")[0].lead_time_days == 14


def test_a_po_naming_no_location_counts_at_the_products_default_location(world: Database, manager: Actor,
                                                                          cli) -> None:  # type: ignore[no-untyped-def]
    """Issue 17: on order "to the location when the PO names one, else the item's default location or all".
    GEAR's submitted PO (150 outstanding) names no location, its approved one (40) names L2."""
    def on_order() -> dict[tuple[str, str | None], tuple[int, int]]:
        with world.session() as s:
            rows = demand.cover(s, sku="GEAR") + demand.cover(s, sku="GEAR", overall=True)
        return {(r.sku, r.location): (r.on_order, r.projected) for r in rows}

    # no default location: the PO naming none counts everywhere
    assert on_order() == {("GEAR", "L1"): (150, 343), ("GEAR", "L2"): (190, 272), ("GEAR", None): (190, 465)}
    with world.session() as s:
        catalog.update_product(s, manager, "GEAR", default_location="l1")
    # default L1: the PO naming none counts at L1 only; the PO naming L2 stays at L2
    assert on_order() == {("GEAR", "L1"): (150, 343), ("GEAR", "L2"): (40, 122), ("GEAR", None): (190, 465)}
    result = cli("stock", "cover", "--sku", "GEAR", "--json")
    assert result.code == 0, result.stderr
    assert [(r["location"], r["on_order"], r["projected"]) for r in json.loads(result.stdout)] \
        == [("L1", 150, 343), ("L2", 40, 122)]
    with world.session() as s:
        catalog.update_product(s, manager, "GEAR", default_location="L2")
    assert on_order()[("GEAR", "L1")] == (0, 193) and on_order()[("GEAR", "L2")] == (190, 272)
    with world.session() as s:
        catalog.update_product(s, manager, "GEAR", default_location=None)
    assert on_order()[("GEAR", "L1")] == (150, 343)


def test_moving_a_products_default_location_judges_its_alerts_again(world: Database, manager: Actor) -> None:
    """RARE at L1 is LOW (6 left, threshold 10); a PO of 20 naming no location covers it while it counts at
    L1; once RARE's default location is L2 it counts there, and the L1 alert needs action again."""
    def alert() -> tuple[str, bool, int]:
        with psycopg.connect(world.conninfo) as conn:
            return conn.execute("""SELECT a.alert_type, a.covered, (a.judged_on->>'on_order')::int FROM stock_alerts a
                                    JOIN products p ON p.id = a.product_id WHERE p.sku = 'RARE'
                                     AND a.status IN ('ACTIVE', 'ACKNOWLEDGED')""").fetchone()  # type: ignore[return-value]

    with world.session() as s:
        catalog.update_product(s, manager, "RARE", reorder_point=10)
    with psycopg.connect(world.conninfo) as conn:
        conn.execute("""INSERT INTO purchase_orders (supplier_id, status) VALUES (1, 'submitted');
                        INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered)
                        SELECT 4, id, 20 FROM products WHERE sku = 'RARE'""")
    assert alert() == ("LOW_STOCK", True, 20)
    with world.session() as s:
        catalog.update_product(s, manager, "RARE", default_location="L2")
    assert alert() == ("LOW_STOCK", False, 0)
    with world.session() as s:
        catalog.update_product(s, manager, "RARE", default_location="L1")
    assert alert() == ("LOW_STOCK", True, 20)
