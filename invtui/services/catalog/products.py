"""Products: SKU, barcode, prices and stock levels, with their category and supplier by name."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from invtui.db.models import Category, Location, Product, Supplier
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.errors import ConflictError
from invtui.services import lookup
from invtui.services.acting import require_current
from invtui.services.catalog.categories import category_row
from invtui.services.catalog.common import DEFAULT_PAGE, UNSET, Page, announce, flush, like, page_size, paged, retire, touch
from invtui.services.tx import unit_of_work


@dataclass(frozen=True)
class ProductView:
    id: int
    sku: str
    name: str
    description: str
    barcode: str | None
    category: str | None
    supplier: str | None
    unit_price: Decimal
    cost_price: Decimal
    min_stock_level: int
    reorder_point: int | None
    max_stock_level: int | None
    is_active: bool
    default_location: str | None = None  # where it is kept; a PO naming no location delivers there
    lead_time_days: int | None = None  # its own lead time; None: its supplier's (issue 17)
    pack_size: int | None = None  # reorder suggestions round up to it



def create_product(session: Session, actor: Actor, sku: str, name: str, *, description: str = "",
                   barcode: str | None = None, category: str | None = None, supplier: str | None = None,
                   unit_price: object = 0, cost_price: object = 0, min_stock_level: object = 0,
                   reorder_point: object = None, max_stock_level: object = None,
                   default_location: str | None = None, lead_time_days: object = None,
                   pack_size: object = None) -> ProductView:
    """A new product; `lead_time_days` None: its supplier's; `pack_size` None: none."""
    require_current(session, actor, Permission.EDIT_CATALOG)
    product = Product(
        sku=validation.code(sku, "SKU", 100),
        name=validation.text(name, what="Product name", max_length=255),
        description=validation.text(description, what="Description", max_length=5000, required=False),
        barcode=validation.barcode(barcode),
        unit_price=validation.money(unit_price, what="Price"),
        cost_price=validation.money(cost_price, what="Cost"),
        min_stock_level=validation.level(min_stock_level, "Min level"),
        reorder_point=validation.optional_level(reorder_point, "Reorder point"),
        max_stock_level=validation.optional_level(max_stock_level, "Max level"),
        lead_time_days=validation.lead_time_days(lead_time_days),
        pack_size=validation.pack_size(pack_size),
    )
    validation.check_thresholds(product.min_stock_level, product.reorder_point, product.max_stock_level)
    with unit_of_work(session):
        _refuse_duplicate_product(session, product)
        product.category_id = category_row(session, category).id if category else None
        product.supplier_id = lookup.supplier(session, supplier).id if supplier else None
        product.default_location_id = _location_id(lookup.optional_active_location(session, default_location))
        session.add(product)
        flush(session)
        announce(session, actor, "product", "created", product.id, product_id=product.id, sku=product.sku,
                  name=product.name)
        view = _product_view(session, product.id)
    return view


def update_product(session: Session, actor: Actor, sku: str, *, name: Any = UNSET, description: Any = UNSET,
                   barcode: Any = UNSET, category: Any = UNSET, supplier: Any = UNSET, unit_price: Any = UNSET,
                   cost_price: Any = UNSET, min_stock_level: Any = UNSET, reorder_point: Any = UNSET,
                   max_stock_level: Any = UNSET, active: Any = UNSET, default_location: Any = UNSET,
                   lead_time_days: Any = UNSET, pack_size: Any = UNSET) -> ProductView:
    """Change the named fields only; None clears an optional one (barcode, category, thresholds,
    default location, own lead time: its supplier's again, pack size)."""
    require_current(session, actor, Permission.EDIT_CATALOG)
    # no_autoflush: half-applied edits must not reach the database before they are all checked
    with unit_of_work(session), session.no_autoflush:
        product = lookup.product(session, sku, for_update=True)
        if name is not UNSET:
            product.name = validation.text(name, what="Product name", max_length=255)
        if description is not UNSET:
            product.description = validation.text(description, what="Description", max_length=5000, required=False)
        if barcode is not UNSET:
            product.barcode = validation.barcode(barcode)
            _refuse_duplicate_product(session, product)
        if category is not UNSET:
            product.category_id = category_row(session, category).id if category else None
        if supplier is not UNSET:
            product.supplier_id = lookup.supplier(session, supplier).id if supplier else None
        if unit_price is not UNSET:
            product.unit_price = validation.money(unit_price, what="Price")
        if cost_price is not UNSET:
            product.cost_price = validation.money(cost_price, what="Cost")
        if min_stock_level is not UNSET:
            product.min_stock_level = validation.level(min_stock_level, "Min level")
        if reorder_point is not UNSET:
            product.reorder_point = validation.optional_level(reorder_point, "Reorder point")
        if max_stock_level is not UNSET:
            product.max_stock_level = validation.optional_level(max_stock_level, "Max level")
        if default_location is not UNSET:
            product.default_location_id = _location_id(lookup.optional_active_location(session, default_location))
        if lead_time_days is not UNSET:
            product.lead_time_days = validation.lead_time_days(lead_time_days)
        if pack_size is not UNSET:
            product.pack_size = validation.pack_size(pack_size)
        if active is not UNSET:
            product.is_active = bool(active)
        validation.check_thresholds(product.min_stock_level, product.reorder_point, product.max_stock_level)
        touch(product)
        flush(session)
        announce(session, actor, "product", "updated", product.id, product_id=product.id, sku=product.sku,
                  name=product.name)
        view = _product_view(session, product.id)
    return view


