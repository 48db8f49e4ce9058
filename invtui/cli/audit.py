"""`invtui audit`: who did what, newest first, from every history invtui keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import audit as audit_service
else:
    audit_service = lazy_module("invtui.services.audit")


def audit(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--user", "-u", help="Only what this user did (the acting user goes before the command: invtui --user ME audit ...)."),
    since: str | None = typer.Option(None, "--since", help="2h, 30m, 7d, or a date like 2026-11-24."),
    kind: list[str] | None = typer.Option(None, "--kind", help="stock, alert, po, user or count (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: str = typer.Option("100", "--limit", help="At most this many entries (1..10,000)."),
) -> None:
    """Who did what: stock movements, alert actions, PO history, logins and user changes."""
    entries = state(ctx).read(lambda conn: audit_service.trail(conn, user=user, since=since, kinds=kind, limit=limit))
    if as_json:
        print_json([entry.as_dict() for entry in entries])
        return
    if not entries:
        console.print("Nothing recorded for that filter.")
        return
    print_table(
        ["when", "kind", "who", "action", "what", "detail"],
        [(f"{e.at.astimezone():%Y-%m-%d %H:%M:%S}", e.kind, e.who_shown, e.action, e.subject, e.detail) for e in entries],
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    app.command()(audit)
