"""RUNS OUT SOON (alert type LOW_SOON, issue 17) with a controlled clock.

The session's `invtui.now` setting is the clock of the demand figures (SQL demand_now()), so a
test plays days forward: each simulated day books one issue at noon of that day and moves the
clock there; the trigger judges the change, and a full sweep runs too.
"""

from __future__ import annotations

import json
from decimal import Decimal

import psycopg
import pytest
from psycopg.rows import dict_row

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.domain.alerts import AlertType, Condition, condition
from invtui.services.sweep import run_full_sweep

from stock_world import cli  # noqa: F401 (a fixture)

START = "date_trunc('day', now()) - interval '60 days'"


class Clock:
    """One connection whose demand clock is day `day` of the simulation, at noon plus a minute."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.day = 0

    def go(self, day: int, minutes: int = 721) -> None:
        self.day = day
        self.conn.execute(f"SELECT set_config('invtui.now', ({START} + make_interval(days => %s, mins => %s))::text, false)",
                          (day, minutes))

    def book(self, kind: str, delta: int) -> None:
        """A movement at noon of today (simulated) and the stock it makes: the trigger judges it."""
        self.conn.execute(f"""INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, created_at)
                              VALUES (1, 1, %s, %s, {START} + make_interval(days => %s, hours => 12))""",
                          (kind, delta, self.day))
        self.conn.execute("UPDATE inventory SET quantity = quantity + %s WHERE id = 1", (delta,))

    def sweep(self) -> None:
        self.conn.execute("SELECT * FROM evaluate_stock_alert_items()")

    def open_alert(self) -> dict | None:
        return self.conn.execute("""SELECT * FROM stock_alerts WHERE status IN ('ACTIVE', 'ACKNOWLEDGED')""").fetchone()


def gear(conn: psycopg.Connection, received: int) -> Clock:
    """Gear, reorder point 20, from a supplier with 14 days' lead time: `received` booked in at one
    location on day 0; the clock stands there."""
    conn.execute("""INSERT INTO suppliers (code, name, lead_time_days) VALUES ('ACME', 'Acme', 14);
                    INSERT INTO products (sku, name, supplier_id, reorder_point) VALUES ('GEAR', 'Gear', 1, 20);
                    INSERT INTO locations (code) VALUES ('L1');
                    INSERT INTO inventory (product_id, location_id) VALUES (1, 1)""")
    clock = Clock(conn)
    clock.go(0)
    clock.book("receive", received)
    return clock


@pytest.fixture
def clock(db: Database):  # type: ignore[no-untyped-def]
    """Gear with 300 received on day 0 (see `gear`)."""
    with psycopg.connect(db.conninfo, autocommit=True, row_factory=dict_row) as conn:
        yield gear(conn, 300)


def test_a_steady_issuer_runs_out_soon_on_the_right_day_and_a_po_resolves_it(clock: Clock) -> None:
    # Day d (1..27): 10 issued on each of days 1..d, over the d + 1 days since the first movement;
    # 300 - 10d left. Cover on hand < 14 days first when 300 - 10d < 14 x 10d / (d + 1): day 17.
    raised_on = None
    for day in range(1, 18):
        clock.go(day)
        clock.book("issue", -10)
        if clock.open_alert() is None:
            clock.sweep()  # the sweep agrees with the trigger: nothing before the day
        if clock.open_alert() is not None and raised_on is None:
            raised_on = day
    assert raised_on == 17
    usage = round(Decimal(170) / 18, 4)
    assert condition(130, 20, usage=float(usage), lead_time_days=14) is Condition.LOW_SOON
    assert condition(140, 20, usage=160 / 17, lead_time_days=14) is Condition.OK  # day 16: not yet
    alert = clock.open_alert()
    assert alert is not None
    assert (alert["alert_type"], alert["status"], alert["current_quantity"]) == (AlertType.LOW_SOON.value, "ACTIVE", 130)
    assert alert["judged_on"] == {"available": 130, "threshold": 20, "threshold_source": "reorder point",
                                  "avg_daily_usage": float(usage), "days_of_cover": 13.8, "on_order": 0,
                                  "projected": 130, "lead_time_days": 14, "safety_days": 0, "next_po": None,
                                  "next_due": None}
    assert "130 available, 9.4444/day, 13.8 days of cover, lead time 14 days" in alert["message"]
    (title,) = clock.conn.execute("SELECT title FROM notifications WHERE link_id = %s", (alert["id"],)).fetchone().values()
    assert title == "RUNS OUT SOON: Gear at L1, 130 left (13.8 days of cover, lead time 14 days)"

    # A submitted PO for 200 covers the lead time: the alert resolves at once (the PO's trigger).
    clock.conn.execute("""INSERT INTO purchase_orders (supplier_id, status, expected_date) VALUES (1, 'submitted', NULL);
                          INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered) VALUES (1, 1, 200)""")
    assert clock.open_alert() is None
    closed = clock.conn.execute("SELECT status, resolution FROM stock_alerts WHERE id = %s", (alert["id"],)).fetchone()
    assert closed == {"status": "RESOLVED", "resolution": "auto"}
    events = clock.conn.execute("SELECT event, judged_on FROM alert_events WHERE alert_id = %s ORDER BY id",
                                (alert["id"],)).fetchall()
    assert [e["event"] for e in events] == ["created", "resolved"]
    assert (events[1]["judged_on"]["on_order"], events[1]["judged_on"]["projected"]) == (200, 330)

    # Issuing on down to the reorder point raises LOW, shown as covered by the PO (not OUT).
    for day in range(18, 29):
        clock.go(day)
        clock.book("issue", -10)
    clock.sweep()
    low = clock.open_alert()
    assert low is not None
    assert (low["alert_type"], low["current_quantity"], low["covered"]) == ("LOW_STOCK", 20, True)
    assert low["judged_on"]["next_po"] == "PO-000001"
    # cancelling the PO: no longer covered, and the sweep finds nothing more to do
    clock.conn.execute("UPDATE purchase_orders SET status = 'cancelled' WHERE id = 1")
    assert clock.open_alert()["covered"] is False  # type: ignore[index]
    before = clock.conn.execute("SELECT count(*) AS n FROM alert_events").fetchone()
    clock.sweep()
    assert clock.conn.execute("SELECT count(*) AS n FROM alert_events").fetchone() == before


def test_with_100_on_hand_a_10_a_day_issuer_runs_out_soon_once_it_has_a_usage_figure(db: Database) -> None:
    """The issue's own numbers: 100 on hand, 10 issued a day, 14 days' lead time. Day 1 (one issue):
    no usage figure yet, no alert. Day 2: 20 used over the 3 days since the receipt, 6.6667/day, 80
    left = 12.0 days of cover < 14: RUNS OUT SOON, with those figures. A PO of 100 (180 projected,
    27.0 days) resolves it."""
    with psycopg.connect(db.conninfo, autocommit=True, row_factory=dict_row) as conn:
        clock = gear(conn, 100)
        clock.go(1)
        clock.book("issue", -10)
        clock.sweep()
        assert clock.open_alert() is None  # one issue: no usage figure, nothing to judge cover by
        clock.go(2)
        clock.book("issue", -10)
        alert = clock.open_alert()
        assert alert is not None and (alert["alert_type"], alert["current_quantity"]) == ("LOW_SOON", 80)
        usage = round(Decimal(20) / 3, 4)  # 6.6667
        assert alert["judged_on"] == {"available": 80, "threshold": 20, "threshold_source": "reorder point",
                                      "avg_daily_usage": float(usage), "days_of_cover": 12.0, "on_order": 0,
                                      "projected": 80, "lead_time_days": 14, "safety_days": 0, "next_po": None,
                                      "next_due": None}
        conn.execute("""INSERT INTO purchase_orders (supplier_id, status) VALUES (1, 'submitted');
                        INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered)
                        VALUES (1, 1, 100)""")
        assert clock.open_alert() is None
        resolved = conn.execute("SELECT judged_on FROM alert_events WHERE alert_id = %s AND event = 'resolved'",
                                (alert["id"],)).fetchone()
        assert (resolved["judged_on"]["on_order"], resolved["judged_on"]["projected"]) == (100, 180)


def test_runs_out_soon_escalates_to_low_and_a_dismissed_one_stays_quiet_until_worse(clock: Clock) -> None:
    for day in range(1, 18):
        clock.go(day)
        clock.book("issue", -10)
    alert = clock.open_alert()
    assert alert is not None and alert["alert_type"] == "LOW_SOON"
    # dismissed by a person: the item is disarmed at LOW_SOON ...
    clock.conn.execute("""UPDATE stock_alerts SET status = 'DISMISSED', resolution = 'dismissed', resolved_at = now()
                           WHERE id = %s""", (alert["id"],))
    clock.conn.execute("""INSERT INTO alert_disarmed (product_id, location_id, alert_type, alert_id)
                          VALUES (1, 1, 'LOW_SOON', %s)""", (alert["id"],))
    clock.go(18)
    clock.book("issue", -10)
    clock.sweep()
    assert clock.open_alert() is None  # ... still running out soon: no new alert
    clock.go(19)
    clock.book("issue", -105)  # 15 left: LOW, worse than it was disarmed at
    low = clock.open_alert()
    assert low is not None and (low["alert_type"], low["status"]) == ("LOW_STOCK", "ACTIVE")


def test_an_alert_shows_what_it_was_judged_on(clock: Clock, cli) -> None:  # type: ignore[no-untyped-def]
    for day in range(1, 18):
        clock.go(day)
        clock.book("issue", -10)
    alert_id = clock.open_alert()["id"]  # type: ignore[index]
    shown = cli("alerts", "show", str(alert_id), "--json")
    assert shown.code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert (data["alert_type"], data["covered"], data["judged_on"]["days_of_cover"]) == ("LOW_SOON", False, 13.8)
    assert data["why"] == ("130 available, threshold 20 (reorder point), 9.4/day, 13.8 days of cover, "
                           "lead time 14 days, nothing on order")
    assert "SOON: 130 left" in cli("alerts", "show", str(alert_id)).stdout
    # a LOW alert covered by a PO due in 3 days says so
    for day in range(18, 29):
        clock.go(day)
        clock.book("issue", -10)
    clock.conn.execute("INSERT INTO purchase_orders (supplier_id, status, expected_date) VALUES (1, 'approved', current_date + 3)")
    clock.conn.execute("INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered) VALUES (1, 1, 200)")
    low_id = clock.open_alert()["id"]  # type: ignore[index]
    text = cli("alerts", "show", str(low_id)).stdout
    assert "LOW: 20 left, 200 on PO-000001 due in 3 days" in text and "covered by stock on order" in text
    assert "LOW_STOCK·PO" in cli("alerts", "list").stdout.split()  # the list marks it covered too


def test_an_event_a_person_makes_keeps_what_the_alert_was_judged_on(clock: Clock, cli) -> None:  # type: ignore[no-untyped-def]
    """Issue 17: "every alert and every alert event stores what it was judged on" -- acknowledging
    too, so the history says what the operator saw when they took it on."""
    for day in range(1, 18):
        clock.go(day)
        clock.book("issue", -10)
    alert = clock.open_alert()
    assert alert is not None
    acked = cli("alerts", "ack", str(alert["id"]), "--note", "ordering")
    assert acked.code == 0, acked.stderr
    shown = json.loads(cli("alerts", "history", str(alert["id"]), "--json").stdout)
    assert [(e["event"], e["judged_on"]) for e in shown["history"]] == [("created", alert["judged_on"]),
                                                                        ("acknowledged", alert["judged_on"])]


def test_the_sweep_looks_for_items_running_out_every_ten_minutes(clock: Clock) -> None:
    for day in range(1, 17):
        clock.go(day)
        clock.book("issue", -10)
    clock.sweep()  # looks: nothing runs out soon (140 left, 9.4/day)
    clock.conn.execute("SET session_replication_role = replica")  # behind the triggers' back
    clock.conn.execute("UPDATE inventory SET quantity = 100 WHERE id = 1")
    clock.conn.execute("SET session_replication_role = origin")
    clock.go(16, 721 + 9)
    clock.sweep()
    assert clock.open_alert() is None  # looked 9 minutes ago: not yet
    clock.go(16, 721 + 10)
    clock.sweep()
    alert = clock.open_alert()
    assert alert is not None and (alert["alert_type"], alert["current_quantity"]) == ("LOW_SOON", 100)
    # between looks, an open LOW_SOON alert is still judged: a quiet refill resolves it
    clock.conn.execute("SET session_replication_role = replica")
    clock.conn.execute("UPDATE inventory SET quantity = 400 WHERE id = 1")
    clock.conn.execute("SET session_replication_role = origin")
    clock.go(16, 721 + 11)
    clock.sweep()
    assert clock.open_alert() is None


def test_the_sweep_copies_the_demand_settings_and_the_engine_judges_by_them(clock: Clock, db: Database) -> None:
    for day in range(1, 17):  # day 16: 140 left at 9.4/day, 14.9 days of cover: not yet short
        clock.go(day)
        clock.book("issue", -10)
    clock.sweep()
    clock.conn.execute("RESET invtui.now")  # the service's sweep runs on today's clock ...
    run_full_sweep(db, "manual", settings=Settings(demand_safety_days=3))
    assert clock.conn.execute("SELECT safety_days FROM demand_settings").fetchone() == {"safety_days": 3}
    clock.go(16, 721 + 1)  # ... so judge the item again on the simulated one: 14.9 < 14 + 3
    clock.book("issue", -1)
    alert = clock.open_alert()
    assert alert is not None and alert["alert_type"] == "LOW_SOON" and alert["judged_on"]["safety_days"] == 3


def heard_alert_events(clock: Clock, db: Database, days: range, po: bool) -> tuple[list[dict], dict]:
    """Gear issued 10 a day on `days` (with, if `po`, an approved PO for 200 due in 3 days placed
    after the first 17 days): the alert.created/escalated events every app hears meanwhile, and
    the latest notification of the open alert."""
    for day in range(1, 18):
        clock.go(day)
        clock.book("issue", -10)
    if po:  # covers the lead time: the RUNS OUT SOON alert resolves at once
        clock.conn.execute("""INSERT INTO purchase_orders (supplier_id, status, expected_date)
                              VALUES (1, 'approved', current_date + 3);
                              INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered)
                              VALUES (1, 1, 200)""")
    with psycopg.connect(db.conninfo, autocommit=True) as listener:
        listener.execute("LISTEN invtui_events")
        for day in days:
            clock.go(day)
            clock.book("issue", -10)
        clock.sweep()
        heard = [json.loads(n.payload) for n in listener.notifies(timeout=0.5)]
    alert = clock.open_alert()
    assert alert is not None
    note = clock.conn.execute("SELECT kind, severity, title FROM notifications WHERE link_id = %s ORDER BY id DESC",
                              (alert["id"],)).fetchone()
    return [e for e in heard if e["kind"] in ("alert.created", "alert.escalated")], note


def test_a_low_alert_raised_while_a_po_covers_it_is_information_that_says_so(clock: Clock, db: Database) -> None:
    """Issue 17: covered means no action needed, so nobody is warned of it; the title says why."""
    events, note = heard_alert_events(clock, db, range(18, 29), po=True)
    due = clock.conn.execute("SELECT (current_date + 3)::text AS d").fetchone()["d"]
    assert note == {"kind": "alert.created", "severity": "info",
                    "title": f"LOW STOCK (covered): Gear at L1, 20 left, 200 on PO-000001 due {due}"}
    (event,) = events
    assert (event["kind"], event["covered"], event["on_order"], event["next_po"], event["next_due"]) == (
        "alert.created", True, 200, "PO-000001", due)
    assert clock.open_alert()["covered"] is True  # type: ignore[index]


def test_out_of_stock_is_a_warning_even_with_a_po_on_order(clock: Clock, db: Database) -> None:
    """OUT always needs action (issue 17), whatever is on order."""
    events, note = heard_alert_events(clock, db, range(18, 31), po=True)
    assert note == {"kind": "alert.escalated", "severity": "warning", "title": "OUT OF STOCK: Gear at L1, 0 left"}
    assert [(e["kind"], e["alert_type"], e["covered"]) for e in events] == [
        ("alert.created", "LOW_STOCK", True), ("alert.escalated", "OUT_OF_STOCK", False)]


def test_a_low_alert_nothing_covers_stays_a_warning(clock: Clock, db: Database) -> None:
    events, note = heard_alert_events(clock, db, range(18, 29), po=False)
    assert note == {"kind": "alert.escalated", "severity": "warning",
                    "title": "LOW STOCK: Gear at L1, 20 left (threshold 20)"}
    (event,) = events
    assert (event["kind"], event["covered"], event["on_order"]) == ("alert.escalated", False, 0)
