"""The usage each stock row keeps (sql/0012_kept_usage.sql) says what inventory_demand says.

`invtui stock cover` and the sorted stock screen read the first page of the days-of-cover index,
so the kept usage must be the view's on every day it claims to be good for (usage_from to
usage_until), after issues, returns, back-dated movements and the window moving, and the full
sweep must make every row good again. The clock is the session's `invtui.now` (demand_now()).
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from invtui.db.engine import Database
from invtui.services import demand, stock_list

START = "date_trunc('day', now()) - interval '60 days'"


def _at(day: int, hour: int = 12) -> str:
    return f"{START} + make_interval(days => {day}, hours => {hour})"


class World:
    """Three items at two locations with a controlled clock (day 0 = 60 days ago)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def go(self, day: int) -> None:
        self.conn.execute(f"SELECT set_config('invtui.now', ({_at(day, 13)})::text, false)")

    def book(self, product: int, location: int, kind: str, delta: int, day: int) -> None:
        self.conn.execute(f"""INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, created_at)
                              VALUES (%s, %s, %s, %s, {_at(day)})""", (product, location, kind, delta))
        self.conn.execute("UPDATE inventory SET quantity = quantity + %s WHERE product_id = %s AND location_id = %s",
                          (delta, product, location))

    def disagreements(self) -> list[tuple]:
        """Rows whose kept usage claims to be good today but is not the view's figure."""
        return self.conn.execute("""
            SELECT i.product_id, i.location_id, i.avg_daily_usage, d.avg_daily_usage
              FROM inventory i JOIN inventory_demand d ON d.inventory_id = i.id
             WHERE demand_usage_kept(i.usage_from, i.usage_until)
               AND i.avg_daily_usage IS DISTINCT FROM d.avg_daily_usage""").fetchall()

    def unkept(self) -> int:
        return self.conn.execute("SELECT count(*) FROM inventory i"
                                 " WHERE NOT coalesce(demand_usage_kept(i.usage_from, i.usage_until), false)"
                                 ).fetchone()[0]  # type: ignore[index]

    def kept(self, product: int, location: int) -> Decimal | None:
        return self.conn.execute("SELECT avg_daily_usage FROM inventory WHERE product_id = %s AND location_id = %s",
                                 (product, location)).fetchone()[0]  # type: ignore[index]


@pytest.fixture
def world(db: Database):  # type: ignore[no-untyped-def]
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute("""INSERT INTO suppliers (code, name, lead_time_days) VALUES ('ACME', 'Acme', 14);
                        INSERT INTO products (sku, name, supplier_id, reorder_point)
                             VALUES ('GEAR', 'Gear', 1, 5), ('BOLT', 'Bolt', 1, 5), ('NUT', 'Nut', 1, 5);
                        INSERT INTO locations (code) VALUES ('L1'), ('L2');
                        INSERT INTO inventory (product_id, location_id) SELECT p.id, l.id FROM products p, locations l""")
        w = World(conn)
        w.go(0)
        for product in (1, 2, 3):
            w.book(product, 1, "receive", 1000, 0)
        yield w


def test_kept_usage_follows_issues_returns_and_back_dated_movements(world: World) -> None:
    world.go(30)
    for day in range(10, 31):
        world.book(1, 1, "issue", -7, day)  # GEAR at L1: 7 a day for 21 days, 19 of them in the window
    assert world.kept(1, 1) == Decimal("5.25")  # 147 over the window's 28 days
    world.book(1, 1, "issue", 14, 29)  # a return, booked as an issue: 133
    assert world.kept(1, 1) == Decimal("4.75")
    world.book(2, 1, "issue", -40, 30)  # BOLT: one issue only, no figure
    assert world.kept(2, 1) is None
    world.book(2, 1, "issue", -20, 25)  # a second one, back-dated: 60 over the days since day 0 (28)
    assert world.kept(2, 1) == round(Decimal(60) / 28, 4)
    world.book(3, 2, "receive", 50, 29)  # NUT at L2: new, then two issues: 30 over its 2 days
    world.book(3, 2, "issue", -10, 29)
    world.book(3, 2, "issue", -20, 30)
    assert world.kept(3, 2) == 15
    world.book(3, 2, "receive", 5, 20)  # a receipt dated before its first movement: 11 days now
    assert world.kept(3, 2) == round(Decimal(30) / 11, 4)
    world.book(1, 2, "transfer_in", 10, 30)  # neither a transfer nor an adjustment is usage
    world.book(1, 2, "adjust", -3, 30)
    assert world.kept(1, 2) is None
    assert world.disagreements() == []
    # BOLT at L2 never moved: a new row keeps nothing until the sweep (it is judged from the ledger)
    assert world.unkept() == 1
    world.conn.execute("SELECT * FROM evaluate_stock_alert_items()")
    assert world.unkept() == 0 and world.disagreements() == []


