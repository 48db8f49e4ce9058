"""Scan mode and forms as a barcode scanner drives them: one line per item, editable lines,
a batch that is not thrown away by accident, and bursts of keys that land where they belong."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from invtui.db.engine import Database
from invtui.ui.screens.inventory import InventoryScreen
from invtui.ui.screens.scan import AbandonModal, ScanScreen
from invtui.ui.modals.stock_form import StockFormModal

from .burst import burst
from .test_catalog_screen import open_catalog, open_form, products
from .test_inventory_screen import go_to, ledger_rows, level, open_inventory
from .test_live import toasts, wait_until
from .test_snapshots import settle


def lines(app) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    return [(line.sku, line.location, line.quantity) for line in app.screen.lines]


async def open_scan(app, pilot) -> ScanScreen:  # type: ignore[no-untyped-def]
    await open_inventory(app, pilot)
    await pilot.press("s")
    assert await wait_until(pilot, lambda: isinstance(app.screen, ScanScreen))
    await settle(pilot)
    return app.screen


async def scan(pilot, *codes: str) -> None:  # type: ignore[no-untyped-def]
    """Codes typed one by one, waiting for each lookup (a person with a slow scanner)."""
    for code in codes:
        await pilot.press(*code, "enter")
        await settle(pilot)


async def test_the_same_item_scanned_twice_is_one_line_with_the_sum(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_scan(app, pilot)
        await scan(pilot, "WH1-A-01", "BOLT-M6", "NUT-M6", "BOLT-M6")
        assert lines(app) == [("BOLT-M6", "WH1-A-01", 2), ("NUT-M6", "WH1-A-01", 1)]
        assert screen.query_one("#scan-lines", DataTable).row_count == 2
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: level(warehouse, "BOLT-M6", "WH1-A-01") == (5, 0)
                                and level(warehouse, "NUT-M6", "WH1-A-01") == (1, 0))


async def test_any_line_can_be_selected_to_change_its_quantity_or_delete_it(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_scan(app, pilot)
        await scan(pilot, "WH1-A-01", "BOLT-M6", "NUT-M6", "TIE-200")
        assert screen.query_one("#scan-lines", DataTable).cursor_row == 2  # the line just scanned
        await pilot.press("up", "up")  # back to the first line, a bad one
        await scan(pilot, "9")
        assert lines(app)[0] == ("BOLT-M6", "WH1-A-01", 9)
        await pilot.press("down", "delete")  # NUT-M6 was scanned by mistake
        await settle(pilot)
        assert lines(app) == [("BOLT-M6", "WH1-A-01", 9), ("TIE-200", "WH1-A-01", 1)]
        assert "Delete: remove line" in str(screen.query_one(".modal-hint").render())
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: level(warehouse, "BOLT-M6", "WH1-A-01") == (12, 0)
                                and level(warehouse, "TIE-200", "WH1-A-01") == (41, 0))
        assert level(warehouse, "NUT-M6", "WH1-A-01") == (0, 0)
        assert await wait_until(pilot, lambda: any("Receive: 2 line(s), 10 unit(s) committed" in t for t in toasts(app)))


async def test_delete_with_text_typed_deletes_text_not_a_line(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_scan(app, pilot)
        await scan(pilot, "WH1-A-01", "BOLT-M6")
        await pilot.press(*"12", "left", "delete")
        assert screen.query_one("#scan-input", Input).value == "1"
        assert lines(app) == [("BOLT-M6", "WH1-A-01", 1)]


async def test_escape_on_a_batch_asks_and_n_escape_or_enter_keep_it(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_scan(app, pilot)
        before = ledger_rows(warehouse)
        await scan(pilot, "WH1-A-02", "BOLT-M6")
        for keep in ("n", "escape", "enter"):  # a scanner's Enter must not throw the batch away
            await pilot.press("escape")
            assert await wait_until(pilot, lambda: isinstance(app.screen, AbandonModal))
            await pilot.press(keep)
            assert await wait_until(pilot, lambda: app.screen is screen)
            assert lines(app) == [("BOLT-M6", "WH1-A-02", 1)]
        await pilot.press("escape", "y")
        assert await wait_until(pilot, lambda: isinstance(app.screen, InventoryScreen))
        assert ledger_rows(warehouse) == before and level(warehouse, "BOLT-M6", "WH1-A-02") == (50, 0)
        assert any("abandoned: 1 line(s), nothing written" in t for t in toasts(app))


async def test_escape_on_an_empty_batch_leaves_at_once(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_scan(app, pilot)
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: isinstance(app.screen, InventoryScreen))


BURST = ["WH1-A-01", "BOLT-M6", "NUT-M6", "BOLT-M6", "7", "FUSE-5A", "NOPE-9", "TIE-200"]
EXPECTED = [("BOLT-M6", "WH1-A-01", 7), ("NUT-M6", "WH1-A-01", 1), ("FUSE-5A", "WH1-A-01", 1),
            ("TIE-200", "WH1-A-01", 1)]


def keys_of(codes: list[str]) -> list[str]:
    return [key for code in codes for key in (*code, "enter")]


async def test_a_scanner_burst_in_one_press_lands_line_by_line(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_scan(app, pilot)
        await pilot.press(*keys_of(BURST))
        assert await wait_until(pilot, lambda: lines(app) == EXPECTED), lines(app)


async def test_a_scanner_burst_queued_at_once_lands_line_by_line(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_scan(app, pilot)
        await burst(app, pilot, *keys_of(BURST), "enter")  # and an empty Enter commits
        assert await wait_until(pilot, lambda: level(warehouse, "BOLT-M6", "WH1-A-01") == (10, 0)
                                and level(warehouse, "TIE-200", "WH1-A-01") == (41, 0), timeout=10)
        assert level(warehouse, "NUT-M6", "WH1-A-01") == (1, 0) and level(warehouse, "FUSE-5A", "WH1-A-01") == (121, 0)
        assert await wait_until(pilot, lambda: lines(app) == [])  # the screen hears of the commit after the database
        assert screen.query_one("#scan-input", Input).value == ""


async def test_a_burst_into_the_product_form_fills_each_field(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalog(app, pilot)
        form = await open_form(app, pilot, "n")
        await burst(app, pilot, *"NEW-0001", "tab", *"Test Widget Blue", "tab", *"4006381333931", "tab", "tab",
                    *"ACME", "tab", *"0.40")
        values = form.values()
        assert (values["sku"], values["name"], values["barcode"], values["supplier"], values["unit_price"]) == (
            "NEW-0001", "Test Widget Blue", "4006381333931", "ACME", "0.40")
        await pilot.press("tab", "tab", *"5", "tab", *"10", "tab", *"50", "enter")
        assert await wait_until(pilot, lambda: len(screen.tabs["products"].rows) == 8, timeout=10), toasts(app)
    new = [p for p in products(warehouse) if p[0] == "NEW-0001"][0]
    assert new[1] == "Test Widget Blue"


async def test_a_burst_in_one_press_fills_the_product_form(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_catalog(app, pilot)
        form = await open_form(app, pilot, "n")
        await pilot.press(*"NEW-0002", "tab", *"Test Widget Red")
        assert (form.values()["sku"], form.values()["name"]) == ("NEW-0002", "Test Widget Red")


async def test_a_burst_opens_the_adjust_form_fills_it_and_submits(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_inventory(app, pilot)
        await go_to(pilot, screen, "TAPE-48", "WH1-A-01")
        await burst(app, pilot, "j", *"7", "tab", *"cycle count", "tab", *"CC-42", "enter")
        assert await wait_until(pilot, lambda: level(warehouse, "TAPE-48", "WH1-A-01") == (7, 0))
        # the form closes when the answer is back on the event loop, a moment after the commit
        assert await wait_until(pilot, lambda: not isinstance(app.screen, StockFormModal))
    with warehouse.connect() as conn:
        row = conn.execute("SELECT reason, reference FROM stock_movements ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(row) == ("cycle count", "CC-42")
