"""The app, running headless with its listener and scheduler, lives through a database restart.

The server stops for 3 s: the status bar says the database is unreachable, an action attempted
meanwhile fails with one clear toast and writes nothing, and once the server is back the app
says so and reloads its screens by itself. No traceback, no exit.
"""

from __future__ import annotations

import time

from invtui.config import Settings
from invtui.ui.app import InvtuiApp
from tests.reliability.outage import PrivateServer, _ledger, prepare


async def wait_for(pilot, condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await pilot.pause(0.1)
    return bool(condition())


def toasts(app: InvtuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_app_shows_the_outage_refuses_actions_and_recovers_by_itself() -> None:
    server = PrivateServer()
    try:
        db = prepare(server)
        settings = Settings(database_url=db.url.render_as_string(hide_password=False), check_interval_seconds=1)
        app = InvtuiApp(settings=settings, db=db, username="operator", trusted=True)
        async with app.run_test(size=(120, 40)) as pilot:
            assert await wait_for(pilot, lambda: app.status.db_state == "connected", 10)
            ledger_before = _ledger(db)
            server.stop()
            assert await wait_for(pilot, lambda: app.status.db_state == "unreachable", 10)
            assert "retrying in" in app.status.db_detail
            await pilot.press("3")  # the inventory screen cannot load: one clear toast
            assert await wait_for(pilot, lambda: any(t.startswith("Database unreachable") for t in toasts(app)), 15)
            server.start()
            assert await wait_for(pilot, lambda: app.status.db_state == "connected", 40)
            assert await wait_for(pilot, lambda: any("connection is back" in t for t in toasts(app)), 10)
            assert app.is_running and app._exception is None
            assert _ledger(db) == ledger_before
        db.dispose()
    finally:
        server.destroy()
