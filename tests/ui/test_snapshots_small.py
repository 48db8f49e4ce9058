"""Small terminals: every main screen at 60x20, and at 40x16 (a handheld scanner's SSH terminal)
the scan screen and the alerts list, with an operator scanning and acknowledging there, and the
status bar's counts checked against the database at 60 and 40 columns.

Review changes with `uv run pytest tests/ui/test_snapshots_small.py --snapshot-report` and accept
them with `--snapshot-update` only after looking at them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import DataTable

from invtui.db.engine import Database
from invtui.services import notifications
from invtui.ui.widgets.status_bar import StatusBar

from .test_alerts_screen import statuses
from .test_inventory_screen import level
from .test_live import wait_until
from .test_snapshots import settle

Check = Callable[[Any], bool]


def rows(table_id: str, count: int) -> Check:
    return lambda app: app.screen.query_one(f"#{table_id}", DataTable).row_count == count


def _detail(app: Any) -> bool:
    return "In stock" in str(app.screen.query_one("#bar-detail").render())


def _audit(app: Any) -> None:
    app.action_audit()


SCAN = ("3", "s", *"WH1-A-01", "enter", *"BOLT-M6", "enter", *"NUT-M6", "enter", *"3", "enter")
# name: (keys or calls, in order; what shows once it is ready)
SCREENS: dict[str, tuple[tuple[Any, ...], Check]] = {
    "dashboard": ((), _detail),
    "alerts": (("2",), rows("alerts-table", 9)),
    "stock": (("3",), rows("inventory-table", 12)),
    "purchase_orders": (("4",), rows("po-table", 2)),
    "catalog": (("5",), rows("catalog-products-table", 7)),
    "notifications": (("6",), rows("notifications-table", 10)),
    "audit": ((_audit,), lambda app: app.screen.query_one("#audit-table", DataTable).row_count > 0),
    "scan": (SCAN, rows("scan-lines", 2)),
    "help": (("2", "question_mark"), lambda app: bool(app.screen.query("#help-table"))),
    "receive_form": (("3", "r"), lambda app: bool(app.screen.query("#stock-form"))),
    "alert_note": (("2", "a"), lambda app: bool(app.screen.query("#note-box"))),
}


def _shot(snap_compare, make_app, name: str, size: tuple[int, int]) -> bool:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False, fixed_clock=True)
    steps, ready = SCREENS[name]

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for step in steps:
            if callable(step):
                step(pilot.app)
            else:
                await pilot.press(step)
            if step in ("2", "3", "4", "5", "6", "enter", "s"):
                await settle(pilot)
        assert await wait_until(pilot, lambda: ready(pilot.app))
        await settle(pilot)

    return snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_screen_at_60x20(snap_compare, make_app, warehouse: Database, name: str) -> None:  # type: ignore[no-untyped-def]
    assert _shot(snap_compare, make_app, name, (60, 20))


@pytest.mark.parametrize("name", ["scan", "alerts"])
def test_handheld_scanner_at_40x16(snap_compare, make_app, warehouse: Database, name: str) -> None:  # type: ignore[no-untyped-def]
    assert _shot(snap_compare, make_app, name, (40, 16))


def screen_text(app: Any) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def status_line(app: Any) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def test_at_40x16_an_operator_scans_an_item_in_and_acknowledges_an_alert(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    before = level(warehouse, "BOLT-M6", "WH1-A-01")[0]
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press("3", "s")
        await settle(pilot)
        for code in ("WH1-A-01", "BOLT-M6", "BOLT-M6"):
            await pilot.press(*code, "enter")
            await settle(pilot)
        line = next(text for text in screen_text(app) if "BOLT-M6" in text and "now" not in text)
        assert line.rstrip().endswith("2") and len(line) <= 40, line  # SKU, name and quantity on one 40-cell line
        assert any("F2 mode" in text and "commit" in text for text in screen_text(app))  # the short hint, whole
        await pilot.press("enter")  # an empty line commits the batch
        assert await wait_until(pilot, lambda: level(warehouse, "BOLT-M6", "WH1-A-01")[0] == before + 2)

        await pilot.press("escape", "2")
        screen = app.screen
        assert await wait_until(pilot, lambda: len(getattr(screen, "rows", [])) == 9)
        await settle(pilot)
        first = screen.rows[0]
        row = next(text for text in screen_text(app) if first.sku in text)
        assert first.location in row and "OUT" in row  # severity, SKU and location fit 40 columns
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: statuses(warehouse)[f"{first.sku}@{first.location}"] == "ACKNOWLEDGED")


async def test_the_status_bar_shows_the_database_counts_at_60_and_40_columns(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    with warehouse.connect() as conn:
        open_alerts, out, acked = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE alert_type = 'OUT_OF_STOCK'),"
            " count(*) FILTER (WHERE status = 'ACKNOWLEDGED')"
            " FROM stock_alerts WHERE status IN ('ACTIVE', 'ACKNOWLEDGED')").fetchone()
    app = make_app("operator", live=False, fixed_clock=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        with warehouse.session() as session:
            unread = notifications.unread_count(session, app.actor)
        assert open_alerts and out and unread  # the world has something to count
        assert await wait_until(pilot, lambda: app.status.open_alerts == open_alerts)
        await pilot.press("2")
        await settle(pilot)
        wide = status_line(app)
        assert f"▲ {open_alerts} alerts ({out} out): {open_alerts - acked} active · {acked} acknowledged" in wide
        assert f"✉ {unread} unread" in wide and "sweep" in wide and "+0/" not in wide

        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        sixty = screen_text(app)[-2]  # above the footer: the status bar is never pushed off
        assert "DB ok" in sixty and f"▲ {open_alerts} alerts ({out} out)" in sixty and f"✉ {unread} unread" in sixty

        await pilot.resize_terminal(40, 16)
        await settle(pilot)
        forty = screen_text(app)[-2]
        assert "DB ok" in forty and f"▲{open_alerts} ({out} out)" in forty and f"✉{unread}" in forty, forty
        assert forty.strip() and len(forty.rstrip()) <= 40
        table = app.screen.query_one("#alerts-table", DataTable)  # the list switched to its compact columns
        assert [column.key.value for column in table.ordered_columns] == ["mark", "type", "sku", "location", "qty"]
        assert await wait_until(pilot, lambda: table.row_count == open_alerts)
        assert " 1 " in screen_text(app)[0] and "2 Alerts" in screen_text(app)[0]  # the nav bar, condensed