def deactivate_product(session: Session, actor: Actor, sku: str) -> ProductView:
    """Retire a product: it keeps its stock and history but can no longer be moved or ordered."""
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        product = lookup.product(session, sku, for_update=True)
        retire(session, actor, product, "product", f"Product {product.sku}", product_id=product.id,
                sku=product.sku, name=product.name)
        view = _product_view(session, product.id)
    return view


def get_product(session: Session, sku: str) -> ProductView:
    """A product by SKU or barcode, with its category name and supplier code."""
    with unit_of_work(session):
        return _product_view(session, lookup.product(session, sku).id)


def list_products(session: Session, *, search: str | None = None, active: bool | None = None,
                  category: str | None = None, supplier: str | None = None, limit: object = DEFAULT_PAGE,
                  after: str | None = None) -> Page[ProductView]:
    """Products by SKU; `search` matches SKU, name (anywhere, any case) or the exact barcode."""
    size = page_size(limit)
    query = _product_query()
    with unit_of_work(session):
        if search and search.strip():
            text_ = search.strip()
            pattern = like(text_)
            query = query.where(or_(Product.sku.ilike(pattern), Product.name.ilike(pattern),  # type: ignore[attr-defined]
                                    Product.barcode == text_))
        if active is not None:
            query = query.where(Product.is_active == active)
        if category:
            query = query.where(Product.category_id == category_row(session, category).id)
        if supplier:
            query = query.where(Product.supplier_id == lookup.supplier(session, supplier).id)
        if after:
            query = query.where(Product.sku > after)
        rows = session.exec(query.order_by(Product.sku).limit(size + 1)).all()
    return paged([_to_view(*row) for row in rows], size, lambda p: p.sku)


_DefaultLocation = aliased(Location)


def _product_query():  # type: ignore[no-untyped-def]
    return (
        select(Product, Category.name, Supplier.code, _DefaultLocation.code)
        .join(Category, Category.id == Product.category_id, isouter=True)  # type: ignore[arg-type]
        .join(Supplier, Supplier.id == Product.supplier_id, isouter=True)  # type: ignore[arg-type]
        .join(_DefaultLocation, _DefaultLocation.id == Product.default_location_id, isouter=True)  # type: ignore[arg-type]
    )


def _location_id(location: Location | None) -> int | None:
    return location.id if location is not None else None


def _product_view(session: Session, product_id: int | None) -> ProductView:
    row = session.exec(_product_query().where(Product.id == product_id)).one()
    return _to_view(*row)


def _to_view(p: Product, category: str | None, supplier: str | None, location: str | None) -> ProductView:
    return ProductView(p.id, p.sku, p.name, p.description, p.barcode, category, supplier,  # type: ignore[arg-type]
                       p.unit_price, p.cost_price, p.min_stock_level, p.reorder_point, p.max_stock_level,
                       p.is_active, location, p.lead_time_days, p.pack_size)



def _refuse_duplicate_product(session: Session, product: Product) -> None:
    """A clear sentence before the UNIQUE constraint would refuse it (which still guards races)."""
    if product.id is None and session.exec(select(Product.id).where(Product.sku == product.sku)).first():
        raise ConflictError(f"A product with SKU {product.sku} already exists")
    if product.barcode:
        query = select(Product).where(Product.barcode == product.barcode)
        if product.id is not None:
            query = query.where(Product.id != product.id)
        other = session.exec(query).first()
        if other is not None:
            raise ConflictError(f"Barcode {product.barcode} already belongs to {other.sku}")
