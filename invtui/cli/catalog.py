"""`invtui product|category|supplier|location ...`: the catalog (alert rules: `cli/rules.py`).

Numbers (prices, levels, thresholds) are taken as text and validated by the service, so a typo
gets the same sentence on the command line as in the app. In `update`, an option left out keeps
its value; `none` clears an optional one (barcode, category, supplier, reorder point, max level).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from invtui.cli.cover import product_terms
from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_table
from invtui.cli.records import (ACTIVE, AFTER, JSON, LIMIT, SEARCH, Shape, clearable, given, print_page, session_for,
                                show_record)
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import catalog, inventory
    from invtui.services.catalog import CategoryView, LocationView, ProductView, SupplierView
else:
    catalog = lazy_module("invtui.services.catalog")
    inventory = lazy_module("invtui.services.inventory")

product_app = typer.Typer(help="Products (managers edit; everyone may look).", no_args_is_help=True)
category_app = typer.Typer(help="Product categories.", no_args_is_help=True)
supplier_app = typer.Typer(help="Suppliers.", no_args_is_help=True)
location_app = typer.Typer(help="Stock locations (bins).", no_args_is_help=True)
product_app.command("terms")(product_terms)  # invtui/cli/cover.py: lead time and pack size

# --- products -------------------------------------------------------------------------------


def _product_dict(p: ProductView) -> dict[str, Any]:
    return {"sku": p.sku, "name": p.name, "description": p.description, "barcode": p.barcode,
            "category": p.category, "supplier": p.supplier, "unit_price": p.unit_price,
            "cost_price": p.cost_price, "min_stock_level": p.min_stock_level,
            "reorder_point": p.reorder_point, "max_stock_level": p.max_stock_level,
            "default_location": p.default_location, "active": p.is_active}


PRODUCT = Shape(_product_dict, {"sku": "sku", "name": "name", "barcode": "barcode", "category": "category",
                                "supplier": "supplier", "price": "unit_price", "min": "min_stock_level",
                                "reorder": "reorder_point", "max": "max_stock_level",
                                "location": "default_location", "active": "active"},
                title=lambda p: f"{p.sku} {p.name}")


@product_app.command("add")
def product_add(
    ctx: typer.Context,
    sku: str = typer.Argument(..., help="Stock keeping unit, e.g. BOLT-M6."),
    name: str = typer.Argument(..., help="What people call it."),
    barcode: str | None = typer.Option(None, "--barcode", help="EAN/UPC or any scanned code."),
    category: str | None = typer.Option(None, "--category", help="Category name."),
    supplier: str | None = typer.Option(None, "--supplier", help="Supplier code."),
    price: str = typer.Option("0", "--price", help="Unit price."),
    cost: str = typer.Option("0", "--cost", help="Cost price."),
    min_level: str = typer.Option("0", "--min", help="Min stock level."),
    reorder: str | None = typer.Option(None, "--reorder", help="Reorder point (min <= reorder <= max)."),
    max_level: str | None = typer.Option(None, "--max", help="Max stock level."),
    description: str = typer.Option("", "--description", help="Longer description."),
    default_location: str | None = typer.Option(None, "--default-location",
                                                help="Location code where it is kept (a PO naming none counts there)."),
) -> None:
    """Add a product."""
    product = state(ctx).act(lambda session, actor: catalog.create_product(
        session, actor, sku, name, description=description, barcode=barcode, category=category, supplier=supplier,
        unit_price=price, cost_price=cost, min_stock_level=min_level, reorder_point=reorder, max_stock_level=max_level,
        default_location=default_location))
    console.print(f"Added product {product.sku} ({product.name}).")


@product_app.command("update")
def product_update(
    ctx: typer.Context,
    sku: str = typer.Argument(..., help="SKU or barcode."),
    name: str | None = typer.Option(None, "--name"),
    barcode: str | None = typer.Option(None, "--barcode", help="`none` clears it."),
    category: str | None = typer.Option(None, "--category", help="`none` clears it."),
    supplier: str | None = typer.Option(None, "--supplier", help="`none` clears it."),
    price: str | None = typer.Option(None, "--price"),
    cost: str | None = typer.Option(None, "--cost"),
    min_level: str | None = typer.Option(None, "--min"),
    reorder: str | None = typer.Option(None, "--reorder", help="`none` clears it."),
    max_level: str | None = typer.Option(None, "--max", help="`none` clears it."),
    description: str | None = typer.Option(None, "--description"),
    default_location: str | None = typer.Option(None, "--default-location", help="Location code; `none` clears it."),
    active: bool | None = typer.Option(None, "--active/--inactive", help="Reactivate or retire."),
) -> None:
    """Change a product; options left out keep their values."""
    product = state(ctx).act(lambda session, actor: catalog.update_product(
        session, actor, sku, name=given(name), description=given(description), barcode=clearable(barcode),
        category=clearable(category), supplier=clearable(supplier), unit_price=given(price), cost_price=given(cost),
        min_stock_level=given(min_level), reorder_point=clearable(reorder), max_stock_level=clearable(max_level),
        default_location=clearable(default_location), active=given(active)))
    console.print(f"Updated product {product.sku}.")


@product_app.command("deactivate")
def product_deactivate(ctx: typer.Context, sku: str = typer.Argument(..., help="SKU or barcode.")) -> None:
    """Retire a product: it keeps its stock and history but can no longer be moved."""
    product = state(ctx).act(lambda session, actor: catalog.deactivate_product(session, actor, sku))
    console.print(f"Product {product.sku} deactivated.")


@product_app.command("show")
def product_show(ctx: typer.Context, sku: str = typer.Argument(..., help="SKU or barcode."),
                 as_json: bool = JSON) -> None:
    """One product and its stock per location."""
    with session_for(ctx) as session:
        product = catalog.get_product(session, sku)
        stock = inventory.stock_for(session, product.sku)
    show_record(PRODUCT, product, as_json, stock=[{"location": s.location, "quantity": s.quantity,
                                                   "reserved": s.reserved, "available": s.available}
                                                  for s in stock.lines])
    if stock.lines and not as_json:
        print_table(["location", "on hand", "reserved", "available"],
                    [(s.location, s.quantity, s.reserved, s.available) for s in stock.lines])


@product_app.command("list")
def product_list(
    ctx: typer.Context, search: str | None = SEARCH, active: bool | None = ACTIVE,
    category: str | None = typer.Option(None, "--category", help="Only this category."),
    supplier: str | None = typer.Option(None, "--supplier", help="Only this supplier."),
    limit: str = LIMIT, after: str | None = AFTER, as_json: bool = JSON,
) -> None:
    """Products by SKU, a page at a time."""
    with session_for(ctx) as session:
        page = catalog.list_products(session, search=search, active=active, category=category,
                                     supplier=supplier, limit=limit, after=after)
    print_page(PRODUCT, page, as_json)


# --- categories -----------------------------------------------------------------------------


CATEGORY = Shape(lambda c: {"name": c.name, "description": c.description, "active": c.is_active},
                 {"name": "name", "description": "description", "active": "active"}, title=lambda c: c.name)


@category_app.command("add")
def category_add(ctx: typer.Context, name: str = typer.Argument(...),
                 description: str = typer.Option("", "--description")) -> None:
    """Add a category."""
    category = state(ctx).act(lambda session, actor: catalog.create_category(session, actor, name, description))
    console.print(f"Added category {category.name}.")


@category_app.command("update")
def category_update(ctx: typer.Context, name: str = typer.Argument(...),
                    new_name: str | None = typer.Option(None, "--name", help="New name."),
                    description: str | None = typer.Option(None, "--description"),
                    active: bool | None = typer.Option(None, "--active/--inactive")) -> None:
    """Rename or describe a category."""
    category = state(ctx).act(lambda session, actor: catalog.update_category(
        session, actor, name, new_name=given(new_name), description=given(description), active=given(active)))
    console.print(f"Updated category {category.name}.")


@category_app.command("deactivate")
def category_deactivate(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Retire a category (its products keep it)."""
    category = state(ctx).act(lambda session, actor: catalog.deactivate_category(session, actor, name))
    console.print(f"Category {category.name} deactivated.")


