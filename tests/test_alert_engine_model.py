"""The SQL alert engine against its reference: `invtui.domain.alerts` over random worlds.

Hypothesis draws products (active or not, min level, reorder point, a product rule, a lead time),
a rule per location, stock, issues of the last days (usage: RUNS OUT SOON), an open alert of any
kind with whatever it last said, and an arming state for each of nine items, writes them behind the
triggers' back, runs one evaluation and checks every item against `effective_threshold`,
`condition` and `sweep_action`: the open alert it is left with, the alert it closed, the events
it logged, and whether it is still disarmed.

The evaluation is one of three: the full sweep (its fast probe skips rows above
`product_alert_thresholds.highest_threshold`, a bound derived from `product_thresholds`), the
per-item evaluation of every item, or a stock change (every row one unit lower, in one UPDATE)
that leaves the choice of items to the stock trigger's own prefilter (the same bound, open
alerts, disarmed items, items that may run short soon). Product rules, location rules (active
or not) and disarmed items are drawn in every world, so a bound that misses a rule shows up as
an alert not raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from invtui.db.engine import Database
from invtui.domain.alerts import AlertType, SweepAction, condition, effective_threshold, sweep_action

PRODUCTS, LOCATIONS = 3, 3
EVENT_OF = {SweepAction.CREATE: ["created"], SweepAction.ESCALATE: ["escalated"],
            SweepAction.DOWNGRADE: ["downgraded"], SweepAction.RESOLVE: ["resolved"]}

rules = st.one_of(st.none(), st.tuples(st.integers(0, 12), st.booleans()))  # (threshold, active)


@dataclass(frozen=True)
class ProductDraw:
    active: bool
    min_level: int
    reorder_point: int | None
    rule: tuple[int, bool] | None
    lead_time_days: int | None = None


@dataclass(frozen=True)
class ItemDraw:
    quantity: int
    reserved: int
    rule: tuple[int, bool] | None
    alert: tuple[str, str, int, int] | None  # type, status, what it last said: quantity, threshold
    disarmed_at: str | None
    issues: tuple[int, int] = (0, 0)  # how many issues (one a day, the last days), of how many units


@st.composite
def products(draw: st.DrawFn) -> ProductDraw:
    low = draw(st.integers(0, 8))
    reorder = draw(st.one_of(st.none(), st.integers(low, low + 6)))
    return ProductDraw(draw(st.booleans()), low, reorder, draw(rules), draw(st.one_of(st.none(), st.integers(0, 12))))


@st.composite
def items(draw: st.DrawFn) -> ItemDraw:
    quantity = draw(st.integers(0, 16))
    types = st.sampled_from([t.value for t in AlertType])
    alert = draw(st.one_of(st.none(), st.tuples(types, st.sampled_from(["ACTIVE", "ACKNOWLEDGED"]),
                                                  st.integers(0, 16), st.integers(0, 12))))
    return ItemDraw(quantity, draw(st.integers(0, quantity)), draw(rules), alert, draw(st.one_of(st.none(), types)),
                    draw(st.tuples(st.integers(0, 4), st.integers(1, 6))))


worlds = st.tuples(st.lists(products(), min_size=PRODUCTS, max_size=PRODUCTS),
                   st.lists(items(), min_size=PRODUCTS * LOCATIONS, max_size=PRODUCTS * LOCATIONS))


@pytest.fixture
def skeleton(db: Database) -> list[tuple[int, int]]:
    """Three products x three locations, every item stocked; the (product, location) keys."""
    with psycopg.connect(db.conninfo) as conn:
        conn.execute("""INSERT INTO products (sku, name) SELECT 'P' || g, 'Product ' || g FROM generate_series(1, %s) g""",
                     (PRODUCTS,))
        conn.execute("""INSERT INTO locations (code) SELECT 'L' || g FROM generate_series(1, %s) g""", (LOCATIONS,))
        conn.execute("INSERT INTO inventory (product_id, location_id) SELECT p.id, l.id FROM products p, locations l")
        return conn.execute("SELECT product_id, location_id FROM inventory ORDER BY 1, 2").fetchall()


def _write(conn: psycopg.Connection, keys: list[tuple[int, int]], prods: list[ProductDraw],
           its: list[ItemDraw], above: int = 0) -> None:
    """The drawn world, written with every trigger off (as a restore or a bulk load would), each
    item `above` units over its drawn quantity."""
    conn.execute("SET session_replication_role = replica")
    conn.execute("DELETE FROM notifications; DELETE FROM alert_events; DELETE FROM alert_disarmed; "
                 "DELETE FROM stock_alerts; DELETE FROM alert_rules; DELETE FROM stock_movements; "
                 "DELETE FROM item_first_movements; "
                 # a ledger written behind the triggers' back: the kept usage must be computed again
                 "UPDATE demand_settings SET judged_at = NULL, usage_window = NULL")
    product_ids = sorted({p for p, _ in keys})
    for product_id, p in zip(product_ids, prods, strict=True):
        conn.execute("UPDATE products SET is_active = %s, min_stock_level = %s, reorder_point = %s, lead_time_days = %s "
                     "WHERE id = %s", (p.active, p.min_level, p.reorder_point, p.lead_time_days, product_id))
        if p.rule is not None:
            conn.execute("INSERT INTO alert_rules (product_id, threshold_quantity, is_active) VALUES (%s, %s, %s)",
                         (product_id, *p.rule))
    for (product_id, location_id), item in zip(keys, its, strict=True):
        conn.execute("UPDATE inventory SET quantity = %s, reserved_quantity = %s WHERE product_id = %s AND location_id = %s",
                     (item.quantity + above, item.reserved, product_id, location_id))
        count, units = item.issues
        for days_ago in range(count, 0, -1):
            conn.execute("INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, created_at) "
                         "VALUES (%s, %s, 'issue', %s, now() - make_interval(days => %s))",
                         (product_id, location_id, -units, days_ago))
        if count:
            conn.execute("INSERT INTO item_first_movements SELECT %s, %s, now() - make_interval(days => %s)",
                         (product_id, location_id, count))
        if item.rule is not None:
            conn.execute("INSERT INTO alert_rules (product_id, location_id, threshold_quantity, is_active) "
                         "VALUES (%s, %s, %s, %s)", (product_id, location_id, *item.rule))
        if item.alert is not None:
            alert_type, status, said_quantity, said_threshold = item.alert
            conn.execute("INSERT INTO stock_alerts (product_id, location_id, alert_type, status, current_quantity, "
                         "threshold_quantity) VALUES (%s, %s, %s, %s, %s, %s)",
                         (product_id, location_id, alert_type, status, said_quantity, said_threshold))
        if item.disarmed_at is not None:
            conn.execute("INSERT INTO alert_disarmed (product_id, location_id, alert_type) VALUES (%s, %s, %s)",
                         (product_id, location_id, item.disarmed_at))
    conn.commit()


def _expected(p: ProductDraw, item: ItemDraw) -> tuple[object, ...]:
    """The reference: what `invtui.domain.alerts` says the item looks like after one evaluation."""
    product_rule = p.rule[0] if p.rule and p.rule[1] else None
    location_rule = item.rule[0] if item.rule and item.rule[1] else None
    threshold = effective_threshold(location_rule, product_rule, p.reorder_point, p.min_level)
    available = item.quantity - item.reserved
    count, units = item.issues  # one issue a day on the last `count` days: count + 1 days old
    usage = round(Decimal(count * units) / (count + 1), 4) if count >= 2 else None
    now = condition(available, threshold, usage=usage, lead_time_days=p.lead_time_days)
    open_type = AlertType(item.alert[0]) if item.alert else None
    action = sweep_action(now, open_type, disarmed_at=AlertType(item.disarmed_at) if item.disarmed_at else None,
                          product_active=p.active)
    opened: tuple[str, str, int, int] | None = item.alert
    closed = None
    disarmed = item.disarmed_at
    if action is SweepAction.CREATE:
        opened = (now.value, "ACTIVE", available, threshold)
    elif action is SweepAction.ESCALATE:
        opened = (now.value, "ACTIVE", available, threshold)
    elif action in (SweepAction.DOWNGRADE, SweepAction.REFRESH):
        assert item.alert is not None
        opened = (now.value, item.alert[1], available, threshold)
    elif action is SweepAction.RESOLVE:
        opened, closed = None, ("RESOLVED", "auto")
        if p.active:
            disarmed = None  # OK again: re-armed with the resolution
    elif action is SweepAction.REARM:
        disarmed = None
    return action.value, opened, closed, disarmed, EVENT_OF.get(action, [])


def _actual(conn: psycopg.Connection, key: tuple[int, int], action: str) -> tuple[object, ...]:
    rows = conn.execute("""SELECT id, alert_type, status, current_quantity, threshold_quantity, resolution
                             FROM stock_alerts WHERE product_id = %s AND location_id = %s ORDER BY id""", key).fetchall()
    opened = [r[1:5] for r in rows if r[2] in ("ACTIVE", "ACKNOWLEDGED")]
    closed = [(r[2], r[5]) for r in rows if r[2] not in ("ACTIVE", "ACKNOWLEDGED")]
    disarmed = conn.execute("SELECT alert_type FROM alert_disarmed WHERE product_id = %s AND location_id = %s",
                            key).fetchall()
    events = [e for (e,) in conn.execute(
        """SELECT e.event FROM alert_events e JOIN stock_alerts a ON a.id = e.alert_id
            WHERE a.product_id = %s AND a.location_id = %s ORDER BY e.id""", key).fetchall()]
    assert len(opened) <= 1 and len(closed) <= 1 and len(disarmed) <= 1
    return (action, opened[0] if opened else None, closed[0] if closed else None,
            disarmed[0][0] if disarmed else None, events)


# Always tried: a location rule (1) above its product's threshold (0), the item at the rule, no
# alert, not disarmed: an alert must be raised. A bound that forgot location rules (the probe's or
# the stock trigger's) skips this row; random worlds find that only in some hundreds of examples.
ABOVE_THE_PRODUCT = ([ProductDraw(True, 0, None, None)] * PRODUCTS,
                     [ItemDraw(1, 0, (1, True), None, None)] + [ItemDraw(5, 0, None, None, None)] * (PRODUCTS * LOCATIONS - 1))


@pytest.mark.parametrize("path", ["full sweep", "per item", "stock change"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds)
@example(world=ABOVE_THE_PRODUCT)
def test_the_sql_evaluation_does_what_the_domain_rules_say(db: Database, skeleton: list[tuple[int, int]],
                                                             path: str, world: tuple) -> None:
    prods, its = world
    by_product = {p: prods[i] for i, p in enumerate(sorted({p for p, _ in skeleton}))}
    with psycopg.connect(db.conninfo) as conn:
        _write(conn, skeleton, prods, its, above=1 if path == "stock change" else 0)
        if path == "full sweep":
            conn.execute("SELECT * FROM evaluate_stock_alert_items()")
        elif path == "stock change":
            conn.execute("SET session_replication_role = origin")  # the triggers on again
            conn.execute("UPDATE inventory SET quantity = quantity - 1")
        else:
            conn.execute("SELECT * FROM evaluate_stock_alert_items(%s, %s)",
                         ([p for p, _ in skeleton], [loc for _, loc in skeleton]))
        conn.commit()
        for key, item in zip(skeleton, its, strict=True):
            expected = _expected(by_product[key[0]], item)
            assert _actual(conn, key, str(expected[0])) == expected, f"item {key}: {item}, product {by_product[key[0]]}"
