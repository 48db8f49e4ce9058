"""Snapshots of the purchase orders screen, a PO and its receive form (80x24 and 120x40)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from invtui.db.engine import Database

from .test_live import wait_until
from .test_snapshots import SIZES, settle


@pytest.fixture
def ordered(warehouse: Database) -> Database:
    """PO-000001 (approved) orders 10 hex nuts and 40 bolts; its times are pinned."""
    with warehouse.connect() as conn:
        conn.execute("INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered, unit_cost)"
                     " SELECT 1, id, CASE sku WHEN 'NUT-M6' THEN 10 ELSE 40 END, 0.25 FROM products"
                     " WHERE sku IN ('NUT-M6', 'BOLT-M6')")
        conn.execute("INSERT INTO purchase_order_events (purchase_order_id, from_status, to_status, note, created_at)"
                     " VALUES (1, NULL, 'draft', 'created', '2026-11-30 05:00+00'),"
                     " (1, 'draft', 'approved', '', '2026-11-30 06:00+00')")
        conn.commit()
    return warehouse


def _run(snap_compare, make_app, size, *keys: str) -> bool:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False, fixed_clock=True)

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("4")
        assert await wait_until(pilot, lambda: pilot.app.screen.query_one("#po-table", DataTable).row_count == 2)
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            if len(key) > 1:  # typed characters need no settling of their own; Enter, Tab and arrows do
                await settle(pilot)
        await settle(pilot)

    return snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_purchase_orders(snap_compare, make_app, ordered: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size)


@pytest.mark.parametrize("size", SIZES)
def test_purchase_order_detail(snap_compare, make_app, ordered: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "down", "enter")


@pytest.mark.parametrize("size", SIZES)
def test_receive_form(snap_compare, make_app, ordered: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "down", "enter", "R")
