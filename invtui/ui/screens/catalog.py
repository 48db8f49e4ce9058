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
from functools import partial
from typing import Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.widget import Widget
from textual.widgets import DataTable, Input, TabbedContent, TabPane

from invtui.domain.roles import Actor, require
from invtui.errors import PermissionDenied
from invtui.services import catalog
from invtui.services.tx import ServiceSession
from invtui.ui.bindings import bindings_for
from invtui.ui.messages import EventArrived
from invtui.ui.modals.catalog_form import CatalogFormModal, FormField
from invtui.ui.modals.confirm_modal import ConfirmModal
from invtui.ui.screens.catalog_tabs import PAGE, CatalogTab, catalog_tabs, tab_columns
from invtui.ui.screens.searchable import SearchableListScreen
from invtui.ui.widgets.paged_table import PagedTable

EDIT_ACTIONS = {"new", "edit", "deactivate"}


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
        self.tabs = {tab.id: tab for tab in catalog_tabs()}
        self.tab = self.tabs["products"]
        for tab in self.tabs.values():
            tab.table = PagedTable(tab.columns, key=tab.key, cells=partial(self._cells, tab), page_size=PAGE,
                                   id=f"catalog-{tab.id}-table", classes="catalog-table")

    def body(self) -> Iterable[Widget]:
        yield Input(placeholder="search this tab; Enter returns to the list, Escape clears", id="catalog-search")
        with TabbedContent(id="catalog-tabs", initial="products"):
            for tab in self.tabs.values():
                self.table(tab).set_columns(tab_columns(tab, self.size_layout))
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
            self.table(tab).set_columns(tab_columns(tab, self.size_layout))

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
        wanted = {"products": {"category": "category", "supplier": "supplier", "default_location": "location"},
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
