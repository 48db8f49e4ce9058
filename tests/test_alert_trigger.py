"""The instant path: every change to stock, thresholds or rules is judged in its own transaction."""

from __future__ import annotations

import json
import time

import psycopg
import pytest

from invtui.db.engine import Database
from invtui.domain.alerts import condition
from invtui.domain.roles import Actor
from invtui.errors import ConflictError
from invtui.services.ledger import apply_movement
from invtui.services.tx import unit_of_work
from tests.alert_world import World, build


@pytest.fixture
def world(db: Database) -> World:
    return build(db)


def _listen(db: Database) -> psycopg.Connection:
    conn = psycopg.connect(db.conninfo, autocommit=True)
    conn.execute("LISTEN invtui_events")
    return conn


def _heard(conn: psycopg.Connection, timeout: float = 2.0) -> list[dict]:
    payloads = [json.loads(n.payload) for n in conn.notifies(timeout=timeout, stop_after=50)]
    return payloads


def test_update_typed_in_psql_raises_the_alert_and_its_event_with_no_sweep(world: World, db: Database) -> None:
    listener = _listen(db)
    try:
        world.set_stock("BOLT-M6", "WH1-A-03", 0)
        heard = _heard(listener, timeout=1.0)
    finally:
        listener.close()
    alert = world.open_alert("BOLT-M6", "WH1-A-03")
    assert alert is not None and alert["alert_type"] == "OUT_OF_STOCK" and alert["status"] == "ACTIVE"
    created = [e for e in heard if e["kind"] == "alert.created"]
    assert len(created) == 1
    assert created[0]["id"] == alert["id"]
    assert created[0]["sku"] == "BOLT-M6" and created[0]["location"] == "WH1-A-03"
    assert created[0]["current_quantity"] == 0 and created[0]["user_id"] is None
    title = world.sql("SELECT title FROM notifications WHERE link_id = %s", (alert["id"],))[0][0]
    assert title == "OUT OF STOCK: Bolt M6 at WH1-A-03, 0 left"


def test_issue_that_empties_a_bin_creates_the_out_alert_in_the_same_transaction(world: World, db: Database,
                                                                                 operator: Actor) -> None:
    product_id, location_id = world.ids("BOLT-M6", "WH1-A-02")
    with db.session() as session, unit_of_work(session):
        apply_movement(session, user_id=operator.id, product_id=product_id, location_id=location_id, kind="issue",
                       quantity_delta=-50)
        inside = session.connection().exec_driver_sql(
            "SELECT alert_type, status FROM stock_alerts WHERE product_id = %s AND location_id = %s",
            (product_id, location_id)).all()
        assert [tuple(r) for r in inside] == [("OUT_OF_STOCK", "ACTIVE")]
    assert world.open_alert("BOLT-M6", "WH1-A-02")["alert_type"] == "OUT_OF_STOCK"  # type: ignore[index]


def test_a_rolled_back_change_creates_nothing(world: World, db: Database, operator: Actor) -> None:
    product_id, location_id = world.ids("BOLT-M6", "WH1-A-01")
    with pytest.raises(ConflictError), db.session() as session, unit_of_work(session):
        apply_movement(session, user_id=operator.id, product_id=product_id, location_id=location_id, kind="issue",
                       quantity_delta=-45)
        apply_movement(session, user_id=operator.id, product_id=product_id, location_id=location_id, kind="issue",
                       quantity_delta=-45)  # only 5 left: refused, the whole transaction rolls back
    assert world.alerts("BOLT-M6", "WH1-A-01") == []
    assert world.count("SELECT count(*) FROM notifications") == 0
    assert world.count("SELECT count(*) FROM alert_events") == 0


def test_a_receipt_that_lifts_stock_above_the_threshold_resolves_the_alert_at_once(world: World) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 3)
    alert_id = world.open_alert()["id"]  # type: ignore[index]
    world.set_stock("BOLT-M6", "WH1-A-01", 40)
    (closed,) = world.alerts()
    assert closed["id"] == alert_id and closed["status"] == "RESOLVED" and closed["resolution"] == "auto"
    assert closed["resolved_at"] is not None and closed["current_quantity"] == 40
    assert world.events_of(alert_id) == ["created", "resolved"]


def test_a_threshold_raised_on_a_product_alerts_the_rows_now_low(world: World) -> None:
    world.set_stock("BOLT-M6", "WH1-A-02", 20)
    assert world.open_alert("BOLT-M6", "WH1-A-02") is None
    world.sql("UPDATE products SET reorder_point = 25, max_stock_level = 200 WHERE sku = 'BOLT-M6'")
    alert = world.open_alert("BOLT-M6", "WH1-A-02")
    assert alert is not None and alert["alert_type"] == "LOW_STOCK" and alert["threshold_quantity"] == 25
    assert world.open_alert("BOLT-M6", "WH1-A-01") is None  # 50 is still above 25


