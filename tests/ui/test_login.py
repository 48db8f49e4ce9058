"""Signing in, as an operator does it at the terminal."""

from __future__ import annotations

from textual.widgets import Input, Static

from conftest import PASSWORDS  # tests/conftest.py
from invtui.domain.roles import Role

from .test_live import idle


async def sign_in(pilot, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.click("#login-user")
    for part in (name, password):
        await pilot.press(*part, "enter")
    await idle(pilot.app)
    await pilot.pause()


async def test_operator_signs_in_and_lands_on_the_dashboard(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test() as pilot:
        await sign_in(pilot, "operator", PASSWORDS[Role.OPERATOR])
        assert app.actor is not None and app.actor.username == "operator"
        assert app.current_mode == "dashboard"
        assert app.status.user == "operator" and app.status.role == "operator"


async def test_wrong_password_is_refused_with_the_attempts_left(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test() as pilot:
        await sign_in(pilot, "operator", "not-my-password")
        assert app.actor is None and app.current_mode == "login"
        message = str(app.screen.query_one("#login-message", Static).render())
        assert "Wrong user name or password (4 attempts left)" in message
        assert app.screen.query_one("#login-password", Input).value == ""


async def test_fifth_failure_says_the_account_is_locked(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test() as pilot:
        await sign_in(pilot, "operator", "wrong-1")
        for attempt in range(2, 6):
            await pilot.press(*f"wrong-{attempt}", "enter")
            await idle(app)
            await pilot.pause()
        message = str(app.screen.query_one("#login-message", Static).render())
        assert "locked for 15 minutes after 5 failed logins" in message
        await pilot.press(*PASSWORDS[Role.OPERATOR], "enter")
        await idle(app)
        await pilot.pause()
        assert app.actor is None
        assert "is locked until" in str(app.screen.query_one("#login-message", Static).render())


async def test_screen_keys_do_nothing_before_sign_in(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test() as pilot:
        app.set_focus(None)
        await pilot.press("2", "6", "question_mark")
        await pilot.pause()
        assert app.current_mode == "login" and len(app.screen_stack) == 1


async def test_trusted_user_is_signed_in_without_a_password(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager")
    async with app.run_test() as pilot:
        await idle(app)
        await pilot.pause()
        assert app.actor is not None and app.actor.username == "manager"
        assert app.current_mode == "dashboard"


async def test_number_keys_switch_screens_and_help_lists_the_keys(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test() as pilot:
        await idle(app)
        await pilot.pause()
        await pilot.press("2")
        assert app.current_mode == "alerts"
        await pilot.press("6")
        assert app.current_mode == "notifications"
        await pilot.press("1")
        assert app.current_mode == "dashboard"
        await pilot.press("question_mark")
        await pilot.pause()
        from invtui.ui.screens.help import HelpScreen
        from textual.widgets import DataTable

        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("2", "Alerts") in rows and ("q", "Quit") in rows
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