def test_as_days_pass_the_kept_usage_is_the_views_on_every_day_it_claims_and_the_sweep_renews_it(world: World) -> None:
    world.go(20)
    for day in range(1, 21):
        world.book(1, 1, "issue", -5, day)  # GEAR at L1: every day
    world.book(2, 2, "receive", 100, 1)
    for day in (3, 12, 19):
        world.book(2, 2, "issue", -9, day)  # BOLT at L2: now and then
    world.book(3, 1, "issue", -4, 18)  # NUT at L1: twice, young
    world.book(3, 1, "issue", -6, 20)
    stale_seen = 0
    for day in range(21, 70):
        world.go(day)  # nothing booked: only the window moves
        assert world.disagreements() == [], f"day {day}"
        stale_seen += world.unkept()
        if day % 3 == 0:
            world.conn.execute("SELECT * FROM evaluate_stock_alert_items()")  # the sweep refreshes
            assert world.unkept() == 0
            assert world.disagreements() == []
    assert stale_seen > 0  # the window did move out from under some rows between sweeps
    # long after: every issue has left the window, no figure anywhere
    assert world.kept(1, 1) is None and world.kept(2, 2) is None


def test_stock_cover_lists_what_the_view_says_lowest_cover_first_even_before_the_sweep(world: World,
                                                                                      db: Database) -> None:
    world.go(20)
    for product, location, each in ((1, 1, 30), (1, 2, 2), (2, 1, 11), (2, 2, 50), (3, 1, 1)):
        if location == 2:
            world.book(product, location, "receive", 500, 1)
        for day in range(1, 21, 2):
            world.book(product, location, "issue", -each, day)
    world.go(31)  # eleven days on: some rows' kept usage ran out of days, and no sweep ran

    def by_view() -> list[tuple]:
        rows = world.conn.execute("""
            SELECT sku, location_code, avg_daily_usage, days_of_cover FROM inventory_demand
             ORDER BY days_of_cover IS NULL, days_of_cover, product_id, location_id""").fetchall()
        covered = [r for r in rows if r[3] is not None]
        return covered + sorted(r for r in rows if r[3] is None)

    def by_service() -> list[tuple]:
        with db.session() as s:
            s.connection().exec_driver_sql(f"SELECT set_config('invtui.now', ({_at(31, 13)})::text, false)")
            return [(r.sku, r.location, r.avg_daily_usage, r.days_of_cover) for r in demand.cover(s)]

    assert world.unkept() > 0
    assert by_service() == by_view()
    world.conn.execute("SELECT * FROM evaluate_stock_alert_items()")
    assert world.unkept() == 0
    assert by_service() == by_view()
    assert by_view()[:2] == [("BOLT", "L2", Decimal("14.2857"), Decimal("0.0")),  # 400 in 28 days, none left
                             ("GEAR", "L1", Decimal("8.5714"), Decimal("81.7"))]  # 700 left, 240 in 28 days


def test_the_stock_list_in_cover_order_pages_through_every_row_as_the_view_orders_them(world: World,
                                                                                      db: Database) -> None:
    world.conn.execute("INSERT INTO products (sku, name, reorder_point) SELECT 'P' || g, 'Part ' || g, 5"
                       " FROM generate_series(1, 6) g;"
                       "INSERT INTO inventory (product_id, location_id) SELECT p.id, l.id FROM products p, locations l"
                       " WHERE p.sku LIKE 'P%'")
    for product in range(1, 10):
        for location in (1, 2):
            world.book(product, location, "receive", 100 * product + 7 * location, 40)
            for day in range(41 + product % 3, 60 if (product, location) not in ((9, 2), (8, 1)) else 0, 1 + location):
                world.book(product, location, "issue", -(product + location), day)
    world.conn.execute("RESET invtui.now")
    world.conn.execute("SELECT * FROM evaluate_stock_alert_items()")
    world.book(4, 1, "issue", -300, 60)  # one row's kept usage is renewed by the trigger; another not kept:
    world.conn.execute("UPDATE inventory SET usage_until = NULL WHERE product_id = 5 AND location_id = 2")
    rows = world.conn.execute("""SELECT sku, location_code, days_of_cover FROM inventory_demand
                                  ORDER BY days_of_cover IS NULL, days_of_cover, product_id, location_id""").fetchall()
    expected = [r for r in rows if r[2] is not None] + sorted(r for r in rows if r[2] is None)
    assert 6 < len([r for r in rows if r[2] is not None]) < len(rows)

    seen: list[tuple] = []
    with db.session() as s:
        page = stock_list.page_by_cover(s, limit=4)
        seen += [(r.sku, r.location, r.days_of_cover) for r in page.rows]
        while page.has_more:
            page = stock_list.page_by_cover(s, limit=4, after=page.cover_key)
            seen += [(r.sku, r.location, r.days_of_cover) for r in page.rows]
        last = stock_list.last_page_by_cover(s, limit=5)
        low = stock_list.page_by_cover(s, condition="low", limit=50)
    assert seen == expected
    assert [(r.sku, r.location, r.days_of_cover) for r in last.rows] == expected[-5:]
    assert all(r.condition == "LOW_STOCK" for r in low.rows)


