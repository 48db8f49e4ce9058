"""A small warehouse with fixed times, so screens look the same on every run (snapshots).

Seven LOW items, two OUT, three OK; one alert already acknowledged by the operator; a personal
notification for the operator; one finished sweep. Rows are written with plain SQL so every
timestamp can be pinned; the alert engine's trigger raises the alerts exactly as in production.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from invtui.db.engine import Database

FIXED_NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)

LOCATIONS = ["WH1-A-01", "WH1-A-02", "WH1-B-01"]
# sku, name, reorder point
PRODUCTS = [
    ("BOLT-M6", "Bolt M6", 10), ("NUT-M6", "Hex Nut M6", 20), ("WASH-10", "Washer 10mm", 15),
    ("TIE-200", "Cable Tie 200mm", 50), ("GLOVE-L", "Nitrile Gloves L", 8), ("TAPE-48", "Packing Tape 48mm", 12),
    ("FUSE-5A", "Fuse 5A", 30),
]
# sku, location, quantity (LOW when 1..reorder point, OUT at 0)
STOCK = [
    ("BOLT-M6", "WH1-A-01", 3), ("BOLT-M6", "WH1-A-02", 50), ("NUT-M6", "WH1-A-01", 0),
    ("WASH-10", "WH1-B-01", 7), ("WASH-10", "WH1-A-02", 1), ("TIE-200", "WH1-A-01", 40),
    ("GLOVE-L", "WH1-A-02", 100), ("GLOVE-L", "WH1-B-01", 2), ("TAPE-48", "WH1-B-01", 2),
    ("TAPE-48", "WH1-A-01", 5), ("FUSE-5A", "WH1-A-01", 120), ("FUSE-5A", "WH1-B-01", 0),
]
LOW_FIRST_FIVE = [
    "Washer 10mm - 1 at WH1-A-02", "Nitrile Gloves L - 2 at WH1-B-01", "Packing Tape 48mm - 2 at WH1-B-01",
    "Bolt M6 - 3 at WH1-A-01", "Packing Tape 48mm - 5 at WH1-A-01",
]


def at(minutes_ago: int) -> datetime:
    return FIXED_NOW - timedelta(minutes=minutes_ago)


def build(db: Database) -> None:
    with db.connect() as conn:
        op = conn.execute("SELECT id FROM users WHERE username = 'operator'").fetchone()[0]
        conn.execute("INSERT INTO suppliers (code, name) VALUES ('ACME', 'Acme')")
        for code in LOCATIONS:
            conn.execute("INSERT INTO locations (code, name) VALUES (%s, %s)", (code, f"Bin {code}"))
        for sku, name, reorder in PRODUCTS:
            conn.execute(
                "INSERT INTO products (sku, name, supplier_id, unit_price, cost_price, min_stock_level, reorder_point,"
                " max_stock_level) VALUES (%s, %s, 1, 2.50, 1.50, %s, %s, %s)",
                (sku, name, reorder // 2, reorder, reorder * 4),
            )
        for n, (sku, code, quantity) in enumerate(STOCK):
            ids = "(SELECT id FROM products WHERE sku = %s), (SELECT id FROM locations WHERE code = %s)"
            conn.execute(f"INSERT INTO inventory (product_id, location_id, quantity) VALUES ({ids}, %s)",
                         (sku, code, quantity))
            received = quantity + 10
            conn.execute(
                f"INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, reference, user_id,"
                f" created_at) VALUES ({ids}, 'receive', %s, 'GRN-1', %s, %s)", (sku, code, received, op, at(600 + n)))
            conn.execute(
                f"INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, reference, user_id,"
                f" created_at) VALUES ({ids}, 'issue', -10, 'PICK-7', %s, %s)", (sku, code, op, at(120 + n)))
        # The trigger raised one alert per LOW/OUT row; pin their times (newest = highest id).
        conn.execute("UPDATE stock_alerts SET created_at = %s - make_interval(mins => (200 - id * 10)::int),"
                     " updated_at = %s - make_interval(mins => (200 - id * 10)::int)", (FIXED_NOW, FIXED_NOW))
        conn.execute("UPDATE alert_events SET created_at = %s - make_interval(mins => (200 - alert_id * 10)::int)",
                     (FIXED_NOW,))
        tie = conn.execute("SELECT a.id FROM stock_alerts a JOIN products p ON p.id = a.product_id"
                           " WHERE p.sku = 'TIE-200'").fetchone()[0]
        conn.execute("UPDATE stock_alerts SET status = 'ACKNOWLEDGED', acknowledged_by = %s, acknowledged_at = %s"
                     " WHERE id = %s", (op, at(30), tie))
        conn.execute("INSERT INTO alert_events (alert_id, event, from_status, to_status, alert_type, user_id, note,"
                     " created_at) VALUES (%s, 'acknowledged', 'ACTIVE', 'ACKNOWLEDGED', 'LOW_STOCK', %s,"
                     " 'reorder placed', %s)", (tie, op, at(30)))
        conn.execute("UPDATE notifications SET created_at = %s - make_interval(mins => (200 - id * 10)::int)", (FIXED_NOW,))
        conn.execute("INSERT INTO notifications (kind, severity, title, target_user_id, created_at)"
                     " VALUES ('po.approved', 'info', 'Your PO-000001 was approved by manager', %s, %s)", (op, at(5)))
        conn.execute("INSERT INTO notification_reads (notification_id, user_id, read_at)"
                     " SELECT id, %s, %s FROM notifications ORDER BY id LIMIT 2", (op, at(1)))
        conn.execute("INSERT INTO sweep_runs (started_at, finished_at, duration_ms, trigger, host, pid, rows_scanned,"
                     " created_count, escalated_count, resolved_count) VALUES (%s, %s, 12, 'scheduled', 'box', 1, 12,"
                     " 0, 0, 0)", (at(2), at(2)))
        conn.execute("INSERT INTO purchase_orders (supplier_id, status, created_at) VALUES (1, 'approved', %s),"
                     " (1, 'draft', %s)", (at(300), at(60)))
        conn.commit()
