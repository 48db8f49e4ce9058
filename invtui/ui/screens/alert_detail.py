"""Enter on an alert: its history (every transition and who made it) and the item's last movements."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from invtui.domain.alerts import LABELS
from invtui.domain.demand import headline, why
from invtui.services import details
from invtui.services.alerts import AlertView
from invtui.services.details import AlertDetail
from invtui.ui.bindings import bindings_for
from invtui.ui.service_call import call_service

MOVEMENTS = 10


class AlertDetailScreen(ModalScreen[None]):
    BINDINGS = bindings_for("alert_detail")

    def __init__(self, alert: AlertView) -> None:
        super().__init__()
        self.alert = alert

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box"):
            yield Static(self._header(self.alert), id="detail-header")
            yield Static("History", classes="detail-section")
            history: DataTable[str] = DataTable(id="detail-history", cursor_type="row", show_cursor=False)
            history.add_columns("when", "event", "status", "qty", "by", "note")
            yield history
            yield Static("Last movements of this product", classes="detail-section")
            moves: DataTable[str] = DataTable(id="detail-movements", cursor_type="row", show_cursor=False)
            moves.add_columns("when", "location", "kind", "qty", "rsv", "by", "reference")
            yield moves
            yield Static("Escape closes", classes="modal-hint")

    def on_mount(self) -> None:
        alert = self.alert
        call_service(self, lambda s: details.alert_detail(s, alert.id, movements=MOVEMENTS), self._show, group="detail")

    def _header(self, alert: AlertView) -> Text:
        clock = self.app.clock  # type: ignore[attr-defined]
        kind = LABELS.get(alert.alert_type, alert.alert_type)
        text = Text()
        text.append(f"Alert #{alert.id} · {kind} · {alert.status.lower()}\n", style="bold")
        text.append(f"{alert.sku} {alert.name} at {alert.location}: {alert.current_quantity} available, "
                    f"threshold {alert.threshold_quantity}\n")
        today = clock.now().astimezone().date()  # the app's clock, as "raised ... ago" below
        if alert.covered:
            text.append(headline(alert.alert_type, alert.current_quantity, alert.judged_on, True, today) + "\n")
        text.append(f"why: {why(alert.judged_on, today)}\n", style="dim")
        text.append(f"raised {clock.local(alert.created_at)} ({clock.age(alert.created_at)} ago)")
        if alert.acknowledged_by:
            text.append(f" · acknowledged by {alert.acknowledged_by} at {clock.local(alert.acknowledged_at)}")
        if alert.resolved_at:
            text.append(f" · closed {clock.local(alert.resolved_at)} ({alert.resolution})")
        return text

    def _show(self, detail: AlertDetail) -> None:
        clock = self.app.clock  # type: ignore[attr-defined]
        self.query_one("#detail-header", Static).update(self._header(detail.alert))
        history = self.query_one("#detail-history", DataTable)
        for event in detail.history:
            history.add_row(clock.local(event.created_at), event.event, event.to_status.lower(),
                            "" if event.quantity is None else str(event.quantity), event.user or "sweep", event.note)
        moves = self.query_one("#detail-movements", DataTable)
        for move in detail.movements:
            moves.add_row(clock.local(move.at), move.location, move.kind, f"{move.quantity_delta:+d}",
                          f"{move.reserved_delta:+d}" if move.reserved_delta else "", move.user or "",
                          move.reference)
        if not detail.movements:
            moves.add_row("", "", "no movements yet", "", "", "", "")

    def action_close(self) -> None:
        self.dismiss(None)