def test_when_a_sweep_refreshes_fewer_rows_than_ran_out_each_days_alerts_and_figures_are_still_the_views(
        world: World, db: Database) -> None:
    """sql/0014: one row refreshed a sweep, several running out of days each day. The rows left
    waiting are judged by their bound: RUNS OUT SOON is raised and resolved on the view's day, a
    return leaving the window (usage rises) included, and the cover order is the view's."""
    world.conn.execute("""UPDATE demand_settings SET usage_refresh_rows = 1;
                          INSERT INTO products (sku, name, supplier_id, reorder_point)
                               SELECT 'P' || g, 'Part ' || g, 1, 5 FROM generate_series(1, 5) g;
                          INSERT INTO products (sku, name, supplier_id, reorder_point) VALUES ('RET', 'Returned', 1, 5);
                          INSERT INTO inventory (product_id, location_id) SELECT p.id, l.id FROM products p, locations l
                           WHERE p.sku LIKE 'P%' OR p.sku = 'RET'""")
    world.go(20)
    for product in range(1, 9):
        for location in (1, 2):
            step, each = 1 + (product + location) % 3, 2 + product % 4
            days = range(1 + product % 4, 21, step)
            if location == 2 or product > 3:  # a few days' stock left: RUNS OUT SOON until usage falls
                world.book(product, location, "receive", each * len(days) + 12 + 3 * product + location, 0)
            for day in days:
                world.book(product, location, "issue", -each, day)
    world.book(4, 1, "issue", 30, 2)  # returns booked as issues: when they leave the window, usage rises
    world.book(6, 2, "issue", 25, 3)
    world.book(7, 1, "receive", 40, 0)
    # RET at L1: 10 a day on days 5-20 and a return of 60 on day 3: 100 used in 28 days (3.57/day,
    # 66 left is 18 days of cover) until day 31, when the return leaves: 160 (5.71/day, 11.6 days)
    world.book(9, 1, "receive", 166, -30)
    world.book(9, 1, "issue", 60, 3)
    for day in range(5, 21):
        world.book(9, 1, "issue", -10, day)
    world.book(7, 1, "issue", -40, 4)  # a burst that soon leaves

    def by_view() -> list[tuple]:
        rows = world.conn.execute("""
            SELECT sku, location_code, avg_daily_usage, days_of_cover, stockout_date FROM inventory_demand
             ORDER BY days_of_cover IS NULL, days_of_cover, product_id, location_id""").fetchall()
        return [r for r in rows if r[3] is not None] + sorted(r for r in rows if r[3] is None)

    def alerts() -> tuple[dict, dict]:
        open_alerts = dict(((sku, loc), (kind, qty)) for sku, loc, kind, qty in world.conn.execute("""
            SELECT p.sku, l.code, a.alert_type, a.current_quantity FROM stock_alerts a
              JOIN products p ON p.id = a.product_id JOIN locations l ON l.id = a.location_id
             WHERE a.status IN ('ACTIVE', 'ACKNOWLEDGED')""").fetchall())
        said = dict(((sku, loc), (kind, qty)) for sku, loc, kind, qty in world.conn.execute("""
            SELECT sku, location_code, alert_condition, available_quantity FROM inventory_demand
             WHERE alert_condition <> 'OK'""").fetchall())
        return open_alerts, said

    waiting_seen, soon_days, kinds_seen = 0, set(), set()
    for day in range(21, 62):
        world.go(day)
        world.conn.execute("UPDATE demand_settings SET judged_at = NULL")  # every sweep looks
        world.conn.execute("SELECT * FROM evaluate_stock_alert_items()")
        waiting_seen += world.unkept()
        assert world.disagreements() == [], f"day {day}"
        open_alerts, said = alerts()
        assert open_alerts == said, f"day {day}"
        soon_days |= {day for kind, _ in open_alerts.values() if kind == "LOW_SOON"}
        if day in (30, 31):  # RET rises into RUNS OUT SOON while its kept usage waits for a refresh
            assert (open_alerts.get(("RET", "L1")), world.kept(9, 1)) == (
                (None, Decimal("3.5714")) if day == 30 else (("LOW_SOON", 66), Decimal("3.5714"))), f"day {day}"
        kinds_seen |= {kind for kind, _ in open_alerts.values()}
        expected = by_view()
        with db.session() as s:
            s.connection().exec_driver_sql(f"SELECT set_config('invtui.now', ({_at(day, 13)})::text, false)")
            for limit in (3, 7, 50):
                assert [(r.sku, r.location, r.avg_daily_usage, r.days_of_cover, r.stockout_date)
                        for r in demand.cover(s, limit=limit)] == expected[:limit], f"day {day}, limit {limit}"
            page = stock_list.page_by_cover(s, limit=4)
            seen = [(r.sku, r.location) for r in page.rows]
            while page.has_more:
                page = stock_list.page_by_cover(s, limit=4, after=page.cover_key)
                seen += [(r.sku, r.location) for r in page.rows]
        assert seen == [(r[0], r[1]) for r in expected], f"day {day}"
    assert waiting_seen > 20  # rows did wait for their refresh, day after day
    assert "LOW_SOON" in kinds_seen and 1 < len(soon_days) < 41  # RUNS OUT SOON came and went


