"""A person closing an alert while stock changes under it: no alert is lost, with no sweep to heal it.

Each test forces one interleaving of two transactions. The closing one (dismiss or resolve) runs
the service to its very end and is held just before COMMIT by a hook on its session; the stock
change then starts on its own connection, and the test waits until PostgreSQL reports it blocked
on a lock before letting the first commit. Nothing depends on timing: with the fix the stock
change waits for the inventory row, without it (the old code) it waits for the alert row after
judging the item from a stale snapshot, and the alert state asserted below differs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import alerts, inventory
from tests.alert_world import World, build

BOLT, BIN = "BOLT-M6", "WH1-A-01"  # reorder point 10


@pytest.fixture
def world(db: Database) -> World:
    built = build(db)
    built.set_stock(BOLT, BIN, 7)  # LOW: one ACTIVE LOW_STOCK alert
    return built


class Held:
    """A transaction run in a thread and held before its COMMIT until `release()`."""

    def __init__(self, db: Database, work: Callable[..., object]) -> None:
        self.reached = threading.Event()
        self._go = threading.Event()
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(db, work), daemon=True)

    def _run(self, db: Database, work: Callable[..., object]) -> None:
        with db.session() as session:
            def pause(_session: object) -> None:
                self.reached.set()
                assert self._go.wait(30), "the test never released the held transaction"

            event.listen(session, "before_commit", pause, once=True)
            try:
                work(session)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(exc)
                self.reached.set()

    def start(self) -> Held:
        self._thread.start()
        assert self.reached.wait(30), "the held transaction never reached its commit"
        assert self.errors == []
        return self

    def release(self) -> None:
        self._go.set()
        self._thread.join(30)
        assert self.errors == []


@contextmanager
def running(db: Database, work: Callable[..., object]) -> Iterator[list[BaseException]]:
    """Run `work` in a thread of its own; on leaving, wait for it to finish and report its errors."""
    errors: list[BaseException] = []

    def run() -> None:
        with db.session() as session:
            try:
                work(session)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield errors
    thread.join(30)
    assert not thread.is_alive()


def wait_until_blocked(world: World, timeout: float = 20.0) -> None:
    """Wait until some other session of this database waits for a lock (PostgreSQL says so)."""
    deadline = time.monotonic() + timeout
    while world.count("""SELECT count(*) FROM pg_stat_activity
                          WHERE datname = current_database() AND wait_event_type = 'Lock'""") == 0:
        assert time.monotonic() < deadline, "the concurrent stock change never waited for a lock"
        time.sleep(0.02)


def _race(world: World, db: Database, held: Held, work: Callable[..., object]) -> None:
    """Run `work` beside the held transaction: once PostgreSQL shows it blocked, let the held one commit."""
    with running(db, work) as errors:
        wait_until_blocked(world)
        held.release()
    assert errors == []


def _close(actor: Actor, action: str, alert_id: int) -> Callable[..., object]:
    return lambda s: getattr(alerts, action)(s, actor, alert_id, note="racing a stock change")


def _closing_the_low_alert(world: World, db: Database, operator: Actor, action: str) -> tuple[dict, Held]:
    """The item's LOW alert, and a transaction that dismisses or resolves it, held before COMMIT."""
    low = world.open_alert()
    assert low is not None and low["alert_type"] == "LOW_STOCK"
    if action == "resolve":  # only an acknowledged alert can be resolved
        with db.session() as s:
            alerts.acknowledge(s, operator, low["id"])
    return low, Held(db, _close(operator, action, low["id"])).start()


@pytest.mark.parametrize("action", ["dismiss", "resolve"])
def test_closing_a_low_alert_while_the_item_is_issued_to_zero_still_raises_out(
        world: World, db: Database, operator: Actor, action: str) -> None:
    low, closing = _closing_the_low_alert(world, db, operator, action)
    _race(world, db, closing, lambda s: inventory.issue(s, operator, BOLT, BIN, 7))
    # no sweep: the issue's own evaluation must see the item disarmed at LOW and now OUT
    closed = [a for a in world.alerts() if a["id"] == low["id"]]
    assert closed[0]["status"] == ("DISMISSED" if action == "dismiss" else "RESOLVED")
    out = world.open_alert()
    assert out is not None, "the item ran out after the LOW alert was closed, and no OUT alert was raised"
    assert (out["alert_type"], out["status"], out["current_quantity"]) == ("OUT_OF_STOCK", "ACTIVE", 0)


@pytest.mark.parametrize("action", ["dismiss", "resolve"])
def test_closing_an_alert_while_a_receipt_brings_the_item_back_re_arms_it(
        world: World, db: Database, operator: Actor, action: str) -> None:
    _, closing = _closing_the_low_alert(world, db, operator, action)
    _race(world, db, closing, lambda s: inventory.receive(s, operator, BOLT, BIN, 43))
    # back to OK (50 > 10): the item is armed again, with no sweep in between
    assert world.count("SELECT count(*) FROM alert_disarmed") == 0, "the item stayed disarmed while OK"
    assert world.open_alert() is None
    with db.session() as s:
        inventory.issue(s, operator, BOLT, BIN, 44)  # 6 left: LOW again
    again = world.open_alert()
    assert again is not None, "the item fell LOW again and nothing alerted"
    assert (again["alert_type"], again["status"], again["current_quantity"]) == ("LOW_STOCK", "ACTIVE", 6)


def test_a_stock_change_first_and_a_dismiss_second_queue_without_deadlock(
        world: World, db: Database, operator: Actor) -> None:
    """The other order: the issue holds the row (and has escalated the alert); the dismiss waits."""
    low = world.open_alert()
    assert low is not None
    issuing = Held(db, lambda s: inventory.issue(s, operator, BOLT, BIN, 7)).start()
    _race(world, db, issuing, _close(operator, "dismiss", low["id"]))
    # the dismiss acted on the escalated alert: the item is disarmed at OUT, and nothing is open
    ((status, alert_type),) = world.sql("SELECT status, alert_type FROM stock_alerts")
    assert (status, alert_type) == ("DISMISSED", "OUT_OF_STOCK")
    assert world.sql("SELECT alert_type FROM alert_disarmed") == [("OUT_OF_STOCK",)]
