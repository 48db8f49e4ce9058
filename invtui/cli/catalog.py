"""`invtui product|category|supplier|location|rule ...`: the catalog.

Numbers (prices, levels, thresholds) are taken as text and validated by the service, so a typo
gets the same sentence on the command line as in the app. In `update`, an option left out keeps
its value; `none` clears an optional one (barcode, category, supplier, reorder point, max level).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from invtui.cli.cover import product_terms
from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import catalog, inventory
    from invtui.services.catalog import Page, ProductView, RuleView
else:
    catalog = lazy_module("invtui.services.catalog")
    inventory = lazy_module("invtui.services.inventory")

product_app = typer.Typer(help="Products (managers edit; everyone may look).", no_args_is_help=True)
category_app = typer.Typer(help="Product categories.", no_args_is_help=True)
supplier_app = typer.Typer(help="Suppliers.", no_args_is_help=True)
location_app = typer.Typer(help="Stock locations (bins).", no_args_is_help=True)
rule_app = typer.Typer(help="Alert rules: thresholds per product, for one location or all.", no_args_is_help=True)
product_app.command("terms")(product_terms)  # invtui/cli/cover.py: lead time and pack size

_JSON = typer.Option(False, "--json", help="Print JSON.")
_SEARCH = typer.Option(None, "--search", "-s", help="Text to look for (any case).")
_LIMIT = typer.Option("50", "--limit", help="Rows per page (1 to 1,000).")
_AFTER = typer.Option(None, "--after", help="Continue after this cursor (printed under the previous page).")
_ACTIVE = typer.Option(None, "--active/--inactive", help="Only active or only inactive ones.")
_CLEAR = ("none", "")


def _given(value: Any) -> Any:
    """An option left out keeps the stored value."""
    return catalog.UNSET if value is None else value


def _clearable(value: str | None) -> Any:
    """`none` clears an optional field."""
    if value is None:
        return catalog.UNSET
    return None if value.strip().lower() in _CLEAR else value


def _footer(page: Page[Any]) -> None:
    if page.next_cursor is not None:
        console.print(f"More: --after {page.next_cursor}")


def _page_json(page: Page[Any], items: list[dict[str, Any]]) -> None:
    print_json({"items": items, "next_cursor": page.next_cursor})


def _session(ctx: typer.Context):  # type: ignore[no-untyped-def]
    return state(ctx).database().session()


def _show(data: dict[str, Any], as_json: bool) -> None:
    """One record: JSON, or a field / value table."""
    if as_json:
        print_json(data)
    else:
        print_table(["field", "value"], list(data.items()))


def _print_page(page: Page[Any], items: list[dict[str, Any]], columns: dict[str, str], as_json: bool) -> None:
    """A page of records: JSON with its cursor, or a table of `columns` (heading -> key)."""
    if as_json:
        _page_json(page, items)
        return
    print_table(list(columns), [tuple(_cell(item[key]) for key in columns.values()) for item in items])
    _footer(page)


def _cell(value: Any) -> Any:
    return ("yes" if value else "no") if isinstance(value, bool) else value


# --- products -------------------------------------------------------------------------------


def _product_dict(p: ProductView) -> dict[str, Any]:
    return {"sku": p.sku, "name": p.name, "description": p.description, "barcode": p.barcode,
            "category": p.category, "supplier": p.supplier, "unit_price": str(p.unit_price),
            "cost_price": str(p.cost_price), "min_stock_level": p.min_stock_level,
            "reorder_point": p.reorder_point, "max_stock_level": p.max_stock_level, "active": p.is_active}


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
) -> None:
    """Add a product."""
    product = state(ctx).act(lambda session, actor: catalog.create_product(
        session, actor, sku, name, description=description, barcode=barcode, category=category, supplier=supplier,
        unit_price=price, cost_price=cost, min_stock_level=min_level, reorder_point=reorder, max_stock_level=max_level))
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
    active: bool | None = typer.Option(None, "--active/--inactive", help="Reactivate or retire."),
) -> None:
    """Change a product; options left out keep their values."""
    product = state(ctx).act(lambda session, actor: catalog.update_product(
        session, actor, sku, name=_given(name), description=_given(description), barcode=_clearable(barcode),
        category=_clearable(category), supplier=_clearable(supplier), unit_price=_given(price), cost_price=_given(cost),
        min_stock_level=_given(min_level), reorder_point=_clearable(reorder), max_stock_level=_clearable(max_level),
        active=_given(active)))
    console.print(f"Updated product {product.sku}.")


@product_app.command("deactivate")
def product_deactivate(ctx: typer.Context, sku: str = typer.Argument(..., help="SKU or barcode.")) -> None:
    """Retire a product: it keeps its stock and history but can no longer be moved."""
    product = state(ctx).act(lambda session, actor: catalog.deactivate_product(session, actor, sku))
    console.print(f"Product {product.sku} deactivated.")


@product_app.command("show")
def product_show(ctx: typer.Context, sku: str = typer.Argument(..., help="SKU or barcode."),
                 as_json: bool = _JSON) -> None:
    """One product and its stock per location."""
    with _session(ctx) as session:
        product = catalog.get_product(session, sku)
        stock = inventory.stock_for(session, product.sku)
    data = _product_dict(product)
    data["stock"] = [{"location": s.location, "quantity": s.quantity, "reserved": s.reserved,
                      "available": s.available} for s in stock.lines]
    if as_json:
        print_json(data)
        return
    print_table(["field", "value"], [(k, "" if v is None else v) for k, v in data.items() if k != "stock"],
                title=f"{product.sku} {product.name}")
    if stock.lines:
        print_table(["location", "on hand", "reserved", "available"],
                    [(s.location, s.quantity, s.reserved, s.available) for s in stock.lines])


@product_app.command("list")
def product_list(
    ctx: typer.Context, search: str | None = _SEARCH, active: bool | None = _ACTIVE,
    category: str | None = typer.Option(None, "--category", help="Only this category."),
    supplier: str | None = typer.Option(None, "--supplier", help="Only this supplier."),
    limit: str = _LIMIT, after: str | None = _AFTER, as_json: bool = _JSON,
) -> None:
    """Products by SKU, a page at a time."""
    with _session(ctx) as session:
        page = catalog.list_products(session, search=search, active=active, category=category,
                                     supplier=supplier, limit=limit, after=after)
    if as_json:
        _page_json(page, [_product_dict(p) for p in page.items])
        return
    print_table(["sku", "name", "barcode", "category", "supplier", "price", "min", "reorder", "max", "active"],
                [(p.sku, p.name, p.barcode, p.category, p.supplier, p.unit_price, p.min_stock_level,
                  p.reorder_point, p.max_stock_level, "yes" if p.is_active else "no") for p in page.items])
    _footer(page)


# --- categories -----------------------------------------------------------------------------


def _category_dict(c: Any) -> dict[str, Any]:
    return {"name": c.name, "description": c.description, "active": c.is_active}


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
        session, actor, name, new_name=_given(new_name), description=_given(description), active=_given(active)))
    console.print(f"Updated category {category.name}.")


@category_app.command("deactivate")
def category_deactivate(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Retire a category (its products keep it)."""
    category = state(ctx).act(lambda session, actor: catalog.deactivate_category(session, actor, name))
    console.print(f"Category {category.name} deactivated.")


