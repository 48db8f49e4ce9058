"""Live events reach the operator's screen with no key pressed."""

from __future__ import annotations

import asyncio
import fcntl
import time

import psycopg

from invtui.db.engine import Database
from invtui.db.listener import CONNECTED
from invtui.db.relay_listener import lock_path, relay_dir, socket_path, usable_dir
from invtui.domain.roles import Actor
from invtui.services import notifications


async def wait_until(pilot, condition, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll `condition` (a screen may not be there yet: an error counts as not yet)."""
    def holds() -> bool:
        try:
            return bool(condition())
        except Exception:
            return False

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if holds():
            return True
        await pilot.pause(0.05)
    return holds()


async def idle(app) -> None:  # type: ignore[no-untyped-def]
    """Wait for the app's workers; one cancelled by a newer exclusive one is fine."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


def toasts(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def signed_in(app, pilot) -> None:  # type: ignore[no-untyped-def]
    await idle(app)
    assert await wait_until(pilot, lambda: app.status.db_state == "connected")


async def listening(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Signed in, and the listener (the app's own LISTEN or the box's relay) hears changes from now on.

    The status bar says "connected" as soon as signing in reached the database; the listener may
    still be connecting (or starting the relay), and a change committed then reaches the app only
    through the quiet reload once it listens, not as a toast.
    """
    await signed_in(app, pilot)
    assert await wait_until(pilot, lambda: app.listener.state == CONNECTED and app.live_since is not None, 20.0)
    await idle(app)


def approved(db: Database, user: Actor, *titles: str) -> None:
    """Another process commits one personal notification per title for `user`, in one transaction."""
    with db.session() as session:
        for title in titles:
            notifications.notify(session, kind="po.approved", title=title, target_user_id=user.id)
        session.commit()


def listening_backend(db: Database) -> int:
    """The pid of the one session LISTENing for this test's database: the relay's, or the app's own."""
    with psycopg.connect(db.conninfo, autocommit=True) as conn:  # not one the test's pool keeps
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name IN ('invtui-relay', 'invtui-listener')").fetchall()
    assert len(rows) == 1, rows
    return int(rows[0][0])


async def test_a_personal_notification_pops_up_and_bumps_the_unread_badge(make_app, db: Database,
                                                                          operator: Actor) -> None:
    app = make_app("operator")
    async with app.run_test() as pilot:
        await listening(app, pilot)
        before = app.status.unread
        approved(db, operator, "Your PO-000042 was approved by sam")
        assert await wait_until(pilot, lambda: "Your PO-000042 was approved by sam" in toasts(app), 2.0)
        assert await wait_until(pilot, lambda: app.status.unread == before + 1, 3.0)


async def test_someone_elses_personal_notification_stays_silent(make_app, db: Database, manager: Actor) -> None:
    app = make_app("operator")
    async with app.run_test() as pilot:
        await listening(app, pilot)
        approved(db, manager, "Not for the operator")
        await asyncio.sleep(0.5)
        await pilot.pause()
        assert "Not for the operator" not in toasts(app)


async def test_losing_the_database_connection_shows_in_the_status_bar_and_recovers(make_app, db: Database) -> None:
    app = make_app("operator")
    async with app.run_test() as pilot:
        await listening(app, pilot)
        with db.connect(autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (listening_backend(db),))
        assert await wait_until(pilot, lambda: app.status.db_state == "unreachable", 3.0)
        assert "retrying in" in app.status.db_detail
        assert await wait_until(pilot, lambda: app.status.db_state == "connected", 5.0)
        assert await wait_until(pilot, lambda: any("connection is back" in t for t in toasts(app)), 2.0)


async def test_a_burst_of_events_shows_three_toasts_and_one_summary(make_app, db: Database, operator: Actor) -> None:
    # Busy sites raise events by the dozen; a toast each would bury the screen and lag the app.
    app = make_app("operator")
    async with app.run_test() as pilot:
        await listening(app, pilot)
        approved(db, operator, *(f"Burst {n}" for n in range(10)))
        assert await wait_until(pilot, lambda: any(n.title == "7 more events" for n in app._notifications), 3.0)
        shown = [str(n.message) for n in app._notifications]
        assert shown[:3] == ["Burst 0", "Burst 1", "Burst 2"] and len(shown) == 4
        assert shown[3] == "Burst 3\nBurst 4\nBurst 5\n+4 more"


async def test_a_change_made_while_the_app_starts_its_relay_shows_once_it_listens_without_a_toast(
        make_app, db: Database, operator: Actor) -> None:  # type: ignore[no-untyped-def]
    # The app loads its screens as it signs in; its listener, here the box's relay that this app
    # has to start, listens a moment later. A change committed in between is seen by nobody's
    # LISTEN, so once it listens the app reloads, quietly (the database was never away).
    folder = usable_dir(relay_dir())
    assert folder is not None
    with open(lock_path(socket_path(folder, db.conninfo)), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a relay still starting, as far as the app can tell
        app = make_app("operator", events_relay=True)
        async with app.run_test() as pilot:
            await signed_in(app, pilot)
            before = app.status.unread
            approved(db, operator, "Approved while the app started")
            await pilot.pause(0.5)
            assert app.listener.state != CONNECTED and app.status.unread == before  # nobody heard it
            fcntl.flock(lock, fcntl.LOCK_UN)  # the app starts the relay, which listens
            assert await wait_until(pilot, lambda: app.status.unread == before + 1, 15.0), app.status
            assert app.listener.state == CONNECTED and app.status.db_state == "connected"
            assert not any("connection is back" in t for t in toasts(app))
