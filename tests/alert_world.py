"""A small warehouse for the alert engine's tests, written with plain SQL (no invtui service code).

Bolt M6 (BOLT-M6): reorder point 10, min stock level 5, stocked at WH1-A-01..03 with 50 each.
Washer M8 (WASH-M8): no reorder point, min stock level 4, stocked at WH1-A-01 with 30.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from invtui.db.engine import Database

LOCATIONS = ("WH1-A-01", "WH1-A-02", "WH1-A-03")


@dataclass(frozen=True)
class World:
    db: Database

    def sql(self, query: str, params: Any = None, *, replica: bool = False) -> list[tuple]:
        """Run one statement on a plain psycopg connection and commit; `replica` skips every trigger."""
        with psycopg.connect(self.db.conninfo) as conn:
            if replica:
                conn.execute("SET session_replication_role = replica")
            cur = conn.execute(query, params)
            rows = cur.fetchall() if cur.description else []
            conn.commit()
        return rows

    def ids(self, sku: str, location: str) -> tuple[int, int]:
        ((product_id, location_id),) = self.sql(
            "SELECT p.id, l.id FROM products p, locations l WHERE p.sku = %s AND l.code = %s", (sku, location))
        return product_id, location_id

    def set_stock(self, sku: str, location: str, quantity: int, reserved: int = 0, *, quietly: bool = False) -> None:
        """Set one row's stock as psql would; `quietly` bypasses the trigger (only a sweep will see it)."""
        self.sql(
            """UPDATE inventory SET quantity = %s, reserved_quantity = %s
                WHERE product_id = (SELECT id FROM products WHERE sku = %s)
                  AND location_id = (SELECT id FROM locations WHERE code = %s)""",
            (quantity, reserved, sku, location), replica=quietly)

    def alerts(self, sku: str = "BOLT-M6", location: str = "WH1-A-01") -> list[dict[str, Any]]:
        """Every alert of one item, oldest first."""
        with psycopg.connect(self.db.conninfo, row_factory=psycopg.rows.dict_row) as conn:
            return conn.execute(
                """SELECT a.* FROM stock_alerts a JOIN products p ON p.id = a.product_id
                     JOIN locations l ON l.id = a.location_id
                    WHERE p.sku = %s AND l.code = %s ORDER BY a.id""", (sku, location)).fetchall()

    def open_alert(self, sku: str = "BOLT-M6", location: str = "WH1-A-01") -> dict[str, Any] | None:
        found = [a for a in self.alerts(sku, location) if a["status"] in ("ACTIVE", "ACKNOWLEDGED")]
        assert len(found) <= 1
        return found[0] if found else None

    def count(self, query: str, params: Any = None) -> int:
        return int(self.sql(query, params)[0][0])

    def events_of(self, alert_id: int) -> list[str]:
        return [r[0] for r in self.sql("SELECT event FROM alert_events WHERE alert_id = %s ORDER BY id", (alert_id,))]


def build(db: Database) -> World:
    world = World(db)
    world.sql(
        """
        WITH loc AS (
            INSERT INTO locations (code, name) VALUES ('WH1-A-01', 'Aisle A bin 1'), ('WH1-A-02', 'Aisle A bin 2'),
                                                      ('WH1-A-03', 'Aisle A bin 3')
            RETURNING id, code
        ), prod AS (
            INSERT INTO products (sku, name, min_stock_level, reorder_point, max_stock_level)
            VALUES ('BOLT-M6', 'Bolt M6', 5, 10, 100), ('WASH-M8', 'Washer M8', 4, NULL, 80)
            RETURNING id, sku
        )
        INSERT INTO inventory (product_id, location_id, quantity)
        SELECT prod.id, loc.id, CASE WHEN prod.sku = 'BOLT-M6' THEN 50 ELSE 30 END
          FROM prod CROSS JOIN loc
         WHERE prod.sku = 'BOLT-M6' OR loc.code = 'WH1-A-01'
        """
    )
    return world


def sweep(db: Database) -> dict[str, int]:
    """One full evaluation in its own transaction, straight through the SQL function."""
    with psycopg.connect(db.conninfo) as conn:
        row = conn.execute("SELECT created, escalated, downgraded, resolved, scanned FROM evaluate_stock_alert_items()").fetchone()
        conn.commit()
    assert row is not None
    return dict(zip(("created", "escalated", "downgraded", "resolved", "scanned"), row, strict=True))
