"""The database itself refuses rows that break the rules of DESIGN.md section 3."""

from __future__ import annotations

import psycopg
import pytest

from invtui.db.engine import Database


@pytest.fixture
def conn(db: Database):  # type: ignore[no-untyped-def]
    with db.connect() as connection:
        connection.execute("INSERT INTO locations (code) VALUES ('WH1-A-01'), ('WH1-A-02')")
        connection.execute(
            "INSERT INTO products (sku, name, min_stock_level, reorder_point, max_stock_level) "
            "VALUES ('BOLT-M6', 'Bolt M6', 5, 10, 100)"
        )
        connection.execute("INSERT INTO inventory (product_id, location_id, quantity) VALUES (1, 1, 20)")
        connection.commit()
        yield connection


def refused(conn: psycopg.Connection, statement: str, error: type[psycopg.Error], constraint: str | None = None) -> None:
    with pytest.raises(error) as caught:
        conn.execute(statement)
    conn.rollback()
    if constraint:
        assert caught.value.diag.constraint_name == constraint


def test_negative_quantity_is_refused(conn: psycopg.Connection) -> None:
    refused(conn, "UPDATE inventory SET quantity = -1", psycopg.errors.CheckViolation, "inventory_no_negative_stock")


def test_reserved_above_quantity_is_refused(conn: psycopg.Connection) -> None:
    refused(conn, "UPDATE inventory SET reserved_quantity = 21", psycopg.errors.CheckViolation,
            "inventory_reserved_within_quantity")


def test_negative_reservation_is_refused(conn: psycopg.Connection) -> None:
    refused(conn, "UPDATE inventory SET reserved_quantity = -1", psycopg.errors.CheckViolation)


def test_available_is_derived_and_cannot_be_written(conn: psycopg.Connection) -> None:
    conn.execute("UPDATE inventory SET reserved_quantity = 4")
    assert conn.execute("SELECT available_quantity FROM inventory").fetchone()[0] == 16
    refused(conn, "UPDATE inventory SET available_quantity = 99", psycopg.errors.GeneratedAlways)


def test_second_inventory_row_for_the_same_item_is_refused(conn: psycopg.Connection) -> None:
    refused(conn, "INSERT INTO inventory (product_id, location_id) VALUES (1, 1)", psycopg.errors.UniqueViolation,
            "idx_inventory_product_location")


def test_duplicate_sku_is_refused(conn: psycopg.Connection) -> None:
    refused(conn, "INSERT INTO products (sku, name) VALUES ('BOLT-M6', 'Another bolt')",
            psycopg.errors.UniqueViolation, "products_sku_key")


def test_duplicate_barcode_is_refused(conn: psycopg.Connection) -> None:
    conn.execute("UPDATE products SET barcode = '4006381333931'")
    refused(conn, "INSERT INTO products (sku, name, barcode) VALUES ('NUT-M6', 'Nut', '4006381333931')",
            psycopg.errors.UniqueViolation, "products_barcode_key")


def test_thresholds_out_of_order_are_refused(conn: psycopg.Connection) -> None:
    refused(conn, "UPDATE products SET reorder_point = 200", psycopg.errors.CheckViolation,
            "products_thresholds_ordered")
    refused(conn, "UPDATE products SET min_stock_level = 50", psycopg.errors.CheckViolation,
            "products_thresholds_ordered")


def test_second_open_alert_for_the_same_item_is_refused(conn: psycopg.Connection) -> None:
    insert = ("INSERT INTO stock_alerts (product_id, location_id, alert_type, status, current_quantity, "
              "threshold_quantity) VALUES (1, 1, 'LOW_STOCK', '{status}', 3, 10)")
    conn.execute(insert.format(status="ACKNOWLEDGED"))
    conn.commit()
    refused(conn, insert.format(status="ACTIVE"), psycopg.errors.UniqueViolation, "uq_stock_alerts_one_open")


def test_closed_alerts_do_not_block_a_new_open_one(conn: psycopg.Connection) -> None:
    conn.execute(
        "INSERT INTO stock_alerts (product_id, location_id, alert_type, status, current_quantity, threshold_quantity,"
        " resolved_at, resolution) VALUES (1, 1, 'LOW_STOCK', 'RESOLVED', 3, 10, now(), 'auto'),"
        " (1, 1, 'LOW_STOCK', 'DISMISSED', 3, 10, now(), 'dismissed'),"
        " (1, 1, 'OUT_OF_STOCK', 'ACTIVE', 0, 10, NULL, NULL)"
    )
    conn.commit()
    assert conn.execute("SELECT count(*) FROM stock_alerts").fetchone()[0] == 3


