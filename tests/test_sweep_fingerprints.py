"""The full sweep's shortcut: when the fingerprints of rows and open alerts agree, it judges nothing.

Changes made behind the triggers' back (session_replication_role = replica, as an ERP import or a
restore may) are the only ones a full sweep has to find. These tests make such changes in the
shapes a fingerprint could miss -- a swap that keeps the counts, a disarmed item that keeps an
alert, a location rule -- and check that after one sweep nothing is left to do: the per-item
judgement the triggers use, run over every item, finds no change to make.
"""

from __future__ import annotations

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import alerts
from invtui.services.sweep import run_full_sweep
from tests.alert_world import World, build

ITEMS = (("BOLT-M6", "WH1-A-01"), ("BOLT-M6", "WH1-A-02"), ("BOLT-M6", "WH1-A-03"), ("WASH-M8", "WH1-A-01"))


@pytest.fixture
def world(db: Database) -> World:
    return build(db)


_STATE = """SELECT (SELECT coalesce(array_agg((id, status, alert_type, current_quantity, threshold_quantity)
                                             ORDER BY id)::text, '') FROM stock_alerts),
                  (SELECT coalesce(array_agg((product_id, location_id, alert_type) ORDER BY product_id, location_id)::text, '')
                     FROM alert_disarmed)"""


def left_to_do(world: World) -> int:
    """What the per-item judgement the triggers use still changes when run over every item (in a
    transaction rolled back afterwards): alerts created, changed or closed, items re-armed."""
    with psycopg.connect(world.db.conninfo) as conn:
        before = conn.execute(_STATE).fetchone()
        conn.execute("""SELECT evaluate_stock_alert_items(array_agg(product_id), array_agg(location_id))
                          FROM inventory""")
        after = conn.execute(_STATE).fetchone()
        conn.rollback()
    return sum(a != b for a, b in zip(before, after, strict=True))  # type: ignore[arg-type]


def test_a_steady_sweep_judges_nothing_and_changes_nothing(world: World, db: Database) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7)
    world.set_stock("WASH-M8", "WH1-A-01", 0)
    events = world.count("SELECT count(*) FROM alert_events")
    run = run_full_sweep(db, "manual")
    assert (run.created_count, run.escalated_count, run.downgraded_count, run.resolved_count) == (0, 0, 0, 0)
    assert world.count("SELECT count(*) FROM alert_events") == events
    assert left_to_do(world) == 0


def test_a_swap_that_keeps_the_number_of_low_items_is_still_found(world: World, db: Database) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7)  # alerted by the trigger
    world.set_stock("BOLT-M6", "WH1-A-01", 50, quietly=True)  # OK again, unseen
    world.set_stock("BOLT-M6", "WH1-A-02", 7, quietly=True)  # low now, unseen
    run = run_full_sweep(db, "manual")
    assert (run.created_count, run.resolved_count) == (1, 1)
    assert world.open_alert("BOLT-M6", "WH1-A-01") is None
    assert world.open_alert("BOLT-M6", "WH1-A-02")["current_quantity"] == 7  # type: ignore[index]
    assert left_to_do(world) == 0


def test_a_quiet_change_of_quantity_alone_is_written_to_the_alert(world: World, db: Database) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7)
    world.set_stock("BOLT-M6", "WH1-A-01", 6, quietly=True)  # same condition, same count of alerts
    run_full_sweep(db, "manual")
    assert world.open_alert()["current_quantity"] == 6  # type: ignore[index]
    assert left_to_do(world) == 0