@category_app.command("show")
def category_show(ctx: typer.Context, name: str = typer.Argument(...), as_json: bool = _JSON) -> None:
    """One category."""
    with _session(ctx) as session:
        _show(_category_dict(catalog.get_category(session, name)), as_json)


@category_app.command("list")
def category_list(ctx: typer.Context, search: str | None = _SEARCH, active: bool | None = _ACTIVE,
                  limit: str = _LIMIT, after: str | None = _AFTER, as_json: bool = _JSON) -> None:
    """Categories by name."""
    with _session(ctx) as session:
        page = catalog.list_categories(session, search=search, active=active, limit=limit, after=after)
    _print_page(page, [_category_dict(c) for c in page.items],
                {"name": "name", "description": "description", "active": "active"}, as_json)


# --- suppliers ------------------------------------------------------------------------------


def _supplier_dict(s: Any) -> dict[str, Any]:
    return {"code": s.code, "name": s.name, "contact_name": s.contact_name, "email": s.email, "phone": s.phone,
            "lead_time_days": s.lead_time_days, "active": s.is_active}


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
        session, actor, code, name=_given(name), contact_name=_given(contact), email=_given(email), phone=_given(phone),
        lead_time_days=_given(lead_time), active=_given(active)))
    console.print(f"Updated supplier {supplier.code}.")


@supplier_app.command("deactivate")
def supplier_deactivate(ctx: typer.Context, code: str = typer.Argument(...)) -> None:
    """Retire a supplier."""
    supplier = state(ctx).act(lambda session, actor: catalog.deactivate_supplier(session, actor, code))
    console.print(f"Supplier {supplier.code} deactivated.")


@supplier_app.command("show")
def supplier_show(ctx: typer.Context, code: str = typer.Argument(...), as_json: bool = _JSON) -> None:
    """One supplier."""
    with _session(ctx) as session:
        _show(_supplier_dict(catalog.get_supplier(session, code)), as_json)


@supplier_app.command("list")
def supplier_list(ctx: typer.Context, search: str | None = _SEARCH, active: bool | None = _ACTIVE,
                  limit: str = _LIMIT, after: str | None = _AFTER, as_json: bool = _JSON) -> None:
    """Suppliers by code."""
    with _session(ctx) as session:
        page = catalog.list_suppliers(session, search=search, active=active, limit=limit, after=after)
    _print_page(page, [_supplier_dict(s) for s in page.items],
                {"code": "code", "name": "name", "contact": "contact_name", "email": "email", "phone": "phone",
                 "lead time": "lead_time_days", "active": "active"}, as_json)


