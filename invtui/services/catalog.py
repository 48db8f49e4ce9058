"""The catalog: products, categories, suppliers, locations and alert rules.

Every change is one transaction, checked against the actor's role (EDIT_CATALOG; alert rules:
EDIT_ALERT_RULES), validated before it is written and announced with a `catalog.changed` event.
Nothing is ever deleted: stock and ledger rows point at these records, so retiring one means
deactivating it (and `update(..., active=True)` brings it back).

Lists page by KEYSET: each page is ordered by a unique key and the next page starts "after" the
last key of this one (the returned `next_cursor`), so page 5,000 costs what page 1 costs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, func, or_
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, select

from invtui.db.errors import friendly_error
from invtui.db.models import AlertRule, Category, Location, Product, Supplier
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.errors import ConflictError, NotFound, ValidationError
from invtui.services import events, lookup
from invtui.services.acting import require_current
from invtui.services.tx import unit_of_work

T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)  # a catalog table
PAGE_MAX = 1000
DEFAULT_PAGE = 50
# SKUs and codes are printed on labels and scanned: letters, digits and a few separators.
CODE_PATTERN = re.compile(r"^[\w][\w.\-/+#]*$")


class _Unset:
    """Marks an update argument the caller did not pass (None means "clear it")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; pass `next_cursor` as `after` for the next page (None: this is the last)."""

    items: list[T]
    next_cursor: str | None


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


@dataclass(frozen=True)
class RuleView:
    id: int
    sku: str
    location: str | None
    threshold: int
    is_active: bool


# --- shared rules ---------------------------------------------------------------------------


def check_thresholds(min_level: int, reorder_point: int | None, max_level: int | None) -> None:
    """min <= reorder point <= max where set, in the words a buyer uses."""
    if reorder_point is not None:
        if max_level is not None and not min_level <= reorder_point <= max_level:
            raise ValidationError(
                f"Reorder point {reorder_point} must be between min level {min_level} and max level {max_level}"
            )
        if reorder_point < min_level:
            raise ValidationError(f"Reorder point {reorder_point} must be at least min level {min_level}")
    if max_level is not None and max_level < min_level:
        raise ValidationError(f"Max level {max_level} must be at least min level {min_level}")


def _code(value: object, what: str, max_length: int) -> str:
    code = validation.text(value, what=what, max_length=max_length)
    if not CODE_PATTERN.match(code):
        raise ValidationError(f"{what} {code!r} may use only letters, digits and . - _ / + #")
    return code.upper()  # lookups match typed codes in any case


def _level(value: object, what: str) -> int:
    return validation.quantity(value, minimum=0, what=what)


def _optional_level(value: object, what: str) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "-")):
        return None
    return _level(value, what)


def _page_size(limit: object) -> int:
    return validation.quantity(limit, maximum=PAGE_MAX, what="Limit")


def _like(search: str) -> str:
    """A LIKE pattern matching `search` anywhere, with its own % and _ taken literally."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _flush(session: Session) -> None:
    """Flush, turning a constraint the database enforced (a race we lost) into its sentence."""
    try:
        session.flush()
    except DBAPIError as exc:
        error = friendly_error(exc)
        if error is None:
            raise
        raise error from None


def _touch(record: SQLModel) -> None:
    record.updated_at = datetime.now(timezone.utc)  # type: ignore[attr-defined]


def _announce(session: Session, actor: Actor, entity: str, action: str, record_id: int | None, **fields: Any) -> None:
    events.emit(session, "catalog.changed", id=record_id, user_id=actor.id, entity=entity, action=action, **fields)


def _paged(rows: list[T], limit: int, key: Callable[[T], object]) -> Page[T]:
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, str(key(rows[-1])))
    return Page(rows, None)


def _list_by(session: Session, model: type[M], key: Any, searched: tuple[Any, ...], *, search: str | None,
             active: bool | None, limit: object, after: str | None) -> Page[M]:
    """A page of a simple catalog table in `key` order (keyset: `after` is the last key seen);
    `search` matches any of the `searched` columns, in any case."""
    size = _page_size(limit)
    query = select(model)
    if search:
        pattern = _like(search.strip())
        query = query.where(or_(*(column.ilike(pattern) for column in searched)))
    if active is not None:
        query = query.where(model.is_active == active)  # type: ignore[attr-defined]
    if after:
        query = query.where(key > after)
    with unit_of_work(session):
        rows = list(session.exec(query.order_by(key).limit(size + 1)).all())
    return _paged(rows, size, lambda row: getattr(row, key.key))


