"""What the dashboard shows: KPI figures, stock status and PO status with the first few details.

Stock status reads the one definition of "low" (the `inventory_status` view of the alert engine);
nothing here recomputes a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import Session

from invtui.domain.roles import Actor
from invtui.services import notifications
from invtui.services.tx import unit_of_work

DETAILS = 5

STOCK_BARS = (("OK", "In stock"), ("LOW_STOCK", "Low"), ("OUT_OF_STOCK", "Out"))
PO_BARS = (
    ("draft", "Draft"), ("submitted", "Submitted"), ("approved", "Approved"),
    ("partially_received", "Partial"), ("received", "Received"), ("cancelled", "Cancelled"),
)
OPEN_PO_STATES = ("draft", "submitted", "approved", "partially_received")

_KPIS = text(
    """
    SELECT (SELECT count(*) FROM products WHERE is_active),
           (SELECT coalesce(sum(quantity), 0) FROM inventory),
           (SELECT coalesce(sum(i.quantity * coalesce(i.unit_cost, p.cost_price)), 0)
              FROM inventory i JOIN products p ON p.id = i.product_id),
           (SELECT count(*) FROM stock_alerts WHERE status IN ('ACTIVE', 'ACKNOWLEDGED') AND alert_type = 'LOW_STOCK'),
           (SELECT count(*) FROM stock_alerts WHERE status IN ('ACTIVE', 'ACKNOWLEDGED') AND alert_type = 'OUT_OF_STOCK'),
           (SELECT count(*) FROM purchase_orders WHERE status IN ('draft', 'submitted', 'approved', 'partially_received'))
    """
)
_STOCK_COUNTS = text("SELECT condition, count(*) FROM inventory_status GROUP BY condition")
# The first rows of one condition: emptiest first, then by SKU and bin, so the list is stable.
_STOCK_DETAILS = text(
    """
    SELECT name, available_quantity, location_code FROM inventory_status
     WHERE condition = :condition
     ORDER BY available_quantity, sku, location_code
     LIMIT :limit
    """
)
_PO_COUNTS = text("SELECT status, count(*) FROM purchase_orders GROUP BY status")
_PO_DETAILS = text(
    """
    SELECT po.number, s.name FROM purchase_orders po JOIN suppliers s ON s.id = po.supplier_id
     WHERE po.status = :status ORDER BY po.id DESC LIMIT :limit
    """
)


@dataclass(frozen=True)
class Kpis:
    skus: int
    units: int
    stock_value: Decimal
    low_alerts: int
    out_alerts: int
    unread: int
    open_pos: int


@dataclass(frozen=True)
class BarData:
    """One bar of a chart: what the seed's tooltip showed (name, count, first details)."""

    key: str
    label: str
    count: int
    details: tuple[str, ...]


@dataclass(frozen=True)
class Dashboard:
    kpis: Kpis
    stock: tuple[BarData, ...]
    purchase_orders: tuple[BarData, ...]


def load(session: Session, actor: Actor) -> Dashboard:
    """Everything the dashboard shows, read in one repeatable snapshot."""
    unread = notifications.unread_count(session, actor) if actor.id is not None else 0
    with unit_of_work(session):
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        skus, units, value, low, out, open_pos = session.execute(_KPIS).one()
        kpis = Kpis(skus, units, Decimal(value), low, out, unread, open_pos)
        return Dashboard(kpis, _stock_bars(session), _po_bars(session))


def _stock_bars(session: Session) -> tuple[BarData, ...]:
    counts = dict(session.execute(_STOCK_COUNTS).all())
    bars = []
    for key, label in STOCK_BARS:
        count = counts.get(key, 0)
        rows = session.execute(_STOCK_DETAILS, {"condition": key, "limit": DETAILS}).all() if count else []
        bars.append(BarData(key, label, count, tuple(f"{name} - {qty} at {code}" for name, qty, code in rows)))
    return tuple(bars)


def _po_bars(session: Session) -> tuple[BarData, ...]:
    counts = dict(session.execute(_PO_COUNTS).all())
    bars = []
    for key, label in PO_BARS:
        count = counts.get(key, 0)
        rows = session.execute(_PO_DETAILS, {"status": key, "limit": DETAILS}).all() if count else []
        bars.append(BarData(key, label, count, tuple(f"{number} {supplier} - {label.lower()}" for number, supplier in rows)))
    return tuple(bars)
