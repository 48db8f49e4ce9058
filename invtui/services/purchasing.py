"""Purchase orders: draft, submit, approve, receive, cancel. Each public function is one transaction.

Every change locks the PO row first (SELECT ... FOR UPDATE) and decides from the status it reads
under that lock, never from an earlier read. So two managers approving, or two operators
receiving, the same PO at the same moment are served one after the other: the first wins and the
second is told the state the first left it in ("PO-000123 is already approved (by sam)").

Adding a product that is already on a draft adds to that line's quantity (the schema allows one
line per product); a cost given again replaces the line's unit cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, select

from invtui.db.models import Location, Product, PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine, Supplier
from invtui.domain import purchasing as rules
from invtui.domain import validation
from invtui.domain.purchasing import LineBalance, POAction, POStatus
from invtui.domain.roles import Actor, Permission
from invtui.errors import NotFound, ValidationError
from invtui.services import events, lookup, reorder
from invtui.services.acting import require_current
from invtui.services.ledger import apply_movement
from invtui.services.notifications import notify
from invtui.services.po_list import (  # noqa: F401 (re-exported: the app and tests name them here)
    MAX_LIST,
    POSummary,
    list_pos,
)
from invtui.services.po_views import (  # noqa: F401 (re-exported: the app, the CLI and tests name them here)
    POHistoryEntry,
    POLineView,
    POView,
    get,
    supplier_of,
    username,
    view,
)
from invtui.services.tx import unit_of_work

MAX_NOTES = 2000
UNSET: Any = object()  # an `edit` argument left out (None clears)


@dataclass(frozen=True)
class Receipt:
    """What one receive call did: the PO's new status and the units booked in per SKU."""

    number: str
    status: str
    location: str
    received: dict[str, int]


# ---------------------------------------------------------------------------------------------
# helpers


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _locked(session: Session, po_number: str) -> PurchaseOrder:
    """The PO row, locked for the rest of the transaction and read fresh under the lock.

    FOR UPDATE: two people changing one PO must queue here, so the second sees the first's result.
    populate_existing: a PO this session loaded earlier must not answer with its stale status.
    """
    po_id = rules.parse_number(po_number)
    query = (select(PurchaseOrder).where(PurchaseOrder.id == po_id).with_for_update()
             .execution_options(populate_existing=True))
    po = session.exec(query).first()
    if po is None:
        raise NotFound(f"Unknown purchase order {rules.format_number(po_id)}")
    return po


def _guard(session: Session, po: PurchaseOrder, action: POAction) -> None:
    """Refuse `action` unless the PO's current state allows it; name who got there first."""
    status = POStatus(po.status)
    if rules.refusal(po.number or "", status, action) is None:
        return
    by = {POStatus.APPROVED: po.approved_by, POStatus.CANCELLED: po.cancelled_by}.get(status)
    rules.check_transition(po.number or "", status, action, by=username(session, by))


def _record(session: Session, po: PurchaseOrder, from_status: str | None, actor: Actor, note: str = "") -> None:
    """Append the PO's history row for the state it is in now."""
    session.add(PurchaseOrderEvent(purchase_order_id=po.id, from_status=from_status, to_status=po.status,
                                   user_id=actor.id, note=note))


def _emit(session: Session, kind: str, po: PurchaseOrder, actor: Actor, **fields: object) -> None:
    supplier = supplier_of(session, po)
    events.emit(session, kind, id=po.id, number=po.number, status=po.status, supplier=supplier.code,
                supplier_name=supplier.name, user_id=actor.id, **fields)


def _tell_creator(session: Session, po: PurchaseOrder, actor: Actor, kind: str, title: str, *,
                  severity: str, body: str = "") -> None:
    """Personal notification for whoever drafted the PO ("Your PO-000123 was approved by sam")."""
    if po.created_by is None:
        return
    notify(session, kind=kind, title=title, body=body, severity=severity, link_kind="po", link_id=po.id,
           target_user_id=po.created_by, actor_id=actor.id)


def _line_for(session: Session, po: PurchaseOrder, product: Product) -> PurchaseOrderLine | None:
    query = (select(PurchaseOrderLine).where(PurchaseOrderLine.purchase_order_id == po.id,
                                             PurchaseOrderLine.product_id == product.id)
             .execution_options(populate_existing=True))  # read under the PO lock, never from the session's cache
    return session.exec(query).first()


def _notes(notes: object) -> str:
    return validation.text(notes, what="Notes", max_length=MAX_NOTES, required=False)


# ---------------------------------------------------------------------------------------------
# drafting


