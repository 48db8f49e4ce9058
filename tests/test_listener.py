"""The LISTEN connection: committed changes arrive, rolled-back ones never do, it survives losing its connection."""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Iterator

import psycopg
import pytest

from invtui.db.engine import Database
from invtui.db.listener import CONNECTED, RECONNECTING, EventListener
from invtui.domain.events import LISTENER_STATE, RESYNC, Event
from invtui.domain.roles import Actor
from invtui.services import events, notifications


class Inbox:
    """What a listener handed to its callback, in order, with a way to wait for the next one."""

    def __init__(self) -> None:
        self.queue: queue.Queue[Event] = queue.Queue()

    def __call__(self, event: Event) -> None:
        self.queue.put(event)

    def next(self, kind: str | None = None, timeout: float = 5.0) -> Event:
        """The next event (of `kind`, skipping others); fails the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.queue.get(timeout=left)
            except queue.Empty:
                break
            if kind is None or event.kind == kind:
                return event
        raise AssertionError(f"no {kind or 'event'} within {timeout} s")

    def nothing_for(self, seconds: float, kind: str | None = None) -> bool:
        try:
            self.next(kind, timeout=seconds)
        except AssertionError:
            return True
        return False


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def listener(db: Database, inbox: Inbox) -> Iterator[EventListener]:
    """A running listener on the test's database, with a short backoff so reconnect tests are quick."""
    with EventListener.for_database(db, inbox, initial_backoff=0.05, max_backoff=0.2) as running:
        assert running.wait_connected()
        assert inbox.next(LISTENER_STATE).get("state") == CONNECTED
        yield running


def send_raw(db: Database, payload: str) -> None:
    with db.connect(autocommit=True) as conn:
        conn.execute("SELECT pg_notify('invtui_events', %s)", (payload,))


def test_a_change_committed_on_another_connection_reaches_the_listener(db: Database, listener: EventListener,
                                                                       inbox: Inbox, operator: Actor) -> None:
    with db.transaction() as session:
        events.emit(session, "stock.changed", id=1, product_id=2, location_id=3, user_id=operator.id,
                    sku="BOLT-M6", location="WH1-A-03", quantity=12)
    event = inbox.next()
    assert (event.kind, event.product_id, event.user_id, event.get("sku")) == ("stock.changed", 2, operator.id, "BOLT-M6")


def test_a_rolled_back_change_sends_nothing(db: Database, listener: EventListener, inbox: Inbox) -> None:
    with db.session() as session:
        events.emit(session, "stock.changed", id=1, sku="GHOST")
        session.rollback()
    with db.transaction() as session:
        events.emit(session, "stock.changed", id=2, sku="REAL")
    assert inbox.next().get("sku") == "REAL"  # the later commit arrives; the rolled-back one never did
    assert inbox.nothing_for(0.3)


def test_events_arrive_only_after_commit(db: Database, listener: EventListener, inbox: Inbox) -> None:
    with db.session() as session:
        events.emit(session, "catalog.changed", id=5)
        assert inbox.nothing_for(0.3)
        session.commit()
    assert inbox.next().id == 5


def test_a_notification_written_in_a_transaction_is_announced_with_its_audience(
        db: Database, listener: EventListener, inbox: Inbox, manager: Actor) -> None:
    with db.transaction() as session:
        notifications.notify(session, kind="po", title="PO-000001 was approved", target_user_id=manager.id)
    event = inbox.next("notification.created")
    assert event.for_user == manager.id and event.get("title") == "PO-000001 was approved"


def test_a_malformed_payload_is_logged_and_skipped_and_later_events_still_arrive(
        db: Database, listener: EventListener, inbox: Inbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="invtui.db.listener")
    with db.connect(autocommit=True) as conn:
        conn.execute("NOTIFY invtui_events, 'garbage'")
        conn.execute("""NOTIFY invtui_events, '{"kind": "stock.exploded"}'""")
    send_raw(db, '{"kind": "sweep.finished", "id": 4}')
    assert inbox.next().kind == "sweep.finished"
    skipped = [r.getMessage() for r in caplog.records if "skipped an event" in r.getMessage()]
    assert len(skipped) == 2 and "not JSON" in skipped[0] and "stock.exploded" in skipped[1]


