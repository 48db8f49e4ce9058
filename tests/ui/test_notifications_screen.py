"""The notifications screen, key by key."""

from __future__ import annotations

from invtui.db.engine import Database
from invtui.ui.screens.notifications import NotificationsScreen

from .test_live import wait_until
from .test_snapshots import settle


async def test_enter_marks_the_notification_under_the_cursor_read(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        screen = app.screen
        assert isinstance(screen, NotificationsScreen)
        assert await wait_until(pilot, lambda: bool(screen.rows) and not screen.rows[0].is_read)
        first = screen.rows[0].id
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: any(r.id == first and r.is_read for r in screen.rows))
