"""Demand figures: usage, stock on order, days of cover, predicted stock-out (issue 17).

Every figure is computed by the database (the views inventory_demand and product_demand in
sql/0010_demand.sql, which the alert engine judges by too); this module only reads them, in the
order people want them (lowest cover first), and copies the [demand] settings into the database
so the triggers of every writer use the same window and safety days.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from invtui.config import Settings
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.errors import ValidationError
from invtui.services import events
from invtui.services.acting import require_current
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

# `lookup` and the models load where a function needs them: the sweep (`sync_settings`, in every
# signed-in app) must not pull the ORM into an idle app (issue 15).

UNSET: Any = object()  # an argument left out (None clears)

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Cover:
    """One item's demand figures at one location (location None: over all its locations)."""

    sku: str
    name: str
    location: str | None
    available: int
    on_order: int
    projected: int
    avg_daily_usage: Decimal | None  # None: fewer than 2 issues in the window
    days_of_cover: Decimal | None
    projected_days_of_cover: Decimal | None
    stockout_date: date | None
    lead_time_days: int | None

    @property
    def runs_out_within_lead_time(self) -> bool:
        return (self.days_of_cover is not None and self.lead_time_days is not None
                and self.days_of_cover < self.lead_time_days)

    def as_json(self) -> dict[str, Any]:
        """The keys `invtui stock cover --json` prints (issue 17), numbers as numbers."""
        data = asdict(self)
        del data["name"], data["projected_days_of_cover"]
        for key in ("avg_daily_usage", "days_of_cover"):
            data[key] = float(data[key]) if data[key] is not None else None
        data["stockout_date"] = self.stockout_date.isoformat() if self.stockout_date else None
        return data


# Lowest cover first, from the usage each stock row keeps (sql/0012_kept_usage.sql): the first
# rows of the days-of-cover index whose kept usage is good today, the first rows without kept
# cover in SKU order, and the rows whose kept usage is not good today; each read whole from
# inventory_demand (once: planning the view is most of the cost) and ordered by its figures there:
# rows with cover first, the others by SKU and location. A row whose kept usage ran out of days
# (the sweeps refresh them a batch at a time, sql/0014_usage_refresh_batches.sql) has at least
# available / usage_bound days of cover today, so it is read only when that is within the page
# (or the page is not full of covered rows, or the row has no bound).
_FILTER = """
           AND (CAST(:product_id AS bigint) IS NULL OR i.product_id = CAST(:product_id AS bigint))
           AND (CAST(:location_id AS bigint) IS NULL OR i.location_id = CAST(:location_id AS bigint))"""
_BY_LOCATION = text(
    """
    WITH indexed AS MATERIALIZED (
        SELECT i.product_id, i.location_id, round(i.available_quantity / i.avg_daily_usage, 1) AS cover
          FROM inventory i
          JOIN products p ON p.id = i.product_id AND p.is_active
         WHERE i.avg_daily_usage > 0
           AND i.usage_from <= demand_now()::date AND i.usage_until >= demand_now()::date""" + _FILTER + """
           AND (CAST(:below AS numeric) IS NULL OR round(i.available_quantity / i.avg_daily_usage, 1) < CAST(:below AS numeric))
         ORDER BY round(i.available_quantity / i.avg_daily_usage, 1), i.product_id, i.location_id
         LIMIT :limit
    ), uncovered AS (
        SELECT i.product_id, i.location_id
          FROM inventory i
          JOIN products p ON p.id = i.product_id AND p.is_active
          JOIN locations l ON l.id = i.location_id
         WHERE CAST(:below AS numeric) IS NULL AND coalesce(i.avg_daily_usage, 0) = 0
           AND i.usage_from <= demand_now()::date AND i.usage_until >= demand_now()::date""" + _FILTER + """
         ORDER BY p.sku, l.code
         LIMIT :limit
    ), unkept AS (
        SELECT i.product_id, i.location_id
          FROM inventory i
         WHERE (i.usage_until IS NULL OR i.usage_from > demand_now()::date
                OR (i.usage_until < demand_now()::date AND round(i.available_quantity / nullif(i.usage_bound, 0), 1) IS NULL)
                OR (i.usage_until < demand_now()::date
                    AND round(i.available_quantity / nullif(i.usage_bound, 0), 1)
                        <= (SELECT CASE WHEN count(*) < :limit THEN coalesce(CAST(:below AS numeric), 'Infinity')
                                        ELSE max(cover) END FROM indexed)))"""
    + _FILTER + """
    )
    SELECT d.sku, d.name, d.location_code, d.available_quantity, d.on_order, d.projected, d.avg_daily_usage,
           d.days_of_cover, d.projected_days_of_cover, d.stockout_date, d.lead_time_days
      FROM (SELECT product_id, location_id FROM indexed UNION SELECT * FROM uncovered UNION SELECT * FROM unkept) k
     CROSS JOIN LATERAL (SELECT * FROM inventory_demand s
                          WHERE s.product_id = k.product_id AND s.location_id = k.location_id OFFSET 0) d
     WHERE CAST(:below AS numeric) IS NULL OR d.days_of_cover < CAST(:below AS numeric)
     ORDER BY d.days_of_cover IS NULL, d.days_of_cover,
              CASE WHEN d.days_of_cover IS NOT NULL THEN d.product_id END,
              CASE WHEN d.days_of_cover IS NOT NULL THEN d.location_id END, d.sku, d.location_code
     LIMIT :limit
    """
)

