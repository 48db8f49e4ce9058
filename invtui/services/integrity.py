"""`invtui db check`: proofs that the data still obeys the rules the schema cannot express alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from invtui.db.engine import Database

# For every inventory row, the ledger's deltas must add up to its quantity and reservation.
# Ledger rows for an item with no inventory row must add up to zero.
LEDGER_MISMATCHES = """
WITH ledger AS (
    SELECT product_id, location_id, sum(quantity_delta) AS q, sum(reserved_delta) AS r
    FROM stock_movements GROUP BY product_id, location_id
)
SELECT p.sku, l.code, coalesce(i.quantity, 0), coalesce(m.q, 0)::bigint,
       coalesce(i.reserved_quantity, 0), coalesce(m.r, 0)::bigint
FROM inventory i
FULL JOIN ledger m ON m.product_id = i.product_id AND m.location_id = i.location_id
JOIN products p ON p.id = coalesce(i.product_id, m.product_id)
JOIN locations l ON l.id = coalesce(i.location_id, m.location_id)
WHERE coalesce(i.quantity, 0) <> coalesce(m.q, 0) OR coalesce(i.reserved_quantity, 0) <> coalesce(m.r, 0)
ORDER BY p.sku, l.code
LIMIT %(limit)s
"""

DUPLICATE_OPEN_ALERTS = """
SELECT p.sku, l.code, count(*)
FROM stock_alerts a JOIN products p ON p.id = a.product_id JOIN locations l ON l.id = a.location_id
WHERE a.status IN ('ACTIVE', 'ACKNOWLEDGED')
GROUP BY p.sku, l.code HAVING count(*) > 1
"""


@dataclass(frozen=True)
class LedgerMismatch:
    sku: str
    location: str
    quantity: int
    ledger_quantity: int
    reserved: int
    ledger_reserved: int

    def describe(self) -> str:
        parts = []
        if self.quantity != self.ledger_quantity:
            parts.append(f"quantity {self.quantity} but ledger says {self.ledger_quantity}")
        if self.reserved != self.ledger_reserved:
            parts.append(f"reserved {self.reserved} but ledger says {self.ledger_reserved}")
        return f"{self.sku} at {self.location}: " + "; ".join(parts)


@dataclass
class CheckReport:
    inventory_rows: int = 0
    movements: int = 0
    mismatches: list[LedgerMismatch] = field(default_factory=list)
    duplicate_open_alerts: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.mismatches and not self.duplicate_open_alerts

    def problems(self) -> list[str]:
        return [m.describe() for m in self.mismatches] + self.duplicate_open_alerts


def check(db: Database, *, limit: int = 1000) -> CheckReport:
    """Compare every inventory row with its ledger, in one consistent snapshot."""
    report = CheckReport()
    with db.connect() as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        report.inventory_rows = conn.execute("SELECT count(*) FROM inventory").fetchone()[0]
        report.movements = conn.execute("SELECT count(*) FROM stock_movements").fetchone()[0]
        report.mismatches = [LedgerMismatch(*row) for row in conn.execute(LEDGER_MISMATCHES, {"limit": limit})]
        report.duplicate_open_alerts = [
            f"{sku} at {code}: {n} open alerts" for sku, code, n in conn.execute(DUPLICATE_OPEN_ALERTS)
        ]
        conn.rollback()
    return report
