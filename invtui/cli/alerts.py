"""`invtui alerts ...`: list, show, acknowledge, dismiss, resolve, history."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, err_console, print_json, print_table
from invtui.cli.state import state
from invtui.domain.demand import headline, why
from invtui.errors import InvalidTransition, NotFound

if TYPE_CHECKING:
    from invtui.services import alert_list, alerts
else:
    alerts = lazy_module("invtui.services.alerts")
    alert_list = lazy_module("invtui.services.alert_list")  # reads: no ORM loaded

app = typer.Typer(help="Stock alerts: list, acknowledge, dismiss, resolve, history.", no_args_is_help=True)

_IDS = typer.Argument(..., metavar="ID...", help="Alert numbers (as shown by `invtui alerts list`).")
_NOTE = typer.Option("", "--note", "-n", help="Why (kept with the alert and in its history).")


def _time(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else ""  # type: ignore[str-format]


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str = typer.Option("open", "--status", "-s", help="open (default), all, ACTIVE, ACKNOWLEDGED, RESOLVED, DISMISSED."),
    alert_type: str | None = typer.Option(None, "--type", "-t", help="LOW_STOCK, OUT_OF_STOCK or LOW_SOON (low / out / soon)."),
    location: str | None = typer.Option(None, "--location", "-l", help="Only this location code."),
    search: str | None = typer.Option(None, "--search", help="SKU, name or barcode contains."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows (1-1000)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Open alerts, out of stock first, newest first."""
    page = state(ctx).read(lambda conn: alert_list.list_alerts(
        conn, status=status, alert_type=alert_type, location=location, search=search, limit=limit))
    if as_json:
        print_json([row.as_dict() for row in page.rows])
        return
    if not page.rows:
        console.print("No alerts.")
        return
    print_table(
        ["#", "type", "status", "SKU", "product", "location", "available", "threshold", "raised", "by"],
        # "·PO": stock on order covers the lead time, no action needed (the app's list says it alike)
        [(r.id, r.alert_type + ("·PO" if r.covered else ""), r.status, r.sku, r.name, r.location, r.current_quantity, r.threshold_quantity,
          _time(r.created_at), r.acknowledged_by or r.resolved_by or "") for r in page.rows],
    )
    if page.next is not None:
        console.print(f"(first {len(page.rows)} shown; use --limit for more)")


def _act(ctx: typer.Context, action: str, ids: list[str], note: str) -> None:
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        result = alerts.act(session, actor, action, ids, note)
    if len(ids) == 1 and result.refused:
        message = next(iter(result.refused.values()))
        raise NotFound(message) if message.endswith("does not exist") else InvalidTransition(message)
    for alert_id in result.done:
        console.print(f"Alert #{alert_id} {result.action.past_tense}.")
    for message in result.refused.values():
        err_console.print(f"invtui: {message}")
    if result.refused:
        err_console.print(f"invtui: {result.summary}")
        raise typer.Exit(1)


@app.command("ack")
def ack(ctx: typer.Context, ids: list[str] = _IDS, note: str = _NOTE) -> None:
    """Acknowledge alerts: "I have seen it and I am on it"."""
    _act(ctx, "acknowledge", ids, note)


@app.command()
def dismiss(ctx: typer.Context, ids: list[str] = _IDS, note: str = _NOTE) -> None:
    """Dismiss alerts; the item stays quiet until its stock is OK again."""
    _act(ctx, "dismiss", ids, note)


@app.command()
def resolve(ctx: typer.Context, ids: list[str] = _IDS, note: str = _NOTE) -> None:
    """Resolve acknowledged alerts by hand; the item stays quiet until its stock is OK again."""
    _act(ctx, "resolve", ids, note)


@app.command()
def show(ctx: typer.Context, alert_id: str = typer.Argument(..., metavar="ID"),
         as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """One alert and what it was judged on (available, threshold, usage, cover, on order)."""
    number = alerts.alert_number(alert_id)
    with state(ctx).database().session() as session:
        alert = alerts.get(session, number)
    today = date.today()
    if as_json:
        print_json({**alert.as_dict(), "why": why(alert.judged_on, today)})
        return
    console.print(f"Alert #{alert.id}: {headline(alert.alert_type, alert.current_quantity, alert.judged_on, alert.covered, today)}"
                  f" · {alert.sku} {alert.name} at {alert.location} · {alert.status.lower()}"
                  + (" · covered by stock on order" if alert.covered else ""))
    console.print(f"why: {why(alert.judged_on, today)}")


@app.command()
def history(ctx: typer.Context, alert_id: str = typer.Argument(..., metavar="ID"),
            as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Everything that happened to one alert, and who did it."""
    number = alert_list.alert_number(alert_id)
    alert, lines = state(ctx).read(lambda conn: (alert_list.get(conn, number), alert_list.history(conn, number)))
    if as_json:
        print_json({"alert": alert.as_dict(), "history": [line.as_dict() for line in lines]})
        return
    console.print(f"Alert #{alert.id}: {alert.alert_type} {alert.sku} {alert.name} at {alert.location}, "
                  f"now {alert.status}")
    print_table(["when", "event", "from", "to", "type", "available", "by", "note"],
                [(_time(e.created_at), e.event, e.from_status or "", e.to_status, e.alert_type, e.quantity,
                  e.user or "sweep", e.note) for e in lines])


def register(root: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    root.add_typer(app, name="alerts")
