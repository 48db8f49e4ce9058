"""A list screen with search as you type: `/` shows a field over the table, Escape hides it."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.widgets import DataTable, Input

from invtui.ui.screens.base import BaseScreen


class SearchableListScreen(BaseScreen):
    """A table of server-side rows that `/` narrows: each pause in typing reloads once.

    The debounce keeps a fast typist from sending a query per key; the server pages, so a search
    over a million rows is one query after the last key. Subclasses compose the field
    (`SEARCH_FIELD`) and implement `reload()` reading `self.search`; one with several lists (the
    catalog's tabs) overrides `search_scope()` and `search_table()`.
    """

    SEARCH_FIELD: ClassVar[str] = ""  # id of the Input, without '#'
    LIST_TABLE: ClassVar[str] = ""  # id of the DataTable, without '#'
    SEARCH_DELAY: ClassVar[float] = 0.25  # seconds of quiet before the list reloads

    search: str  # what the list is narrowed to; set by each subclass

    def __init__(self) -> None:
        super().__init__()
        self._search_timer: Any = None

    def on_mount(self) -> None:
        super().on_mount()
        self.search_field().display = bool(self.search)

    def search_field(self) -> Input:
        return self.query_one(f"#{self.SEARCH_FIELD}", Input)

    def search_table(self) -> DataTable[Any]:
        return self.query_one(f"#{self.LIST_TABLE}", DataTable)

    def search_scope(self) -> object:
        """What the search applies to; typing that ends after the scope changed is dropped."""
        return self

    def show_search(self, value: str) -> None:
        """Put `value` in the field without it counting as typing (a tab switched, say)."""
        field = self.search_field()
        with field.prevent(Input.Changed):
            field.value = value
        field.display = bool(value)

    def action_search(self) -> None:
        field = self.search_field()
        field.display = True
        field.focus()

    def clear_search(self) -> bool:
        """Hide and empty the field, back to the table; True if there was anything to clear."""
        if self._search_timer is not None:  # typing still pending must not bring the search back
            self._search_timer.stop()
        if not (self.search_field().display or self.search):
            return False
        self.show_search("")
        self.search = ""
        self.search_table().focus()
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != self.SEARCH_FIELD:
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        scope, value = self.search_scope(), event.value.strip()

        def apply() -> None:
            if self.search_scope() is scope:
                self.search = value
                self.reload()

        self._search_timer = self.set_timer(self.SEARCH_DELAY, apply)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == self.SEARCH_FIELD:
            self.search_table().focus()