def test_rows_kept_before_the_bound_existed_are_judged_from_the_ledger_and_get_it_from_the_sweeps(world: World) -> None:
    """Rows kept by version 12 have no usage_bound: once their days run out they are judged from
    the ledger (a rising usage is not missed), and sweeps with rows to spare give them their bound,
    the soonest to run out first."""
    world.go(20)
    world.book(1, 2, "receive", 166, -10)
    world.book(1, 2, "issue", 60, 3)  # a return of 60, out of the window on day 31
    for day in range(5, 21):
        world.book(1, 2, "issue", -10, day)  # GEAR at L2: 100 in 28 days, 160 once the return has left
    for product in (2, 3):
        for day in range(1, 21, 4):
            world.book(product, 1, "issue", -3, day)  # young items: good for today only
    world.conn.execute("SELECT * FROM evaluate_stock_alert_items()")
    world.conn.execute("UPDATE inventory SET usage_bound = NULL;"  # as version 12 left them
                       "UPDATE demand_settings SET usage_refresh_rows = 1")

    def unbounded() -> list[tuple]:
        return world.conn.execute("SELECT product_id, location_id FROM inventory"
                                  " WHERE usage_bound IS NULL AND avg_daily_usage IS NOT NULL ORDER BY 1, 2").fetchall()

    assert unbounded() == [(1, 2), (2, 1), (3, 1)]
    world.conn.execute("SELECT * FROM evaluate_stock_alert_items()")  # nothing ran out: one gets its bound
    assert len(unbounded()) == 2 and (1, 2) in unbounded()  # GEAR at L2 is good until day 30
    world.go(31)  # GEAR at L2: 66 left, 5.71/day now, 11.6 days of cover < 14; its kept 3.57/day ran out
    world.conn.execute("UPDATE demand_settings SET judged_at = NULL")
    world.conn.execute("SELECT * FROM evaluate_stock_alert_items()")
    assert (1, 2) in unbounded()  # not refreshed yet (a longer-expired row came first), but judged
    assert world.conn.execute("SELECT alert_type, current_quantity FROM stock_alerts WHERE product_id = 1"
                              " AND location_id = 2 AND status = 'ACTIVE'").fetchall() == [("LOW_SOON", 66)]
    for _ in range(3):  # one row a sweep
        world.conn.execute("SELECT * FROM evaluate_stock_alert_items()")
    assert unbounded() == [] and world.unkept() == 0 and world.disagreements() == []
    assert world.conn.execute("SELECT usage_bound FROM inventory WHERE product_id = 1 AND location_id = 2"
                              ).fetchone()[0] == round(Decimal(160) / 28, 4)  # type: ignore[index]
