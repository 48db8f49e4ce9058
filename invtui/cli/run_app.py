"""Starting the terminal app from the CLI."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from typing import Any

import typer

from invtui.config import Settings
from invtui.db.engine import Database

log = logging.getLogger(__name__)
HANGUP_EXIT = 129  # 128 + SIGHUP, like a shell
HANGUP_GRACE_SECONDS = 1.5

NO_TERMINAL = "invtui: needs a terminal (ssh -t); for scripts use the commands, see invtui --help"


def require_terminal() -> None:
    """No terminal on stdin or stdout (ssh -T, scp, a pipe): one line and exit 2, never a spinning app.

    A browser tab of `invtui serve` talks over pipes by design (textual-serve's web driver).
    """
    from invtui.services.identity import served

    if served() and os.environ.get("TEXTUAL_DRIVER"):
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(NO_TERMINAL, file=sys.stderr)
        raise typer.Exit(2)


def run_app(settings: Settings, db: Database, *, username: str | None = None, trusted: bool = False) -> None:
    """Open the app for `username` (trusted: no password asked), or the login screen."""
    require_terminal()
    from invtui.ui.app import InvtuiApp
    from invtui.web import served_client

    app = InvtuiApp(settings=settings, db=db, username=username, trusted=trusted, client_address=served_client())
    signal.signal(signal.SIGHUP, lambda signum, frame: _hung_up(app))
    app.run()
    if app.return_code:
        raise typer.Exit(app.return_code)


def _hung_up(app: Any) -> None:
    """SIGHUP (the SSH connection dropped): leave now. The app closes its listener, scheduler and
    pool on the way out; if writing to the dead terminal stalls that, the process ends anyway
    after HANGUP_GRACE_SECONDS, and the kernel closes its database sockets."""
    log.info("terminal hung up; exiting")
    threading.Timer(HANGUP_GRACE_SECONDS, os._exit, args=(HANGUP_EXIT,)).start()
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # the app is not running yet or any more: nothing to close gracefully
        os._exit(HANGUP_EXIT)
    loop.call_soon_threadsafe(lambda: app.exit(return_code=HANGUP_EXIT))
