"""What every change to a purchase order does first and last, shared by purchasing (drafting and
approval), po_receiving and po_from_alerts: lock the PO row, refuse a transition its state does not
allow, append its history row, emit its event, tell whoever drafted it.

Every change locks the PO row first (SELECT ... FOR UPDATE) and decides from the status it reads
under that lock, never from an earlier read. So two managers approving, or two operators
receiving, the same PO at the same moment are served one after the other: the first wins and the
second is told the state the first left it in ("PO-000123 is already approved (by sam)").
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel import Session, select

from invtui.db.models import PurchaseOrder, PurchaseOrderEvent
from invtui.domain import purchasing as rules
from invtui.domain.purchasing import POAction, POStatus
from invtui.domain.roles import Actor
from invtui.errors import NotFound
from invtui.services import events
from invtui.services.notifications import notify
from invtui.services.po_views import supplier_of, username


def now() -> datetime:
    return datetime.now(timezone.utc)


def locked(session: Session, po_number: str) -> PurchaseOrder:
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


def guard(session: Session, po: PurchaseOrder, action: POAction) -> None:
    """Refuse `action` unless the PO's current state allows it; name who got there first."""
    status = POStatus(po.status)
    if rules.refusal(po.number or "", status, action) is None:
        return
    by = {POStatus.APPROVED: po.approved_by, POStatus.CANCELLED: po.cancelled_by}.get(status)
    rules.check_transition(po.number or "", status, action, by=username(session, by))


def record(session: Session, po: PurchaseOrder, from_status: str | None, actor: Actor, note: str = "") -> None:
    """Append the PO's history row for the state it is in now."""
    session.add(PurchaseOrderEvent(purchase_order_id=po.id, from_status=from_status, to_status=po.status,
                                   user_id=actor.id, note=note))


def emit(session: Session, kind: str, po: PurchaseOrder, actor: Actor, **fields: object) -> None:
    supplier = supplier_of(session, po)
    events.emit(session, kind, id=po.id, number=po.number, status=po.status, supplier=supplier.code,
                supplier_name=supplier.name, user_id=actor.id, **fields)


def tell_creator(session: Session, po: PurchaseOrder, actor: Actor, kind: str, title: str, *,
                 severity: str, body: str = "") -> None:
    """Personal notification for whoever drafted the PO ("Your PO-000123 was approved by sam")."""
    if po.created_by is None:
        return
    notify(session, kind=kind, title=title, body=body, severity=severity, link_kind="po", link_id=po.id,
           target_user_id=po.created_by, actor_id=actor.id)
