"""The idle lock: a shared terminal left alone covers itself; the password brings the operator back."""

from __future__ import annotations

from textual.widgets import Static

from conftest import PASSWORDS  # tests/conftest.py
from invtui.db.engine import Database
from invtui.domain.roles import Role
from invtui.ui.screens.alerts import AlertsScreen
from invtui.ui.screens.lock import LockScreen

from .test_live import wait_until
from .test_snapshots import settle


async def test_idle_terminal_locks_and_unlocks_back_where_the_operator_was(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        app.idle_lock_seconds = 1
        assert await wait_until(pilot, lambda: isinstance(app.screen, LockScreen), 4.0)
        await pilot.press("1")  # screen keys do nothing behind the lock
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*"wrong-password", "enter")
        assert await wait_until(pilot, lambda: "✖ Wrong password" ==
                                str(app.screen.query_one("#login-message", Static).render()))
        await pilot.press(*PASSWORDS[Role.OPERATOR], "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, AlertsScreen))
        assert not app.locked


async def test_keys_keep_the_terminal_unlocked(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.idle_lock_seconds = 2
        for _ in range(6):
            await pilot.press("right")
            await pilot.pause(0.5)
        assert not isinstance(app.screen, LockScreen)


async def test_zero_turns_the_lock_off(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False, idle_lock_minutes=0)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.last_key_at -= 3600
        await pilot.pause(1.5)
        assert not isinstance(app.screen, LockScreen)


async def test_the_lock_screen_shows_one_status_bar_and_only_its_own_keys(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.idle_lock_seconds = 1
        assert await wait_until(pilot, lambda: isinstance(app.screen, LockScreen), 4.0)
        await settle(pilot)
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        assert sum("operator·operator" in line for line in lines) == 1, lines  # one status bar
        footer = lines[-1]
        assert "Unlock" in footer
        for other in ("Quit", "Help", "Dash", "Open list", "palette"):
            assert other not in footer, footer
