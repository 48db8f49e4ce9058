"""Snapshots of the inventory screen, its forms, the item detail and scan mode (80x24 and 120x40)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from invtui.db.engine import Database

from .test_live import wait_until
from .test_snapshots import SIZES, settle


async def _inventory(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("3")
    assert await wait_until(pilot, lambda: pilot.app.screen.query_one("#inventory-table", DataTable).row_count == 12)
    await settle(pilot)


def _run(snap_compare, make_app, size, *keys: str) -> bool:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False, fixed_clock=True)

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await _inventory(pilot)
        for key in keys:
            await pilot.press(key)
            if len(key) > 1:  # typed characters need no settling of their own; Enter, Tab and arrows do
                await settle(pilot)
        await settle(pilot)

    return snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_inventory(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "down")


@pytest.mark.parametrize("size", SIZES)
def test_receive_form_with_a_bad_quantity(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "r", "x")


@pytest.mark.parametrize("size", SIZES)
def test_transfer_form(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "down", "t", "5", "tab", "w")


@pytest.mark.parametrize("size", SIZES)
def test_adjust_form(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "j", "9", "enter")


@pytest.mark.parametrize("size", SIZES)
def test_item_detail(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "enter")


@pytest.mark.parametrize("size", SIZES)
def test_scan_mode_with_an_unknown_code(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    keys = ["s", *"WH1-A-01", "enter", *"BOLT-M6", "enter", *"3", "enter", *"NOPE", "enter"]
    assert _run(snap_compare, make_app, size, *keys)


@pytest.mark.parametrize("size", SIZES)
def test_inventory_in_cover_order(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, size, "o")
