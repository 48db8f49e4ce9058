"""Snapshots of the catalog screen: each tab and the product form, at 80x24 and 120x40."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from invtui.db.engine import Database

from .test_live import wait_until
from .test_snapshots import SIZES, settle


def _run(snap_compare, make_app, size, *keys: str, rules: bool = False) -> bool:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False, fixed_clock=True)

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        if rules:  # two rules: one for all locations, one for a bin
            with pilot.app.db.connect() as conn:
                conn.execute("INSERT INTO alert_rules (product_id, location_id, threshold_quantity)"
                             " SELECT p.id, NULL, 15 FROM products p WHERE sku = 'BOLT-M6'"
                             " UNION ALL SELECT p.id, l.id, 3 FROM products p, locations l"
                             " WHERE sku = 'GLOVE-L' AND code = 'WH1-B-01'")
                conn.commit()
        await settle(pilot)
        await pilot.press("5")
        assert await wait_until(pilot, lambda: len(pilot.app.screen.tabs["products"].rows) == 7)
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            if len(key) > 1:  # typed characters need no settling of their own; Enter, Tab and arrows do
                await settle(pilot)
        await settle(pilot)
        focused = pilot.app.screen.focused
        if isinstance(focused, Input):
            focused.cursor_blink = False  # a blinking cursor would make the picture depend on timing
            await settle(pilot)

    return snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_products_tab(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    with warehouse.connect() as conn:  # two products kept at a default location; the others show "—"
        conn.execute("UPDATE products SET default_location_id = (SELECT id FROM locations WHERE code = 'WH1-A-02')"
                     " WHERE sku IN ('BOLT-M6', 'GLOVE-L')")
        conn.commit()
    assert _run(snap_compare, make_app, size, "down")


@pytest.mark.parametrize("size", SIZES)
def test_categories_tab(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    with warehouse.connect() as conn:
        conn.execute("INSERT INTO categories (name, description) VALUES ('Fasteners', 'Bolts, nuts, washers'),"
                     " ('Consumables', 'Tape, ties, gloves and other things used up on the floor')")
        conn.commit()
    assert _run(snap_compare, make_app, size, "g")


@pytest.mark.parametrize("size", SIZES)
def test_suppliers_tab(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    with warehouse.connect() as conn:
        conn.execute("UPDATE suppliers SET contact_name = 'Ann Baker', email = 'orders@acme.example'")
        conn.execute("INSERT INTO suppliers (code, name, lead_time_days, is_active)"
                     " VALUES ('BOLTCO', 'Bolt Company Ltd', 14, false)")
        conn.commit()
    assert _run(snap_compare, make_app, size, "s")


@pytest.mark.parametrize("size", SIZES)
def test_locations_tab(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "l")


@pytest.mark.parametrize("size", SIZES)
def test_alert_rules_tab(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "a", rules=True)


@pytest.mark.parametrize("size", SIZES)
def test_product_form_with_thresholds_out_of_order(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    keys = ["e", *["tab"] * 7, "backspace", "backspace", "4", "5"]
    assert _run(snap_compare, make_app, size, *keys)
