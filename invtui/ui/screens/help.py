"""`?`: the keys of the screen underneath and of the whole app, generated from their bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from invtui.ui.bindings import bindings_for


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings_for("help")

    def __init__(self, screen_title: str, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self._screen_title = screen_title
        self._key_rows = bindings

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(f"Keys — {self._screen_title}", id="help-title")
            table: DataTable[str] = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("key", "action")
            for key, description in self._key_rows:
                table.add_row(key, description)
            yield table
            yield Static("Escape closes · ctrl+p lists every action by name", id="help-hint")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
