"""Receiving a purchase order: arriving goods booked into a location, all or nothing.

Re-exported by invtui.services.purchasing (`purchasing.receive`, `purchasing.Receipt`), which is
where the app, the CLI and the tests name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, select

from invtui.db.models import Location, Product, PurchaseOrder, PurchaseOrderLine
from invtui.domain import purchasing as rules
from invtui.domain import validation
from invtui.domain.purchasing import LineBalance, POAction, POStatus
from invtui.domain.roles import Actor, Permission
from invtui.errors import NotFound, ValidationError
from invtui.services import lookup
from invtui.services.acting import require_current
from invtui.services.ledger import apply_movement
from invtui.services.po_changes import emit, guard, locked, now, record, tell_creator
from invtui.services.tx import unit_of_work


@dataclass(frozen=True)
class Receipt:
    """What one receive call did: the PO's new status and the units booked in per SKU."""

    number: str
    status: str
    location: str
    received: dict[str, int]


def _wanted(lines: Mapping[str, object] | None) -> dict[str, int] | None:
    """Validate the requested quantities before touching the database."""
    if lines is None:
        return None
    wanted: dict[str, int] = {}
    for sku, qty in lines.items():
        # The SKU goes into the refusal sentence, so it is checked first: a newline or other
        # control character in it would otherwise break the message into several lines.
        code = validation.text(str(sku), what="SKU", max_length=100)
        wanted[code] = validation.quantity(qty, what=f"Quantity of {code}")
    if not wanted:
        raise ValidationError("Name at least one line to receive, or none to receive everything outstanding")
    return wanted


def _resolve(session: Session, po: PurchaseOrder, on_po: dict[int, str], wanted: dict[str, int]) -> dict[str, int]:
    """Requested quantities keyed by the lines' SKUs (what was typed may be a barcode or lower case)."""
    resolved: dict[str, int] = {}
    for typed, qty in wanted.items():
        product = lookup.product(session, typed)
        sku = on_po.get(product.id or 0)
        if sku is None:
            raise NotFound(f"{product.sku} is not on {po.number}")
        if sku in resolved:
            raise ValidationError(f"{sku} is named twice in this receipt")
        resolved[sku] = qty
    return resolved


def _into(session: Session, po: PurchaseOrder, location_code: str | None) -> Location:
    """The location typed, else the one the PO delivers to; a PO naming none needs one typed."""
    if location_code is not None and location_code.strip():
        return lookup.active_location(session, location_code)
    if po.location_id is None:
        raise ValidationError(f"{po.number} names no delivery location; name the location to receive into")
    location = session.get(Location, po.location_id)
    assert location is not None  # FK
    if not location.is_active:
        raise ValidationError(f"Location {location.code} is inactive; name the location to receive into")
    return location


def receive(session: Session, actor: Actor, po_number: str, location_code: str | None = None,
            lines: Mapping[str, object] | None = None) -> Receipt:
    """Book arriving goods into a location: all outstanding (lines=None) or {sku: qty} per line.

    `location_code` None (or empty): the location the PO delivers to; a PO naming none needs one.

    Writes one `po_receipt` ledger row per line through apply_movement, raises the lines'
    received quantities and moves the PO to partially_received or received, all or nothing.
    Receiving more than is outstanding on a line is refused, naming the line.
    """
    require_current(session, actor, Permission.RECEIVE_PO)
    wanted = _wanted(lines)
    with unit_of_work(session):
        po = locked(session, po_number)
        guard(session, po, POAction.RECEIVE)
        location = _into(session, po, location_code)
        rows = session.exec(
            select(PurchaseOrderLine, Product).join(Product, Product.id == PurchaseOrderLine.product_id)
            .where(PurchaseOrderLine.purchase_order_id == po.id)
            .order_by(PurchaseOrderLine.product_id)  # one lock order for every writer: no deadlocks
            .with_for_update(of=PurchaseOrderLine).execution_options(populate_existing=True)
        ).all()
        balances = [LineBalance(p.sku, line.quantity_ordered, line.quantity_received) for line, p in rows]
        requested = None if wanted is None else _resolve(session, po, {p.id or 0: p.sku for _, p in rows}, wanted)
        plan = rules.plan_receipt(po.number or "", balances, requested)
        new_status = rules.status_after_receipt(balances, plan)
        for line, product in rows:
            qty = plan.get(product.sku, 0)
            if qty:
                apply_movement(session, user_id=actor.id, product_id=product.id or 0, location_id=location.id or 0,
                               kind="po_receipt", quantity_delta=qty, reference=po.number or "",
                               reason=f"Received on {po.number}")
                line.quantity_received += qty
        old, po.status = po.status, new_status.value
        po.updated_at = now()
        if new_status is POStatus.RECEIVED:
            po.received_at = po.updated_at
        summary = ", ".join(f"{qty:,} {sku}" for sku, qty in plan.items()) + f" into {location.code}"
        record(session, po, old, actor, summary)
        emit(session, "po.received", po, actor, location_id=location.id, location=location.code,
             lines=[{"sku": sku, "quantity": qty} for sku, qty in plan.items()],
             complete=new_status is POStatus.RECEIVED)
        how = "received in full" if new_status is POStatus.RECEIVED else "partly received"
        tell_creator(session, po, actor, "po.received", f"Your {po.number} was {how} by {actor.username}",
                     severity="success", body=summary)
    return Receipt(number=po.number or "", status=po.status, location=location.code, received=plan)
