"""An idle app holds at most one database connection, its listener: max_connections is shared by every operator.

With the relay (the default) that one LISTEN is the box's relay's, shared by the apps of the account.
"""

from __future__ import annotations

import psycopg

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import sweep
from invtui.ui.app import InvtuiApp

from .test_live import idle, listening, listening_backend, toasts, wait_until


def backends(db: Database) -> set[int]:
    """Backend pids connected to this test's database, other than the one asking."""
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid() AND application_name LIKE 'invtui%'").fetchall()
    return {pid for (pid,) in rows}


async def test_an_idle_app_keeps_only_its_listener_connection(db: Database, operator: Actor) -> None:
    db.dispose()  # the fixtures' own pooled connections are not the app's
    app_db = Database(db.url, idle_seconds=1.0)
    app = InvtuiApp(settings=Settings(database_url=db.url.render_as_string(hide_password=False)), db=app_db,
                    username="operator", trusted=True)
    async with app.run_test() as pilot:
        await listening(app, pilot)
        # Another process sweeps, changing nothing: the status bar says so from the event alone;
        # no screen reloads, no query runs (an idle app on a busy site stays idle).
        assert app.status.last_sweep == "—"
        sweep.run_full_sweep(db, "cli")
        db.dispose()  # the sweeping process's connection is not the app's
        assert await wait_until(pilot, lambda: app.status.last_sweep.endswith("+0/^0/✓0"), 2.0), app.status
        assert not app._counts_stale and not app.screen._stale
        await pilot.press("2")  # the alerts list: more queries, more pooled connections
        # Seen while they are open (each lingers idle_seconds after its query), not after a pause
        # that a loaded machine may stretch past it.
        assert await wait_until(pilot, lambda: len(backends(db)) >= 2, 3.0), \
            "the screens' queries ran on pooled connections beside the listener"
        await idle(app)
        listener = listening_backend(db)  # the relay's, or the app's own with the relay off
        assert await wait_until(pilot, lambda: backends(db) == {listener}, 5.0), backends(db)
        await pilot.press("c")  # after the pool emptied, the next service call connects again
        assert await wait_until(pilot, lambda: any(t.startswith("Sweep 0 created") for t in toasts(app)), 3.0), \
            toasts(app)
        assert await wait_until(pilot, lambda: backends(db) == {listener}, 5.0), backends(db)
    app_db.dispose()