def create(session: Session, actor: Actor, supplier_code: str, notes: str = "",
           location: str | None = None) -> PurchaseOrder:
    """A new draft PO for a supplier (by code or exact name), delivering to `location` (a location
    code; None: not said); its number comes from the database."""
    require_current(session, actor, Permission.DRAFT_PO)
    clean_notes = _notes(notes)
    with unit_of_work(session):
        supplier = lookup.supplier(session, supplier_code)
        if not supplier.is_active:
            raise ValidationError(f"Supplier {supplier.code} is inactive")
        deliver_to = lookup.optional_active_location(session, location)
        po = PurchaseOrder(supplier_id=supplier.id, notes=clean_notes, created_by=actor.id,
                           location_id=deliver_to.id if deliver_to else None)
        session.add(po)
        session.flush()
        session.refresh(po)  # the generated number
        _record(session, po, None, actor, "created")
        _emit(session, "po.created", po, actor)
    return po


def edit(session: Session, actor: Actor, po_number: str, *, location: Any = UNSET,
         notes: Any = UNSET) -> PurchaseOrder:
    """Change a draft's delivery location (a code; None or empty: none) or notes; only drafts.

    The PO's history says what changed ("deliver to WH1-A-03")."""
    require_current(session, actor, Permission.DRAFT_PO)
    clean_notes = UNSET if notes is UNSET else _notes(notes)
    with unit_of_work(session):
        po = _locked(session, po_number)
        _guard(session, po, POAction.EDIT_LINES)
        said: list[str] = []
        fields: dict[str, object] = {}
        if location is not UNSET:
            deliver_to = lookup.optional_active_location(session, location)
            po.location_id = deliver_to.id if deliver_to else None
            fields["location"] = deliver_to.code if deliver_to else None
            said.append(f"deliver to {deliver_to.code}" if deliver_to else "no delivery location")
        if clean_notes is not UNSET:
            po.notes = clean_notes
            said.append("notes changed")
        po.updated_at = _now()
        _record(session, po, po.status, actor, "; ".join(said))
        session.flush()
        _emit(session, "po.changed", po, actor, **fields)
    return po


def add_line(session: Session, actor: Actor, po_number: str, sku: str, qty: object,
             unit_cost: object = None) -> PurchaseOrderLine:
    """Order `qty` of a product on a draft; the cost defaults to the product's cost price.

    A product already on the PO gets `qty` added to its line (one line per product).
    """
    require_current(session, actor, Permission.DRAFT_PO)
    quantity = validation.quantity(qty)
    cost = None if unit_cost is None else validation.money(unit_cost, what="Unit cost")
    with unit_of_work(session):
        po = _locked(session, po_number)
        _guard(session, po, POAction.EDIT_LINES)
        product = lookup.product(session, sku)
        if not product.is_active:
            raise ValidationError(f"Product {product.sku} is inactive")
        line = _line_for(session, po, product)
        if line is None:
            line = PurchaseOrderLine(purchase_order_id=po.id, product_id=product.id, quantity_ordered=quantity,
                                     unit_cost=product.cost_price if cost is None else cost)
            session.add(line)
        else:
            total = line.quantity_ordered + quantity
            if total > validation.MAX_QUANTITY:
                raise ValidationError(f"{product.sku} would then total {total:,} on {po.number}; "
                                      f"a line holds at most {validation.MAX_QUANTITY:,}")
            line.quantity_ordered = total
            if cost is not None:
                line.unit_cost = cost
        po.updated_at = _now()
        session.flush()
        _emit(session, "po.changed", po, actor, product_id=product.id, sku=product.sku,
              quantity=line.quantity_ordered)
    return line


def remove_line(session: Session, actor: Actor, po_number: str, sku: str) -> None:
    """Take a product off a draft PO."""
    require_current(session, actor, Permission.DRAFT_PO)
    with unit_of_work(session):
        po = _locked(session, po_number)
        _guard(session, po, POAction.EDIT_LINES)
        product = lookup.product(session, sku)
        line = _line_for(session, po, product)
        if line is None:
            raise NotFound(f"{product.sku} is not on {po.number}")
        session.delete(line)
        po.updated_at = _now()
        session.flush()
        _emit(session, "po.changed", po, actor, product_id=product.id, sku=product.sku, quantity=0)


# ---------------------------------------------------------------------------------------------
# state changes


def submit(session: Session, actor: Actor, po_number: str) -> PurchaseOrder:
    """Send a draft for approval; managers are notified."""
    require_current(session, actor, Permission.DRAFT_PO)
    with unit_of_work(session):
        po = _locked(session, po_number)
        _guard(session, po, POAction.SUBMIT)
        lines = session.exec(select(func.count()).select_from(PurchaseOrderLine)
                             .where(PurchaseOrderLine.purchase_order_id == po.id)).one()
        if not lines:
            raise ValidationError(f"{po.number} has no lines; add at least one before submitting")
        old, po.status = po.status, POStatus.SUBMITTED.value
        po.submitted_at = po.updated_at = _now()
        _record(session, po, old, actor)
        _emit(session, "po.submitted", po, actor)
        supplier = supplier_of(session, po)
        notify(session, kind="po.submitted", title=f"{po.number} from {supplier.name} awaits approval",
               body=f"Submitted by {actor.username}", link_kind="po", link_id=po.id, target_role="manager",
               actor_id=actor.id)
    return po