def test_alert_status_and_close_time_must_agree(conn: psycopg.Connection) -> None:
    refused(conn, "INSERT INTO stock_alerts (product_id, location_id, alert_type, status, current_quantity,"
            " threshold_quantity) VALUES (1, 1, 'LOW_STOCK', 'RESOLVED', 3, 10)", psycopg.errors.CheckViolation,
            "stock_alerts_closed_consistently")
    refused(conn, "INSERT INTO stock_alerts (product_id, location_id, alert_type, status, current_quantity,"
            " threshold_quantity) VALUES (1, 1, 'LOW_STOCK', 'SNOOZED', 3, 10)", psycopg.errors.CheckViolation)


def test_alert_for_an_item_without_inventory_row_is_refused(conn: psycopg.Connection) -> None:
    refused(conn, "INSERT INTO stock_alerts (product_id, location_id, alert_type, current_quantity,"
            " threshold_quantity) VALUES (1, 2, 'LOW_STOCK', 3, 10)", psycopg.errors.ForeignKeyViolation)


def test_the_ledger_is_append_only(conn: psycopg.Connection) -> None:
    conn.execute("INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta) VALUES (1, 1, 'receive', 20)")
    conn.commit()
    refused(conn, "UPDATE stock_movements SET quantity_delta = 5", psycopg.errors.RestrictViolation)
    refused(conn, "DELETE FROM stock_movements", psycopg.errors.RestrictViolation)


def test_a_movement_that_moves_nothing_is_refused(conn: psycopg.Connection) -> None:
    refused(conn, "INSERT INTO stock_movements (product_id, location_id, kind) VALUES (1, 1, 'adjust')",
            psycopg.errors.CheckViolation, "stock_movements_moves_something")


def test_unknown_movement_kind_is_refused(conn: psycopg.Connection) -> None:
    refused(conn, "INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta) "
            "VALUES (1, 1, 'shrinkage', -1)", psycopg.errors.CheckViolation)


def test_po_lines_cannot_over_receive_or_order_nothing(conn: psycopg.Connection) -> None:
    conn.execute("INSERT INTO suppliers (code, name) VALUES ('ACME', 'Acme')")
    po = conn.execute("INSERT INTO purchase_orders (supplier_id) VALUES (1) RETURNING id, number").fetchone()
    assert po[1] == f"PO-{po[0]:06d}"
    conn.execute("INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered) VALUES (%s, 1, 10)",
                 (po[0],))
    conn.commit()
    refused(conn, "UPDATE purchase_order_lines SET quantity_received = 11", psycopg.errors.CheckViolation,
            "purchase_order_lines_receipt_within_order")
    refused(conn, f"INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered) "
            f"VALUES ({po[0]}, 1, 0)", psycopg.errors.CheckViolation)
    refused(conn, "UPDATE purchase_orders SET status = 'lost'", psycopg.errors.CheckViolation)


def test_money_is_numeric_not_float(conn: psycopg.Connection) -> None:
    conn.execute("UPDATE products SET unit_price = 0.1 + 0.2")
    price = conn.execute("SELECT unit_price, pg_typeof(unit_price)::text FROM products").fetchone()
    assert str(price[0]) == "0.30" and price[1] == "numeric"


def test_one_rule_per_product_and_scope_including_all_locations(conn: psycopg.Connection) -> None:
    conn.execute("INSERT INTO alert_rules (product_id, location_id, threshold_quantity) VALUES (1, NULL, 5), (1, 1, 7)")
    conn.commit()
    refused(conn, "INSERT INTO alert_rules (product_id, location_id, threshold_quantity) VALUES (1, NULL, 9)",
            psycopg.errors.UniqueViolation, "alert_rules_one_per_scope")


def test_notification_targets_one_user_or_one_role_not_both(conn: psycopg.Connection) -> None:
    refused(conn, "INSERT INTO notifications (kind, title, target_user_id, target_role) VALUES ('x', 't', 1, 'admin')",
            psycopg.errors.CheckViolation, "notifications_one_target")


def test_unknown_role_is_refused(conn: psycopg.Connection) -> None:
    refused(conn, "INSERT INTO users (username, role, password_hash) VALUES ('eve', 'superuser', 'x')",
            psycopg.errors.CheckViolation)
