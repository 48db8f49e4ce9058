"""The one list widget, as an operator meets it on every list: pages, reloads, empty lists."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.widgets import DataTable

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import alerts as alerts_service
from invtui.services import inventory, notifications
from invtui.ui.screens import alerts as alerts_screen
from invtui.ui.screens import notifications as notifications_screen
from invtui.ui.screens import purchase_orders as po_screen

from .test_live import signed_in, toasts, wait_until
from .test_snapshots import settle


# The notifications a user sees: aimed at them, at their role, or at everyone.
VISIBLE = ("SELECT count(*) FROM notifications WHERE target_user_id = %s OR target_role = %s"
           " OR (target_user_id IS NULL AND target_role IS NULL)")


def count(db: Database, sql: str, *params: object) -> int:
    with db.connect() as conn:
        return int(conn.execute(sql, params).fetchone()[0])


def empty_line(app: Any, table_id: str) -> str:
    """The first line under the header, as drawn."""
    return app.screen.query_one(table_id, DataTable).render_line(1).text.strip()


async def open_list(app: Any, pilot: Any, key: str, table_id: str, shown: int) -> tuple[Any, DataTable[Any]]:
    """Press the screen's key; the screen and its table once `shown` rows are there."""
    await pilot.press(key)
    screen = app.screen
    assert await wait_until(pilot, lambda: len(screen.rows) == shown)
    return screen, screen.query_one(table_id, DataTable)


async def page_to_the_end(pilot: Any, table: DataTable[Any], rows: Any, expected: int) -> None:
    """Walk down the list as an operator does; reaching the last row asks for the next page."""
    for _ in range(20 * expected):
        await pilot.press("down")
        await pilot.pause(0.01)
        if len(rows()) >= expected and table.cursor_row == len(rows()) - 1:
            await pilot.pause(0.1)  # a page too many would show up now
            return


async def test_a_next_page_still_loading_when_the_list_reloads_is_dropped_not_duplicated(
        make_app, warehouse: Database, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # Next pages wait at a gate (the real query, run late), so a reload overtakes them for sure.
    gate = threading.Event()
    real = alerts_service.list_alerts

    def late_next_pages(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("after") is not None:
            gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(alerts_service, "list_alerts", late_next_pages)
    monkeypatch.setattr(alerts_screen, "PAGE", 3)
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(app, pilot)
        screen, table = await open_list(app, pilot, "2", "#alerts-table", 3)
        await pilot.press("down", "down")  # the last row: the next page is asked for, and held
        gone, before = screen.rows[2], [r.id for r in screen.rows]
        await pilot.press("d")  # dismissing it reloads the list while that page is on its way
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: gone.id not in [r.id for r in screen.rows] and len(screen.rows) == 3)
        # The row after the dismissed one took its place, under the cursor.
        assert [r.id for r in screen.rows][:2] == before[:2] and table.cursor_row == 2
        gate.set()  # the held page (rows 4-6 of the old list, row 4 shown already) arrives now
        open_alerts = count(warehouse, "SELECT count(*) FROM stock_alerts WHERE status IN ('ACTIVE', 'ACKNOWLEDGED')")
        await page_to_the_end(pilot, table, lambda: screen.rows, open_alerts)
        ids = [r.id for r in screen.rows]
        assert not [t for t in toasts(app) if "Unexpected error" in t], toasts(app)
        assert len(ids) == len(set(ids)) == open_alerts == 8 and gone.id not in ids


async def test_the_cursor_stays_on_its_row_when_a_live_change_reloads_the_list(
        make_app, warehouse: Database, manager: Actor, operator: Actor) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(app, pilot)
        screen, table = await open_list(app, pilot, "3", "#inventory-table", 12)
        table.move_cursor(row=6)
        await pilot.pause()
        assert (screen.rows[6].sku, screen.rows[6].location) == ("NUT-M6", "WH1-A-01")
        with warehouse.session() as session:  # someone stocks a new bin that sorts above the cursor
            inventory.receive(session, manager, "BOLT-M6", "WH1-B-01", 5)
            session.commit()
        assert await wait_until(pilot, lambda: len(screen.rows) == 13, 3.0)
        assert table.cursor_row == 7 and (screen.rows[7].sku, screen.rows[7].location) == ("NUT-M6", "WH1-A-01")

        screen, table = await open_list(app, pilot, "6", "#notifications-table",
                                        count(warehouse, VISIBLE, operator.id, "operator"))
        table.move_cursor(row=1)
        await pilot.pause()
        watched, shown = screen.rows[1].id, len(screen.rows)
        with warehouse.session() as session:  # a new unread notification goes on top
            notifications.notify(session, kind="po.approved", title="Your PO-000009 was approved by sam",
                                 target_user_id=operator.id)
            session.commit()
        assert await wait_until(pilot, lambda: len(screen.rows) == shown + 1, 3.0)
        assert table.cursor_row == 2 and screen.rows[2].id == watched


async def test_every_empty_list_says_what_it_has_none_of(make_app, db: Database) -> None:  # type: ignore[no-untyped-def]
    steps = [  # keys pressed, the list, what its first line says
        (("2",), "#alerts-table", "No open alerts"),
        (("f",), "#alerts-table", "No acknowledged alerts"),
        (("3",), "#inventory-table", "No stock rows"),
        (("f",), "#inventory-table", "No low stock rows"),
        (("4",), "#po-table", "No purchase orders yet"),
        (("f",), "#po-table", "No draft purchase orders"),
        (("6",), "#notifications-table", "No notifications"),
        (("5",), "#catalog-products-table", "No products yet"),
        (("slash", "z", "z"), "#catalog-products-table", "No products match 'zz'"),
        (("escape", "l"), "#catalog-locations-table", "No locations yet"),
    ]
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = []
        for keys, table_id, said in steps:
            await pilot.press(*keys)
            await wait_until(pilot, lambda: empty_line(app, table_id) == said, 2.0)
            shown.append(empty_line(app, table_id))
        assert shown == [said for _, _, said in steps]


async def test_paging_to_the_end_shows_every_notification_and_po_once(
        make_app, warehouse: Database, operator: Actor, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(notifications_screen, "PAGE", 2)
    monkeypatch.setattr(po_screen, "PAGE", 1)
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, table_id, sql, params in (
            ("6", "#notifications-table", VISIBLE, (operator.id, "operator")),
            ("4", "#po-table", "SELECT count(*) FROM purchase_orders", ()),
        ):
            await pilot.press(key)
            screen = app.screen
            table = screen.query_one(table_id, DataTable)
            expected = count(warehouse, sql, *params)
            assert expected > screen.table().page_size  # more than one page
            await page_to_the_end(pilot, table, lambda: screen.rows, expected)
            keys = [getattr(row, "id", None) or row.number for row in screen.rows]
            assert len(keys) == len(set(keys)) == expected
