"""Finding the things operators name: a product by SKU or barcode, a location by code.

Shared by every service that takes what an operator typed or scanned, so "Unknown SKU" reads the
same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, text
from sqlmodel import Session, select

from invtui.db.models import Location, Product, Supplier
from invtui.errors import ConflictError, NotFound, ValidationError


def product(session: Session, code: str, *, for_update: bool = False) -> Product:
    """The product whose SKU (case-insensitive) or barcode is `code`."""
    typed = (code or "").strip()
    if not typed:
        raise ValidationError("A SKU or barcode is required")
    query = select(Product).where(or_(Product.sku == typed, Product.sku == typed.upper(), Product.barcode == typed))
    if for_update:
        query = query.with_for_update()
    found = session.exec(query.order_by(Product.id)).first()
    if found is None:
        raise NotFound(f"Unknown SKU {typed!r}")
    return found


def location(session: Session, code: str) -> Location:
    """The location whose code (case-insensitive) is `code`."""
    typed = (code or "").strip()
    if not typed:
        raise ValidationError("A location code is required")
    found = session.exec(select(Location).where(or_(Location.code == typed, Location.code == typed.upper()))).first()
    if found is None:
        raise NotFound(f"Unknown location {typed!r}")
    return found


def active_location(session: Session, code: str) -> Location:
    """`location`, refused with a clear sentence when it is inactive (nothing goes there any more)."""
    found = location(session, code)
    if not found.is_active:
        raise ValidationError(f"Location {found.code} is inactive")
    return found


def optional_active_location(session: Session, code: object) -> Location | None:
    """`active_location`, or None when `code` is None or empty (a location the caller may leave unsaid)."""
    if code is None or not str(code).strip():
        return None
    return active_location(session, str(code))


def supplier(session: Session, code: str) -> Supplier:
    """The supplier whose code (case-insensitive) or exact name is `code`."""
    typed = (code or "").strip()
    if not typed:
        raise ValidationError("A supplier code is required")
    found = session.exec(
        select(Supplier).where(or_(Supplier.code == typed, Supplier.code == typed.upper(), Supplier.name == typed))
    ).first()
    if found is None:
        raise NotFound(f"Unknown supplier {typed!r}")
    return found



@dataclass(frozen=True)
class Scanned:
    """What a scanned or typed code named: a location or a product."""

    kind: str  # "location" | "product"
    code: str  # the location code or the SKU, as stored
    name: str


def resolve_scan(session: Session, code: str) -> Scanned:
    """A scanned code is a location code or a product's SKU or barcode; a location code wins.

    Bin labels and product labels share one scanner, so the rule is written once, here: a code
    that names a location starts work there, anything else must be a product ("Unknown SKU").
    """
    typed = (code or "").strip()
    if typed:
        place = session.exec(select(Location).where(or_(Location.code == typed, Location.code == typed.upper()))).first()
        if place is not None:
            return Scanned("location", place.code, place.name)
    found = product(session, typed)
    return Scanned("product", found.sku, found.name)


# --- one round trip for a stock command -------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: int
    sku: str
    name: str
    is_active: bool


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    is_active: bool


# The product (by SKU in any case, or barcode) and each named location, found in ONE round trip:
# this runs for every scan, so it matches the rules of `product` and `location` above without their ORM queries.
_FIND_PRODUCT = """
    LEFT JOIN LATERAL (SELECT id, sku, name, is_active FROM products
                        WHERE sku = :sku OR sku = :sku_upper OR barcode = :sku ORDER BY id LIMIT 1) p ON true"""
_FIND_LOCATION = """
    LEFT JOIN LATERAL (SELECT id, code, is_active FROM locations
                        WHERE code = :code{n} OR code = :code{n}_upper ORDER BY id LIMIT 1) l{n} ON true"""


def resolve(session: Session, sku: str, *codes: str) -> tuple[Item, list[Place]]:
    """The product and locations an operator named, with the same messages for unknown ones as `product` and `location`."""
    typed_sku = (sku or "").strip()
    if not typed_sku:
        raise ValidationError("A SKU or barcode is required")
    typed = [(code or "").strip() for code in codes]
    if not all(typed):
        raise ValidationError("A location code is required")
    columns = ["p.id", "p.sku", "p.name", "p.is_active"]
    joins = [_FIND_PRODUCT]
    params: dict[str, str] = {"sku": typed_sku, "sku_upper": typed_sku.upper()}
    for n, code in enumerate(typed):
        columns += [f"l{n}.id", f"l{n}.code", f"l{n}.is_active"]
        joins.append(_FIND_LOCATION.format(n=n))
        params[f"code{n}"], params[f"code{n}_upper"] = code, code.upper()
    row = session.execute(text(f"SELECT {', '.join(columns)} FROM (SELECT 1) AS one {''.join(joins)}"), params).one()
    if row[0] is None:
        raise NotFound(f"Unknown SKU {typed_sku!r}")
    places = []
    for n, code in enumerate(typed):
        place_id, place_code, active = row[4 + 3 * n: 7 + 3 * n]
        if place_id is None:
            raise NotFound(f"Unknown location {code!r}")
        places.append(Place(place_id, place_code, active))
    return Item(*row[:4]), places


def movable(session: Session, sku: str, *locations: str) -> tuple[Item, list[Place]]:
    """The product and locations an operator named, refusing any that is inactive."""
    product, places = resolve(session, sku, *locations)
    if not product.is_active:
        raise ConflictError(f"Product {product.sku} is inactive")
    for place in places:
        if not place.is_active:
            raise ConflictError(f"Location {place.code} is inactive")
    return product, places