def approve(session: Session, actor: Actor, po_number: str) -> PurchaseOrder:
    """Approve a submitted PO (managers); its creator is notified."""
    require_current(session, actor, Permission.APPROVE_PO)
    with unit_of_work(session):
        po = _locked(session, po_number)
        _guard(session, po, POAction.APPROVE)
        old, po.status = po.status, POStatus.APPROVED.value
        po.approved_at = po.updated_at = _now()
        po.approved_by = actor.id
        _record(session, po, old, actor)
        _emit(session, "po.approved", po, actor)
        _tell_creator(session, po, actor, "po.approved", f"Your {po.number} was approved by {actor.username}",
                      severity="success")
    return po


def cancel(session: Session, actor: Actor, po_number: str, reason: str = "") -> PurchaseOrder:
    """Cancel a PO that has not started arriving (managers); its creator is notified."""
    require_current(session, actor, Permission.CANCEL_PO)
    note = validation.text(reason, what="Reason", max_length=500, required=False)
    with unit_of_work(session):
        po = _locked(session, po_number)
        _guard(session, po, POAction.CANCEL)
        old, po.status = po.status, POStatus.CANCELLED.value
        po.cancelled_at = po.updated_at = _now()
        po.cancelled_by = actor.id
        _record(session, po, old, actor, note)
        _emit(session, "po.cancelled", po, actor, reason=note)
        _tell_creator(session, po, actor, "po.cancelled", f"Your {po.number} was cancelled by {actor.username}",
                      severity="warning", body=note)
    return po


# ---------------------------------------------------------------------------------------------
# receiving


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
        po = _locked(session, po_number)
        _guard(session, po, POAction.RECEIVE)
        if location_code is not None and location_code.strip():
            location = lookup.active_location(session, location_code)
        elif po.location_id is not None:
            location = session.get(Location, po.location_id)
            assert location is not None  # FK
            if not location.is_active:
                raise ValidationError(f"Location {location.code} is inactive; name the location to receive into")
        else:
            raise ValidationError(f"{po.number} names no delivery location; name the location to receive into")
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
        po.updated_at = _now()
        if new_status is POStatus.RECEIVED:
            po.received_at = po.updated_at
        summary = ", ".join(f"{qty:,} {sku}" for sku, qty in plan.items()) + f" into {location.code}"
        _record(session, po, old, actor, summary)
        _emit(session, "po.received", po, actor, location_id=location.id, location=location.code,
              lines=[{"sku": sku, "quantity": qty} for sku, qty in plan.items()],
              complete=new_status is POStatus.RECEIVED)
        how = "received in full" if new_status is POStatus.RECEIVED else "partly received"
        _tell_creator(session, po, actor, "po.received", f"Your {po.number} was {how} by {actor.username}",
                      severity="success", body=summary)
    return Receipt(number=po.number or "", status=po.status, location=location.code, received=plan)


# --- draft from alerts -----------------------------------------------------------------------

def draft_from_alerts(session: Session, actor: Actor) -> list[PurchaseOrder]:
    """One draft PO per supplier for every low, out or soon-out item not already on an open PO,
    in the quantities invtui.services.reorder suggests (each line keeps why).

    Drafts only: they are shown for review and never submitted automatically. Products with no
    (active) supplier cannot be ordered this way and are left out.
    """
    require_current(session, actor, Permission.DRAFT_PO)
    drafted: list[PurchaseOrder] = []
    with unit_of_work(session):
        by_supplier: dict[int, list[reorder.Need]] = {}
        for need in reorder.needs(session, validation.MAX_QUANTITY):
            by_supplier.setdefault(need.supplier_id, []).append(need)
        for supplier_id, lines in by_supplier.items():
            po = PurchaseOrder(supplier_id=supplier_id, notes="Drafted from stock alerts", created_by=actor.id)
            session.add(po)
            session.flush()
            session.refresh(po)
            for need in lines:
                session.add(PurchaseOrderLine(purchase_order_id=po.id, product_id=need.product_id,
                                              quantity_ordered=need.quantity, unit_cost=need.unit_cost,
                                              suggested=need.suggested))
            _record(session, po, None, actor, f"drafted from alerts: {len(lines)} line(s)")
            _emit(session, "po.created", po, actor, lines=len(lines))
            drafted.append(po)
    return drafted
