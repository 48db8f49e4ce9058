"""An admin disables a signed-in operator or changes their role: their open app follows within 5 s."""

from __future__ import annotations

from invtui.db.engine import Database
from invtui.domain.roles import Actor, Role
from invtui.services import users

from .test_live import listening, toasts, wait_until


async def test_a_disabled_users_open_app_ends_with_one_line(make_app, db: Database, admin: Actor, capsys) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test() as pilot:
        await listening(app, pilot)
        with db.session() as session:  # another terminal: the admin
            users.set_active(session, admin, "operator", False)
        assert await wait_until(pilot, lambda: app.return_code == 1, 5.0)
    assert capsys.readouterr().err == "invtui: User 'operator' is disabled; ask an admin\n"


async def test_a_new_role_applies_to_the_open_app_at_once(make_app, db: Database, admin: Actor) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test() as pilot:
        await listening(app, pilot)
        with db.session() as session:
            users.set_role(session, admin, "operator", "viewer")
        assert await wait_until(pilot, lambda: app.actor.role == Role.VIEWER, 5.0)
        assert app.status.role == "viewer"
        assert await wait_until(pilot, lambda: "Your role is now viewer." in toasts(app), 1.0)
        assert app.return_code is None  # still signed in, as a viewer


async def test_another_users_change_leaves_the_app_alone(make_app, db: Database, admin: Actor) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test() as pilot:
        await listening(app, pilot)
        with db.session() as session:
            users.set_active(session, admin, "viewer", False)
        await pilot.pause(1.0)
        assert app.return_code is None and app.actor.role == Role.OPERATOR
