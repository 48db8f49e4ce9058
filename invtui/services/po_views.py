"""One purchase order as `po show` and the PO screen display it: header, lines with why, history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from invtui.db.models import Location, Product, PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine, Supplier, User
from invtui.domain import purchasing as rules
from invtui.domain.demand import line_why
from invtui.errors import NotFound
from invtui.services.tx import unit_of_work


@dataclass(frozen=True)
class POLineView:
    sku: str
    name: str
    ordered: int
    received: int
    unit_cost: Decimal
    suggested: dict[str, Any] | None = None  # the figures a draft from alerts computed it from

    @property
    def why(self) -> str:
        return line_why(self.suggested)

    @property
    def outstanding(self) -> int:
        return rules.outstanding(self.ordered, self.received)

    @property
    def line_total(self) -> Decimal:
        return self.unit_cost * self.ordered


@dataclass(frozen=True)
class POHistoryEntry:
    at: datetime
    from_status: str | None
    to_status: str
    user: str | None
    note: str


@dataclass(frozen=True)
class POView:
    """Everything `po show` and the PO screen display: header, lines, history."""

    id: int
    number: str
    status: str
    supplier_code: str
    supplier_name: str
    notes: str
    created_by: str | None
    created_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    approved_by: str | None
    received_at: datetime | None
    cancelled_at: datetime | None
    cancelled_by: str | None
    lines: list[POLineView] = field(default_factory=list)
    history: list[POHistoryEntry] = field(default_factory=list)
    location: str | None = None  # the location code it delivers to; None: not said

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))



def username(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return session.exec(select(User.username).where(User.id == user_id)).first()


def supplier_of(session: Session, po: PurchaseOrder) -> Supplier:
    supplier = session.get(Supplier, po.supplier_id)
    assert supplier is not None  # FK
    return supplier


def get(session: Session, po_number: str) -> POView:
    """One PO with its lines (ordered, received, outstanding) and its history, oldest first."""
    po_id = rules.parse_number(po_number)
    with unit_of_work(session):  # reads too end their transaction: no idle-in-transaction session
        return view(session, po_id)


def view(session: Session, po_id: int) -> POView:
    po = session.get(PurchaseOrder, po_id, populate_existing=True)
    if po is None:
        raise NotFound(f"Unknown purchase order {rules.format_number(po_id)}")
    supplier = supplier_of(session, po)
    location = session.get(Location, po.location_id) if po.location_id is not None else None
    lines = session.exec(
        select(PurchaseOrderLine, Product).join(Product, Product.id == PurchaseOrderLine.product_id)
        .where(PurchaseOrderLine.purchase_order_id == po.id).order_by(PurchaseOrderLine.id)
    ).all()
    history = session.exec(
        select(PurchaseOrderEvent, User.username).join(User, User.id == PurchaseOrderEvent.user_id, isouter=True)
        .where(PurchaseOrderEvent.purchase_order_id == po.id).order_by(PurchaseOrderEvent.id)
    ).all()
    return POView(
        id=po.id or 0, number=po.number or "", status=po.status, supplier_code=supplier.code,
        supplier_name=supplier.name, notes=po.notes, created_by=username(session, po.created_by),
        created_at=po.created_at, submitted_at=po.submitted_at, approved_at=po.approved_at,
        approved_by=username(session, po.approved_by), received_at=po.received_at,
        cancelled_at=po.cancelled_at, cancelled_by=username(session, po.cancelled_by),
        lines=[POLineView(p.sku, p.name, line.quantity_ordered, line.quantity_received, line.unit_cost,
                          line.suggested) for line, p in lines],
        history=[POHistoryEntry(e.created_at, e.from_status, e.to_status, name, e.note) for e, name in history],
        location=location.code if location else None,
    )
