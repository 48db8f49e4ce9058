"""An idle signed-in app carries no ORM (issue 15: < 80 MB RSS for each of a hundred operators).

SQLModel, pydantic, SQLAlchemy's ORM and the table models were ~19 MB of an idle app's ~90 MB.
The dashboard, the alerts list, the status bar, live events and the in-app sweep run raw SQL on
SQLAlchemy core, so a real app that signs in, shows both screens with their data and sweeps
once must not have imported any of them. A fresh interpreter: the test process has them all.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import PASSWORDS  # tests/conftest.py

from invtui.db.engine import Database
from invtui.domain.roles import Role

ORM = ("sqlmodel", "pydantic", "sqlalchemy.orm", "invtui.db.models")

CHILD = r"""
import asyncio, json, sys, time
from invtui.config import Settings
from invtui.db.engine import Database
from invtui.ui.app import InvtuiApp
from invtui.ui.screens.alerts import AlertsScreen
from invtui.ui.widgets.kpi_tile import KpiTile

ORM = sys.argv[2].split(",")


async def until(pilot, condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        await pilot.pause(0.05)
    raise SystemExit(f"timed out waiting for {condition.__doc__ or condition}")


async def main():
    settings = Settings(database_url=sys.argv[1], check_interval_seconds=1)
    password = sys.argv[3]
    app = InvtuiApp(settings=settings, db=Database.from_settings(settings), username="operator",
                    trusted=not password)
    seen = {}
    async with app.run_test(size=(120, 40)) as pilot:
        if password:  # typed at the login screen, after one wrong try
            for attempt in ("not-my-password", password):
                await pilot.click("#login-user")
                await pilot.press(*"operator", "enter", *attempt, "enter")
                await pilot.pause(0.5)
                if attempt != password:
                    await until(pilot, lambda: "Wrong" in str(app.screen.query_one("#login-message").render()))
                    app.screen.query_one("#login-user").value = ""
        await until(pilot, lambda: app.screen.query_one("#kpi-skus", KpiTile).value == "7")
        await until(pilot, lambda: app.status.open_alerts == 9)
        seen["dashboard"] = [m for m in ORM if m in sys.modules]
        await pilot.press("2")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen) and len(app.screen.rows) == 9)
        seen["alerts"] = [m for m in ORM if m in sys.modules]
        await until(pilot, lambda: app.status.last_sweep != "\u2014")  # the app's own scheduled sweep ran
        await pilot.pause(0.5)
        seen["after a sweep"] = [m for m in ORM if m in sys.modules]
    print(json.dumps(seen))


asyncio.run(main())
"""


@pytest.mark.parametrize("password", [None, PASSWORDS[Role.OPERATOR]], ids=["trusted", "by password"])
def test_an_app_idle_on_the_dashboard_and_the_alerts_list_loads_no_orm(warehouse: Database,
                                                                        password: str | None) -> None:
    url = warehouse.url.render_as_string(hide_password=False)
    proc = subprocess.run([sys.executable, "-c", CHILD, url, ",".join(ORM), password or ""], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen == {"dashboard": [], "alerts": [], "after a sweep": []}
