"""The dashboard: tiles, charts, and the bar details chosen with the arrow keys."""

from __future__ import annotations

import re

import psycopg
import pytest
from textual.widgets import Static

from invtui.db.engine import Database
from invtui.services import dashboard, notifications, seed
from invtui.ui.screens.alerts import AlertsScreen
from invtui.ui.widgets.bar_chart import bar_cells
from invtui.ui.widgets.kpi_tile import KpiTile, compact

from .test_live import wait_until
from .world import LOW_FIRST_FIVE


def detail(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#bar-detail", Static).render())


async def test_tiles_show_the_warehouse_in_numbers(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_until(pilot, lambda: app.screen.query_one("#kpi-skus", KpiTile).value == "7")
        assert app.screen.query_one("#kpi-alerts", KpiTile).value == "7 low\n2 out"
        assert app.screen.query_one("#kpi-pos", KpiTile).value == "2"
        assert app.screen.query_one("#kpi-unread", KpiTile).value == "8"
        assert await wait_until(pilot, lambda: app.screen.query_one("#kpi-runout", KpiTile).value == "0 soon")


async def test_the_run_out_tile_counts_items_running_out_within_their_lead_time(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(warehouse.conninfo) as conn:  # an open RUNS OUT SOON alert, as the engine raises it
        conn.execute("""INSERT INTO stock_alerts (product_id, location_id, alert_type, current_quantity, threshold_quantity)
                        SELECT i.product_id, i.location_id, 'LOW_SOON', i.available_quantity, 0 FROM inventory i
                         WHERE NOT EXISTS (SELECT 1 FROM stock_alerts a WHERE a.product_id = i.product_id
                                             AND a.location_id = i.location_id AND a.status IN ('ACTIVE', 'ACKNOWLEDGED'))
                         LIMIT 1""")
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_until(pilot, lambda: app.screen.query_one("#kpi-skus", KpiTile).value == "7")
        tile = app.screen.query_one("#kpi-runout", KpiTile)
        assert await wait_until(pilot, lambda: tile.value == "1 soon")
        assert tile.alarm and "Run out" in str(tile.render())


async def test_right_arrow_selects_low_and_shows_the_first_five_and_how_many_more(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_until(pilot, lambda: "In stock" in detail(app))
        assert "3 of 12 stock rows (25.0%)" in detail(app)
        await pilot.press("right")
        assert await wait_until(pilot, lambda: detail(app).startswith("Low"))
        text = detail(app)
        assert "7 of 12 stock rows (58.3%)" in text
        shown = [line.removeprefix("• ") for line in text.splitlines() if line.startswith("• ")]
        assert shown == LOW_FIRST_FIVE
        assert "+2 more" in text


async def test_tab_moves_to_the_po_chart(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_until(pilot, lambda: "In stock" in detail(app))
        await pilot.press("tab", "right", "right")
        assert await wait_until(pilot, lambda: detail(app).startswith("Approved"))
        assert "1 of 2 purchase orders (50.0%)" in detail(app) and "PO-000001 Acme - approved" in detail(app)


async def test_enter_on_out_opens_the_out_of_stock_alerts(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_until(pilot, lambda: "In stock" in detail(app))
        await pilot.press("left", "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, AlertsScreen) and len(app.screen.rows) == 2)
        assert {r.alert_type for r in app.screen.rows} == {"OUT_OF_STOCK"}


# -- every figure against SQL, on the demo's seeded warehouse, at every supported size ----------

def screen_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    """What the terminal shows, one string per line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def chart_rows(app, chart_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The chart's bar rows as the terminal shows them (the title line left out)."""
    region = app.screen.query_one(f"#{chart_id}").region
    lines = screen_lines(app)
    return [lines[y][region.x:region.right] for y in range(region.y + 1, region.bottom) if y < len(lines)]


def parse_compact(value: str) -> float:
    """ "709k" -> 709000.0; "1,234" -> 1234.0 (what an operator reads off a tile)."""
    scale = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
    value = value.replace(",", "")
    return float(value[:-1]) * scale[value[-1]] if value[-1] in scale else float(value)


def read_bars(rows: list[str]) -> dict[str, tuple[int, int]]:
    """label -> (count, cells of bar) from rows like "▸ Low        434 ███"."""
    bars = {}
    for row in rows:
        match = re.match(r"^[ ▸]*([A-Za-z ]+?)\s+([\d,]+) (█*)\s*$", row)
        if match:
            bars[match[1].strip()] = (int(match[2].replace(",", "")), len(match[3]))
    return bars


def assert_proportional(bars: dict[str, tuple[int, int]]) -> None:
    largest_count, largest_cells = max(bars.values())
    for label, (count, cells) in bars.items():
        exact = count * largest_cells / largest_count
        assert abs(cells - exact) <= 0.5 or (count and cells == 1), (label, count, cells, exact)
        assert (cells > 0) == (count > 0), (label, count, cells)


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (120, 40)])
async def test_every_tile_and_bar_matches_sql_on_seeded_data(make_app, db: Database, size) -> None:  # type: ignore[no-untyped-def]
    seed.seed(db, products=500, locations=20)
    with db.connect() as conn:
        skus, units, value, low, out, open_pos = conn.execute(
            "SELECT (SELECT count(*) FROM products WHERE is_active), (SELECT sum(quantity) FROM inventory),"
            " (SELECT sum(i.quantity * coalesce(i.unit_cost, p.cost_price)) FROM inventory i JOIN products p ON p.id = i.product_id),"
            " (SELECT count(*) FROM stock_alerts WHERE status IN ('ACTIVE','ACKNOWLEDGED') AND alert_type = 'LOW_STOCK'),"
            " (SELECT count(*) FROM stock_alerts WHERE status IN ('ACTIVE','ACKNOWLEDGED') AND alert_type = 'OUT_OF_STOCK'),"
            " (SELECT count(*) FROM purchase_orders WHERE status IN ('draft','submitted','approved','partially_received'))"
        ).fetchone()
        stock = dict(conn.execute("SELECT condition, count(*) FROM inventory_status GROUP BY condition").fetchall())
        pos = dict(conn.execute("SELECT status, count(*) FROM purchase_orders GROUP BY status").fetchall())
    assert units >= 100_000  # the range where "k" was a hundred times too small
    app = make_app("operator", live=False)
    async with app.run_test(size=size) as pilot:
        assert await wait_until(pilot, lambda: "In stock" in detail(app))
        await pilot.pause(0.2)
        tile = {name: app.screen.query_one(f"#kpi-{name}", KpiTile).value
                for name in ("skus", "units", "value", "alerts", "unread", "pos")}
        assert parse_compact(tile["skus"]) == skus
        assert abs(parse_compact(tile["units"]) - units) <= units * 0.005, tile["units"]
        assert abs(parse_compact(tile["value"]) - float(value)) <= float(value) * 0.005, tile["value"]
        assert tile["alerts"] == f"{low} low\n{out} out"
        assert parse_compact(tile["pos"]) == open_pos
        with db.session() as session:
            unread = notifications.unread_count(session, app.actor)
        assert parse_compact(tile["unread"]) == unread

        shown_stock = read_bars(chart_rows(app, "stock-chart"))
        assert shown_stock == {label: (stock.get(key, 0), shown_stock[label][1])
                               for key, label in dashboard.STOCK_BARS}
        assert_proportional(shown_stock)
        shown_pos = read_bars(chart_rows(app, "po-chart"))
        assert shown_pos == {label: (pos.get(key, 0), shown_pos[label][1]) for key, label in dashboard.PO_BARS}
        assert_proportional(shown_pos)
        assert "Out" in shown_stock and shown_stock["Out"][1] >= 1  # a non-zero bar is never 0 cells

        # Selecting a bar marks it without making it longer than an equal one.
        await pilot.press("left")  # wraps to "Out"
        assert await wait_until(pilot, lambda: detail(app).startswith("Out"))
        assert read_bars(chart_rows(app, "stock-chart")) == shown_stock
        assert "▸ Out" in "\n".join(chart_rows(app, "stock-chart"))
        assert "←/→" not in detail(app)


def test_tiles_write_large_numbers_in_thousands_not_hundred_thousands() -> None:
    assert compact(708_645) == "709k"
    assert compact(99_999) == "99,999"
    assert compact(999_999) == "1M"
    assert compact(71_485_794) == "71.5M"


def test_bar_lengths_are_proportional_and_never_zero_for_a_count() -> None:
    assert bar_cells(9463, 9463, 40) == 40
    assert bar_cells(434, 9463, 40) == 2
    assert bar_cells(3, 9463, 40) == 1
    assert bar_cells(0, 9463, 40) == 0


async def test_the_count_line_shows_counts_due_and_last_week_s_accuracy(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from invtui.services import counts, users

    with warehouse.session() as s:
        operator = users.actor_for(s, "operator")
        ref = counts.start(s, operator, "WH1-A-02").reference
        for sku, counted in (("BOLT-M6", 50), ("GLOVE-L", 98), ("WASH-10", 1)):  # gloves: 2 short at 1.50
            counts.set_quantity(s, operator, ref, sku, counted)
        counts.post(s, operator, ref, reason="lost")
    with warehouse.connect() as conn:
        due, lines, right = conn.execute(
            "SELECT (SELECT count(*) FROM locations WHERE is_active AND last_counted_at IS NULL), count(*),"
            " count(*) FILTER (WHERE posted_difference = 0 AND recounts = 0) FROM count_lines").fetchone()
    assert (due, lines, right) == (2, 3, 2)
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        def shown() -> str:
            return "".join(str(line.render()) for line in app.screen.query("#count-summary"))

        assert await wait_until(pilot, lambda: "due" in shown())
        assert shown() == "Counts  2 due · 7 days: 67% right first time (2 of 3 lines) · differences 3.00"
