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

KINDS = (None, "stock", "alert", "po", "user", "count")


class AuditScreen(ModalScreen[None]):
    BINDINGS = bindings_for("audit")

    def __init__(self) -> None:
        super().__init__()
        self.kind_index = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="background-box"):
            yield Static("Audit trail", id="background-title")
            yield Static("", id="background-state")
            table: DataTable[Text] = DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
            for label in ("when", "kind", "who", "action", "subject", "detail"):
                table.add_column(label)
            yield table
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
        table.clear()
        for entry in entries:
            table.add_row(Text(f"{entry.at.astimezone():%m-%d} {clock.local(entry.at)}"), Text(entry.kind),
                          Text(entry.who_shown), Text(entry.action), Text(entry.subject),
                          Text(entry.detail, overflow="ellipsis", no_wrap=True))

    def action_cycle_kind(self) -> None:
        self.kind_index = (self.kind_index + 1) % len(KINDS)
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)
