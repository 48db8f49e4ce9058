"""The toast every operator gets for an alert the engine raises, from the engine's own event."""

from __future__ import annotations

import json
from datetime import date

from invtui.db.engine import Database
from invtui.domain.events import parse_event
from invtui.ui.toasts import PER_SECOND, ToastThrottle, toast_for

from test_demand_alerts import Clock, clock, heard_alert_events  # noqa: F401 (clock: a fixture)


def _today(clock: Clock) -> date:
    return clock.conn.execute("SELECT current_date AS d").fetchone()["d"]


def test_a_low_alert_a_po_covers_toasts_as_information_with_what_is_coming(clock: Clock, db: Database) -> None:
    """Issue 17: covered needs no action, so no warning; it says what is on order and when."""
    (event,), _ = heard_alert_events(clock, db, range(18, 29), po=True)
    toast = toast_for(parse_event(json.dumps(event)), today=_today(clock))
    assert toast is not None
    assert (toast.severity, toast.message) == ("information", "LOW (covered): Gear at L1, 20 left, 200 on PO-000001 due in 3 days")


def test_a_low_alert_nothing_covers_toasts_as_a_warning(clock: Clock, db: Database) -> None:
    (event,), _ = heard_alert_events(clock, db, range(18, 29), po=False)
    toast = toast_for(parse_event(json.dumps(event)), today=_today(clock))
    assert toast is not None
    assert (toast.severity, toast.message) == ("warning", "LOW STOCK: Gear at L1, 20 left")


def test_out_of_stock_toasts_as_a_warning_even_with_a_po_on_order(clock: Clock, db: Database) -> None:
    """OUT always needs action, whatever is on order."""
    events, _ = heard_alert_events(clock, db, range(18, 31), po=True)
    toast = toast_for(parse_event(json.dumps(events[-1])), today=_today(clock))
    assert toast is not None and (toast.severity, toast.message) == ("warning", "OUT OF STOCK: Gear at L1, 0 left")


def test_covered_alerts_held_back_in_a_burst_are_summed_up_as_information(clock: Clock, db: Database) -> None:
    """The summary of a busy second warns only if one of the toasts it stands for would have."""
    (event,), _ = heard_alert_events(clock, db, range(18, 29), po=True)
    shown: list[tuple[str, str]] = []
    throttle = ToastThrottle(lambda message, title, severity, timeout: shown.append((title, severity)))
    for _ in range(PER_SECOND + 2):
        throttle.event(parse_event(json.dumps(event)))
    throttle.flush()
    assert shown == [("Stock alert", "information")] * PER_SECOND + [("2 more events (2: alerts)", "information")]