@category_app.command("show")
def category_show(ctx: typer.Context, name: str = typer.Argument(...), as_json: bool = JSON) -> None:
    """One category."""
    with session_for(ctx) as session:
        category: CategoryView = catalog.get_category(session, name)
    show_record(CATEGORY, category, as_json)


@category_app.command("list")
def category_list(ctx: typer.Context, search: str | None = SEARCH, active: bool | None = ACTIVE,
                  limit: str = LIMIT, after: str | None = AFTER, as_json: bool = JSON) -> None:
    """Categories by name."""
    with session_for(ctx) as session:
        page = catalog.list_categories(session, search=search, active=active, limit=limit, after=after)
    print_page(CATEGORY, page, as_json)


# --- suppliers ------------------------------------------------------------------------------


def _supplier_dict(s: SupplierView) -> dict[str, Any]:
    return {"code": s.code, "name": s.name, "contact_name": s.contact_name, "email": s.email, "phone": s.phone,
            "lead_time_days": s.lead_time_days, "active": s.is_active}


SUPPLIER = Shape(_supplier_dict, {"code": "code", "name": "name", "contact": "contact_name", "email": "email",
                                  "phone": "phone", "lead time": "lead_time_days", "active": "active"},
                 title=lambda s: f"{s.code} {s.name}")


