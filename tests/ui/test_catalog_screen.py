"""The catalog screen, key by key: managers edit products, locations and rules; others only read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from textual.widgets import DataTable

from invtui.db.engine import Database
from invtui.ui.screens import catalog as catalog_screen
from invtui.ui.screens.catalog import CatalogScreen
from invtui.ui.modals.catalog_form import CatalogFormModal
from invtui.ui.modals.confirm_modal import ConfirmModal

from .test_live import toasts, wait_until
from .test_snapshots import settle


def products(db: Database) -> list[tuple[Any, ...]]:
    with db.connect() as conn:
        return conn.execute("SELECT sku, name, min_stock_level, reorder_point, max_stock_level, unit_price,"
                            " updated_at FROM products ORDER BY sku").fetchall()


async def open_catalog(app, pilot) -> CatalogScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("5")
    screen = app.screen
    assert isinstance(screen, CatalogScreen)
    assert await wait_until(pilot, lambda: len(screen.tabs["products"].rows) == 7)
    return screen


async def open_form(app, pilot, key: str) -> CatalogFormModal:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    assert await wait_until(pilot, lambda: isinstance(app.screen, CatalogFormModal))
    await settle(pilot)
    return app.screen


def form_error(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#form-error").render())


async def test_a_manager_adds_a_product_with_n(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        await open_form(app, pilot, "n")
        await pilot.press(*"PIN-3", "tab", *"Split pin 3mm", "tab", "tab", "tab", *"ACME", "tab", *"0.40",
                          "tab", "tab", *"5", "tab", *"10", "tab", *"50", "enter")
        assert await wait_until(pilot, lambda: len(screen.tabs["products"].rows) == 8, timeout=10), toasts(app)
        assert "Added product PIN-3" in toasts(app)
    pin = [p for p in products(warehouse) if p[0] == "PIN-3"][0]
    assert pin[1:6] == ("Split pin 3mm", 5, 10, 50, Decimal("0.40"))


async def test_a_manager_edits_a_reorder_point_and_only_that_field_is_sent(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    before = products(warehouse)[0]  # BOLT-M6: min 5, reorder 10, max 40
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        form = await open_form(app, pilot, "e")
        assert form.values()["name"] == "Bolt M6" and form.values()["reorder_point"] == "10"  # prefilled
        form.query_one("#catalog-reorder_point").focus()
        await pilot.press("backspace", "backspace", *"12", "enter")
        assert await wait_until(pilot, lambda: screen.tabs["products"].rows[0].reorder_point == 12, timeout=10)
        assert any(t == "Saved product BOLT-M6: reorder point" for t in toasts(app))
    after = products(warehouse)[0]
    assert after[1:5] == ("Bolt M6", 5, 12, 40)
    assert after[6] > before[6]


async def test_the_product_list_shows_each_products_default_location(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    """The list says where each product is kept (a PO naming no location delivers there); a manager
    sets it with e and sees it in the list, at 80 columns."""
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        table = screen.query_one("#catalog-products-table", DataTable)
        assert [str(cell) for cell in table.get_row_at(0)][:4] == ["BOLT-M6", "Bolt M6", "ACME", "—"]
        form = await open_form(app, pilot, "e")
        form.query_one("#catalog-default_location").focus()
        await pilot.press(*"WH1-A-02", "enter")
        assert await wait_until(pilot, lambda: screen.tabs["products"].rows[0].default_location == "WH1-A-02",
                                timeout=10), toasts(app)
        await settle(pilot)
        assert [str(cell) for cell in table.get_row_at(0)][:4] == ["BOLT-M6", "Bolt M6", "ACME", "WH1-A-02"]
        assert sum(column.get_render_width(table) for column in table.columns.values()) <= 80


async def test_a_manager_gives_a_product_its_own_lead_time_and_pack_size_in_the_form(  # type: ignore[no-untyped-def]
        make_app, warehouse: Database) -> None:
    """Issue 17: "products may override" the supplier's lead time; the pack size rounds reorders up.
    Both in the product form (e), as `invtui product terms` sets them; empty: the supplier's / none."""
    def terms() -> tuple[Any, ...]:
        with warehouse.connect() as conn:
            return conn.execute("SELECT lead_time_days, pack_size FROM products WHERE sku = 'BOLT-M6'").fetchone()

    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        form = await open_form(app, pilot, "e")
        assert (form.values()["lead_time_days"], form.values()["pack_size"]) == ("", "")
        form.query_one("#catalog-lead_time_days").focus()
        await pilot.press(*"4000")
        assert "Lead time (days) must be a whole number from 0 to 3,650" in form_error(app)
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"21", "tab", *"50", "enter")
        assert await wait_until(pilot, lambda: screen.tabs["products"].rows[0].pack_size == 50, timeout=10), toasts(app)
        assert "Saved product BOLT-M6: lead time days, pack size" in toasts(app)
        assert terms() == (21, 50)
        form = await open_form(app, pilot, "e")
        assert (form.values()["lead_time_days"], form.values()["pack_size"]) == ("21", "50")
        form.query_one("#catalog-lead_time_days").focus()
        await pilot.press("backspace", "backspace", "enter")  # empty: the supplier's lead time again
        assert await wait_until(pilot, lambda: screen.tabs["products"].rows[0].lead_time_days is None, timeout=10)
    assert terms() == (None, 50)


