"""The inventory screen's list: every stock row with its condition, paged by keyset over 1M rows.

Rows come from `inventory_status` (the one definition of low), ordered by SKU then location.
Paging continues after the last (SKU, location) shown, with a condition the planner can serve
from the SKU index (`sku >= :sku AND (...)`), so page 5,000 costs what page 1 costs. A search
first finds the matching products and locations (small tables), then their stock rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from typing import TYPE_CHECKING

from sqlalchemy import text

from invtui.domain import validation
from invtui.errors import ValidationError
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

CONDITIONS = {"all": None, "low": "LOW_STOCK", "out": "OUT_OF_STOCK", "ok": "OK"}
MAX_PAGE = 500

_COLUMNS = """
    SELECT inventory_id, sku, name, location_code, quantity, reserved_quantity, available_quantity, threshold,
           condition, alert_status
      FROM inventory_status s
"""


@dataclass(frozen=True)
class StockRow:
    inventory_id: int
    sku: str
    name: str
    location: str
    quantity: int
    reserved: int
    available: int
    threshold: int
    condition: str
    alert_status: str | None
    # demand figures (issue 17): None without usage; alert_condition adds LOW_SOON to condition
    avg_daily_usage: Decimal | None = None
    days_of_cover: Decimal | None = None
    alert_condition: str | None = None


def _with_demand(query: str, order: str) -> str:
    """The page `query` selects, each row with its demand figures (looked up for those rows only)."""
    return f"""
    SELECT page.*, d.avg_daily_usage, d.days_of_cover, d.alert_condition
      FROM ({query}) page
      JOIN inventory i ON i.id = page.inventory_id
      LEFT JOIN LATERAL (SELECT d.avg_daily_usage, d.days_of_cover, d.alert_condition FROM inventory_demand d
                          WHERE d.product_id = i.product_id AND d.location_id = i.location_id OFFSET 0) d ON true
     ORDER BY {order}
    """


@dataclass(frozen=True)
class CoverKey:
    """Where a page in cover order ends: days of cover, then product and location ids (the rows
    with cover), or no days and SKU, location (the rows without, which follow)."""

    days: Decimal | None
    product_id: int
    location_id: int
    sku: str
    location: str


@dataclass(frozen=True)
class StockPage:
    rows: list[StockRow]
    has_more: bool
    cover_key: CoverKey | None = None  # in cover order (page_by_cover): where the next page starts

    @property
    def last_key(self) -> tuple[str, str] | None:
        return (self.rows[-1].sku, self.rows[-1].location) if self.rows else None


# Above this many matching products, walking the SKU index and filtering beats fetching every
# matching row and sorting it (a common term like "M6" matches thousands of products).
FEW_PRODUCTS = 2000


def _filters(session: Session, search: str | None, condition: str) -> tuple[list[str], dict[str, object]]:
    if condition not in CONDITIONS:
        raise ValidationError(f"Status filter must be one of {', '.join(CONDITIONS)}")
    where: list[str] = []
    params: dict[str, object] = {}
    if CONDITIONS[condition]:
        where.append("s.condition = :condition")
        params["condition"] = CONDITIONS[condition]
    term = (search or "").strip()
    if term:
        term = validation.text(term, what="Search", max_length=100)
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        match = {"pattern": f"%{escaped}%", "exact": term}
        products = session.execute(text(
            "SELECT id FROM products WHERE sku ILIKE :pattern OR name ILIKE :pattern OR barcode = :exact"
            " LIMIT :cap"), {**match, "cap": FEW_PRODUCTS + 1}).scalars().all()
        locations = session.execute(text("SELECT id FROM locations WHERE code ILIKE :pattern"), match).scalars().all()
        if len(products) <= FEW_PRODUCTS:
            # Few matches: their rows come straight from the (product, location) index.
            where.append("(s.product_id = ANY(:product_ids) OR s.location_id = ANY(:location_ids))")
            params.update(product_ids=list(products), location_ids=list(locations))
        else:
            where.append("(s.product_id IN (SELECT id FROM products WHERE sku ILIKE :pattern OR name ILIKE :pattern)"
                         " OR s.location_id = ANY(:location_ids))")
            params.update(pattern=match["pattern"], location_ids=list(locations))
    return where, params


def page(
    session: Session,
    *,
    search: str | None = None,
    condition: str = "all",
    after: tuple[str, str] | None = None,
    limit: int = 100,
) -> StockPage:
    """One page of stock rows after `after` (SKU, location code), in SKU then location order."""
    size = validation.quantity(limit, maximum=MAX_PAGE, what="Page size")
    with unit_of_work(session):
        where, params = _filters(session, search, condition)
    if after is not None:
        where.append("s.sku >= :after_sku AND (s.sku > :after_sku OR s.location_code > :after_location)")
        params.update(after_sku=after[0], after_location=after[1])
    query = _COLUMNS + (" WHERE " + " AND ".join(where) if where else "")
    query += " ORDER BY s.sku, s.location_code LIMIT :limit"
    query = _with_demand(query, "page.sku, page.location_code")
    with unit_of_work(session):
        rows = session.execute(text(query), {**params, "limit": size + 1}).all()
    return StockPage([StockRow(*r) for r in rows[:size]], len(rows) > size)


def last_page(session: Session, *, search: str | None = None, condition: str = "all", limit: int = 100) -> StockPage:
    """The final page (End key): the last rows in SKU then location order, read backwards."""
    size = validation.quantity(limit, maximum=MAX_PAGE, what="Page size")
    with unit_of_work(session):
        where, params = _filters(session, search, condition)
    query = _COLUMNS + (" WHERE " + " AND ".join(where) if where else "")
    query += " ORDER BY s.sku DESC, s.location_code DESC LIMIT :limit"
    query = _with_demand(query, "page.sku DESC, page.location_code DESC")
    with unit_of_work(session):
        rows = session.execute(text(query), {**params, "limit": size}).all()
    return StockPage([StockRow(*r) for r in reversed(rows)], False)


def row(session: Session, inventory_id: int) -> StockRow | None:
    """One row again (after an action changed it), or None if it is gone or its product inactive."""
    with unit_of_work(session):
        found = session.execute(text(_with_demand(_COLUMNS + " WHERE s.inventory_id = :id", "page.sku")),
                                {"id": inventory_id}).first()
    return StockRow(*found) if found else None


# -- lowest cover first (issue 17) ------------------------------------------------------------------
# The rows with days of cover come first, in inventory_demand's days of cover then product and
# location ids: the days-of-cover index over the usage each row keeps (sql/0012_kept_usage.sql)
# gives the page in order, and the rows whose kept usage is not good today are judged from the
# ledger beside it (a row whose kept usage ran out of days has at least available / usage_bound
# days of cover, sql/0014_usage_refresh_batches.sql: going forward it is judged only when that is
# within the page). The rows without cover follow in SKU then location order. Each row shows the
# view's figures.

_NO_JIT = text("SET LOCAL jit = off")  # a page costs milliseconds, compiling it seconds
_KEPT = "i.usage_from <= demand_now()::date AND i.usage_until >= demand_now()::date"
_UNKEPT = "(i.usage_until IS NULL OR i.usage_until < demand_now()::date OR i.usage_from > demand_now()::date)"
# Forward through the rows with cover: of the rows whose days ran out, those whose least cover today
# is within the page (the page is the index's first rows from `after`, up to its last key).
_LEAST_COVER = "round(i.available_quantity / nullif(i.usage_bound, 0), 1)"  # idx_inventory_usage_until's
_UNKEPT_WITHIN = f"""(i.usage_until IS NULL OR i.usage_from > demand_now()::date
    OR (i.usage_until < demand_now()::date AND {_LEAST_COVER} IS NULL)
    OR (i.usage_until < demand_now()::date AND {_LEAST_COVER}
        <= (SELECT CASE WHEN count(*) < :limit THEN 'Infinity' ELSE max(cover_key) END FROM indexed)))"""
_KEPT_COVER = "round(i.available_quantity / i.avg_daily_usage, 1)"


def _source(where: list[str]) -> str:
    """The stock rows to pick keys from: inventory_status when a filter needs its columns."""
    if where:
        return "inventory_status s JOIN inventory i ON i.id = s.inventory_id WHERE " + " AND ".join(where) + " AND "
    return "inventory i JOIN products p ON p.id = i.product_id AND p.is_active WHERE "


def _in_cover_order(where: list[str], after: CoverKey | None, backwards: bool, covered: bool) -> str:
    """One page of the rows with cover (`covered`) or of those without, in cover order: keys from the
    indexes (kept usage good today) and the rows whose kept usage is not, then each row's figures
    from inventory_demand, read once."""
    sign, order = ("<", " DESC") if backwards else (">", "")
    source = _source(where)
    if covered:
        keyset = f" AND ({_KEPT_COVER}, i.product_id, i.location_id) {sign} (:after_days, :after_product, :after_location)"
        indexed = f"""SELECT i.product_id, i.location_id, {_KEPT_COVER} AS cover_key
                        FROM {source} i.avg_daily_usage > 0 AND {_KEPT}
                       {keyset if after else ""}
                       ORDER BY {_KEPT_COVER}{order}, i.product_id{order}, i.location_id{order} LIMIT :limit"""
        view_keyset = f" AND (d.days_of_cover, d.product_id, d.location_id) {sign} (:after_days, :after_product, :after_location)"
        wanted = "d.days_of_cover IS NOT NULL" + (view_keyset if after else "")
        final = f"d.days_of_cover{order}, d.product_id{order}, d.location_id{order}"
    else:
        keyset = f" AND (x.sku, x.code) {sign} (:after_sku, :after_location)"
        indexed = f"""SELECT x.product_id, x.location_id FROM (
                         SELECT i.product_id, i.location_id, pp.sku, l.code FROM {source}
                                coalesce(i.avg_daily_usage, 0) = 0 AND {_KEPT}
                                AND pp.id = i.product_id AND l.id = i.location_id) x
                       WHERE true {keyset if after else ""}
                       ORDER BY x.sku{order}, x.code{order} LIMIT :limit"""
        indexed = indexed.replace("FROM " + source, "FROM products pp, locations l, " + source, 1)
        view_keyset = f" AND (d.sku, d.location_code) {sign} (:after_sku, :after_location)"
        wanted = "d.days_of_cover IS NULL" + (view_keyset if after else "")
        final = f"d.sku{order}, d.location_code{order}"
    unkept = _UNKEPT_WITHIN if covered and not backwards else _UNKEPT
    return f"""
    WITH indexed AS MATERIALIZED ({indexed})
    SELECT d.inventory_id, d.sku, d.name, d.location_code, d.quantity, d.reserved_quantity, d.available_quantity,
           d.threshold, d.condition, d.alert_status, d.avg_daily_usage, d.days_of_cover, d.alert_condition,
           d.product_id, d.location_id
      FROM (SELECT product_id, location_id FROM indexed
            UNION SELECT i.product_id, i.location_id FROM {source} {unkept}) k
     CROSS JOIN LATERAL (SELECT * FROM inventory_demand d
                          WHERE d.product_id = k.product_id AND d.location_id = k.location_id OFFSET 0) d
     WHERE {wanted}
     ORDER BY {final} LIMIT :limit
    """


def _cover_params(after: CoverKey | None) -> dict[str, object]:
    if after is None or after.days is None:
        return {}
    return {"after_days": after.days, "after_product": after.product_id, "after_location": after.location_id}


def page_by_cover(session: Session, *, search: str | None = None, condition: str = "all",
                  after: CoverKey | None = None, limit: int = 100) -> StockPage:
    """One page of stock rows in cover order (lowest days of cover first, rows without cover last)."""
    size = validation.quantity(limit, maximum=MAX_PAGE, what="Page size")
    with unit_of_work(session):
        session.execute(_NO_JIT)
        where, params = _filters(session, search, condition)
        rows: list[tuple] = []
        if after is None or after.days is not None:
            found = session.execute(text(_in_cover_order(where, after, False, True)),
                                    {**params, **_cover_params(after), "limit": size + 1}).all()
            rows = [(*r[:13], CoverKey(r.days_of_cover, r.product_id, r.location_id, r.sku, r.location_code))
                    for r in found]
        if len(rows) <= size:
            rest_after = after if after is not None and after.days is None else None
            if rest_after is not None:
                params.update(after_sku=rest_after.sku, after_location=rest_after.location)
            found = session.execute(text(_in_cover_order(where, rest_after, False, False)),
                                    {**params, "limit": size + 1 - len(rows)}).all()
            rows += [(*r[:13], CoverKey(None, 0, 0, r.sku, r.location_code)) for r in found]
    shown = rows[:size]
    return StockPage([StockRow(*r[:13]) for r in shown], len(rows) > size, shown[-1][13] if shown else None)


def last_page_by_cover(session: Session, *, search: str | None = None, condition: str = "all",
                       limit: int = 100) -> StockPage:
    """The final page in cover order (End key): the last rows without cover, then those with the most."""
    size = validation.quantity(limit, maximum=MAX_PAGE, what="Page size")
    with unit_of_work(session):
        session.execute(_NO_JIT)
        where, params = _filters(session, search, condition)
        rows = [tuple(r[:13]) for r in session.execute(text(_in_cover_order(where, None, True, False)),
                                                           {**params, "limit": size}).all()]
        if len(rows) < size:
            found = session.execute(text(_in_cover_order(where, None, True, True)),
                                    {**params, "limit": size - len(rows)}).all()
            rows += [tuple(r[:13]) for r in found]
    return StockPage([StockRow(*r) for r in reversed(rows)], False)
