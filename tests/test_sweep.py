"""The full sweep: DESIGN.md section 4 end to end, single flight, and running beside operators.

Stock is changed `quietly` (triggers bypassed, as a bulk loader might) wherever the test is about
what the full sweep itself does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import psycopg
import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError, PermissionDenied
from invtui.services import alerts
from invtui.services.ledger import apply_movement
from invtui.services.sweep import SWEEP_LOCK_KEY, run_full_sweep, sweep_status
from invtui.services.tx import unit_of_work
from tests.alert_world import LOCATIONS, World, build, sweep


@pytest.fixture
def world(db: Database) -> World:
    return build(db)


def test_the_sweep_creates_an_alert_for_a_low_row_the_trigger_never_saw(world: World, db: Database) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7, quietly=True)
    assert world.alerts() == []
    run = run_full_sweep(db, "manual")
    alert = world.open_alert()
    assert alert is not None and alert["alert_type"] == "LOW_STOCK" and alert["status"] == "ACTIVE"
    assert alert["current_quantity"] == 7 and alert["threshold_quantity"] == 10
    assert run.created_count == 1 and not run.skipped and run.error is None
    (recorded,) = world.sql("SELECT created_count, skipped, trigger, rows_scanned FROM sweep_runs")
    assert recorded == (1, False, "manual", 1)


def test_the_next_sweep_raises_no_duplicate(world: World, db: Database) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7, quietly=True)
    run_full_sweep(db)
    again = run_full_sweep(db)
    assert again.created_count == 0 and len(world.alerts()) == 1


def test_an_acknowledged_alert_stays_acknowledged_and_is_not_raised_again(world: World, db: Database,
                                                                          operator: Actor) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7)
    alert_id = world.open_alert()["id"]  # type: ignore[index]
    with db.session() as session:
        alerts.acknowledge(session, operator, alert_id)
    world.set_stock("BOLT-M6", "WH1-A-01", 6, quietly=True)
    run_full_sweep(db)
    run_full_sweep(db)
    (alert,) = world.alerts()
    assert alert["status"] == "ACKNOWLEDGED" and alert["current_quantity"] == 6  # kept current
    assert world.events_of(alert_id) == ["created", "acknowledged"]


def test_a_low_alert_escalates_when_the_row_runs_out(world: World, db: Database, operator: Actor) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7)
    alert_id = world.open_alert()["id"]  # type: ignore[index]
    with db.session() as session:
        alerts.acknowledge(session, operator, alert_id)
    world.set_stock("BOLT-M6", "WH1-A-01", 0, quietly=True)
    run = run_full_sweep(db)
    (alert,) = world.alerts()
    assert alert["alert_type"] == "OUT_OF_STOCK" and alert["status"] == "ACTIVE"  # back to ACTIVE
    assert run.escalated_count == 1 and world.events_of(alert_id) == ["created", "acknowledged", "escalated"]
    assert world.sql("SELECT severity, title FROM notifications WHERE kind = 'alert.escalated'") == [
        ("warning", "OUT OF STOCK: Bolt M6 at WH1-A-01, 0 left")]


def test_an_out_alert_downgrades_quietly_when_some_stock_returns(world: World, db: Database, operator: Actor) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 0)
    alert_id = world.open_alert()["id"]  # type: ignore[index]
    with db.session() as session:
        alerts.acknowledge(session, operator, alert_id)
    notes_before = world.count("SELECT count(*) FROM notifications")
    world.set_stock("BOLT-M6", "WH1-A-01", 4, quietly=True)
    run = run_full_sweep(db)
    (alert,) = world.alerts()
    assert alert["alert_type"] == "LOW_STOCK" and alert["status"] == "ACKNOWLEDGED"  # status unchanged
    assert run.downgraded_count == 1 and world.events_of(alert_id)[-1] == "downgraded"
    assert world.count("SELECT count(*) FROM notifications") == notes_before  # no toast


def test_an_alert_resolves_itself_when_stock_is_ok_again(world: World, db: Database) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 2)
    alert_id = world.open_alert()["id"]  # type: ignore[index]
    world.set_stock("BOLT-M6", "WH1-A-01", 60, quietly=True)
    run = run_full_sweep(db)
    (alert,) = world.alerts()
    assert (alert["status"], alert["resolution"]) == ("RESOLVED", "auto") and alert["resolved_at"] is not None
    assert run.resolved_count == 1
    assert world.sql("SELECT severity, title FROM notifications WHERE link_id = %s AND kind = 'alert.resolved'",
                     (alert_id,)) == [("success", "Back in stock: Bolt M6 at WH1-A-01, 60 available")]


def test_a_dismissed_item_stays_quiet_until_ok_then_alerts_again(world: World, db: Database, operator: Actor) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7)
    first = world.open_alert()["id"]  # type: ignore[index]
    with db.session() as session:
        alerts.dismiss(session, operator, first, note="supplier delivers Friday")
    world.set_stock("BOLT-M6", "WH1-A-01", 5)
    run_full_sweep(db)
    assert world.open_alert() is None  # still low, still quiet
    world.set_stock("BOLT-M6", "WH1-A-01", 40, quietly=True)
    run_full_sweep(db)  # OK again: re-armed
    assert world.count("SELECT count(*) FROM alert_disarmed") == 0
    world.set_stock("BOLT-M6", "WH1-A-01", 8)
    second = world.open_alert()
    assert second is not None and second["id"] != first


def test_a_manually_resolved_item_stays_quiet_while_low(world: World, db: Database, operator: Actor) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7)
    alert_id = world.open_alert()["id"]  # type: ignore[index]
    with db.session() as session:
        alerts.acknowledge(session, operator, alert_id)
        alerts.resolve(session, operator, alert_id, note="counted, shelf is fine")
    world.set_stock("BOLT-M6", "WH1-A-01", 6)
    run_full_sweep(db)
    assert world.open_alert() is None


def test_an_item_dismissed_while_low_still_alerts_when_it_runs_out(world: World, db: Database,
                                                                   operator: Actor) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 7)
    with db.session() as session:
        alerts.dismiss(session, operator, world.open_alert()["id"])  # type: ignore[index]
    world.set_stock("BOLT-M6", "WH1-A-01", 0)
    alert = world.open_alert()
    assert alert is not None and alert["alert_type"] == "OUT_OF_STOCK"


def test_a_sweep_that_finds_another_running_skips_and_says_so(world: World, db: Database) -> None:
    with psycopg.connect(db.conninfo) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (SWEEP_LOCK_KEY,))
        with db.session() as session:
            assert sweep_status(session).running
        run = run_full_sweep(db, "scheduled")
        holder.rollback()
    assert run.skipped and run.created_count == 0
    with db.session() as session:
        status = sweep_status(session)
    assert not status.running and status.last is not None and status.last.skipped


def test_five_sweeps_started_at_once_run_once_and_skip_four_times(world: World, db: Database) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 0)
    world.set_stock("BOLT-M6", "WH1-A-01", 60, quietly=True)  # the sweep will have to resolve this alert
    alert_id = world.open_alert()["id"]  # type: ignore[index]
    for location in LOCATIONS[1:]:
        world.set_stock("BOLT-M6", location, 3, quietly=True)
    results: list[object] = []
    with psycopg.connect(db.conninfo) as blocker:
        # hold the alert's row: the sweep that wins the lock waits here, so the other four overlap it
        blocker.execute("SELECT 1 FROM stock_alerts WHERE id = %s FOR UPDATE", (alert_id,))
        threads = [threading.Thread(target=lambda: results.append(run_full_sweep(db, "worker"))) for _ in range(5)]
        for thread in threads:
            thread.start()
        _wait_for_skips(world, 4)
        blocker.rollback()
        for thread in threads:
            thread.join(timeout=30)
    runs = world.sql("SELECT skipped, created_count, resolved_count FROM sweep_runs ORDER BY skipped")
    assert runs == [(False, 2, 1), (True, 0, 0), (True, 0, 0), (True, 0, 0), (True, 0, 0)]
    assert world.count("""SELECT count(*) FROM (SELECT product_id, location_id FROM stock_alerts
                           GROUP BY 1, 2, status HAVING count(*) > 1 AND status = 'ACTIVE') d""") == 0


def _wait_for_skips(world: World, n: int, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while world.count("SELECT count(*) FROM sweep_runs WHERE skipped") < n:
        assert time.monotonic() < deadline, "the other sweeps did not skip"
        time.sleep(0.05)


@pytest.fixture
def busy_world(world: World) -> Iterator[World]:
    world.sql("""INSERT INTO products (sku, name, reorder_point) SELECT 'NUT-' || g, 'Nut ' || g, 10
                   FROM generate_series(1, 20) g""")
    world.sql("""INSERT INTO inventory (product_id, location_id, quantity)
                 SELECT p.id, l.id, 12 FROM products p, locations l WHERE p.sku LIKE 'NUT-%%'""")
    yield world


def test_a_full_sweep_beside_operators_changing_stock_neither_fails_nor_duplicates(busy_world: World, db: Database,
                                                                                   operator: Actor) -> None:
    items = busy_world.sql("""SELECT product_id, location_id FROM inventory i JOIN products p ON p.id = i.product_id
                               WHERE p.sku LIKE 'NUT-%%' ORDER BY 1, 2""")
    errors: list[BaseException] = []
    stop = threading.Event()

    def operator_day(offset: int) -> None:
        step = 0
        while not stop.is_set():
            product_id, location_id = items[(offset + step * 7) % len(items)]
            delta = -3 if step % 2 == 0 else 3
            try:
                with db.session() as session, unit_of_work(session):
                    apply_movement(session, user_id=operator.id, product_id=product_id, location_id=location_id,
                                   kind="issue" if delta < 0 else "receive", quantity_delta=delta)
            except ConflictError as exc:  # only "not enough stock" is an acceptable refusal
                if "available" not in exc.message:
                    errors.append(exc)
            except BaseException as exc:  # noqa: BLE001 - any other failure fails the test
                errors.append(exc)
            step += 1

    def sweeper() -> None:
        while not stop.is_set():
            try:
                run_full_sweep(db, "scheduled")
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=operator_day, args=(i * 5,)) for i in range(3)]
    threads.append(threading.Thread(target=sweeper))
    for thread in threads:
        thread.start()
    stop.wait(3.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert busy_world.count("SELECT count(*) FROM sweep_runs WHERE error IS NOT NULL") == 0
    assert busy_world.count("SELECT count(*) FROM sweep_runs WHERE NOT skipped") > 0
    sweep(db)
    # every item not OK has exactly its one open alert of the right type, every OK item none
    mismatched = busy_world.count(
        """SELECT count(*) FROM inventory_status
            WHERE (condition = 'OK') <> (alert_id IS NULL) OR (alert_id IS NOT NULL AND condition <> alert_type)""")
    assert mismatched == 0


def test_a_failed_sweep_is_recorded_with_its_error(world: World, db: Database) -> None:
    world.sql("ALTER FUNCTION evaluate_stock_alert_items(bigint[], bigint[]) RENAME TO evaluate_renamed")
    with pytest.raises(Exception):
        run_full_sweep(db, "manual")
    ((skipped, error),) = world.sql("SELECT skipped, error FROM sweep_runs")
    assert not skipped and "evaluate_stock_alert_items" in error


def test_a_viewer_cannot_start_a_sweep(world: World, db: Database, viewer: Actor) -> None:
    with pytest.raises(PermissionDenied, match="Role viewer cannot run a stock sweep"):
        run_full_sweep(db, "cli", actor=viewer)
    assert world.count("SELECT count(*) FROM sweep_runs") == 0
