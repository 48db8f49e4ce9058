"""Demo data: deterministic, realistic, consistent with the ledger."""

from __future__ import annotations

from invtui.db.engine import Database
from invtui.services import integrity, seed


def snapshot(db: Database) -> list[tuple]:
    with db.connect() as conn:
        return conn.execute(
            "SELECT p.sku, l.code, i.quantity, i.reserved_quantity FROM inventory i "
            "JOIN products p ON p.id = i.product_id JOIN locations l ON l.id = i.location_id ORDER BY 1, 2"
        ).fetchall()


def test_same_arguments_give_the_same_warehouse(db: Database, empty_db: Database) -> None:
    from invtui.db import migrations

    migrations.upgrade(empty_db)
    seed.seed(db, products=60, locations=4)
    seed.seed(empty_db, products=60, locations=4)
    assert snapshot(db) == snapshot(empty_db)


def test_seeded_data_has_low_and_out_rows_pos_in_every_state_and_a_clean_ledger(db: Database) -> None:
    result = seed.seed(db, products=400, locations=10, low_fraction=0.1)
    assert result.inventory_rows == 4000
    with db.connect() as conn:
        out, low = conn.execute(
            "SELECT count(*) FILTER (WHERE i.available_quantity <= 0), "
            "count(*) FILTER (WHERE i.available_quantity > 0 AND i.available_quantity <= p.reorder_point) "
            "FROM inventory i JOIN products p ON p.id = i.product_id"
        ).fetchone()
        statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM purchase_orders")}
        code = conn.execute("SELECT code FROM locations ORDER BY id LIMIT 1").fetchone()[0]
        # vacuumed at the end: the sweep's probe reads the index alone from the first sweep on (issue 15)
        pages, visible = conn.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'inventory'").fetchone()
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN ANALYZE SELECT count(*) FROM stock_alert_probe()"))
    assert pages > 0 and visible == pages
    assert "Index Only Scan" in plan and "Heap Fetches: 0" in plan, plan
    assert 0.05 < (out + low) / 4000 < 0.15
    assert out > 0
    assert statuses == {"draft", "submitted", "approved", "partially_received", "received", "cancelled"}
    assert code == "WH1-A-01"
    assert integrity.check(db).clean