def _retire(session: Session, actor: Actor, record: M, entity: str, label: str, **fields: Any) -> None:
    """Deactivate `record` inside the caller's unit of work; refused if it already is."""
    _refuse_if_inactive(record.is_active, label)  # type: ignore[attr-defined]
    record.is_active = False  # type: ignore[attr-defined]
    _touch(record)
    _announce(session, actor, entity, "deactivated", record.id, **fields)  # type: ignore[attr-defined]


# --- categories -----------------------------------------------------------------------------


def create_category(session: Session, actor: Actor, name: str, description: str = "") -> Category:
    require_current(session, actor, Permission.EDIT_CATALOG)
    clean = validation.text(name, what="Category name", max_length=100)
    about = validation.text(description, what="Description", max_length=2000, required=False)
    with unit_of_work(session):
        if _find_category(session, clean) is not None:
            raise ConflictError(f"A category named {clean!r} already exists")
        category = Category(name=clean, description=about)
        session.add(category)
        _flush(session)
        _announce(session, actor, "category", "created", category.id, name=clean)
    return category


def update_category(session: Session, actor: Actor, name: str, *, new_name: Any = UNSET,
                    description: Any = UNSET, active: Any = UNSET) -> Category:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        category = get_category(session, name)
        if new_name is not UNSET:
            clean = validation.text(new_name, what="Category name", max_length=100)
            other = _find_category(session, clean)
            if other is not None and other.id != category.id:
                raise ConflictError(f"A category named {clean!r} already exists")
            category.name = clean
        if description is not UNSET:
            category.description = validation.text(description, what="Description", max_length=2000, required=False)
        if active is not UNSET:
            category.is_active = bool(active)
        _touch(category)
        _flush(session)
        _announce(session, actor, "category", "updated", category.id, name=category.name)
    return category


def deactivate_category(session: Session, actor: Actor, name: str) -> Category:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        category = get_category(session, name)
        _retire(session, actor, category, "category", f"Category {category.name}", name=category.name)
    return category


def get_category(session: Session, name: str) -> Category:
    clean = (name or "").strip()
    if not clean:
        raise ValidationError("A category name is required")
    found = _find_category(session, clean)
    if found is None:
        raise NotFound(f"Unknown category {clean!r}")
    return found


def list_categories(session: Session, *, search: str | None = None, active: bool | None = None,
                    limit: object = DEFAULT_PAGE, after: str | None = None) -> Page[Category]:
    return _list_by(session, Category, Category.name, (Category.name,), search=search, active=active, limit=limit,
                    after=after)


def _find_category(session: Session, name: str) -> Category | None:
    return session.exec(select(Category).where(func.lower(Category.name) == name.lower())).first()


# --- suppliers ------------------------------------------------------------------------------


def create_supplier(session: Session, actor: Actor, code: str, name: str, *, contact_name: str = "",
                    email: str = "", phone: str = "", lead_time_days: object = 7) -> Supplier:
    require_current(session, actor, Permission.EDIT_CATALOG)
    supplier = Supplier(
        code=_code(code, "Supplier code", 32),
        name=validation.text(name, what="Supplier name", max_length=200),
        contact_name=validation.text(contact_name, what="Contact name", max_length=200, required=False),
        email=validation.text(email, what="E-mail", max_length=254, required=False),
        phone=validation.text(phone, what="Phone", max_length=50, required=False),
        lead_time_days=validation.quantity(lead_time_days, minimum=0, maximum=3650, what="Lead time (days)"),
    )
    with unit_of_work(session):
        if session.exec(select(Supplier.id).where(Supplier.code == supplier.code)).first():
            raise ConflictError(f"A supplier with code {supplier.code} already exists")
        session.add(supplier)
        _flush(session)
        _announce(session, actor, "supplier", "created", supplier.id, code=supplier.code, name=supplier.name)
    return supplier


