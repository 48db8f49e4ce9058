"""Draft POs from alerts order what the demand figures say (issue 17), and each line says why."""

from __future__ import annotations

import psycopg

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import purchasing

from test_demand import move


def test_a_draft_from_alerts_orders_by_usage_or_up_to_max_level_and_keeps_why(db: Database, operator: Actor) -> None:
    with psycopg.connect(db.conninfo) as conn:
        conn.execute("UPDATE demand_settings SET safety_days = 6")  # review_days: 7 (the default)
        conn.execute("INSERT INTO suppliers (code, name, lead_time_days) VALUES ('ACME', 'Acme', 14)")
        conn.execute("""INSERT INTO products (sku, name, supplier_id, reorder_point, max_stock_level, pack_size) VALUES
                        ('BOLT', 'Bolt', 1, 20, NULL, 50), ('NUT', 'Nut', 1, 10, 100, NULL)""")
        conn.execute("INSERT INTO locations (code) VALUES ('L1')")
        # BOLT: 14 issued on each of the last 24 days = 336 over the 28-day window: 12/day; 64 left,
        # 5.3 days of cover against 14 days' lead time: RUNS OUT SOON
        move(conn, "BOLT", "L1", "receive", 400, 40)
        for day in range(24, 0, -1):
            move(conn, "BOLT", "L1", "issue", -14, day)
        move(conn, "NUT", "L1", "receive", 5, 10)  # LOW (reorder point 10), no usage
        conn.commit()
        (kind,) = conn.execute("SELECT alert_type FROM stock_alerts a JOIN products p ON p.id = a.product_id "
                               "WHERE p.sku = 'BOLT' AND a.status = 'ACTIVE'").fetchone()  # type: ignore[misc]
    assert kind == "LOW_SOON"
    with db.session() as s:
        (po,) = purchasing.draft_from_alerts(s, operator)
        view = purchasing.get(s, po.number)
    assert (view.location, po.location) == ("L1", "L1")  # the PO delivers where the items run short
    lines = {line.sku: line for line in view.lines}
    # 12/day x (14 lead + 7 review) + 12 x 6 safety - 64 projected = 260, up to packs of 50: 300
    assert lines["BOLT"].ordered == 300
    assert lines["BOLT"].why == "why 260: 12/day × 21 days + 72 safety − 64 projected; 300 in packs of 50"
    assert lines["NUT"].ordered == 95
    assert lines["NUT"].why == "why 95: max level 100 − 5 projected"
    assert lines["BOLT"].suggested["rows"][0]["usage"] == 12.0  # type: ignore[index]
