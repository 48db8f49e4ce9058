"""`invtui po ...`: purchase orders, through the same purchasing service as the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state
from invtui.errors import ValidationError

if TYPE_CHECKING:
    from invtui.services import po_list, purchasing
else:
    purchasing = lazy_module("invtui.services.purchasing")
    po_list = lazy_module("invtui.services.po_list")  # reads: no ORM loaded

app = typer.Typer(help="Purchase orders: draft, submit, approve, receive, cancel.", no_args_is_help=True)

PO_ARG = typer.Argument(..., metavar="PO", help="PO number: PO-000123, po-123 or 123.")


def register(root: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    root.add_typer(app, name="po")


def parse_lines(specs: list[str]) -> dict[str, str] | None:
    """`--line SKU=QTY` options as {sku: qty-text}; None (receive everything) when none given.

    Quantities stay text: the service validates them, so the CLI and the app refuse alike.
    """
    if not specs:
        return None
    lines: dict[str, str] = {}
    for spec in specs:
        sku, sep, qty = spec.rpartition("=")
        if not sep or not sku.strip():
            raise ValidationError(f"--line must look like SKU=QTY (got {spec!r})")
        if sku.strip() in lines:
            raise ValidationError(f"{sku.strip()} is named twice in this receipt")
        lines[sku.strip()] = qty
    return lines


@app.command()
def create(
    ctx: typer.Context,
    supplier: str = typer.Option(..., "--supplier", "-s", help="Supplier code (or exact name)."),
    notes: str = typer.Option("", "--notes", help="Free text printed on the PO."),
    location: str | None = typer.Option(None, "--location", "-l", help="Location code it delivers to."),
) -> None:
    """Start a draft purchase order for a supplier."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        po = purchasing.create(session, actor, supplier, notes=notes, location=location)
        view = purchasing.get(session, po.number or "")
    console.print(f"Created {view.number} (draft" + (f", delivers to {view.location})." if view.location else ")."))


@app.command()
def edit(
    ctx: typer.Context,
    po: str = PO_ARG,
    location: str | None = typer.Option(None, "--location", "-l", help="Location code it delivers to; `none` clears it."),
    notes: str | None = typer.Option(None, "--notes", help="Free text printed on the PO."),
) -> None:
    """Change a draft PO's delivery location or notes (only drafts); options left out keep their values."""
    if location is None and notes is None:
        raise ValidationError("Nothing to change; give --location or --notes")
    where: Any = purchasing.UNSET if location is None else (None if location.strip().lower() in ("", "none") else location)
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        done = purchasing.edit(session, actor, po, location=where,
                               notes=purchasing.UNSET if notes is None else notes)
        view = purchasing.get(session, done.number or "")
    console.print(f"{view.number}: delivers to {view.location or 'no location named'}.")


@app.command("add-line")
def add_line(
    ctx: typer.Context,
    po: str = PO_ARG,
    sku: str = typer.Argument(..., help="SKU or barcode."),
    qty: str = typer.Argument(..., metavar="QTY", help="Units to order (1..1,000,000)."),
    cost: str | None = typer.Option(None, "--cost", help="Unit cost (default: the product's cost price)."),
) -> None:
    """Order a product on a draft PO (adds to its quantity if it is already there)."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        line = purchasing.add_line(session, actor, po, sku, qty, unit_cost=cost)
    console.print(f"{sku.strip()}: {line.quantity_ordered:,} ordered at {line.unit_cost} each.")


@app.command("remove-line")
def remove_line(ctx: typer.Context, po: str = PO_ARG, sku: str = typer.Argument(..., help="SKU or barcode.")) -> None:
    """Take a product off a draft PO."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        purchasing.remove_line(session, actor, po, sku)
    console.print(f"Removed {sku.strip()}.")


@app.command()
def submit(ctx: typer.Context, po: str = PO_ARG) -> None:
    """Send a draft for approval (managers are notified)."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        done = purchasing.submit(session, actor, po)
    console.print(f"{done.number} submitted for approval.")


@app.command()
def approve(ctx: typer.Context, po: str = PO_ARG) -> None:
    """Approve a submitted PO (managers)."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        done = purchasing.approve(session, actor, po)
    console.print(f"{done.number} approved.")