@supplier_app.command("add")
def supplier_add(ctx: typer.Context, code: str = typer.Argument(...), name: str = typer.Argument(...),
                 contact: str = typer.Option("", "--contact"), email: str = typer.Option("", "--email"),
                 phone: str = typer.Option("", "--phone"),
                 lead_time: str = typer.Option("7", "--lead-time", help="Days from order to delivery.")) -> None:
    """Add a supplier."""
    supplier = state(ctx).act(lambda session, actor: catalog.create_supplier(
        session, actor, code, name, contact_name=contact, email=email, phone=phone, lead_time_days=lead_time))
    console.print(f"Added supplier {supplier.code} ({supplier.name}).")


@supplier_app.command("update")
def supplier_update(ctx: typer.Context, code: str = typer.Argument(...),
                    name: str | None = typer.Option(None, "--name"),
                    contact: str | None = typer.Option(None, "--contact"),
                    email: str | None = typer.Option(None, "--email"),
                    phone: str | None = typer.Option(None, "--phone"),
                    lead_time: str | None = typer.Option(None, "--lead-time"),
                    active: bool | None = typer.Option(None, "--active/--inactive")) -> None:
    """Change a supplier."""
    supplier = state(ctx).act(lambda session, actor: catalog.update_supplier(
        session, actor, code, name=given(name), contact_name=given(contact), email=given(email), phone=given(phone),
        lead_time_days=given(lead_time), active=given(active)))
    console.print(f"Updated supplier {supplier.code}.")


@supplier_app.command("deactivate")
def supplier_deactivate(ctx: typer.Context, code: str = typer.Argument(...)) -> None:
    """Retire a supplier."""
    supplier = state(ctx).act(lambda session, actor: catalog.deactivate_supplier(session, actor, code))
    console.print(f"Supplier {supplier.code} deactivated.")


@supplier_app.command("show")
def supplier_show(ctx: typer.Context, code: str = typer.Argument(...), as_json: bool = JSON) -> None:
    """One supplier."""
    with session_for(ctx) as session:
        supplier: SupplierView = catalog.get_supplier(session, code)
    show_record(SUPPLIER, supplier, as_json)


@supplier_app.command("list")
def supplier_list(ctx: typer.Context, search: str | None = SEARCH, active: bool | None = ACTIVE,
                  limit: str = LIMIT, after: str | None = AFTER, as_json: bool = JSON) -> None:
    """Suppliers by code."""
    with session_for(ctx) as session:
        page = catalog.list_suppliers(session, search=search, active=active, limit=limit, after=after)
    print_page(SUPPLIER, page, as_json)


# --- locations ------------------------------------------------------------------------------


LOCATION = Shape(lambda loc: {"code": loc.code, "name": loc.name, "active": loc.is_active},
                 {"code": "code", "name": "name", "active": "active"}, title=lambda loc: f"{loc.code} {loc.name}".strip())


@location_app.command("add")
def location_add(ctx: typer.Context, code: str = typer.Argument(..., help="Bin code, e.g. WH1-A-03."),
                 name: str = typer.Option("", "--name", help="Description, e.g. 'Aisle A, shelf 3'.")) -> None:
    """Add a location."""
    location = state(ctx).act(lambda session, actor: catalog.create_location(session, actor, code, name))
    console.print(f"Added location {location.code}.")


@location_app.command("update")
def location_update(ctx: typer.Context, code: str = typer.Argument(...),
                    name: str | None = typer.Option(None, "--name"),
                    active: bool | None = typer.Option(None, "--active/--inactive")) -> None:
    """Rename, retire or reactivate a location."""
    location = state(ctx).act(lambda session, actor: catalog.update_location(
        session, actor, code, name=given(name), active=given(active)))
    console.print(f"Updated location {location.code}.")


@location_app.command("deactivate")
def location_deactivate(ctx: typer.Context, code: str = typer.Argument(...)) -> None:
    """Retire a location: no stock moves in or out until it is reactivated."""
    location = state(ctx).act(lambda session, actor: catalog.deactivate_location(session, actor, code))
    console.print(f"Location {location.code} deactivated.")


@location_app.command("show")
def location_show(ctx: typer.Context, code: str = typer.Argument(...), as_json: bool = JSON) -> None:
    """One location."""
    with session_for(ctx) as session:
        location: LocationView = catalog.get_location(session, code)
    show_record(LOCATION, location, as_json)


@location_app.command("list")
def location_list(ctx: typer.Context, search: str | None = SEARCH, active: bool | None = ACTIVE,
                  limit: str = LIMIT, after: str | None = AFTER, as_json: bool = JSON) -> None:
    """Locations by code."""
    with session_for(ctx) as session:
        page = catalog.list_locations(session, search=search, active=active, limit=limit, after=after)
    print_page(LOCATION, page, as_json)


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    app.add_typer(product_app, name="product")
    app.add_typer(category_app, name="category")
    app.add_typer(supplier_app, name="supplier")
    app.add_typer(location_app, name="location")
