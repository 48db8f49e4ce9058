"""`invtui serve`: the same app in a web browser, for people who cannot open a terminal.

textual-serve runs one `invtui` process per browser tab (with this command's --config) and
relays its screen over a websocket. Every tab starts at the login screen: trusting the OS user
would sign in anyone who can reach the port as the user the server runs as, so it is switched
off for the served app whatever the config says.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path

import typer

from invtui.cli.state import state
from invtui.config import Settings
from invtui.errors import ConfigError

_EVERY_INTERFACE = ("0.0.0.0", "::", "")


def app_command(settings: Settings) -> str:
    """The shell command textual-serve runs for each browser tab: this invtui, this config."""
    script = Path(sys.executable).with_name("invtui")
    argv = [str(script)] if script.exists() else [sys.executable, "-c", "from invtui.cli import run; run()"]
    if settings.source is not None:
        argv += ["--config", str(settings.source)]
    return shlex.join(argv)


def serve(ctx: typer.Context,
          host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
          port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
          public_url: str | None = typer.Option(None, "--public-url",
                                                help="URL browsers use, when not http://HOST:PORT (a proxy).")) -> None:
    """Serve the app to web browsers; each tab logs in like a terminal."""
    from invtui.web.server import InvtuiServer

    st = state(ctx)
    st.database()  # unreachable database or pending migrations: one line now, not in every tab
    os.environ["INVTUI_SERVED"] = "1"  # served tabs never trust the OS user: always the login form
    if public_url is None and host in _EVERY_INTERFACE:
        # the page tells the browser where the websocket is; 0.0.0.0 is not an address it can reach
        public_url = f"http://{socket.getfqdn()}:{port}"
    try:
        server = InvtuiServer(app_command(st.settings), host=host, port=port, public_url=public_url)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    try:
        server.serve()
    except OSError as exc:
        raise ConfigError(f"Cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
