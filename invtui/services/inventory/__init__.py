"""Stock: the commands that change it and the reads that show it.

Every change goes through `services.ledger.apply_movement` (one ledger row plus one atomic
statement on `inventory`); product and location names are resolved by `services.lookup`.
Callers use the package as one namespace (`inventory.receive`, `inventory.stock_for`).
"""

from __future__ import annotations

from invtui.services.inventory.commands import (
    BATCH_EVENT_ITEMS,
    BATCH_KINDS,
    BatchLine,
    BatchResult,
    MAX_REASON,
    MAX_REFERENCE,
    StockChange,
    TransferResult,
    adjust,
    apply_batch,
    apply_counts,
    issue,
    receive,
    release,
    reserve,
    return_issued,
    transfer,
)
from invtui.services.inventory.reads import (
    MOVEMENT_LIMIT_MAX,
    MovementRow,
    ProductStock,
    StockLine,
    movements,
    stock_for,
)

__all__ = [
    "BATCH_EVENT_ITEMS",
    "BATCH_KINDS",
    "BatchLine",
    "BatchResult",
    "MAX_REASON",
    "MAX_REFERENCE",
    "MOVEMENT_LIMIT_MAX",
    "MovementRow",
    "ProductStock",
    "StockChange",
    "StockLine",
    "TransferResult",
    "adjust",
    "apply_batch",
    "apply_counts",
    "issue",
    "movements",
    "receive",
    "release",
    "reserve",
    "return_issued",
    "stock_for",
    "transfer",
]
