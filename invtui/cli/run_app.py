"""Starting the terminal app from the CLI (the UI arrives with the app-shell issue)."""

from __future__ import annotations

from invtui.cli.output import console
from invtui.config import Settings
from invtui.db.engine import Database


def run_app(settings: Settings, db: Database, *, username: str | None = None, trusted: bool = False) -> None:
    """Open the app for `username` (trusted: no password asked), or the login screen."""
    try:
        from invtui.ui.app import InvtuiApp  # noqa: F401  (present once the UI lands)
    except ImportError:
        console.print(
            f"The terminal UI is not built yet. It would open on {db.display_url} "
            f"as {username or 'the login screen'}; the CLI works now (invtui --help)."
        )
        return
    from invtui.ui.app import InvtuiApp
    from invtui.web import served_client

    InvtuiApp(settings=settings, db=db, username=username, trusted=trusted, client_address=served_client()).run()
