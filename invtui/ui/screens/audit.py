"""The audit trail (palette: "Audit trail"): who did what, newest first, across stock, alerts, POs, users."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from invtui.services import audit
from invtui.services.audit import AuditEntry
from invtui.ui.bindings import bindings_for
from invtui.ui.service_call import call_service
from invtui.ui.size_class import Column, pick, set_columns

KINDS = (None, "stock", "alert", "po", "user", "count")
# The detail takes the width the others leave (0), cut with "…"; the line under the table shows
# the highlighted entry whole (and `invtui audit` prints every one whole).
COLUMNS: tuple[Column, ...] = (Column("when", "when", 11), Column("kind", "kind", 5), Column("who", "who", 12),
                               Column("action", "action", 12), Column("subject", "subject", 16),
                               Column("detail", "detail", 0))


def audit_columns(width: int) -> tuple[Column, ...]:
    """Under 100 columns the kind goes (the action names it: "issue", "acknowledged", "login")."""
    return tuple(column for column in COLUMNS if width >= 100 or column.key != "kind")


def _box_width(width: int) -> int:
    """Cells inside #background-box: at most 110 wide, a border and padding each side."""
    return min(width, 110) - 4


class AuditScreen(ModalScreen[None]):
    BINDINGS = bindings_for("audit")

    def __init__(self) -> None:
        super().__init__()
        self.kind_index = 0
        self.entries: list[AuditEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="background-box"):
            yield Static("Audit trail", id="background-title")
            yield Static("", id="background-state")
            table: DataTable[Text] = DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
            set_columns(table, audit_columns(self.app.size.width), _box_width(self.app.size.width))
            yield table
            yield Static("", id="audit-entry")
            yield Static("f kind · Escape closes · `invtui audit` filters by user and time", classes="modal-hint")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        kind = KINDS[self.kind_index]
        self.query_one("#background-state", Static).update(f"Last 200 entries · kind: {kind or 'all'}")
        call_service(self, lambda s: audit.trail(s, kinds=[kind] if kind else None, limit=200), self._show, group="audit",
                     exclusive=True)

    def _show(self, entries: list[AuditEntry]) -> None:
        clock = self.app.clock  # type: ignore[attr-defined]
        table = self.query_one("#audit-table", DataTable)
        shown = audit_columns(self.app.size.width)
        set_columns(table, shown, table.size.width or _box_width(self.app.size.width))  # it may have resized
        for entry in entries:
            cut = {"overflow": "ellipsis", "no_wrap": True}
            cells = (Text(f"{entry.at.astimezone():%m-%d} {clock.local(entry.at)}"), Text(entry.kind),
                     Text(entry.who_shown, **cut), Text(entry.action, **cut), Text(entry.subject, **cut),
                     Text(entry.detail, **cut))
            table.add_row(*pick(cells, COLUMNS, shown))
        self.entries = entries
        self._show_entry(table.cursor_row)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_entry(event.cursor_row)

    def _show_entry(self, row: int) -> None:
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        words = f"{entry.who_shown} · {entry.action} · {entry.subject}" + (f": {entry.detail}" if entry.detail else "") \
            if entry else ""
        self.query_one("#audit-entry", Static).update(Text(words))

    def action_cycle_kind(self) -> None:
        self.kind_index = (self.kind_index + 1) % len(KINDS)
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)