def update_supplier(session: Session, actor: Actor, code: str, *, name: Any = UNSET, contact_name: Any = UNSET,
                    email: Any = UNSET, phone: Any = UNSET, lead_time_days: Any = UNSET,
                    active: Any = UNSET) -> Supplier:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        supplier = get_supplier(session, code)
        if name is not UNSET:
            supplier.name = validation.text(name, what="Supplier name", max_length=200)
        if contact_name is not UNSET:
            supplier.contact_name = validation.text(contact_name, what="Contact name", max_length=200, required=False)
        if email is not UNSET:
            supplier.email = validation.text(email, what="E-mail", max_length=254, required=False)
        if phone is not UNSET:
            supplier.phone = validation.text(phone, what="Phone", max_length=50, required=False)
        if lead_time_days is not UNSET:
            supplier.lead_time_days = validation.quantity(lead_time_days, minimum=0, maximum=3650,
                                                          what="Lead time (days)")
        if active is not UNSET:
            supplier.is_active = bool(active)
        _touch(supplier)
        _flush(session)
        _announce(session, actor, "supplier", "updated", supplier.id, code=supplier.code, name=supplier.name)
    return supplier


def deactivate_supplier(session: Session, actor: Actor, code: str) -> Supplier:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        supplier = get_supplier(session, code)
        _retire(session, actor, supplier, "supplier", f"Supplier {supplier.code}", code=supplier.code,
                name=supplier.name)
    return supplier


def get_supplier(session: Session, code: str) -> Supplier:
    return lookup.supplier(session, code)


def list_suppliers(session: Session, *, search: str | None = None, active: bool | None = None,
                   limit: object = DEFAULT_PAGE, after: str | None = None) -> Page[Supplier]:
    return _list_by(session, Supplier, Supplier.code, (Supplier.code, Supplier.name), search=search, active=active,
                    limit=limit, after=after)


# --- locations ------------------------------------------------------------------------------


def create_location(session: Session, actor: Actor, code: str, name: str = "") -> Location:
    require_current(session, actor, Permission.EDIT_CATALOG)
    location = Location(code=_code(code, "Location code", 32),
                        name=validation.text(name, what="Location name", max_length=200, required=False))
    with unit_of_work(session):
        if session.exec(select(Location.id).where(Location.code == location.code)).first():
            raise ConflictError(f"A location with code {location.code} already exists")
        session.add(location)
        _flush(session)
        _announce(session, actor, "location", "created", location.id, code=location.code, name=location.name)
    return location


def update_location(session: Session, actor: Actor, code: str, *, name: Any = UNSET, active: Any = UNSET) -> Location:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        location = lookup.location(session, code)
        if name is not UNSET:
            location.name = validation.text(name, what="Location name", max_length=200, required=False)
        if active is not UNSET:
            location.is_active = bool(active)
        _touch(location)
        _flush(session)
        _announce(session, actor, "location", "updated", location.id, code=location.code, name=location.name)
    return location


def deactivate_location(session: Session, actor: Actor, code: str) -> Location:
    """Retire a bin: no stock moves in or out of it until it is reactivated."""
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        location = lookup.location(session, code)
        _retire(session, actor, location, "location", f"Location {location.code}", code=location.code,
                name=location.name)
    return location


def get_location(session: Session, code: str) -> Location:
    return lookup.location(session, code)


def list_locations(session: Session, *, search: str | None = None, active: bool | None = None,
                   limit: object = DEFAULT_PAGE, after: str | None = None) -> Page[Location]:
    return _list_by(session, Location, Location.code, (Location.code, Location.name), search=search, active=active,
                    limit=limit, after=after)


# --- products -------------------------------------------------------------------------------


def create_product(session: Session, actor: Actor, sku: str, name: str, *, description: str = "",
                   barcode: str | None = None, category: str | None = None, supplier: str | None = None,
                   unit_price: object = 0, cost_price: object = 0, min_stock_level: object = 0,
                   reorder_point: object = None, max_stock_level: object = None) -> ProductView:
    require_current(session, actor, Permission.EDIT_CATALOG)
    product = Product(
        sku=_code(sku, "SKU", 100),
        name=validation.text(name, what="Product name", max_length=255),
        description=validation.text(description, what="Description", max_length=5000, required=False),
        barcode=_barcode(barcode),
        unit_price=validation.money(unit_price, what="Price"),
        cost_price=validation.money(cost_price, what="Cost"),
        min_stock_level=_level(min_stock_level, "Min level"),
        reorder_point=_optional_level(reorder_point, "Reorder point"),
        max_stock_level=_optional_level(max_stock_level, "Max level"),
    )
    check_thresholds(product.min_stock_level, product.reorder_point, product.max_stock_level)
    with unit_of_work(session):
        _refuse_duplicate_product(session, product)
        product.category_id = get_category(session, category).id if category else None
        product.supplier_id = lookup.supplier(session, supplier).id if supplier else None
        session.add(product)
        _flush(session)
        _announce(session, actor, "product", "created", product.id, product_id=product.id, sku=product.sku,
                  name=product.name)
        view = _product_view(session, product.id)
    return view


