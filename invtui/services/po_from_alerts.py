"""Draft purchase orders from the stock alerts (`g` on the PO screen, `invtui po draft-from-alerts`).

One draft per supplier and location: the lines for items short at one location go on a PO that
delivers there (purchase_orders.location_id), so its stock on order counts where it is needed and
receiving it needs no location typed. Quantities and their reasons come from
invtui.services.reorder. Re-exported by invtui.services.purchasing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from invtui.db.models import PurchaseOrder, PurchaseOrderLine
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.services import reorder
from invtui.services.acting import require_current
from invtui.services.po_changes import emit, record
from invtui.services.po_views import supplier_of
from invtui.services.tx import unit_of_work


@dataclass(frozen=True)
class Draft:
    """One PO drafted from the alerts: its number, supplier, where it delivers, how many lines."""

    number: str
    supplier: str
    location: str
    lines: int


def draft_from_alerts(session: Session, actor: Actor) -> list[Draft]:
    """One draft PO per supplier and location for every low, out or soon-out item not already on an
    open PO to that location, in the quantities invtui.services.reorder suggests (each line keeps
    why); each PO delivers to its location and its notes and history say so.

    Drafts only: they are shown for review and never submitted automatically. Products with no
    (active) supplier, and rows at inactive locations, cannot be ordered this way and are left out.
    """
    require_current(session, actor, Permission.DRAFT_PO)
    drafted: list[Draft] = []
    with unit_of_work(session):
        groups: dict[tuple[int, int], list[reorder.Need]] = {}
        for need in reorder.needs(session, validation.MAX_QUANTITY):
            groups.setdefault((need.supplier_id, need.location_id), []).append(need)
        for (supplier_id, location_id), lines in groups.items():
            where = lines[0].location_code
            po = PurchaseOrder(supplier_id=supplier_id, location_id=location_id, created_by=actor.id,
                               notes=f"Drafted from stock alerts at {where}")
            session.add(po)
            session.flush()
            session.refresh(po)
            for need in lines:
                session.add(PurchaseOrderLine(purchase_order_id=po.id, product_id=need.product_id,
                                              quantity_ordered=need.quantity, unit_cost=need.unit_cost,
                                              suggested=need.suggested))
            record(session, po, None, actor, f"drafted from alerts: {len(lines)} line(s), deliver to {where}")
            emit(session, "po.created", po, actor, lines=len(lines), location=where)
            drafted.append(Draft(po.number or "", supplier_of(session, po).code, where, len(lines)))
    return drafted
