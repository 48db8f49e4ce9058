"""The catalog screen's tabs: for each entity its columns, its cells, its form fields and checks,
and the service functions that list, create, update and deactivate it.

Each form field checks what is typed with the service's own rule (`domain.validation`), so a form
refuses exactly what the service would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from rich.text import Text

from invtui.domain import validation
from invtui.domain.roles import Permission
from invtui.errors import ValidationError
from invtui.services import alert_rules, catalog
from invtui.services.catalog import CHOICES_MAX, Page
from invtui.services.tx import ServiceSession
from invtui.ui.modals.catalog_form import FormField
from invtui.ui.numbers import number_cell
from invtui.ui.size_class import Column, columns
from invtui.ui.styles import style
from invtui.ui.widgets.paged_table import Page as ListPage
from invtui.ui.widgets.paged_table import PagedTable

PAGE = 100


# --- what each field accepts: the service's own checks, on the text as typed ----------------


def _text(what: str, max_length: int, required: bool = False) -> Callable[[str], object]:
    return partial(validation.text, what=what, max_length=max_length, required=required)


def _level(what: str, required: bool = False) -> Callable[[str], object]:
    def check(value: str) -> object:
        if not value.strip() and not required:
            return None
        return validation.quantity(value, minimum=0, what=what)
    return check


def _money(what: str) -> Callable[[str], object]:
    return lambda value: validation.money(value or "0", what=what)


def _code(what: str, max_length: int = 32) -> Callable[[str], object]:
    def check(value: str) -> object:
        code = validation.text(value, what=what, max_length=max_length)
        if not validation.CODE_PATTERN.match(code):
            raise ValidationError(f"{what} {code!r} may use only letters, digits and . - _ / + #")
        return code
    return check


def _known(what: str, choices: Callable[[], Iterable[str]]) -> Callable[[str], object]:
    """Empty, or one of the known names/codes (any case).

    Only a complete list can refuse: past CHOICES_MAX names the form offers the first ones
    and leaves the verdict to the service.
    """
    def check(value: str) -> object:
        known = {c.upper() for c in choices()}
        if value.strip() and 0 < len(known) < CHOICES_MAX and value.strip().upper() not in known:
            raise ValidationError(f"Type a known {what} or leave it empty.")
        return value
    return check


def _thresholds(values: dict[str, str]) -> str | None:
    """min <= reorder point <= max, in the service's words, once each number is itself valid."""
    try:
        low = validation.quantity(values.get("min_stock_level") or "0", minimum=0, what="Min level")
        reorder = int(values["reorder_point"]) if values.get("reorder_point") else None
        high = int(values["max_stock_level"]) if values.get("max_stock_level") else None
        validation.check_thresholds(low, reorder, high)
    except ValidationError as error:
        return error.message
    except ValueError:
        return None  # the field itself says what is wrong
    return None


# --- the tabs -------------------------------------------------------------------------------


@dataclass
class CatalogTab:
    """One tab: how it lists, shows, identifies and changes its records, all through services."""

    id: str
    title: str
    noun: str
    permission: Permission
    columns: tuple[Column, ...]
    fetch: Callable[..., Page[Any]]
    cells: Callable[[Any, Any], tuple[Text, ...]]
    key: Callable[[Any], str]
    prefill: Callable[[Any], dict[str, str]]
    create: Callable[..., Any]
    update: Callable[..., Any]
    deactivate: Callable[..., Any]
    fields: Callable[[dict[str, list[str]]], list[FormField]]
    create_only: tuple[str, ...] = ()
    clearable: tuple[str, ...] = ()  # empty means "clear it" (None), not "empty text"
    renamed: dict[str, str] = field(default_factory=dict)  # form key -> update keyword
    check: Callable[[dict[str, str]], str | None] | None = None
    narrow: tuple[str, ...] = ()  # the column keys kept under 80 columns (size_class.columns); empty: all
    narrow_widths: dict[str, int] = field(default_factory=dict)  # wider columns where fewer are kept
    search: str = ""
    table: PagedTable[Any] | None = None  # the tab's list, made with the screen

    @property
    def rows(self) -> list[Any]:
        """The records shown, in order."""
        return self.table.items if self.table is not None else []

    @property
    def next_cursor(self) -> object | None:
        """Where the next page starts; None when every record is shown."""
        return self.table.after if self.table is not None else None

    @property
    def plural(self) -> str:
        return Text.from_markup(self.title).plain.lower()

    def cells_by_key(self, app: Any, item: Any) -> dict[str, Text]:
        return dict(zip((column.key for column in self.columns), self.cells(app, item), strict=True))

    def pages(self, search: str | None) -> Callable[[ServiceSession, Any, int], ListPage[Any]]:
        """How the tab's list reads its pages, for this search (fixed when the list is loaded)."""
        def fetch(session: ServiceSession, after: Any, limit: int) -> ListPage[Any]:
            page = self.fetch(session, search=search, limit=limit, after=after)
            return ListPage(page.items, page.next_cursor)
        return fetch

    def is_active(self, item: Any) -> bool:
        return bool(getattr(item, "is_active", True))


