"""The dashboard: tiles, charts, and the bar details chosen with the arrow keys."""

from __future__ import annotations

from textual.widgets import Static

from invtui.db.engine import Database
from invtui.ui.screens.alerts import AlertsScreen
from invtui.ui.widgets.kpi_tile import KpiTile

from .test_live import wait_until
from .world import LOW_FIRST_FIVE


def detail(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#bar-detail", Static).render())


async def test_tiles_show_the_warehouse_in_numbers(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_until(pilot, lambda: app.screen.query_one("#kpi-skus", KpiTile).value == "7")
        assert app.screen.query_one("#kpi-alerts", KpiTile).value == "7 low 2 out"
        assert app.screen.query_one("#kpi-pos", KpiTile).value == "2"
        assert app.screen.query_one("#kpi-unread", KpiTile).value == "8"


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
