"""The inventory screen's list: every stock row with its condition, paged by keyset over 1M rows.

Rows come from `inventory_status` (the one definition of low), ordered by SKU then location.
Paging continues after the last (SKU, location) shown, with a condition the planner can serve
from the SKU index (`sku >= :sku AND (...)`), so page 5,000 costs what page 1 costs. A search
first finds the matching products and locations (small tables), then their stock rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import Session

from invtui.domain import validation
from invtui.errors import ValidationError
from invtui.services.tx import unit_of_work

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
class StockPage:
    rows: list[StockRow]
    has_more: bool

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