def _state(app: Any, item: Any) -> Text:
    return Text("" if item.is_active else "off", style=style(app, "quiet"))


def _n(value: int | None, width: int) -> Text:
    return number_cell(value, width, blank="—")


def _product_fields(choices: dict[str, list[str]]) -> list[FormField]:
    return [
        FormField("sku", "SKU", _code("SKU", 100), placeholder="printed on the label"),
        FormField("name", "Name", _text("Product name", 255, required=True)),
        FormField("barcode", "Barcode", _text("Barcode", 64), placeholder="optional"),
        FormField("category", "Category", _known("category", lambda: choices.get("category", [])),
                  tuple(choices.get("category", [])), "optional"),
        FormField("supplier", "Supplier", _known("supplier code", lambda: choices.get("supplier", [])),
                  tuple(choices.get("supplier", [])), "optional"),
        FormField("unit_price", "Price", _money("Price"), placeholder="0.00"),
        FormField("cost_price", "Cost", _money("Cost"), placeholder="0.00"),
        FormField("min_stock_level", "Min level", _level("Min level"), placeholder="0"),
        FormField("reorder_point", "Reorder point", _level("Reorder point"), placeholder="optional"),
        FormField("max_stock_level", "Max level", _level("Max level"), placeholder="optional"),
        FormField("default_location", "Default location",
                  _known("location code", lambda: choices.get("default_location", [])),
                  tuple(choices.get("default_location", [])), "optional"),
        # issue 17: its own lead time (RUNS OUT SOON, reorder quantities) and the pack size orders round up to
        FormField("lead_time_days", "Lead time (days)", validation.lead_time_days, placeholder="the supplier's"),
        FormField("pack_size", "Pack size", validation.pack_size, placeholder="optional"),
    ]


def _rule_fields(choices: dict[str, list[str]]) -> list[FormField]:
    return [
        FormField("sku", "SKU", _text("SKU", 100, required=True), tuple(choices.get("sku", []))),
        FormField("location", "Location", _known("location code", lambda: choices.get("location", [])),
                  tuple(choices.get("location", [])), "empty: all locations"),
        FormField("threshold", "Threshold", _level("Threshold", required=True), placeholder="alert at or below"),
    ]


def _rule_cells(app: Any, rule: alert_rules.RuleEffect) -> tuple[Text, ...]:
    effect = Text(rule.effect if rule.is_active else f"off: {rule.effect}", overflow="ellipsis", no_wrap=True,
                  style="" if rule.is_active else style(app, "quiet"))
    low = number_cell(rule.low, 4)
    if rule.low:
        low.stylize(style(app, "warn"))
    return (Text(f"#{rule.id}"), Text(rule.sku), Text(rule.location or "all"), effect,
            number_cell(rule.rows, 4), low)


def tab_columns(tab: CatalogTab, layout: str) -> tuple[Column, ...]:
    """A tab's columns for the layout (size_class.layout_for): `tab.narrow` under 80 columns, some
    of them wider there (`tab.narrow_widths`: the room of the columns left out)."""
    shown = columns(tab.columns, layout, tab.narrow)
    if layout == "normal":
        return shown
    return tuple(replace(c, width=tab.narrow_widths.get(c.key, c.width)) for c in shown)


