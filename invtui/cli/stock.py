"""`invtui stock ...`: receive, issue, return, adjust, transfer, reserve, release, show, movements.

Quantities are taken as text and handed to the service as typed, so "abc", "1.5" and "-3" get
the service's own sentence ("Quantity must be a whole number from 1 to 1,000,000"), not a usage
error from the argument parser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import inventory
    from invtui.services.inventory import StockChange
else:
    inventory = lazy_module("invtui.services.inventory")

app = typer.Typer(help="Stock: receive, issue, count, move and reserve.", no_args_is_help=True)
# "-3" must reach the service as a quantity (and be refused there), not be parsed as an option.
_NUMBERS_MAY_BE_NEGATIVE = {"ignore_unknown_options": True}

_QTY = typer.Argument(..., metavar="QTY", help="Whole number of units, 1 to 1,000,000.")
_REFERENCE = typer.Option("", "--reference", "-r", help="Delivery note, order or ticket number.")
_REASON = typer.Option("", "--reason", help="Why (shown in the movement history).")


def _report(change: StockChange, verb: str) -> None:
    console.print(f"{verb} {change.sku} at {change.location}: on hand {change.quantity}, "
                  f"reserved {change.reserved}, available {change.available}.")


def _move(ctx: typer.Context, action: Callable[..., StockChange], verb: str, sku: str, location: str,
          quantity: str, reference: str, reason: str) -> None:
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        change = action(session, actor, sku, location, quantity, reference=reference, reason=reason)
    _report(change, verb)


@app.command(context_settings=_NUMBERS_MAY_BE_NEGATIVE)
def receive(ctx: typer.Context, sku: str = typer.Argument(..., metavar="SKU", help="SKU or barcode."),
            location: str = typer.Argument(..., metavar="LOCATION", help="Location code."), quantity: str = _QTY,
            reference: str = _REFERENCE, reason: str = _REASON) -> None:
    """Put units on the shelf at LOCATION."""
    _move(ctx, inventory.receive, "Received", sku, location, quantity, reference, reason)


@app.command(context_settings=_NUMBERS_MAY_BE_NEGATIVE)
def issue(ctx: typer.Context, sku: str = typer.Argument(..., metavar="SKU", help="SKU or barcode."),
          location: str = typer.Argument(..., metavar="LOCATION", help="Location code."), quantity: str = _QTY,
          reference: str = _REFERENCE, reason: str = _REASON) -> None:
    """Take available units off the shelf at LOCATION."""
    _move(ctx, inventory.issue, "Issued", sku, location, quantity, reference, reason)


@app.command("return", context_settings=_NUMBERS_MAY_BE_NEGATIVE)
def return_(ctx: typer.Context, sku: str = typer.Argument(..., metavar="SKU", help="SKU or barcode."),
            location: str = typer.Argument(..., metavar="LOCATION", help="Location code."), quantity: str = _QTY,
            reference: str = _REFERENCE, reason: str = _REASON) -> None:
    """Put back issued units that came back unused; they count off the item's usage, not as a receipt."""
    _move(ctx, inventory.return_issued, "Returned", sku, location, quantity, reference, reason)


@app.command(context_settings=_NUMBERS_MAY_BE_NEGATIVE)
def reserve(ctx: typer.Context, sku: str = typer.Argument(..., metavar="SKU", help="SKU or barcode."),
            location: str = typer.Argument(..., metavar="LOCATION", help="Location code."), quantity: str = _QTY,
            reference: str = _REFERENCE, reason: str = _REASON) -> None:
    """Set available units aside (they stay on hand but cannot be issued)."""
    _move(ctx, inventory.reserve, "Reserved", sku, location, quantity, reference, reason)


@app.command(context_settings=_NUMBERS_MAY_BE_NEGATIVE)
def release(ctx: typer.Context, sku: str = typer.Argument(..., metavar="SKU", help="SKU or barcode."),
            location: str = typer.Argument(..., metavar="LOCATION", help="Location code."), quantity: str = _QTY,
            reference: str = _REFERENCE, reason: str = _REASON) -> None:
    """Return reserved units to available stock."""
    _move(ctx, inventory.release, "Released", sku, location, quantity, reference, reason)


