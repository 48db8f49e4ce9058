"""Catalog (`5`): products, categories, suppliers, locations and alert rules, one tab each.

Every tab is a list paged on the server (keyset: the next page loads when the cursor reaches the
end), searched as you type with `/`. Managers and admins edit: `n` new, `e` edit (a form
prefilled with the current values; only the fields changed are sent), `x` deactivate (asks
first); `p` `c` `s` `l` `a` pick a tab. Viewers and operators read only: the edit keys are
hidden from them, and reached through the palette they are refused in the service's words. The rules tab shows what each rule does:
"15 instead of reorder point 10", over how many stock rows, how many of them low now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.widget import Widget
from textual.widgets import DataTable, Input, TabbedContent, TabPane

from invtui.domain import validation
from invtui.domain.roles import Actor, Permission, require
from invtui.errors import PermissionDenied, ValidationError
from invtui.services import alert_rules, catalog
from invtui.services.catalog import CHOICES_MAX, Page
from invtui.services.tx import ServiceSession
from invtui.services import catalog
from invtui.services.catalog import Page
from invtui.ui.bindings import bindings_for
from invtui.ui.messages import EventArrived
from invtui.ui.numbers import number_cell
from invtui.ui.screens.searchable import SearchableListScreen
from invtui.ui.size_class import Column, columns
from invtui.ui.styles import style
from invtui.ui.modals.catalog_form import CatalogFormModal, FormField
from invtui.ui.modals.confirm_modal import ConfirmModal
from invtui.ui.widgets.paged_table import Column as ListColumn
from invtui.ui.widgets.paged_table import Page as ListPage
from invtui.ui.widgets.paged_table import PagedTable

PAGE = 100
EDIT_ACTIONS = {"new", "edit", "deactivate"}


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

    def list_columns(self) -> tuple[ListColumn, ...]:
        return tuple(ListColumn(key, label, width) for label, key, width in self.columns)

    def cells_by_key(self, app: Any, item: Any) -> dict[str, Text]:
        return dict(zip((key for _, key, _ in self.columns), self.cells(app, item), strict=True))

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
    """A tab's columns for the layout (size_class.layout_for): `tab.narrow` under 80 columns."""
    return columns(tab.columns, layout, tab.narrow)


def tab_list_columns(tab: CatalogTab, layout: str) -> tuple[ListColumn, ...]:
    """`tab_columns` as the paged list's columns."""
    return tuple(ListColumn(key, label, width) for label, key, width in tab_columns(tab, layout))


def _tabs() -> list[CatalogTab]:
    ellipsis = partial(Text, overflow="ellipsis", no_wrap=True)
    # Column widths keep every table within 80 columns, cell padding included.
    return [
        CatalogTab(
            "products", "[u]P[/u]roducts", "product", Permission.EDIT_CATALOG,
            (("SKU", "sku", 10), ("product", "name", 18), ("supplier", "supplier", 8), ("price", "price", 8),
             ("min", "min", 4), ("reorder", "reorder", 7), ("max", "max", 5), ("", "state", 3)),
            catalog.list_products,
            lambda app, p: (Text(p.sku), ellipsis(p.name), Text(p.supplier or ""),
                            number_cell(p.unit_price, 8, decimals=2), _n(p.min_stock_level, 4),
                            _n(p.reorder_point, 7), _n(p.max_stock_level, 5), _state(app, p)),
            lambda p: p.sku,
            lambda p: {"sku": p.sku, "name": p.name, "barcode": p.barcode or "", "category": p.category or "",
                       "supplier": p.supplier or "", "unit_price": f"{p.unit_price:.2f}",
                       "cost_price": f"{p.cost_price:.2f}", "min_stock_level": str(p.min_stock_level),
                       "reorder_point": "" if p.reorder_point is None else str(p.reorder_point),
                       "max_stock_level": "" if p.max_stock_level is None else str(p.max_stock_level)},
            catalog.create_product, catalog.update_product, catalog.deactivate_product, _product_fields,
            create_only=("sku",), clearable=("barcode", "category", "supplier", "reorder_point", "max_stock_level"),
            check=_thresholds, narrow=("sku", "name", "supplier", "price", "state"),  # levels: in the form (e)
        ),
        CatalogTab(
            "categories", "Cate[u]g[/u]ories", "category", Permission.EDIT_CATALOG,
            (("category", "name", 24), ("description", "description", 40), ("", "state", 3)),
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
            (("code", "code", 10), ("supplier", "name", 20), ("contact", "contact", 14), ("e-mail", "email", 12),
             ("lead", "lead", 4), ("", "state", 3)),
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
            (("code", "code", 12), ("name", "name", 40), ("", "state", 3)),
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
            (("rule", "id", 5), ("SKU", "sku", 10), ("location", "location", 8), ("effect", "effect", 30),
             ("rows", "rows", 4), ("low", "low", 4)),
            alert_rules.rule_effects, _rule_cells,
            lambda r: str(r.id),
            lambda r: {"sku": r.sku, "location": r.location or "", "threshold": str(r.threshold)},
            alert_rules.create_rule, alert_rules.update_rule, alert_rules.deactivate_rule, _rule_fields,
            create_only=("sku", "location"), narrow=("id", "sku", "location", "effect"),
        ),
    ]