def test_a_disarmed_item_that_keeps_an_alert_is_kept_current(world: World, db: Database, operator: Actor) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7)
    with db.session() as session:
        alerts.dismiss(session, operator, world.open_alert()["id"])  # type: ignore[index]
    world.set_stock("BOLT-M6", "WH1-A-01", 0)  # disarmed at LOW, OUT now: alerts again
    world.set_stock("BOLT-M6", "WH1-A-01", 6, quietly=True)
    run = run_full_sweep(db, "manual")
    alert = world.open_alert()
    assert run.downgraded_count == 1
    assert alert is not None and (alert["alert_type"], alert["current_quantity"]) == ("LOW_STOCK", 6)
    world.set_stock("BOLT-M6", "WH1-A-01", 40, quietly=True)
    run = run_full_sweep(db, "manual")
    assert run.resolved_count == 1 and world.count("SELECT count(*) FROM alert_disarmed") == 0
    assert left_to_do(world) == 0


def test_a_disarmed_item_that_quietly_runs_out_alerts_and_one_that_quietly_recovers_is_rearmed(
        world: World, db: Database, operator: Actor) -> None:
    for location in ("WH1-A-01", "WH1-A-02"):
        world.set_stock("BOLT-M6", location, 7)
        with db.session() as session:
            alerts.dismiss(session, operator, world.open_alert("BOLT-M6", location)["id"])  # type: ignore[index]
    world.set_stock("BOLT-M6", "WH1-A-01", 0, quietly=True)
    world.set_stock("BOLT-M6", "WH1-A-02", 45, quietly=True)
    run = run_full_sweep(db, "manual")
    assert run.created_count == 1
    assert world.open_alert("BOLT-M6", "WH1-A-01")["alert_type"] == "OUT_OF_STOCK"  # type: ignore[index]
    assert world.sql("SELECT l.code FROM alert_disarmed d JOIN locations l ON l.id = d.location_id") == [("WH1-A-01",)]
    assert left_to_do(world) == 0


def test_a_quiet_change_below_a_location_rule_is_found(world: World, db: Database) -> None:
    product_id, location_id = world.ids("BOLT-M6", "WH1-A-03")
    world.sql("INSERT INTO alert_rules (product_id, location_id, threshold_quantity) VALUES (%s, %s, 30)",
              (product_id, location_id))
    world.set_stock("BOLT-M6", "WH1-A-03", 25, quietly=True)  # above the reorder point, under the rule
    world.set_stock("BOLT-M6", "WH1-A-02", 25, quietly=True)  # no rule there: OK
    run = run_full_sweep(db, "manual")
    assert run.created_count == 1
    assert world.open_alert("BOLT-M6", "WH1-A-03")["threshold_quantity"] == 30  # type: ignore[index]
    assert world.open_alert("BOLT-M6", "WH1-A-02") is None
    assert left_to_do(world) == 0


def test_an_open_alert_of_a_quietly_deactivated_product_is_closed(world: World, db: Database) -> None:
    world.set_stock("WASH-M8", "WH1-A-01", 2)
    world.sql("UPDATE products SET is_active = false WHERE sku = 'WASH-M8'", replica=True)
    run = run_full_sweep(db, "manual")
    assert run.resolved_count == 1 and world.open_alert("WASH-M8", "WH1-A-01") is None


stock_levels = st.sampled_from((0, 1, 3, 4, 5, 6, 9, 10, 11, 25, 40))
changes = st.lists(st.tuples(st.sampled_from(range(len(ITEMS))), stock_levels, st.booleans(), st.booleans()),
                   min_size=1, max_size=8)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=changes)
def test_after_any_mix_of_quiet_and_seen_changes_one_sweep_leaves_nothing_to_do(world: World, db: Database,
                                                                                operator: Actor,
                                                                                steps: list) -> None:
    for item, quantity, quietly, dismiss in steps:
        sku, location = ITEMS[item]
        world.set_stock(sku, location, quantity, quietly=quietly)
        alert = world.open_alert(sku, location)
        if dismiss and alert is not None:
            with db.session() as session:
                alerts.dismiss(session, operator, alert["id"])
    run_full_sweep(db, "manual")
    assert left_to_do(world) == 0
    again = run_full_sweep(db, "manual")
    assert (again.created_count, again.escalated_count, again.downgraded_count, again.resolved_count) == (0, 0, 0, 0)
