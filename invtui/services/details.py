"""What the detail views show, each in one call: an alert with its history, a product's stock.

The screens ask for "the detail of this alert" or "of this product" and get plain dataclasses;
which queries make them up, and how a product's own alerts are found, is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from invtui.services import alerts, inventory
from invtui.services.alerts import AlertEventView, AlertView
from invtui.services.inventory import MovementRow, ProductStock

MOVEMENTS = 20


@dataclass(frozen=True)
class AlertDetail:
    alert: AlertView
    history: list[AlertEventView]
    movements: list[MovementRow]


@dataclass(frozen=True)
class StockDetail:
    stock: ProductStock
    alerts: list[AlertView]
    movements: list[MovementRow]


def alert_detail(session: Session, alert_id: int, *, movements: int = MOVEMENTS) -> AlertDetail:
    """An alert, every transition it went through, and its product's newest ledger rows."""
    alert = alerts.get(session, alert_id)
    return AlertDetail(alert, alerts.history(session, alert.id), inventory.movements(session, alert.sku, limit=movements))


def stock_detail(session: Session, sku: str, *, movements: int = MOVEMENTS) -> StockDetail:
    """A product's stock at every location, its open alerts and its newest ledger rows."""
    stock = inventory.stock_for(session, sku)  # found by SKU or barcode; `stock.sku` is the stored SKU
    return StockDetail(stock, alerts.open_alerts_for(session, stock.sku),
                       inventory.movements(session, stock.sku, limit=movements))