# --- locations ------------------------------------------------------------------------------


def _location_dict(loc: Any) -> dict[str, Any]:
    return {"code": loc.code, "name": loc.name, "active": loc.is_active}


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
        session, actor, code, name=_given(name), active=_given(active)))
    console.print(f"Updated location {location.code}.")


@location_app.command("deactivate")
def location_deactivate(ctx: typer.Context, code: str = typer.Argument(...)) -> None:
    """Retire a location: no stock moves in or out until it is reactivated."""
    location = state(ctx).act(lambda session, actor: catalog.deactivate_location(session, actor, code))
    console.print(f"Location {location.code} deactivated.")


@location_app.command("show")
def location_show(ctx: typer.Context, code: str = typer.Argument(...), as_json: bool = _JSON) -> None:
    """One location."""
    with _session(ctx) as session:
        _show(_location_dict(catalog.get_location(session, code)), as_json)


@location_app.command("list")
def location_list(ctx: typer.Context, search: str | None = _SEARCH, active: bool | None = _ACTIVE,
                  limit: str = _LIMIT, after: str | None = _AFTER, as_json: bool = _JSON) -> None:
    """Locations by code."""
    with _session(ctx) as session:
        page = catalog.list_locations(session, search=search, active=active, limit=limit, after=after)
    _print_page(page, [_location_dict(loc) for loc in page.items],
                {"code": "code", "name": "name", "active": "active"}, as_json)


# --- alert rules ----------------------------------------------------------------------------


def _rule_dict(r: RuleView) -> dict[str, Any]:
    return {"id": r.id, "sku": r.sku, "location": r.location, "threshold": r.threshold, "active": r.is_active}


def _rule_line(r: RuleView) -> str:
    return f"rule #{r.id}: {r.sku} at {r.location or 'all locations'}, threshold {r.threshold}"


@rule_app.command("add", context_settings={"ignore_unknown_options": True})
def rule_add(ctx: typer.Context, sku: str = typer.Argument(..., help="SKU or barcode."),
             threshold: str = typer.Argument(..., help="Alert when available stock is at or below this."),
             location: str | None = typer.Option(None, "--location", "-l", help="Only here (else all locations).")) -> None:
    """Add an alert rule for a product."""
    rule = state(ctx).act(lambda session, actor: catalog.create_rule(session, actor, sku, threshold, location))
    console.print(f"Added {_rule_line(rule)}.")


@rule_app.command("update")
def rule_update(ctx: typer.Context, rule_id: str = typer.Argument(..., metavar="RULE", help="Rule number."),
                threshold: str | None = typer.Option(None, "--threshold"),
                active: bool | None = typer.Option(None, "--active/--inactive")) -> None:
    """Change a rule's threshold, or retire/reactivate it."""
    rule = state(ctx).act(lambda session, actor: catalog.update_rule(
        session, actor, rule_id, threshold=_given(threshold), active=_given(active)))
    console.print(f"Updated {_rule_line(rule)}.")


@rule_app.command("deactivate")
def rule_deactivate(ctx: typer.Context, rule_id: str = typer.Argument(..., metavar="RULE")) -> None:
    """Retire a rule: the product's reorder point applies again."""
    rule = state(ctx).act(lambda session, actor: catalog.deactivate_rule(session, actor, rule_id))
    console.print(f"Deactivated {_rule_line(rule)}.")


@rule_app.command("show")
def rule_show(ctx: typer.Context, rule_id: str = typer.Argument(..., metavar="RULE"), as_json: bool = _JSON) -> None:
    """One rule."""
    with _session(ctx) as session:
        _show(_rule_dict(catalog.get_rule(session, rule_id)), as_json)


@rule_app.command("list")
def rule_list(ctx: typer.Context, sku: str | None = typer.Option(None, "--sku", help="Only this product."),
              active: bool | None = _ACTIVE, limit: str = _LIMIT, after: str | None = _AFTER,
              as_json: bool = _JSON) -> None:
    """Alert rules by number."""
    with _session(ctx) as session:
        page = catalog.list_rules(session, sku=sku, active=active, limit=limit, after=after)
    items = [_rule_dict(r) for r in page.items]
    if not as_json:
        items = [{**i, "location": i["location"] or "all"} for i in items]
    _print_page(page, items, {"#": "id", "sku": "sku", "location": "location", "threshold": "threshold",
                              "active": "active"}, as_json)


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    app.add_typer(product_app, name="product")
    app.add_typer(category_app, name="category")
    app.add_typer(supplier_app, name="supplier")
    app.add_typer(location_app, name="location")
    app.add_typer(rule_app, name="rule")
