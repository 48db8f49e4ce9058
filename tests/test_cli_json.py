"""`--json` on every listing command (issue 14): what scripts parse must not drift.

Each listing prints the same keys in the same order every time, numbers (money included) as
JSON numbers and times in ISO 8601 with their offset. The commands run through the CLI's own
entry point in this process (what the console script calls), so one seeded warehouse serves a
whole family of commands.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from invtui.cli import main
from invtui.db.engine import Database
from invtui.services import seed
from invtui.services.sweep import run_full_sweep


@pytest.fixture
def cli(db: Database, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """`cli("po", "list")` runs `invtui po list --json` on a small seeded warehouse; returns the parsed JSON."""
    seed.seed(db, products=24, locations=3, low_fraction=0.3)
    run_full_sweep(db, "cli")
    for key, value in cli_env.items():
        monkeypatch.setenv(key, value)

    def run(*args: str) -> Any:
        code = main([*args, "--json"])
        out = capsys.readouterr()
        assert code == 0, out.err
        return json.loads(out.out, parse_float=Decimal)  # as a careful script reads money

    return run


def check(rows: list[dict[str, Any]], keys: str, numbers: str = "", times: str = "") -> None:
    """Every row has exactly `keys` in order; `numbers` are JSON numbers; `times` ISO 8601 with an offset."""
    assert rows, "an empty listing proves nothing"
    for row in rows:
        assert list(row) == keys.split()
        for key in numbers.split():
            assert isinstance(row[key], int | Decimal) and not isinstance(row[key], bool), (key, row[key])
        for key in times.split():
            if row[key] is not None:
                assert "T" in row[key] and datetime.fromisoformat(row[key]).utcoffset() is not None, (key, row[key])


def test_catalog_listings(cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    products = cli("product", "list", "--limit", "5")
    assert list(products) == ["items", "next_cursor"] and isinstance(products["next_cursor"], str)
    check(products["items"], "sku name description barcode category supplier unit_price cost_price min_stock_level"
          " reorder_point max_stock_level default_location active", numbers="unit_price cost_price min_stock_level")
    check(cli("category", "list")["items"], "name description active")
    check(cli("supplier", "list")["items"], "code name contact_name email phone lead_time_days active",
          numbers="lead_time_days")
    check(cli("location", "list")["items"], "code name active")
    sku = products["items"][0]["sku"]
    assert main(["rule", "add", sku, "7"]) == 0
    capsys.readouterr()
    check(cli("rule", "list")["items"], "id sku location threshold active", numbers="id threshold")


def test_stock_and_purchase_order_listings(cli) -> None:  # type: ignore[no-untyped-def]
    check(cli("stock", "movements", "--limit", "5"),
          "id at sku location kind quantity_delta reserved_delta reference reason user",
          numbers="id quantity_delta reserved_delta", times="at")
    orders = cli("po", "list")
    check(orders, "number status supplier supplier_name location created_at created_by lines units_ordered units_received"
          " total", numbers="lines units_ordered units_received total", times="created_at")
    assert all(o["total"].as_tuple().exponent == -2 for o in orders)  # a number with its exact cents
    order = cli("po", "show", orders[0]["number"])
    check(order["lines"], "sku name ordered received outstanding unit_cost line_total suggested why",
          numbers="ordered received outstanding unit_cost line_total")
    check([order], "number status supplier supplier_name location notes created_by created_at submitted_at approved_at"
          " approved_by received_at cancelled_at cancelled_by total lines history", numbers="total",
          times="created_at submitted_at approved_at received_at cancelled_at")


def test_alert_notification_audit_sweep_user_and_migration_listings(cli) -> None:  # type: ignore[no-untyped-def]
    alerts = cli("alerts", "list")
    check(alerts, "id product_id location_id sku name location alert_type status current_quantity threshold_quantity"
          " message note created_at updated_at acknowledged_at acknowledged_by resolved_at resolved_by resolution"
          " judged_on covered",
          numbers="id current_quantity threshold_quantity", times="created_at updated_at acknowledged_at resolved_at")
    history = cli("alerts", "history", str(alerts[0]["id"]))
    check(history["history"], "id event from_status to_status alert_type quantity user note created_at judged_on",
          numbers="id quantity", times="created_at")
    check(cli("notifications", "list"), "id kind severity title body link_kind link_id target_user_id target_role"
          " created_at read_at read for", numbers="id", times="created_at read_at")
    check(cli("audit", "--limit", "5"), "at kind who action subject detail id os_user", numbers="id", times="at")
    status = cli("sweep", "--status")
    assert list(status) == ["running", "runs"] and status["running"] is False
    check(status["runs"], "id started_at finished_at duration_ms trigger host pid rows_scanned created_count"
          " escalated_count downgraded_count resolved_count skipped error",
          numbers="id duration_ms pid rows_scanned created_count", times="started_at finished_at")
    check(cli("user", "list"), "username full_name role active locked_until last_login_at",
          times="locked_until last_login_at")
    check(cli("db", "status"), "version file applied_at", numbers="version", times="applied_at")