@app.command(context_settings=_NUMBERS_MAY_BE_NEGATIVE)
def adjust(ctx: typer.Context, sku: str = typer.Argument(..., metavar="SKU", help="SKU or barcode."),
           location: str = typer.Argument(..., metavar="LOCATION", help="Location code."),
           counted: str = typer.Argument(..., metavar="COUNTED_QTY", help="What the count found (0 or more)."),
           reason: str = typer.Option("", "--reason", help="Why the count differs (required)."),
           reference: str = _REFERENCE) -> None:
    """Set the quantity on hand to a counted figure; the difference is recorded with the reason."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        change = inventory.adjust(session, actor, sku, location, counted, reason, reference=reference)
    _report(change, "Adjusted")


@app.command(context_settings=_NUMBERS_MAY_BE_NEGATIVE)
def transfer(ctx: typer.Context, sku: str = typer.Argument(..., metavar="SKU", help="SKU or barcode."),
             source: str = typer.Argument(..., metavar="FROM", help="Location to take from."),
             destination: str = typer.Argument(..., metavar="TO", help="Location to put into."),
             quantity: str = _QTY, reference: str = _REFERENCE, reason: str = _REASON) -> None:
    """Move units from one location to another (both change, or neither)."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        result = inventory.transfer(session, actor, sku, source, destination, quantity,
                                    reference=reference, reason=reason)
    _report(result.source, "Moved from")
    _report(result.destination, "Moved to")


@app.command()
def show(ctx: typer.Context, sku: str = typer.Argument(..., metavar="SKU", help="SKU or barcode."),
         as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Stock of one product at every location: on hand, reserved, available."""
    with state(ctx).database().session() as session:
        stock = inventory.stock_for(session, sku)
    if as_json:
        print_json({
            "sku": stock.sku, "name": stock.name, "active": stock.is_active,
            "quantity": stock.quantity, "reserved": stock.reserved, "available": stock.available,
            "locations": [{"location": line.location, "quantity": line.quantity, "reserved": line.reserved,
                           "available": line.available} for line in stock.lines],
        })
        return
    rows = [(line.location, line.quantity, line.reserved, line.available) for line in stock.lines]
    rows.append(("total", stock.quantity, stock.reserved, stock.available))
    inactive = " (inactive)" if not stock.is_active else ""
    print_table(["location", "on hand", "reserved", "available"], rows, title=f"{stock.sku} {stock.name}{inactive}")


@app.command("movements")
def movements_(ctx: typer.Context, sku: str | None = typer.Option(None, "--sku", help="Only this SKU or barcode."),
               limit: str = typer.Option("50", "--limit", help="How many, newest first (1 to 1,000)."),
               as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The stock ledger, newest first."""
    with state(ctx).database().session() as session:
        rows = inventory.movements(session, sku=sku, limit=limit)
    if as_json:
        print_json([{"id": m.id, "at": m.at.isoformat(), "sku": m.sku, "location": m.location, "kind": m.kind,
                     "quantity_delta": m.quantity_delta, "reserved_delta": m.reserved_delta,
                     "reference": m.reference, "reason": m.reason, "user": m.user} for m in rows])
        return
    print_table(["#", "when", "sku", "location", "kind", "qty", "reserved", "reference", "reason", "user"],
                [(m.id, f"{m.at:%Y-%m-%d %H:%M}", m.sku, m.location, m.kind, _signed(m.quantity_delta),
                  _signed(m.reserved_delta), m.reference, m.reason, m.user or "") for m in rows])


def _signed(value: int) -> str:
    return f"{value:+d}" if value else ""


def register(root: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    root.add_typer(app, name="stock")


def _add_cover() -> None:
    """`invtui stock cover` lives in its own module (invtui/cli/cover.py)."""
    from invtui.cli.cover import cover

    app.command("cover")(cover)


_add_cover()
