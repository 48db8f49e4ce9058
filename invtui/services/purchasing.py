"""Purchase orders: draft, submit, approve, cancel, and (re-exported here, where the app, the CLI
and the tests name them) receive and draft from alerts. Each public function is one transaction.

Every change locks the PO row first and decides from the status it reads under that lock
(po_changes), so two people acting on one PO at once are served one after the other and the
second is told the state the first left it in ("PO-000123 is already approved (by sam)").

The module is split along its seams: po_changes (lock, guard, history, events), po_receiving
(goods arriving), po_from_alerts (drafts from the stock alerts), po_views and po_list (reads).

Adding a product that is already on a draft adds to that line's quantity (the schema allows one
line per product); a cost given again replaces the line's unit cost.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from invtui.db.models import Product, PurchaseOrder, PurchaseOrderLine
from invtui.domain import validation
from invtui.domain.purchasing import POAction, POStatus
from invtui.domain.roles import Actor, Permission
from invtui.errors import NotFound, ValidationError
from invtui.services import lookup
from invtui.services.acting import require_current
from invtui.services.notifications import notify
from invtui.services.po_changes import emit, guard, locked, now, record, tell_creator
from invtui.services.po_from_alerts import Draft, draft_from_alerts  # noqa: F401 (re-exported)
from invtui.services.po_list import (  # noqa: F401 (re-exported: the app and tests name them here)
    MAX_LIST,
    POSummary,
    list_pos,
)
from invtui.services.po_receiving import Receipt, receive  # noqa: F401 (re-exported)
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


# ---------------------------------------------------------------------------------------------
# helpers


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
        record(session, po, None, actor, "created")
        emit(session, "po.created", po, actor)
    return po


def edit(session: Session, actor: Actor, po_number: str, *, location: Any = UNSET,
         notes: Any = UNSET) -> PurchaseOrder:
    """Change a draft's delivery location (a code; None or empty: none) or notes; only drafts.

    The PO's history says what changed ("deliver to WH1-A-03")."""
    require_current(session, actor, Permission.DRAFT_PO)
    clean_notes = UNSET if notes is UNSET else _notes(notes)
    with unit_of_work(session):
        po = locked(session, po_number)
        guard(session, po, POAction.EDIT_LINES)
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
        po.updated_at = now()
        record(session, po, po.status, actor, "; ".join(said))
        session.flush()
        emit(session, "po.changed", po, actor, **fields)
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
        po = locked(session, po_number)
        guard(session, po, POAction.EDIT_LINES)
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
        po.updated_at = now()
        session.flush()
        emit(session, "po.changed", po, actor, product_id=product.id, sku=product.sku,
              quantity=line.quantity_ordered)
    return line


def remove_line(session: Session, actor: Actor, po_number: str, sku: str) -> None:
    """Take a product off a draft PO."""
    require_current(session, actor, Permission.DRAFT_PO)
    with unit_of_work(session):
        po = locked(session, po_number)
        guard(session, po, POAction.EDIT_LINES)
        product = lookup.product(session, sku)
        line = _line_for(session, po, product)
        if line is None:
            raise NotFound(f"{product.sku} is not on {po.number}")
        session.delete(line)
        po.updated_at = now()
        session.flush()
        emit(session, "po.changed", po, actor, product_id=product.id, sku=product.sku, quantity=0)


# ---------------------------------------------------------------------------------------------
# state changes


def submit(session: Session, actor: Actor, po_number: str) -> PurchaseOrder:
    """Send a draft for approval; managers are notified."""
    require_current(session, actor, Permission.DRAFT_PO)
    with unit_of_work(session):
        po = locked(session, po_number)
        guard(session, po, POAction.SUBMIT)
        lines = session.exec(select(func.count()).select_from(PurchaseOrderLine)
                             .where(PurchaseOrderLine.purchase_order_id == po.id)).one()
        if not lines:
            raise ValidationError(f"{po.number} has no lines; add at least one before submitting")
        old, po.status = po.status, POStatus.SUBMITTED.value
        po.submitted_at = po.updated_at = now()
        record(session, po, old, actor)
        emit(session, "po.submitted", po, actor)
        supplier = supplier_of(session, po)
        notify(session, kind="po.submitted", title=f"{po.number} from {supplier.name} awaits approval",
               body=f"Submitted by {actor.username}", link_kind="po", link_id=po.id, target_role="manager",
               actor_id=actor.id)
    return po


def approve(session: Session, actor: Actor, po_number: str) -> PurchaseOrder:
    """Approve a submitted PO (managers); its creator is notified."""
    require_current(session, actor, Permission.APPROVE_PO)
    with unit_of_work(session):
        po = locked(session, po_number)
        guard(session, po, POAction.APPROVE)
        old, po.status = po.status, POStatus.APPROVED.value
        po.approved_at = po.updated_at = now()
        po.approved_by = actor.id
        record(session, po, old, actor)
        emit(session, "po.approved", po, actor)
        tell_creator(session, po, actor, "po.approved", f"Your {po.number} was approved by {actor.username}",
                      severity="success")
    return po


def cancel(session: Session, actor: Actor, po_number: str, reason: str = "") -> PurchaseOrder:
    """Cancel a PO that has not started arriving (managers); its creator is notified."""
    require_current(session, actor, Permission.CANCEL_PO)
    note = validation.text(reason, what="Reason", max_length=500, required=False)
    with unit_of_work(session):
        po = locked(session, po_number)
        guard(session, po, POAction.CANCEL)
        old, po.status = po.status, POStatus.CANCELLED.value
        po.cancelled_at = po.updated_at = now()
        po.cancelled_by = actor.id
        record(session, po, old, actor, note)
        emit(session, "po.cancelled", po, actor, reason=note)
        tell_creator(session, po, actor, "po.cancelled", f"Your {po.number} was cancelled by {actor.username}",
                      severity="warning", body=note)
    return po