# Until a full sweep has kept every row's usage for the current [demand] window_days (just after
# the window changed): version 10's query, one pass over the window's issues.
_BY_LOCATION_FROM_LEDGER = text(
    """
    WITH ranked AS MATERIALIZED (
        SELECT u.product_id, u.location_id,
               i.available_quantity / demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) AS cover
          FROM demand_usage u
          JOIN item_first_movements f ON f.product_id = u.product_id AND f.location_id = u.location_id
          JOIN inventory i ON i.product_id = u.product_id AND i.location_id = u.location_id
          JOIN products p ON p.id = u.product_id AND p.is_active
         CROSS JOIN demand_settings ds
         WHERE u.outbound >= 2 AND u.used > 0
           AND (CAST(:product_id AS bigint) IS NULL OR u.product_id = CAST(:product_id AS bigint))
           AND (CAST(:location_id AS bigint) IS NULL OR u.location_id = CAST(:location_id AS bigint))
           AND (CAST(:below AS numeric) IS NULL
                OR i.available_quantity / demand_daily_usage(u.outbound, u.used, f.first_at, ds.window_days) < CAST(:below AS numeric))
         ORDER BY 3, 1, 2
         LIMIT :limit
    ), rest AS (
        SELECT s.product_id, s.location_id FROM inventory_status s
         WHERE CAST(:below AS numeric) IS NULL AND (SELECT count(*) FROM ranked) < :limit
           AND (CAST(:product_id AS bigint) IS NULL OR s.product_id = CAST(:product_id AS bigint))
           AND (CAST(:location_id AS bigint) IS NULL OR s.location_id = CAST(:location_id AS bigint))
           AND NOT EXISTS (SELECT 1 FROM ranked r WHERE r.product_id = s.product_id AND r.location_id = s.location_id)
         ORDER BY s.sku, s.location_code
         LIMIT :limit
    ), keys AS (
        SELECT product_id, location_id, 0 AS part, row_number() OVER () AS n FROM ranked
        UNION ALL
        SELECT product_id, location_id, 1, row_number() OVER () FROM rest
    )
    SELECT d.sku, d.name, d.location_code, d.available_quantity, d.on_order, d.projected, d.avg_daily_usage,
           d.days_of_cover, d.projected_days_of_cover, d.stockout_date, d.lead_time_days
      FROM keys k
     CROSS JOIN LATERAL (SELECT * FROM inventory_demand s
                          WHERE s.product_id = k.product_id AND s.location_id = k.location_id OFFSET 0) d
     ORDER BY k.part, d.days_of_cover NULLS LAST, k.n
     LIMIT :limit
    """
)

_USAGE_KEPT = text("SELECT usage_window IS NOT DISTINCT FROM window_days FROM demand_settings")

_OVERALL = text(
    """
    SELECT d.sku, d.name, NULL, d.available_quantity, d.on_order, d.projected, d.avg_daily_usage,
           d.days_of_cover, d.projected_days_of_cover, d.stockout_date, d.lead_time_days
      FROM product_demand d
     WHERE (CAST(:product_id AS bigint) IS NULL OR d.product_id = CAST(:product_id AS bigint))
       AND (CAST(:below AS numeric) IS NULL OR d.days_of_cover < CAST(:below AS numeric))
     ORDER BY d.days_of_cover NULLS LAST, d.sku
     LIMIT :limit
    """
)