@app.command()
def cancel(
    ctx: typer.Context,
    po: str = PO_ARG,
    reason: str = typer.Option("", "--reason", help="Why; shown to the PO's creator."),
) -> None:
    """Cancel a PO that has not started arriving (managers)."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        done = purchasing.cancel(session, actor, po, reason=reason)
    console.print(f"{done.number} cancelled.")


@app.command()
def receive(
    ctx: typer.Context,
    po: str = PO_ARG,
    location: str | None = typer.Option(None, "--location", "-l",
                                        help="Location code the goods go into (default: the PO's delivery location)."),
    line: list[str] = typer.Option([], "--line", help="SKU=QTY to receive (repeatable); none = all outstanding."),
) -> None:
    """Book arriving goods into a location: everything outstanding, or the given lines."""
    st = state(ctx)
    actor = st.actor()
    lines = parse_lines(line)
    with st.database().session() as session:
        receipt = purchasing.receive(session, actor, po, location, lines)
    booked = ", ".join(f"{qty:,} {sku}" for sku, qty in receipt.received.items())
    console.print(f"Received {booked} into {receipt.location}; {receipt.number} is now "
                  f"{receipt.status.replace('_', ' ')}.")


@app.command("draft-from-alerts")
def draft_from_alerts(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Draft POs for every low, out or soon-out item: one per supplier and location, delivering there
    (the `g` of the PO screen). Drafts only: review them with `po show`, then submit."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        drafts = purchasing.draft_from_alerts(session, actor)
    if as_json:
        print_json([{"number": d.number, "supplier": d.supplier, "location": d.location, "lines": d.lines}
                    for d in drafts])
        return
    if not drafts:
        console.print("No low or out-of-stock item needs a new order.")
        return
    for d in drafts:
        console.print(f"Drafted {d.number}: {d.supplier}, delivers to {d.location}, {d.lines} line(s).", markup=False)
    console.print("Nothing was submitted; review them with `invtui po show`.", markup=False)


def _view_json(view: purchasing.POView) -> dict[str, Any]:
    return {
        "number": view.number, "status": view.status, "supplier": view.supplier_code,
        "supplier_name": view.supplier_name, "location": view.location, "notes": view.notes, "created_by": view.created_by,
        "created_at": view.created_at, "submitted_at": view.submitted_at, "approved_at": view.approved_at,
        "approved_by": view.approved_by, "received_at": view.received_at, "cancelled_at": view.cancelled_at,
        "cancelled_by": view.cancelled_by, "total": view.total,
        "lines": [{"sku": ln.sku, "name": ln.name, "ordered": ln.ordered, "received": ln.received,
                   "outstanding": ln.outstanding, "unit_cost": ln.unit_cost, "line_total": ln.line_total,
                   "suggested": ln.suggested, "why": ln.why}
                  for ln in view.lines],
        "history": [{"at": h.at, "from": h.from_status, "to": h.to_status, "user": h.user, "note": h.note}
                    for h in view.history],
    }


@app.command()
def show(ctx: typer.Context, po: str = PO_ARG, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """One PO: header, lines (ordered / received / outstanding) and history."""
    with state(ctx).database().session() as session:
        view = purchasing.get(session, po)
    if as_json:
        print_json(_view_json(view))
        return
    console.print(f"[bold]{view.number}[/bold]  {view.status.replace('_', ' ')}  "
                  f"{view.supplier_code} ({view.supplier_name})  total {view.total}")
    console.print(f"delivers to {view.location or '(no location named)'}", markup=False)
    if view.notes:
        console.print(view.notes, markup=False)
    print_table(["sku", "name", "ordered", "received", "outstanding", "unit cost", "line total"],
                [(ln.sku, ln.name, ln.ordered, ln.received, ln.outstanding, ln.unit_cost, ln.line_total)
                 for ln in view.lines])
    for ln in view.lines:
        if ln.why:
            console.print(f"{ln.sku} {ln.why}", markup=False)
    print_table(["when", "from", "to", "who", "note"],
                [(f"{h.at:%Y-%m-%d %H:%M}", (h.from_status or "").replace("_", " "), h.to_status.replace("_", " "),
                  h.user or "system", h.note) for h in view.history], title="History")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="draft, submitted, approved, partially_received, ..."),
    supplier: str | None = typer.Option(None, "--supplier", help="Supplier code."),
    after: str | None = typer.Option(None, "--after", help="Continue after this PO number (paging)."),
    limit: str = typer.Option("50", "--limit", help="At most this many (1..1000)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Purchase orders, newest first."""
    rows = state(ctx).read(lambda conn: po_list.list_pos(conn, status=status, supplier=supplier, after=after,
                                                         limit=limit))
    if as_json:
        print_json([{"number": r.number, "status": r.status, "supplier": r.supplier_code,
                     "supplier_name": r.supplier_name, "location": r.location, "created_at": r.created_at, "created_by": r.created_by,
                     "lines": r.line_count, "units_ordered": r.units_ordered, "units_received": r.units_received,
                     "total": r.total} for r in rows])
        return
    print_table(["po", "status", "supplier", "to", "lines", "ordered", "received", "total", "created", "by"],
                [(r.number, r.status.replace("_", " "), r.supplier_code, r.location or "", r.line_count, r.units_ordered,
                  r.units_received, r.total, f"{r.created_at:%Y-%m-%d}", r.created_by or "") for r in rows])