# --- the palette: read-only roles learn why they cannot edit ---------------------------------


class CatalogCommands(Provider):
    """Lists the edit actions for roles whose keys are hidden, so the palette can say why not.

    Managers already find them in the palette through the screen's bindings.
    """

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], None]]]:
        screen = self.screen
        if not isinstance(screen, CatalogScreen) or screen.may_edit():
            return
        noun = screen.tab.noun
        for action, words in (("new", f"New {noun}"), ("edit", f"Edit {noun}"), ("deactivate", f"Deactivate {noun}")):
            yield words, f"Managers only: {words.lower()}", partial(screen.attempt, action)

    async def discover(self) -> Hits:
        for words, help_text, run in self._commands():
            yield DiscoveryHit(words, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for words, help_text, run in self._commands():
            score = matcher.match(words)
            if score > 0:
                yield Hit(score, matcher.highlight(words), run, help=help_text)


# --- the screen -----------------------------------------------------------------------------


class CatalogScreen(SearchableListScreen):
    TITLE_TEXT = "Catalog"
    MODE = "catalog"
    AUTO_FOCUS = "#catalog-products-table"
    SEARCH_FIELD = "catalog-search"
    COMMANDS = {CatalogCommands}
    BINDINGS = bindings_for("catalog")

    def __init__(self) -> None:
        super().__init__()
        self.tabs = {tab.id: tab for tab in _tabs()}
        self.tab = self.tabs["products"]
        for tab in self.tabs.values():
            tab.table = PagedTable(tab.list_columns(), key=tab.key, cells=partial(self._cells, tab), page_size=PAGE,
                                   id=f"catalog-{tab.id}-table", classes="catalog-table")

    def body(self) -> Iterable[Widget]:
        yield Input(placeholder="search this tab; Enter returns to the list, Escape clears", id="catalog-search")
        with TabbedContent(id="catalog-tabs", initial="products"):
            for tab in self.tabs.values():
                self.table(tab).set_columns(tab_list_columns(tab, self.size_layout))
                with TabPane(tab.title, id=tab.id):
                    yield self.table(tab)

    def table(self, tab: CatalogTab | None = None) -> PagedTable[Any]:
        table = (tab or self.tab).table
        assert table is not None  # made with the screen
        return table

    def _cells(self, tab: CatalogTab, item: Any) -> dict[str, Text]:
        return tab.cells_by_key(self.app, item)

    def layout_changed(self) -> None:
        for tab in self.tabs.values():
            self.table(tab).set_columns(tab_list_columns(tab, self.size_layout))

    # Each tab keeps its own search: the field shows the current tab's.
    @property
    def search(self) -> str:
        return self.tab.search

    @search.setter
    def search(self, value: str) -> None:
        self.tab.search = value

    def search_scope(self) -> object:
        return self.tab

    def search_table(self) -> DataTable[Any]:
        return self.table()

    # -- roles ----------------------------------------------------------------------------------

    def may_edit(self) -> bool:
        actor = self.invtui.actor
        return actor is not None and actor.can(self.tab.permission)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in EDIT_ACTIONS:
            return self.may_edit()  # hidden from read-only roles: footer and `?` leave them out
        return True

    def attempt(self, action: str) -> None:
        """Run an edit action whatever the bindings say (the palette); refused in the service's words."""
        getattr(self, f"action_{action}")()

    def _editor(self) -> Actor | None:
        actor = self.invtui.actor
        if actor is None:
            return None
        try:
            require(actor, self.tab.permission)
        except PermissionDenied as refusal:
            self.notify(refusal.message, title="Not allowed", severity="warning")
            return None
        return actor

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        tab = self.tab
        self.sub_title = f"Catalog — {tab.plural}" + (f" matching {tab.search!r}" if tab.search else "")
        empty = f"No {tab.plural} match {tab.search!r}" if tab.search else f"No {tab.plural} yet"
        self.table(tab).load(tab.pages(tab.search or None), empty)

    def on_event_arrived(self, message: EventArrived) -> None:
        kind = message.event.kind  # type: ignore[attr-defined]
        # The rules tab counts low rows, so stock movements and alerts change it too.
        moves_rules = self.tab.id == "rules" and (kind == "stock.changed" or kind.startswith("alert"))
        if kind == "catalog.changed" or moves_rules:
            self.table().mark_stale()

    # -- tabs and search ------------------------------------------------------------------------

    def action_tab(self, tab_id: str) -> None:
        self.query_one("#catalog-tabs", TabbedContent).active = tab_id

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.tab = self.tabs[event.pane.id or "products"]
        self.show_search(self.tab.search)
        self.table().focus()
        self.refresh_bindings()
        self.reload()

    def action_clear(self) -> None:
        if self.clear_search():
            self.reload()

    # -- editing --------------------------------------------------------------------------------

    def _current(self) -> Any | None:
        return self.table().current

    def action_new(self) -> None:
        actor = self._editor()
        if actor is not None:
            tab = self.tab
            self._with_choices(tab, lambda fields: self.app.push_screen(
                CatalogFormModal(f"New {tab.noun}", fields, check=tab.check),
                lambda values: self._create(tab, actor, values) if values else None))

    def action_edit(self) -> None:
        actor, item = self._editor(), self._current()
        if actor is None or item is None:
            return
        tab, key, initial = self.tab, self.tab.key(item), self.tab.prefill(item)

        def ask(fields: list[FormField]) -> None:
            editable = [f for f in fields if f.key not in tab.create_only]
            self.app.push_screen(CatalogFormModal(f"Edit {tab.noun} {self._label_of(tab, item)}", editable, initial,
                                                  check=tab.check),
                                 lambda values: self._update(tab, actor, key, initial, values) if values else None)

        self._with_choices(tab, ask, initial)

    def action_deactivate(self) -> None:
        actor, item = self._editor(), self._current()
        if actor is None or item is None:
            return
        tab, key, name = self.tab, self.tab.key(item), self._label_of(self.tab, item)
        if not tab.is_active(item):  # `x` on a retired record offers to bring it back
            question = f"{tab.noun.capitalize()} {name} is inactive. Reactivate it?"
            call, done = (lambda s: tab.update(s, actor, key, active=True)), f"Reactivated {tab.noun} {name}"
        else:
            question = f"Deactivate {tab.noun} {name}? Its stock and history are kept; x again reactivates it."
            call, done = (lambda s: tab.deactivate(s, actor, key)), f"Deactivated {tab.noun} {name}"

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(tab, call, done)

        self.app.push_screen(ConfirmModal(question), answered)

    @staticmethod
    def _label_of(tab: CatalogTab, item: Any) -> str:
        return f"#{item.id} ({item.sku})" if tab.id == "rules" else tab.key(item)

    def _with_choices(self, tab: CatalogTab, then: Callable[[list[FormField]], Any],
                      current: dict[str, str] | None = None) -> None:
        """Load the type-ahead lists the tab's form offers, then open it.

        The record's `current` values always count as known, so an edit that leaves an inactive
        category or supplier alone is not refused for it.
        """
        wanted = {"products": {"category": "category", "supplier": "supplier"},
                  "rules": {"sku": "product", "location": "location"}}.get(tab.id, {})

        def choices(session: ServiceSession) -> dict[str, list[str]]:
            return {field: [c.code for c in catalog.choices(session, kind)] for field, kind in wanted.items()}

        def open_form(found: dict[str, list[str]]) -> None:
            for key, names in found.items():
                if (current or {}).get(key):
                    names.append(current[key])  # type: ignore[index]
            then(tab.fields(found))

        self.service(choices, open_form, group="catalog-choices")

    def _create(self, tab: CatalogTab, actor: Actor, values: dict[str, str]) -> None:
        given = {k: v for k, v in values.items() if v != ""}  # empty: the service's default
        what = values.get("sku") or values.get("code") or values.get("name")
        self._run(tab, lambda s: tab.create(s, actor, **given), f"Added {tab.noun} {what}")

    def _update(self, tab: CatalogTab, actor: Actor, key: str, initial: dict[str, str], values: dict[str, str]) -> None:
        changed = {tab.renamed.get(k, k): (None if v == "" and k in tab.clearable else v)
                   for k, v in values.items() if v != initial.get(k, "")}
        if not changed:
            self.notify("Nothing changed.", title=f"Edit {tab.noun}")
            return
        fields = ", ".join(k.replace("_", " ") for k, v in values.items() if v != initial.get(k, ""))
        self._run(tab, lambda s: tab.update(s, actor, key, **changed), f"Saved {tab.noun} {key}: {fields}")

    def _run(self, tab: CatalogTab, call: Callable[[ServiceSession], Any], message: str) -> None:
        self.service(call, lambda _: (self.notify(message, title="Catalog"), self.reload()), group="catalog-write")
