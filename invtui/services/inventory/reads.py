"""What is in stock where, and the ledger's newest rows: the reads behind the stock screens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from invtui.domain import validation
from invtui.services import lookup
from invtui.services.tx import unit_of_work

MOVEMENT_LIMIT_MAX = 1000


@dataclass(frozen=True)
class StockLine:
    """One location's stock of a product, as `stock show` lists it."""

    location: str
    location_name: str
    quantity: int
    reserved: int
    available: int


@dataclass(frozen=True)
class ProductStock:
    sku: str
    name: str
    is_active: bool
    lines: list[StockLine]

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def reserved(self) -> int:
        return sum(line.reserved for line in self.lines)

    @property
    def available(self) -> int:
        return sum(line.available for line in self.lines)


@dataclass(frozen=True)
class MovementRow:
    id: int
    at: datetime
    sku: str
    location: str
    kind: str
    quantity_delta: int
    reserved_delta: int
    reference: str
    reason: str
    user: str | None


def stock_for(session: Session, sku: str) -> ProductStock:
    """A product's stock at every location that holds or held it, by location code."""
    with unit_of_work(session):
        product = lookup.product(session, sku)
        rows = session.execute(_STOCK_FOR, {"product_id": product.id}).all()
    return ProductStock(product.sku, product.name, product.is_active, [StockLine(*row) for row in rows])


def movements(session: Session, sku: str | None = None, limit: object = 50) -> list[MovementRow]:
    """The newest ledger rows first, for one product or for all."""
    count = validation.quantity(limit, maximum=MOVEMENT_LIMIT_MAX, what="Limit")
    with unit_of_work(session):
        product_id = lookup.product(session, sku).id if sku is not None else None
        rows = session.execute(_MOVEMENTS, {"product_id": product_id, "limit": count}).all()
    return [MovementRow(*row) for row in rows]


_STOCK_FOR = text(
    """
    SELECT l.code, l.name, i.quantity, i.reserved_quantity, i.available_quantity
      FROM inventory i JOIN locations l ON l.id = i.location_id
     WHERE i.product_id = :product_id
     ORDER BY l.code
    """
)

_MOVEMENTS = text(
    """
    SELECT m.id, m.created_at, p.sku, l.code, m.kind, m.quantity_delta, m.reserved_delta, m.reference, m.reason,
           u.username
      FROM stock_movements m
      JOIN products p ON p.id = m.product_id
      JOIN locations l ON l.id = m.location_id
      LEFT JOIN users u ON u.id = m.user_id
     WHERE CAST(:product_id AS bigint) IS NULL OR m.product_id = :product_id
     ORDER BY m.id DESC
     LIMIT :limit
    """
)