def test_rule_by_location_beats_rule_by_product_beats_reorder_point_beats_min_level(world: World) -> None:
    def threshold(sku: str, location: str) -> int:
        return world.sql("SELECT threshold FROM inventory_status WHERE sku = %s AND location_code = %s",
                         (sku, location))[0][0]

    assert threshold("WASH-M8", "WH1-A-01") == 4  # no reorder point: min stock level
    assert threshold("BOLT-M6", "WH1-A-01") == 10  # reorder point
    bolt = world.ids("BOLT-M6", "WH1-A-01")
    world.sql("INSERT INTO alert_rules (product_id, location_id, threshold_quantity) VALUES (%s, NULL, 30)",
              (bolt[0],))
    assert threshold("BOLT-M6", "WH1-A-01") == 30  # product rule beats reorder point
    world.sql("INSERT INTO alert_rules (product_id, location_id, threshold_quantity) VALUES (%s, %s, 60)", bolt)
    assert threshold("BOLT-M6", "WH1-A-01") == 60  # location rule beats product rule
    assert threshold("BOLT-M6", "WH1-A-02") == 30
    # the rule raised alone made 50 units low at WH1-A-01, and only there
    assert world.open_alert("BOLT-M6", "WH1-A-01")["threshold_quantity"] == 60  # type: ignore[index]
    assert world.open_alert("BOLT-M6", "WH1-A-02") is None
    world.sql("UPDATE alert_rules SET is_active = false WHERE location_id IS NOT NULL")
    assert world.open_alert("BOLT-M6", "WH1-A-01") is None  # inactive rule: back to 30, 50 is OK


def test_deleting_a_rule_resolves_the_alerts_it_raised(world: World) -> None:
    bolt = world.ids("BOLT-M6", "WH1-A-01")
    world.sql("INSERT INTO alert_rules (product_id, location_id, threshold_quantity) VALUES (%s, %s, 75)", bolt)
    alert_id = world.open_alert()["id"]  # type: ignore[index]
    world.sql("DELETE FROM alert_rules")
    assert world.alerts()[0]["status"] == "RESOLVED" and world.events_of(alert_id) == ["created", "resolved"]


def test_inactive_products_never_alert_and_deactivating_closes_their_alerts(world: World) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 0)
    alert_id = world.open_alert()["id"]  # type: ignore[index]
    world.sql("UPDATE products SET is_active = false WHERE sku = 'BOLT-M6'")
    (closed,) = world.alerts()
    assert closed["status"] == "RESOLVED" and closed["resolution"] == "auto"
    assert world.sql("SELECT note FROM alert_events WHERE alert_id = %s AND event = 'resolved'",
                     (alert_id,))[0][0] == "product inactive"
    world.set_stock("BOLT-M6", "WH1-A-02", 0)
    assert world.open_alert("BOLT-M6", "WH1-A-02") is None
    assert world.count("SELECT count(*) FROM inventory_status WHERE sku = 'BOLT-M6'") == 0
    world.sql("UPDATE products SET is_active = true WHERE sku = 'BOLT-M6'")  # active again: judged again
    assert world.open_alert("BOLT-M6", "WH1-A-02")["alert_type"] == "OUT_OF_STOCK"  # type: ignore[index]


def test_a_bulk_update_is_judged_in_one_pass_and_announced_in_one_summary_event(world: World, db: Database) -> None:
    world.sql(
        """INSERT INTO products (sku, name, reorder_point) SELECT 'NUT-' || g, 'Nut ' || g, 10
             FROM generate_series(1, 60) g""")
    world.sql("""INSERT INTO inventory (product_id, location_id, quantity)
                 SELECT p.id, l.id, 50 FROM products p, locations l WHERE p.sku LIKE 'NUT-%%' AND l.code = 'WH1-A-01'""")
    listener = _listen(db)
    try:
        world.sql("UPDATE inventory SET quantity = 2 WHERE product_id IN (SELECT id FROM products WHERE sku LIKE 'NUT-%%')")
        heard = _heard(listener, timeout=1.0)
    finally:
        listener.close()
    assert world.count("SELECT count(*) FROM stock_alerts WHERE status = 'ACTIVE'") == 60
    assert [e["kind"] for e in heard] == ["alerts.bulk"]
    assert heard[0]["created"] == 60
    assert world.count("SELECT count(*) FROM notifications") == 1  # one summary, not 60 rows


def test_a_change_that_leaves_available_stock_alone_does_not_touch_alerts(world: World) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 3)
    before = world.alerts()[0]["updated_at"]
    world.sql("UPDATE inventory SET unit_cost = 1.25")
    assert world.alerts()[0]["updated_at"] == before


def test_sql_and_python_agree_on_every_condition(world: World) -> None:
    grid = [(a, t) for a in (-1, 0, 1, 4, 5, 6, 10, 11) for t in (0, 1, 5, 10)]
    rows = world.sql("SELECT a, t, stock_condition(a, t) FROM unnest(%s::int[], %s::int[]) AS g(a, t)",
                     ([a for a, _ in grid], [t for _, t in grid]))
    assert all(condition(a, t).value == sql_condition for a, t, sql_condition in rows)


def test_the_trigger_costs_a_single_row_change_little(world: World, db: Database) -> None:
    """A smoke check of the benchmark's figure (the real one is tests/benchmarks/sweep.py)."""
    product_id, location_id = world.ids("BOLT-M6", "WH1-A-01")
    with psycopg.connect(db.conninfo) as conn:
        update = "UPDATE inventory SET quantity = quantity + 1 WHERE product_id = %s AND location_id = %s"
        for _ in range(5):  # plans are cached per session after the first call
            conn.execute(update, (product_id, location_id))
        started = time.perf_counter()
        for _ in range(50):
            conn.execute(update, (product_id, location_id))
        per_change = (time.perf_counter() - started) / 50
        conn.rollback()
    assert per_change < 0.05