def catalog_tabs() -> list[CatalogTab]:
    ellipsis = partial(Text, overflow="ellipsis", no_wrap=True)
    # Column widths keep every table within 80 columns, cell padding included.
    return [
        CatalogTab(
            "products", "[u]P[/u]roducts", "product", Permission.EDIT_CATALOG,
            # "location": the product's default location (where it is kept; a PO naming none delivers
            # there), a bin code's 8 cells; the name, price and levels gave up room for it at 80 columns.
            (Column("sku", "SKU", 10), Column("name", "product", 12), Column("supplier", "supplier", 8),
             Column("location", "location", 8), Column("price", "price", 7), Column("min", "min", 3),
             Column("reorder", "reord", 5), Column("max", "max", 5), Column("state", "", 3)),
            catalog.list_products,
            lambda app, p: (Text(p.sku), ellipsis(p.name), Text(p.supplier or ""),
                            Text(p.default_location or "—", style="" if p.default_location else style(app, "quiet")),
                            number_cell(p.unit_price, 7, decimals=2), _n(p.min_stock_level, 3),
                            _n(p.reorder_point, 5), _n(p.max_stock_level, 5), _state(app, p)),
            lambda p: p.sku,
            lambda p: {"sku": p.sku, "name": p.name, "barcode": p.barcode or "", "category": p.category or "",
                       "supplier": p.supplier or "", "unit_price": f"{p.unit_price:.2f}",
                       "cost_price": f"{p.cost_price:.2f}", "min_stock_level": str(p.min_stock_level),
                       "reorder_point": "" if p.reorder_point is None else str(p.reorder_point),
                       "max_stock_level": "" if p.max_stock_level is None else str(p.max_stock_level),
                       "default_location": p.default_location or "",
                       "lead_time_days": "" if p.lead_time_days is None else str(p.lead_time_days),
                       "pack_size": "" if p.pack_size is None else str(p.pack_size)},
            catalog.create_product, catalog.update_product, catalog.deactivate_product, _product_fields,
            create_only=("sku",), clearable=("barcode", "category", "supplier", "reorder_point", "max_stock_level",
                                            "default_location", "lead_time_days", "pack_size"),
            check=_thresholds, narrow=("sku", "name", "supplier", "price", "state"),  # levels: in the form (e)
            narrow_widths={"name": 18, "price": 8},  # as before the location column took room at 80
        ),
        CatalogTab(
            "categories", "Cate[u]g[/u]ories", "category", Permission.EDIT_CATALOG,
            (Column("name", "category", 24), Column("description", "description", 40), Column("state", "", 3)),
            catalog.list_categories,
            lambda app, c: (ellipsis(c.name), ellipsis(c.description), _state(app, c)),
            lambda c: c.name,
            lambda c: {"name": c.name, "description": c.description},
            catalog.create_category, catalog.update_category, catalog.deactivate_category,
            lambda _: [FormField("name", "Name", _text("Category name", 100, required=True)),
                       FormField("description", "Description", _text("Description", 2000))],
            renamed={"name": "new_name"},
        ),
        CatalogTab(
            "suppliers", "[u]S[/u]uppliers", "supplier", Permission.EDIT_CATALOG,
            (Column("code", "code", 10), Column("name", "supplier", 20), Column("contact", "contact", 14),
             Column("email", "e-mail", 12), Column("lead", "lead", 4), Column("state", "", 3)),
            catalog.list_suppliers,
            lambda app, s: (Text(s.code), ellipsis(s.name), ellipsis(s.contact_name), ellipsis(s.email),
                            Text(f"{s.lead_time_days}d", justify="right"), _state(app, s)),
            lambda s: s.code,
            lambda s: {"code": s.code, "name": s.name, "contact_name": s.contact_name, "email": s.email,
                       "phone": s.phone, "lead_time_days": str(s.lead_time_days)},
            catalog.create_supplier, catalog.update_supplier, catalog.deactivate_supplier,
            lambda _: [FormField("code", "Code", _code("Supplier code")),
                       FormField("name", "Name", _text("Supplier name", 200, required=True)),
                       FormField("contact_name", "Contact", _text("Contact name", 200)),
                       FormField("email", "E-mail", _text("E-mail", 254)),
                       FormField("phone", "Phone", _text("Phone", 50)),
                       FormField("lead_time_days", "Lead time (days)",
                                 lambda v: v.strip() and validation.quantity(v, minimum=0, maximum=3650,
                                                                              what="Lead time (days)"),
                                 placeholder="7")],
            create_only=("code",), narrow=("code", "name", "email", "lead", "state"),
        ),
        CatalogTab(
            "locations", "[u]L[/u]ocations", "location", Permission.EDIT_CATALOG,
            (Column("code", "code", 12), Column("name", "name", 40), Column("state", "", 3)),
            catalog.list_locations,
            lambda app, loc: (Text(loc.code), ellipsis(loc.name), _state(app, loc)),
            lambda loc: loc.code,
            lambda loc: {"code": loc.code, "name": loc.name},
            catalog.create_location, catalog.update_location, catalog.deactivate_location,
            lambda _: [FormField("code", "Code", _code("Location code")),
                       FormField("name", "Name", _text("Location name", 200))],
            create_only=("code",),
        ),
        CatalogTab(
            "rules", "[u]A[/u]lert rules", "alert rule", Permission.EDIT_ALERT_RULES,
            (Column("id", "rule", 5), Column("sku", "SKU", 10), Column("location", "location", 8),
             Column("effect", "effect", 30), Column("rows", "rows", 4), Column("low", "low", 4)),
            alert_rules.rule_effects, _rule_cells,
            lambda r: str(r.id),
            lambda r: {"sku": r.sku, "location": r.location or "", "threshold": str(r.threshold)},
            alert_rules.create_rule, alert_rules.update_rule, alert_rules.deactivate_rule, _rule_fields,
            create_only=("sku", "location"), narrow=("id", "sku", "location", "effect"),
        ),
    ]
