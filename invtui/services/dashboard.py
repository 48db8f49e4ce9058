"""What the dashboard shows: KPI figures, stock status and PO status with the first few details.

Stock status reads the one definition of "low" (the `inventory_status` view of the alert engine);
nothing here recomputes a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import text

from invtui.config import Settings
from invtui.domain.roles import Actor
from invtui.services import count_review, count_schedule, notifications
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

DETAILS = 5

STOCK_BARS = (("OK", "In stock"), ("LOW_STOCK", "Low"), ("OUT_OF_STOCK", "Out"))
PO_BARS = (
    ("draft", "Draft"), ("submitted", "Submitted"), ("approved", "Approved"),
    ("partially_received", "Partial"), ("received", "Received"), ("cancelled", "Cancelled"),
)
OPEN_PO_STATES = ("draft", "submitted", "approved", "partially_received")

# One pass over the stock rows gives the units, the value and the condition counts. It uses the
# alert engine's own pieces of the definition of "low" (product_alert_thresholds, location rules,
# stock_condition), exactly as the inventory_status view composes them, without the view's joins
# to names, alerts and arming that a count does not need (a third of the time on 1M rows).
_STOCK_TOTALS = text(
    """
    SELECT coalesce(sum(i.quantity), 0),
           coalesce(sum(i.quantity * coalesce(i.unit_cost, p.cost_price)), 0),
           count(*) FILTER (WHERE c.condition = 'OK'),
           count(*) FILTER (WHERE c.condition = 'LOW_STOCK'),
           count(*) FILTER (WHERE c.condition = 'OUT_OF_STOCK')
      FROM inventory i
      JOIN products p ON p.id = i.product_id
      LEFT JOIN product_alert_thresholds pt ON pt.product_id = i.product_id
      LEFT JOIN alert_rules rl ON rl.product_id = i.product_id AND rl.location_id = i.location_id AND rl.is_active
     CROSS JOIN LATERAL (
           SELECT CASE WHEN pt.product_id IS NULL THEN NULL
                       ELSE stock_condition(i.available_quantity, coalesce(rl.threshold_quantity, pt.threshold))
                  END AS condition) c
    """
)
_OTHER_KPIS = text(
    """
    SELECT (SELECT count(*) FROM products WHERE is_active),
           (SELECT count(*) FROM stock_alerts WHERE status IN ('ACTIVE', 'ACKNOWLEDGED') AND alert_type = 'LOW_STOCK'),
           (SELECT count(*) FROM stock_alerts WHERE status IN ('ACTIVE', 'ACKNOWLEDGED') AND alert_type = 'OUT_OF_STOCK'),
           (SELECT count(*) FROM purchase_orders WHERE status IN ('draft', 'submitted', 'approved', 'partially_received'))
    """
)
# The first rows of each condition, read through the index on available quantity: the emptiest
# OUT and LOW rows, and the best-stocked rows in stock. The range condition on available lets the
# index skip the other conditions' rows instead of reading them.
_STOCK_DETAILS = {
    "OUT_OF_STOCK": text(
        "SELECT name, available_quantity, location_code FROM inventory_status"
        " WHERE available_quantity <= 0 AND condition = 'OUT_OF_STOCK'"
        " ORDER BY available_quantity, sku, location_code LIMIT :limit"),
    "LOW_STOCK": text(
        "SELECT name, available_quantity, location_code FROM inventory_status"
        " WHERE available_quantity > 0 AND condition = 'LOW_STOCK'"
        " ORDER BY available_quantity, sku, location_code LIMIT :limit"),
    "OK": text(
        "SELECT name, available_quantity, location_code FROM inventory_status"
        " WHERE available_quantity > 0 AND condition = 'OK'"
        " ORDER BY available_quantity DESC, sku, location_code LIMIT :limit"),
}
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
    """Everything the dashboard shows, read in one repeatable snapshot.

    "In stock" lists the best-stocked rows first; "Low" and "Out" the emptiest.
    """
    unread = notifications.unread_count(session, actor) if actor.id is not None else 0
    with unit_of_work(session):
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        units, value, ok, low_rows, out_rows = session.execute(_STOCK_TOTALS).one()
        skus, low, out, open_pos = session.execute(_OTHER_KPIS).one()
        kpis = Kpis(skus, units, Decimal(value), low, out, unread, open_pos)
        counts = {"OK": ok, "LOW_STOCK": low_rows, "OUT_OF_STOCK": out_rows}
        return Dashboard(kpis, _stock_bars(session, counts), _po_bars(session))


def _stock_bars(session: Session, counts: dict[str, int]) -> tuple[BarData, ...]:
    bars = []
    for key, label in STOCK_BARS:
        count = counts.get(key, 0)
        rows = session.execute(_STOCK_DETAILS[key], {"limit": DETAILS}).all() if count else []
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


# --- cycle counts (issue 16) -------------------------------------------------------------------

COUNT_WEEK_DAYS = 7

# Lines posted in the window: how many, how many were right first time (counted once, no
# difference), and what the differences were worth at cost (absolute, and net of gains).
_COUNT_ACCURACY = text(
    f"""
    SELECT count(*),
           count(*) FILTER (WHERE c.posted_difference = 0 AND c.recounts = 0),
           coalesce(sum(abs(c.posted_difference) * {count_review.UNIT_COST}), 0),
           coalesce(sum(c.posted_difference * {count_review.UNIT_COST}), 0)
      FROM count_lines c
      JOIN products p ON p.id = c.product_id
     WHERE c.posted_at > :now - make_interval(days => :days) AND c.posted_at <= :now
    """
)


@dataclass(frozen=True)
class CountSummary:
    """The dashboard's count line: locations due, and the last `days` days' count accuracy."""

    due: int
    days: int
    lines: int
    right_first_time: int
    difference_value: Decimal  # sum of |difference| x unit cost
    net_value: Decimal  # gains minus losses

    @property
    def accuracy(self) -> float | None:
        """Share of posted lines counted right first time; None when nothing was counted."""
        return self.right_first_time / self.lines if self.lines else None


def count_summary(session: Session, actor: Actor, settings: Settings | None = None,
                  now: datetime | None = None, days: int = COUNT_WEEK_DAYS) -> CountSummary:
    """Counts due now and the accuracy of the lines posted in the last `days` days (one snapshot)."""
    moment = now or datetime.now(timezone.utc)
    with unit_of_work(session):
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        due = count_schedule.count_due_in(session, settings, moment)
        lines, right, value, net = session.execute(_COUNT_ACCURACY, {"now": moment, "days": days}).one()
    return CountSummary(due, days, int(lines), int(right), Decimal(value).quantize(Decimal("0.01")),
                        Decimal(net).quantize(Decimal("0.01")))