async def test_thresholds_out_of_order_are_explained_in_the_form_and_nothing_is_written(  # type: ignore[no-untyped-def]
        make_app, warehouse: Database) -> None:
    before = products(warehouse)
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_catalog(app, pilot)
        form = await open_form(app, pilot, "e")
        form.query_one("#catalog-reorder_point").focus()
        await pilot.press("backspace", "backspace", *"45", "enter")  # max level is 40
        await settle(pilot)
        assert "Reorder point 45 must be between min level 5 and max level 40" in form_error(app)
        assert isinstance(app.screen, CatalogFormModal)  # not sent
        await pilot.press("escape")
        await settle(pilot)
    assert products(warehouse) == before


async def test_a_manager_deactivates_a_location_with_x_and_y(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        await pilot.press("l")
        assert await wait_until(pilot, lambda: len(screen.tabs["locations"].rows) == 3)
        await pilot.press("down", "x")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        assert await wait_until(pilot, lambda: not screen.tabs["locations"].rows[1].is_active, timeout=10)
        assert "Deactivated location WH1-A-02" in toasts(app)
    with warehouse.connect() as conn:
        states = conn.execute("SELECT code, is_active FROM locations ORDER BY code").fetchall()
    assert states == [("WH1-A-01", True), ("WH1-A-02", False), ("WH1-B-01", True)]


async def test_x_on_an_inactive_location_brings_it_back(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    with warehouse.connect() as conn:
        conn.execute("UPDATE locations SET is_active = false WHERE code = 'WH1-B-01'")
        conn.commit()
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        await pilot.press("l")
        assert await wait_until(pilot, lambda: len(screen.tabs["locations"].rows) == 3)
        await pilot.press("down", "down", "x")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "WH1-B-01 is inactive. Reactivate it?" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        assert await wait_until(pilot, lambda: screen.tabs["locations"].rows[2].is_active, timeout=10)
    with warehouse.connect() as conn:
        assert conn.execute("SELECT is_active FROM locations WHERE code = 'WH1-B-01'").fetchone()[0] is True


async def test_an_operator_sees_no_edit_keys_and_a_palette_edit_is_refused(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    before = products(warehouse)
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        keys = {active.binding.action for active in screen.active_bindings.values()}
        assert not keys & {"new", "edit", "deactivate"} and "search" in keys
        await pilot.press("e", "n", "x")  # hidden keys do nothing
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Edit product")
        await settle(pilot)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: "Role operator cannot edit the catalog" in toasts(app))
        assert app.screen is screen
    assert products(warehouse) == before


async def test_the_rules_tab_shows_what_each_rule_does(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        await open_form(app, pilot, "n")
        await pilot.press(*"BOLT-M6", "tab", "tab", *"15", "enter")
        assert await wait_until(pilot, lambda: len(screen.tabs["rules"].rows) == 1, timeout=10), toasts(app)
        await settle(pilot)
        row = [str(cell) for cell in screen.query_one("#catalog-rules-table", DataTable).get_row_at(0)]
    assert row == ["#1", "BOLT-M6", "all", "15 instead of reorder point 10", "2", "1"]


async def test_search_narrows_the_list_on_the_server(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("viewer", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        await pilot.press("slash", *"m6")
        assert await wait_until(pilot, lambda: [p.sku for p in screen.tabs["products"].rows] == ["BOLT-M6", "NUT-M6"])
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: len(screen.tabs["products"].rows) == 7)


async def test_the_next_page_loads_when_the_cursor_reaches_the_end(make_app, warehouse: Database,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_screen, "PAGE", 3)
    app = make_app("viewer", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        screen = app.screen
        assert await wait_until(pilot, lambda: len(screen.tabs["products"].rows) == 3)
        await pilot.press("down", "down")
        assert await wait_until(pilot, lambda: len(screen.tabs["products"].rows) == 6)
        await pilot.press("down", "down", "down")
        assert await wait_until(pilot, lambda: len(screen.tabs["products"].rows) == 7)
        assert [p.sku for p in screen.tabs["products"].rows][-2:] == ["TIE-200", "WASH-10"]
        assert screen.tabs["products"].next_cursor is None


async def test_enter_after_the_last_field_saves_or_names_the_field_that_stops_it(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        form = await open_form(app, pilot, "n")
        await pilot.press(*"PIN-3")
        form.query_one("#catalog-form").focus()  # where Tab lands past the last field of a scrolled form
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert form_error(app).startswith("✖ ") and "name" in form_error(app).lower(), form_error(app)
        assert app.screen is form and app.screen.focused is app.screen.query_one("#catalog-name")
        await pilot.press(*"Split pin 3mm")
        form.query_one("#catalog-form").focus()
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(screen.tabs["products"].rows) == 8, timeout=10), form_error(app)
