"""Signing in, as an operator does it at the terminal."""

from __future__ import annotations

import re

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


async def test_wrong_password_and_unknown_user_get_the_same_sentence(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test() as pilot:
        await sign_in(pilot, "operator", "not-my-password")
        assert app.actor is None and app.current_mode == "login"
        message = str(app.screen.query_one("#login-message", Static).render())
        assert message == "✖ Wrong user name or password"
        assert app.screen.query_one("#login-password", Input).value == ""
        app.screen.query_one("#login-user", Input).value = ""
        await sign_in(pilot, "nobody", "not-my-password")
        assert str(app.screen.query_one("#login-message", Static).render()) == message


async def test_in_a_browser_tab_guesses_slow_the_address_and_never_lock_the_operator(db) -> None:  # type: ignore[no-untyped-def]
    """The tab `invtui serve` starts for a browser at 203.0.113.7: six wrong passwords, no lockout."""
    from invtui.config import Settings
    from invtui.ui.app import InvtuiApp

    settings = Settings(database_url=db.url.render_as_string(hide_password=False))
    app = InvtuiApp(settings=settings, db=db, client_address="203.0.113.7")
    async with app.run_test() as pilot:
        await sign_in(pilot, "operator", "wrong-1")
        message = app.screen.query_one("#login-message", Static)
        assert str(message.render()) == "✖ Wrong user name or password; try again in 1 s"
        for attempt in range(2, 7):
            with db.connect() as conn:  # the wait is over (as if the operator waited)
                conn.execute("UPDATE login_throttle SET blocked_until = now() - interval '1 second'")
                conn.commit()
            await pilot.press(*f"wrong-{attempt}", "enter")
            await idle(app)
            await pilot.pause()
        assert str(message.render()) == "✖ Wrong user name or password; try again in 32 s"
        await pilot.press(*PASSWORDS[Role.OPERATOR], "enter")  # too soon, even with the password
        await idle(app)
        await pilot.pause()
        waiting = re.fullmatch(r"✖ Too many failed sign-ins from this address; try again in (\d+) s",
                               str(message.render()))
        assert waiting is not None and 20 <= int(waiting[1]) <= 32  # the 32 s, less the time typing took
        assert app.actor is None
    # Six guesses would have locked the account at a terminal; the operator signs in there at once.
    terminal = InvtuiApp(settings=settings, db=db)
    async with terminal.run_test() as pilot:
        await sign_in(pilot, "operator", PASSWORDS[Role.OPERATOR])
        assert terminal.actor is not None and terminal.actor.username == "operator"


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
        assert ("2", "Alerts") in rows and ("^q q", "Quit") in rows
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
