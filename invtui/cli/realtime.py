"""`invtui events --follow` and `invtui notifications ...`: live events and the notification log."""

from __future__ import annotations

import json
import queue
import sys
from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state
from invtui.cli.stopping import stop_on_signals
from invtui.domain.roles import Actor
from invtui.errors import ValidationError

if TYPE_CHECKING:
    from invtui.db import listener as db_listener, relay_listener
    from invtui.domain import events
    from invtui.domain.events import Event
    from invtui.services import notification_list, notifications
else:
    db_listener = lazy_module("invtui.db.listener")
    relay_listener = lazy_module("invtui.db.relay_listener")
    events = lazy_module("invtui.domain.events")  # pydantic: ~0.4 s that only `events` needs
    notifications = lazy_module("invtui.services.notifications")
    notification_list = lazy_module("invtui.services.notification_list")  # reads: no ORM loaded

notifications_app = typer.Typer(help="The notification log: list, mark read.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    app.command("events")(events_command)
    app.add_typer(notifications_app, name="notifications")


def events_command(
    ctx: typer.Context,
    follow: bool = typer.Option(False, "--follow", "-f", help="Print each event as it happens until Ctrl-C."),
    as_json: bool = typer.Option(False, "--json", help="Print each event as one line of raw JSON."),
) -> None:
    """Watch every committed change live, one line per event (like tail -f)."""
    if not follow:
        raise ValidationError("Events are not stored; use --follow to watch them live "
                              "(past ones worth keeping are in `invtui notifications list`)")
    st = state(ctx)
    actor = st.actor()
    inbox: queue.Queue[Event] = queue.Queue()
    listener = relay_listener.open_listener(st.database(), inbox.put, relay=st.settings.events_relay)
    stop = stop_on_signals()  # Ctrl-C is how a follow ends: stop quietly, exit 0
    listener.start()
    try:
        while not stop.is_set():
            try:
                event = inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            _show(event, actor, as_json)
    finally:
        listener.stop()


def _show(event: Event, actor: Actor, as_json: bool) -> None:
    """Events for this user on stdout, one line each; the listener's own state on stderr."""
    if event.kind == events.LISTENER_STATE:
        print(_state_line(event), file=sys.stderr, flush=True)
        return
    if not event.visible_to(actor):
        return
    line = json.dumps(event.to_payload(), default=str, separators=(",", ":")) if as_json else event.describe()
    print(line, flush=True)  # flushed: a pipe (`| grep`) sees each event at once


def _state_line(event: Event) -> str:
    if event.get("state") == db_listener.CONNECTED:
        return "invtui: listening for events (Ctrl-C to stop)"
    retry = event.get("retry_in")
    return (f"invtui: database unreachable since {event.get('since')} ({event.get('error')}); "
            f"retrying in {retry:g} s")


@notifications_app.command("list")
def list_(
    ctx: typer.Context,
    unread: bool = typer.Option(False, "--unread", help="Only notifications you have not read."),
    limit: int = typer.Option(50, "--limit", help="At most this many (1-1000)."),
    after: int | None = typer.Option(None, "--after", help="The page after this notification id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Your notifications (yours, your role's and everyone's): unread first, newest first."""
    rows, unread_total = state(ctx).read_as(lambda conn, actor: (
        notification_list.list_for(conn, actor, unread_only=unread, after=after, limit=limit),
        notification_list.unread_count(conn, actor)))
    if as_json:
        print_json([{**row.__dict__, "read": row.is_read, "for": row.audience} for row in rows])
        return
    print_table(["id", "when", "severity", "title", "for", "read"],
                [(r.id, f"{r.created_at:%Y-%m-%d %H:%M}", r.severity, r.title, r.audience,
                  "" if r.read_at is None else "yes") for r in rows])
    console.print(f"{unread_total} unread")


@notifications_app.command("read")
def read(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(None, metavar="ID...", help="Notification ids to mark read."),
    all_: bool = typer.Option(False, "--all", help="Mark every notification you can see as read."),
) -> None:
    """Mark notifications read, for you only (others keep their own read state)."""
    if all_ == bool(ids):
        raise ValidationError("Name notification ids to mark read, or --all (not both)")
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        if all_:
            marked = notifications.mark_all_read(session, actor)
        else:
            marked = notifications.mark_read(session, actor, ids)
    console.print(f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
