"""Reorder suggestions for draft POs from alerts (issue 17), from the demand figures.

Which items: every row (item at a location) that is LOW or OUT (inventory_status, as before) and
every row with an open RUNS OUT SOON alert, unless an open PO (a draft too) already brings the item
there: a PO delivering to that location, or naming none while the item's default location is that
one or the item has none (the rule stock on order follows, demand_on_order). Rows at inactive
locations are left out: nothing is delivered there. How many: invtui.domain.demand.suggest per row,
from the row's figures in inventory_demand, rounded up to the pack size. Each row becomes a line of
a PO delivering to its location (po_from_alerts), and the line stores the figures
(purchase_order_lines.suggested); the PO detail shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from invtui.domain.demand import round_to_pack, suggest

_NEEDS = text(
    """
    SELECT p.supplier_id, d.product_id, d.location_id, p.cost_price, p.pack_size, d.location_code, d.available_quantity,
           d.on_order, d.avg_daily_usage, d.lead_time_days, ds.review_days, ds.safety_days, p.max_stock_level,
           d.threshold
      FROM (SELECT s.product_id, s.location_id FROM inventory_status s
             WHERE s.condition IN ('LOW_STOCK', 'OUT_OF_STOCK')
            UNION
            SELECT a.product_id, a.location_id FROM stock_alerts a
             WHERE a.status IN ('ACTIVE', 'ACKNOWLEDGED') AND a.alert_type = 'LOW_SOON') k
     CROSS JOIN LATERAL (SELECT * FROM inventory_demand d
                          WHERE d.product_id = k.product_id AND d.location_id = k.location_id OFFSET 0) d
      JOIN products p ON p.id = d.product_id
      JOIN suppliers sup ON sup.id = p.supplier_id AND sup.is_active
      JOIN locations loc ON loc.id = d.location_id AND loc.is_active
     CROSS JOIN demand_settings ds
     WHERE NOT EXISTS (
           SELECT 1 FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id
            WHERE l.product_id = d.product_id
              AND o.status IN ('draft', 'submitted', 'approved', 'partially_received')
              AND coalesce(o.location_id, p.default_location_id, d.location_id) = d.location_id)
     ORDER BY p.supplier_id, d.location_code, p.sku
    """
)


@dataclass
class Need:
    """One product to order from one supplier for one location: the quantity and why."""

    supplier_id: int
    product_id: int
    location_id: int
    location_code: str
    unit_cost: Decimal
    quantity: int
    suggested: dict[str, Any]


def needs(session: Session, max_quantity: int) -> list[Need]:
    """The rows to put on draft POs, in supplier, location and SKU order."""
    found: list[Need] = []
    for row in session.execute(_NEEDS).all():
        (supplier_id, product_id, location_id, cost, pack_size, location, available, on_order, usage, lead, review,
         safety, max_level, threshold) = row
        one = suggest(available=available, on_order=on_order, usage=usage, lead_time_days=lead, review_days=review,
                      safety_days=safety, max_level=max_level, threshold=threshold)
        quantity = min(round_to_pack(one.quantity, pack_size), max_quantity)
        found.append(Need(supplier_id, product_id, location_id, location, cost, quantity,
                          {"pack_size": pack_size, "quantity": quantity,
                           "rows": [{"location": location, "quantity": one.quantity, **one.basis}]}))
    return found