def test_a_failing_callback_does_not_stop_the_listener(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    heard: list[Event] = []

    def fussy(event: Event) -> None:
        heard.append(event)
        if event.get("boom"):
            raise RuntimeError("screen went away")

    with EventListener.for_database(db, fussy) as running:
        assert running.wait_connected()
        send_raw(db, '{"kind": "stock.changed", "boom": true}')
        send_raw(db, '{"kind": "stock.changed", "id": 2}')
        deadline = time.monotonic() + 5
        while not any(e.id == 2 for e in heard) and time.monotonic() < deadline:
            time.sleep(0.01)
    assert any(e.id == 2 for e in heard)
    assert "event callback failed" in caplog.text


def test_the_listener_survives_losing_its_connection_and_asks_for_a_resync(
        db: Database, listener: EventListener, inbox: Inbox) -> None:
    lost_pid = listener.backend_pid
    with db.connect(autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (lost_pid,)).fetchone() == (True,)
    reconnecting = inbox.next(LISTENER_STATE)
    assert reconnecting.get("state") == RECONNECTING and reconnecting.get("since") and "retry_in" in reconnecting.extra
    assert inbox.next(LISTENER_STATE).get("state") == CONNECTED
    assert inbox.next().kind == RESYNC
    assert listener.backend_pid not in (None, lost_pid)
    send_raw(db, '{"kind": "alert.created", "id": 77}')
    assert inbox.next().id == 77


def test_an_unreachable_database_is_retried_with_doubling_waits_up_to_the_cap(inbox: Inbox) -> None:
    # Port 1 on localhost refuses at once, so every attempt fails fast.
    with EventListener("postgresql://nobody@127.0.0.1:1/none", inbox, initial_backoff=0.02, max_backoff=0.08):
        waits = [inbox.next(LISTENER_STATE).get("retry_in") for _ in range(5)]
    assert waits == [0.02, 0.04, 0.08, 0.08, 0.08]


def test_reconnecting_reports_the_time_the_outage_began(inbox: Inbox) -> None:
    with EventListener("postgresql://nobody@127.0.0.1:1/none", inbox, initial_backoff=0.02, max_backoff=0.04):
        first, later = inbox.next(LISTENER_STATE), inbox.next(LISTENER_STATE)
    assert first.get("since") == later.get("since") and first.get("error")


def test_stopping_is_quick(db: Database, listener: EventListener) -> None:
    started = time.monotonic()
    listener.stop()
    assert time.monotonic() - started < 1.0
    assert listening_connections(db) == 0


def listening_connections(db: Database, settle_seconds: float = 2.0) -> int:
    """Listener backends still on the server (a closed one may take a moment to leave pg_stat_activity)."""
    deadline = time.monotonic() + settle_seconds
    with db.connect(autocommit=True) as conn:
        while True:
            (count,) = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = 'invtui-listener' AND datname = current_database()").fetchone()
            if count == 0 or time.monotonic() > deadline:
                return count
            time.sleep(0.02)


def test_stopping_while_the_database_is_unreachable_is_quick(inbox: Inbox) -> None:
    running = EventListener("postgresql://nobody@127.0.0.1:1/none", inbox, initial_backoff=30).start()
    inbox.next(LISTENER_STATE)  # now waiting 30 s before the next attempt
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 1.0


def test_a_burst_of_events_arrives_complete_and_in_order(db: Database, listener: EventListener, inbox: Inbox) -> None:
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        for n in range(200):
            conn.execute("SELECT pg_notify('invtui_events', json_build_object('kind', 'stock.changed', 'id', %s::int)::text)", (n,))
    assert [inbox.next().id for _ in range(200)] == list(range(200))


def test_a_listener_started_while_the_database_was_down_asks_for_a_resync_once_it_connects(
        db: Database, inbox: Inbox) -> None:
    real = db.conninfo
    running = EventListener("postgresql://nobody@127.0.0.1:1/none", inbox, initial_backoff=0.05, max_backoff=0.05)
    with running:
        assert inbox.next(LISTENER_STATE).get("state") == RECONNECTING
        running.conninfo = real  # the database comes back
        assert running.wait_connected()
        assert inbox.next(RESYNC).kind == RESYNC
