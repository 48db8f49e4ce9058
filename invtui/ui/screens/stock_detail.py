"""Enter on a stock row: the product's stock at every location, its open alerts, its last movements."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from invtui.domain.demand import SHORT
from invtui.services import details
from invtui.services.details import StockDetail
from invtui.ui.bindings import bindings_for
from invtui.ui.service_call import call_service


class StockDetailScreen(ModalScreen[None]):
    BINDINGS = bindings_for("stock_detail")

    def __init__(self, sku: str) -> None:
        super().__init__()
        self.sku = sku

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box"):
            yield Static(f"{self.sku}", id="detail-header")
            yield Static("Stock by location", classes="detail-section")
            lines: DataTable[str] = DataTable(id="detail-stock", show_cursor=False)
            lines.add_columns("location", "on hand", "reserved", "available", "open alert")
            yield lines
            yield Static("Last movements", classes="detail-section")
            moves: DataTable[str] = DataTable(id="detail-movements", show_cursor=False)
            moves.add_columns("when", "location", "kind", "qty", "rsv", "by", "reference", "reason")
            yield moves
            yield Static("Escape closes", classes="modal-hint")

    def on_mount(self) -> None:
        sku = self.sku
        call_service(self, lambda s: details.stock_detail(s, sku), self._show, group="stock-detail")

    def _show(self, detail: StockDetail) -> None:
        clock = self.app.clock  # type: ignore[attr-defined]
        stock = detail.stock
        state = "" if stock.is_active else " (inactive)"
        self.query_one("#detail-header", Static).update(
            f"{stock.sku} {stock.name}{state}: {stock.quantity:,} on hand, {stock.reserved:,} reserved, "
            f"{stock.available:,} available in {len(stock.lines)} location(s)")
        by_location = {a.location: a for a in detail.alerts}
        table = self.query_one("#detail-stock", DataTable)
        for line in stock.lines:
            alert = by_location.get(line.location)
            flag = f"#{alert.id} {SHORT.get(alert.alert_type, alert.alert_type)} {alert.status.lower()}" \
                if alert else ""
            table.add_row(line.location, f"{line.quantity:,}", f"{line.reserved:,}", f"{line.available:,}", flag)
        moves = self.query_one("#detail-movements", DataTable)
        for move in detail.movements:
            moves.add_row(clock.local(move.at), move.location, move.kind, f"{move.quantity_delta:+d}",
                          f"{move.reserved_delta:+d}" if move.reserved_delta else "", move.user or "",
                          move.reference, move.reason)

    def action_close(self) -> None:
        self.dismiss(None)