def update_product(session: Session, actor: Actor, sku: str, *, name: Any = UNSET, description: Any = UNSET,
                   barcode: Any = UNSET, category: Any = UNSET, supplier: Any = UNSET, unit_price: Any = UNSET,
                   cost_price: Any = UNSET, min_stock_level: Any = UNSET, reorder_point: Any = UNSET,
                   max_stock_level: Any = UNSET, active: Any = UNSET) -> ProductView:
    """Change the named fields only; None clears an optional one (barcode, category, thresholds)."""
    require_current(session, actor, Permission.EDIT_CATALOG)
    # no_autoflush: half-applied edits must not reach the database before they are all checked
    with unit_of_work(session), session.no_autoflush:
        product = lookup.product(session, sku, for_update=True)
        if name is not UNSET:
            product.name = validation.text(name, what="Product name", max_length=255)
        if description is not UNSET:
            product.description = validation.text(description, what="Description", max_length=5000, required=False)
        if barcode is not UNSET:
            product.barcode = _barcode(barcode)
            _refuse_duplicate_product(session, product)
        if category is not UNSET:
            product.category_id = get_category(session, category).id if category else None
        if supplier is not UNSET:
            product.supplier_id = lookup.supplier(session, supplier).id if supplier else None
        if unit_price is not UNSET:
            product.unit_price = validation.money(unit_price, what="Price")
        if cost_price is not UNSET:
            product.cost_price = validation.money(cost_price, what="Cost")
        if min_stock_level is not UNSET:
            product.min_stock_level = _level(min_stock_level, "Min level")
        if reorder_point is not UNSET:
            product.reorder_point = _optional_level(reorder_point, "Reorder point")
        if max_stock_level is not UNSET:
            product.max_stock_level = _optional_level(max_stock_level, "Max level")
        if active is not UNSET:
            product.is_active = bool(active)
        check_thresholds(product.min_stock_level, product.reorder_point, product.max_stock_level)
        _touch(product)
        _flush(session)
        _announce(session, actor, "product", "updated", product.id, product_id=product.id, sku=product.sku,
                  name=product.name)
        view = _product_view(session, product.id)
    return view


