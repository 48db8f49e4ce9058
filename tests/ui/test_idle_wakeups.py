"""An idle signed-in app does not wake up (issue 15: < 0.2 % CPU for each of a hundred operators).

Every timer tick is the event loop waking, which an idle app pays for in CPU and which stops
the machine's cores from sleeping. Lists, the dashboard, the badges and the idle lock used to
poll every second, each on its own (and the sign-in field blinked unseen): ~6 wakeups a second.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.timer import Timer

from invtui.db.engine import Database
from invtui.ui.ahead import made_ahead

from .test_live import wait_until
from .test_snapshots import settle


async def test_an_idle_signed_in_app_runs_no_timer(make_app, warehouse: Database,  # type: ignore[no-untyped-def]
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ticks: list[str] = []
    tick = Timer._tick

    async def counted(self: Timer, *, next_timer: float, count: int) -> None:
        ticks.append(self.name)
        await tick(self, next_timer=next_timer, count=count)

    app = make_app("operator")  # live: listener, relay and in-app sweep scheduler running
    async with app.run_test() as pilot:
        assert await wait_until(pilot, lambda: made_ahead(app, "inventory") is not None and app.live_since)
        await settle(pilot)
        await pilot.pause(1.5)  # the last loads' follow-ups
        monkeypatch.setattr(Timer, "_tick", counted)
        await asyncio.sleep(3.0)
        assert ticks == []
