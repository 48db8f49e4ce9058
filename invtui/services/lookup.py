"""Finding the things operators name: a product by SKU or barcode, a location by code.

Shared by every service that takes what an operator typed or scanned, so "Unknown SKU" reads the
same everywhere.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from invtui.db.models import Location, Product, Supplier
from invtui.errors import NotFound, ValidationError


def product(session: Session, code: str, *, for_update: bool = False) -> Product:
    """The product whose SKU (case-insensitive) or barcode is `code`."""
    text = (code or "").strip()
    if not text:
        raise ValidationError("A SKU or barcode is required")
    query = select(Product).where(or_(Product.sku == text, Product.sku == text.upper(), Product.barcode == text))
    if for_update:
        query = query.with_for_update()
    found = session.exec(query.order_by(Product.id)).first()
    if found is None:
        raise NotFound(f"Unknown SKU {text!r}")
    return found


def location(session: Session, code: str) -> Location:
    """The location whose code (case-insensitive) is `code`."""
    text = (code or "").strip()
    if not text:
        raise ValidationError("A location code is required")
    found = session.exec(select(Location).where(or_(Location.code == text, Location.code == text.upper()))).first()
    if found is None:
        raise NotFound(f"Unknown location {text!r}")
    return found


def supplier(session: Session, code: str) -> Supplier:
    """The supplier whose code (case-insensitive) or exact name is `code`."""
    text = (code or "").strip()
    if not text:
        raise ValidationError("A supplier code is required")
    found = session.exec(
        select(Supplier).where(or_(Supplier.code == text, Supplier.code == text.upper(), Supplier.name == text))
    ).first()
    if found is None:
        raise NotFound(f"Unknown supplier {text!r}")
    return found