# The window's issues grouped by item hash in memory (as in the sweep's stock_alert_items).
_WORK_MEM = text("SET LOCAL work_mem = '64MB'")
# A page of rows costs milliseconds; compiling it (the views' many joins look costly) costs seconds.
_NO_JIT = text("SET LOCAL jit = off")

_SYNC = text(
    """
    UPDATE demand_settings
       SET window_days = :window_days, safety_days = :safety_days, review_days = :review_days, updated_at = now(),
           judged_at = NULL  -- new settings: this sweep looks for items running out soon
     WHERE (window_days, safety_days, review_days) IS DISTINCT FROM (:window_days, :safety_days, :review_days)
    """
)


def cover(session: Session, *, sku: str | None = None, location: str | None = None, below: object = None,
          overall: bool = False, limit: object = 50) -> list[Cover]:
    """Demand figures per item and location (or per item with `overall`), lowest cover first.

    `below`: only rows with fewer days of cover than this (rows without usage have none).
    """
    from invtui.services import lookup

    params: dict[str, Any] = {
        "product_id": lookup.product(session, sku).id if sku else None,
        "location_id": lookup.location(session, location).id if location else None,
        "below": validation.quantity(below, minimum=0, maximum=3650, what="Days (--below)") if below not in (None, "")
        else None,
        "limit": validation.quantity(limit, minimum=1, maximum=MAX_LIMIT, what="Limit"),
    }
    if overall and location:
        raise ValidationError("Give a location or ask for the figures over all locations, not both")
    session.execute(_NO_JIT)
    if not overall and session.execute(_USAGE_KEPT).scalar_one():
        query = _BY_LOCATION
    else:
        session.execute(_WORK_MEM)
        query = _OVERALL if overall else _BY_LOCATION_FROM_LEDGER
    rows = session.execute(query, params).all()
    return [Cover(*row) for row in rows]


def sync_settings(session: Session, settings: Settings) -> None:
    """Copy [demand] from config.toml into demand_settings (a no-op when they already agree)."""
    session.execute(_SYNC, {"window_days": settings.demand_window_days, "safety_days": settings.demand_safety_days,
                            "review_days": settings.demand_review_days})


_RUNNING_OUT = text(
    "SELECT count(*) FROM stock_alerts WHERE status IN ('ACTIVE', 'ACKNOWLEDGED') AND alert_type = 'LOW_SOON'"
)


def running_out(session: Session) -> int:
    """Items running out within their lead time: the open RUNS OUT SOON alerts (the engine keeps
    them current), counted from the alert index instead of recomputing every item's cover."""
    return int(session.execute(_RUNNING_OUT).scalar_one())


@dataclass(frozen=True)
class OrderingTerms:
    """What reordering a product takes: its own lead time (None: its supplier's) and pack size."""

    sku: str
    lead_time_days: int | None
    supplier_lead_time_days: int | None
    pack_size: int | None


def set_terms(session: Session, actor: Actor, sku: str, *, lead_time_days: Any = UNSET,
              pack_size: Any = UNSET) -> OrderingTerms:
    """Give a product its own lead time (None: its supplier's again) or pack size (None: none).

    The products trigger re-judges the product's items at once: a longer lead time may raise
    RUNS OUT SOON, a shorter one resolve it."""
    from invtui.db.models import Supplier
    from invtui.services import lookup

    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        product = lookup.product(session, sku, for_update=True)
        if lead_time_days is not UNSET:
            product.lead_time_days = validation.lead_time_days(lead_time_days)
        if pack_size is not UNSET:
            product.pack_size = validation.pack_size(pack_size)
        session.add(product)
        session.flush()
        events.emit(session, "catalog.changed", id=product.id, user_id=actor.id, entity="product", action="updated",
                    product_id=product.id, sku=product.sku, name=product.name)
        supplier = session.get(Supplier, product.supplier_id) if product.supplier_id else None
        return OrderingTerms(product.sku, product.lead_time_days, supplier.lead_time_days if supplier else None,
                             product.pack_size)