def deactivate_product(session: Session, actor: Actor, sku: str) -> ProductView:
    """Retire a product: it keeps its stock and history but can no longer be moved or ordered."""
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        product = lookup.product(session, sku, for_update=True)
        _retire(session, actor, product, "product", f"Product {product.sku}", product_id=product.id,
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
    size = _page_size(limit)
    query = _product_query()
    with unit_of_work(session):
        if search and search.strip():
            text_ = search.strip()
            pattern = _like(text_)
            query = query.where(or_(Product.sku.ilike(pattern), Product.name.ilike(pattern),  # type: ignore[attr-defined]
                                    Product.barcode == text_))
        if active is not None:
            query = query.where(Product.is_active == active)
        if category:
            query = query.where(Product.category_id == get_category(session, category).id)
        if supplier:
            query = query.where(Product.supplier_id == lookup.supplier(session, supplier).id)
        if after:
            query = query.where(Product.sku > after)
        rows = session.exec(query.order_by(Product.sku).limit(size + 1)).all()
    return _paged([_to_view(*row) for row in rows], size, lambda p: p.sku)


def _product_query():  # type: ignore[no-untyped-def]
    return (
        select(Product, Category.name, Supplier.code)
        .join(Category, Category.id == Product.category_id, isouter=True)  # type: ignore[arg-type]
        .join(Supplier, Supplier.id == Product.supplier_id, isouter=True)  # type: ignore[arg-type]
    )


def _product_view(session: Session, product_id: int | None) -> ProductView:
    row = session.exec(_product_query().where(Product.id == product_id)).one()
    return _to_view(*row)


def _to_view(p: Product, category: str | None, supplier: str | None) -> ProductView:
    return ProductView(p.id, p.sku, p.name, p.description, p.barcode, category, supplier,  # type: ignore[arg-type]
                       p.unit_price, p.cost_price, p.min_stock_level, p.reorder_point, p.max_stock_level,
                       p.is_active)


def _barcode(value: object) -> str | None:
    if value is None:
        return None
    code = validation.text(value, what="Barcode", max_length=64, required=False)
    if code and not CODE_PATTERN.match(code):
        raise ValidationError(f"Barcode {code!r} may use only letters, digits and . - _ / + #")
    return code or None


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


def _refuse_if_inactive(active: bool, what: str) -> None:
    if not active:
        raise ConflictError(f"{what} is already inactive")


# --- alert rules ----------------------------------------------------------------------------


def create_rule(session: Session, actor: Actor, sku: str, threshold: object, location: str | None = None) -> RuleView:
    """A threshold for one product at one location (or at all, when `location` is None).

    One rule per scope: adding one where an inactive rule exists reactivates it with the new
    threshold; where an active one exists, it is refused.
    """
    require_current(session, actor, Permission.EDIT_ALERT_RULES)
    limit = validation.quantity(threshold, minimum=0, what="Threshold")
    with unit_of_work(session):
        product = lookup.product(session, sku)
        place = lookup.location(session, location) if location else None
        scope = AlertRule.location_id == place.id if place else AlertRule.location_id.is_(None)  # type: ignore[union-attr]
        rule = session.exec(select(AlertRule).where(AlertRule.product_id == product.id, scope).with_for_update()).first()
        where = f"at {place.code}" if place else "at all locations"
        if rule is not None and rule.is_active:
            raise ConflictError(f"A rule for {product.sku} {where} already exists (#{rule.id}); update it instead")
        if rule is None:
            rule = AlertRule(product_id=product.id, location_id=place.id if place else None,
                             threshold_quantity=limit, created_by=actor.id)
            session.add(rule)
        else:
            rule.threshold_quantity, rule.is_active = limit, True
            _touch(rule)
        _flush(session)
        _announce(session, actor, "rule", "created", rule.id, product_id=product.id,
                  location_id=place.id if place else None, sku=product.sku,
                  location=place.code if place else None, threshold=limit)
        view = RuleView(rule.id, product.sku, place.code if place else None, limit, True)  # type: ignore[arg-type]
    return view


def update_rule(session: Session, actor: Actor, rule_id: object, *, threshold: Any = UNSET,
                active: Any = UNSET) -> RuleView:
    require_current(session, actor, Permission.EDIT_ALERT_RULES)
    with unit_of_work(session):
        rule = _rule(session, rule_id)
        if threshold is not UNSET:
            rule.threshold_quantity = validation.quantity(threshold, minimum=0, what="Threshold")
        if active is not UNSET:
            rule.is_active = bool(active)
        _touch(rule)
        _flush(session)
        view = get_rule(session, rule.id)
        _announce(session, actor, "rule", "updated", rule.id, product_id=rule.product_id,
                  location_id=rule.location_id, sku=view.sku, location=view.location, threshold=view.threshold)
    return view


def deactivate_rule(session: Session, actor: Actor, rule_id: object) -> RuleView:
    require_current(session, actor, Permission.EDIT_ALERT_RULES)
    with unit_of_work(session):
        rule = _rule(session, rule_id)
        _refuse_if_inactive(rule.is_active, f"Rule #{rule.id}")
        rule.is_active = False
        _touch(rule)
        _flush(session)
        view = get_rule(session, rule.id)
        _announce(session, actor, "rule", "deactivated", rule.id, product_id=rule.product_id,
                  location_id=rule.location_id, sku=view.sku, location=view.location, threshold=view.threshold)
    return view


def get_rule(session: Session, rule_id: object) -> RuleView:
    rule = _rule(session, rule_id)
    return _rule_rows(session, select(AlertRule.id).where(AlertRule.id == rule.id))[0]


def list_rules(session: Session, *, sku: str | None = None, active: bool | None = None,
               limit: object = DEFAULT_PAGE, after: str | None = None) -> Page[RuleView]:
    size = _page_size(limit)
    with unit_of_work(session):
        ids = select(AlertRule.id)
        if sku:
            ids = ids.where(AlertRule.product_id == lookup.product(session, sku).id)
        if active is not None:
            ids = ids.where(AlertRule.is_active == active)
        if after:
            ids = ids.where(AlertRule.id > validation.quantity(after, maximum=2**62, what="Cursor"))
        rows = _rule_rows(session, ids.order_by(AlertRule.id).limit(size + 1))
    return _paged(rows, size, lambda r: r.id)


def _rule(session: Session, rule_id: object) -> AlertRule:
    number = validation.quantity(str(rule_id).lstrip("#") if rule_id is not None else None,
                                 maximum=2**62, what="Rule number")
    rule = session.get(AlertRule, number)
    if rule is None:
        raise NotFound(f"Unknown rule #{number}")
    return rule


def _rule_rows(session: Session, ids: Any) -> list[RuleView]:
    sub = ids.subquery()
    query = (
        select(AlertRule.id, Product.sku, Location.code, AlertRule.threshold_quantity, AlertRule.is_active)
        .join(sub, sub.c.id == AlertRule.id)
        .join(Product, Product.id == AlertRule.product_id)  # type: ignore[arg-type]
        .join(Location, and_(Location.id == AlertRule.location_id), isouter=True)  # type: ignore[arg-type]
        .order_by(AlertRule.id)
    )
    return [RuleView(*row) for row in session.exec(query).all()]


# --- what alert rules do (the catalog screen's rules tab) -----------------------------------


@dataclass(frozen=True)
class RuleEffect:
    """A rule, the threshold it replaces, and the stock rows it decides right now.

    `replaces` names what the rows would use without this rule, in inventory_status's words
    ("reorder point", "min stock level", "product rule": the rule for all locations) and
    `replaced_threshold` its value; `rows` counts the stock rows whose effective threshold is
    this rule's, `low` how many of those are LOW or OUT now. An
    inactive rule, or one overridden everywhere by location rules, covers no rows.
    """

    id: int
    sku: str
    name: str
    location: str | None
    threshold: int
    is_active: bool
    replaces: str
    replaced_threshold: int
    rows: int
    low: int

    @property
    def effect(self) -> str:
        """"15 instead of reorder point 10"."""
        return f"{self.threshold} instead of {self.replaces} {self.replaced_threshold}"


# One statement: the rows a rule decides are exactly those inventory_status attributes to it
# (threshold_source 'location rule' at its location, 'product rule' for its product), so the
# counts follow the view's definition of "low" and can never disagree with the sweep.
_RULE_EFFECTS = """
    SELECT r.id, p.sku, p.name, l.code, r.threshold_quantity, r.is_active,
           CASE WHEN rp.id IS NOT NULL THEN 'product rule'
                WHEN p.reorder_point IS NOT NULL THEN 'reorder point'
                ELSE 'min stock level' END,
           coalesce(rp.threshold_quantity, p.reorder_point, p.min_stock_level),
           covered.rows, covered.low
      FROM alert_rules r
      JOIN products p ON p.id = r.product_id
      LEFT JOIN locations l ON l.id = r.location_id
      -- what a location rule replaces first: the product's rule for all locations
      LEFT JOIN alert_rules rp ON r.location_id IS NOT NULL AND rp.product_id = r.product_id
                              AND rp.location_id IS NULL AND rp.is_active
      CROSS JOIN LATERAL (
          SELECT count(*) AS rows, count(*) FILTER (WHERE s.condition <> 'OK') AS low
            FROM inventory_status s
           WHERE r.is_active AND s.product_id = r.product_id
             AND CASE WHEN r.location_id IS NULL THEN s.threshold_source = 'product rule'
                      ELSE s.location_id = r.location_id AND s.threshold_source = 'location rule' END
      ) covered
     WHERE r.id > :after AND (CAST(:pattern AS text) IS NULL OR p.sku ILIKE :pattern OR p.name ILIKE :pattern
                              OR l.code ILIKE :pattern)
     ORDER BY r.id
     LIMIT :limit
"""


def rule_effects(session: Session, *, search: str | None = None, limit: object = DEFAULT_PAGE,
                 after: str | None = None) -> Page[RuleEffect]:
    """Alert rules by number with their effect; `search` matches SKU, product name or location code."""
    from sqlalchemy import text

    size = _page_size(limit)
    start = validation.quantity(after, minimum=0, maximum=2**62, what="Cursor") if after else 0
    pattern = _like(search.strip()) if search and search.strip() else None
    with unit_of_work(session):
        rows = session.execute(text(_RULE_EFFECTS), {"after": start, "pattern": pattern,
                                                     "limit": size + 1}).all()
    return _paged([RuleEffect(*row) for row in rows], size, lambda r: r.id)
