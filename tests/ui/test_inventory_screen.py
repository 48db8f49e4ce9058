"""The inventory screen and scan mode, as an operator at a terminal uses them."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from invtui.db.engine import Database
from invtui.ui.screens.inventory import InventoryScreen
from invtui.ui.screens.scan import ScanScreen

from .test_live import toasts, wait_until
from .test_snapshots import settle


def level(db: Database, sku: str, code: str) -> tuple[int, int]:
    with db.connect() as conn:
        row = conn.execute("SELECT quantity, reserved_quantity FROM inventory i JOIN products p ON p.id = i.product_id"
                           " JOIN locations l ON l.id = i.location_id WHERE p.sku = %s AND l.code = %s",
                           (sku, code)).fetchone()
    return (row[0], row[1]) if row else (0, 0)


def ledger_rows(db: Database) -> int:
    with db.connect() as conn:
        return conn.execute("SELECT count(*) FROM stock_movements").fetchone()[0]


async def open_inventory(app, pilot) -> InventoryScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("3")
    screen = app.screen
    assert isinstance(screen, InventoryScreen)
    assert await wait_until(pilot, lambda: len(screen.rows) > 0)
    return screen


async def go_to(pilot, screen: InventoryScreen, sku: str, code: str) -> None:  # type: ignore[no-untyped-def]
    index = next(n for n, r in enumerate(screen.rows) if (r.sku, r.location) == (sku, code))
    screen.query_one("#inventory-table", DataTable).move_cursor(row=index)
    await pilot.pause()


async def test_rows_come_in_sku_then_location_order_with_their_status(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        keys = [(r.sku, r.location) for r in screen.rows]
        assert keys == sorted(keys) and len(keys) == 12
        assert {r.condition for r in screen.rows if r.sku == "NUT-M6"} == {"OUT_OF_STOCK"}


async def test_receive_with_r_quantity_enter_updates_the_row_in_place(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        await go_to(pilot, screen, "BOLT-M6", "WH1-A-01")
        await pilot.press("r", "2", "5", "enter")
        assert await wait_until(pilot, lambda: level(warehouse, "BOLT-M6", "WH1-A-01") == (28, 0))
        assert await wait_until(pilot, lambda: any(r.sku == "BOLT-M6" and r.location == "WH1-A-01" and
                                                   r.quantity == 28 and r.condition == "OK" for r in screen.rows))
        # the toast comes when the answer is back on the event loop, which may be after the row's event
        assert await wait_until(pilot, lambda: any("Received 25 × BOLT-M6: 28 on hand at WH1-A-01" in t
                                                   for t in toasts(app)))


async def test_the_form_explains_a_bad_quantity_before_anything_is_sent(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        await go_to(pilot, screen, "BOLT-M6", "WH1-A-02")
        before = ledger_rows(warehouse)
        await pilot.press("i", "1", ".", "5", "enter")
        await pilot.pause()
        # The domain's own sentence, the one `invtui stock issue` prints for the same text.
        assert "Quantity must be a whole number from 1 to 1,000,000" in str(
            app.screen.query_one("#form-quantity-error", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert ledger_rows(warehouse) == before and isinstance(app.screen, InventoryScreen)


async def test_the_form_accepts_what_the_cli_accepts(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    """Issue 18: the form's Integer validator refused "1,000", which `invtui stock receive` takes."""
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        await go_to(pilot, screen, "BOLT-M6", "WH1-A-02")
        before = level(warehouse, "BOLT-M6", "WH1-A-02")
        await pilot.press("r", *"1,000", "enter")
        assert await wait_until(pilot, lambda: level(warehouse, "BOLT-M6", "WH1-A-02") == (before[0] + 1000, before[1]))


async def test_a_refused_issue_keeps_the_form_open_with_the_reason_under_the_quantity(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from invtui.ui.modals.stock_form import StockFormModal

    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_inventory(app, pilot)
        await go_to(pilot, screen, "BOLT-M6", "WH1-A-01")
        before = ledger_rows(warehouse)
        await pilot.press("i", "9", "tab", *"PICK-9", "enter")
        assert await wait_until(pilot, lambda: "Only 3 available of BOLT-M6 at WH1-A-01" in str(
            app.screen.query_one("#form-quantity-error", Static).render()))
        form = app.screen
        assert isinstance(form, StockFormModal)  # still open, with what was typed
        assert form.query_one("#form-quantity", Input).value == "9"
        assert form.query_one("#form-reference", Input).value == "PICK-9"
        assert ledger_rows(warehouse) == before and level(warehouse, "BOLT-M6", "WH1-A-01") == (3, 0)
        await pilot.press("end", "backspace", "2", "enter")  # corrected in place: it goes through
        assert await wait_until(pilot, lambda: isinstance(app.screen, InventoryScreen))
        assert await wait_until(pilot, lambda: level(warehouse, "BOLT-M6", "WH1-A-01") == (1, 0))


async def test_transfer_to_the_source_says_so(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_inventory(app, pilot)
        await go_to(pilot, screen, "GLOVE-L", "WH1-A-02")
        await pilot.press("t", "4", "tab", *"wh1-a-02", "enter")
        await pilot.pause()
        assert "Destination is the source" in str(app.screen.query_one("#form-destination-error", Static).render())


async def test_transfer_asks_for_a_destination_and_moves_the_stock(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        await go_to(pilot, screen, "GLOVE-L", "WH1-A-02")
        await pilot.press("t", "4", "0", "enter")  # the destination is still missing: Enter goes there
        await pilot.press(*"wh1-b-01", "enter")
        assert await wait_until(pilot, lambda: level(warehouse, "GLOVE-L", "WH1-B-01") == (42, 0))
        assert level(warehouse, "GLOVE-L", "WH1-A-02") == (60, 0)


async def test_adjust_needs_a_reason(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        await go_to(pilot, screen, "TAPE-48", "WH1-A-01")
        await pilot.press("j", "7", "enter")
        await pilot.press(*"cycle count", "enter")
        assert await wait_until(pilot, lambda: level(warehouse, "TAPE-48", "WH1-A-01") == (7, 0))


async def test_search_narrows_as_you_type(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        await pilot.press("slash", *"wh1-b")
        assert await wait_until(pilot, lambda: len(screen.rows) == 4 and {r.location for r in screen.rows} == {"WH1-B-01"})
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: len(screen.rows) == 12)


async def test_escape_straight_after_typing_drops_the_search_still_waiting(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input

    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        await pilot.press("slash", *"wh1-b", "escape")  # faster than the debounce
        await pilot.pause(0.6)
        assert len(screen.rows) == 12 and screen.search == ""
        assert not screen.query_one("#inventory-search", Input).display


async def test_f_shows_out_of_stock_rows_only(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        await pilot.press("f", "f")
        assert await wait_until(pilot, lambda: [r.sku for r in screen.rows] == ["FUSE-5A", "NUT-M6"])


async def test_a_scan_batch_is_committed_in_one_go(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_inventory(app, pilot)
        await pilot.press("s")
        assert isinstance(app.screen, ScanScreen)
        for code in ("WH1-A-01", "BOLT-M6", "BOLT-M6", "NUT-M6", "12"):
            await pilot.press(*code, "enter")
            await settle(pilot)
        await pilot.press(*"NOPE-1", "enter")  # an unknown code: bell, red, the batch goes on
        await settle(pilot)
        assert "Unknown code 'NOPE-1'" in str(app.screen.query_one("#scan-message", Static).render())
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: level(warehouse, "BOLT-M6", "WH1-A-01") == (5, 0)
                                and level(warehouse, "NUT-M6", "WH1-A-01") == (12, 0))
        assert await wait_until(pilot, lambda: any("Receive: 2 line(s), 14 unit(s) committed" in t for t in toasts(app)))


async def test_an_abandoned_scan_batch_writes_nothing(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_inventory(app, pilot)
        before = ledger_rows(warehouse)
        await pilot.press("s", "f2")  # issue mode
        for code in ("WH1-A-02", "BOLT-M6", "5"):
            await pilot.press(*code, "enter")
            await settle(pilot)
        await pilot.press("escape", "y")  # a batch with lines asks first
        await settle(pilot)
        assert isinstance(app.screen, InventoryScreen)
        assert ledger_rows(warehouse) == before and level(warehouse, "BOLT-M6", "WH1-A-02") == (50, 0)


async def test_count_mode_sets_counted_quantities(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_inventory(app, pilot)
        await pilot.press("s", "f2", "f2")  # count mode
        for code in ("WH1-B-01", "2000000000000", "FUSE-5A", "33"):
            await pilot.press(*code, "enter")
            await settle(pilot)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: level(warehouse, "FUSE-5A", "WH1-B-01") == (33, 0))


async def test_capital_g_jumps_to_the_last_page(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        await pilot.press("G")
        assert await wait_until(pilot, lambda: screen.rows[-1].sku == "WASH-10" and
                                screen.query_one("#inventory-table", DataTable).cursor_row == len(screen.rows) - 1)


async def test_a_large_inventory_pages_from_the_server(make_app, db: Database) -> None:  # type: ignore[no-untyped-def]
    from invtui.services import seed

    seed.seed(db, products=300, locations=2)  # 600 rows, six pages
    with db.connect() as conn:
        last_sku = conn.execute("SELECT max(sku) FROM products").fetchone()[0]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        assert len(screen.rows) == 100 and screen.has_more
        table = screen.query_one("#inventory-table", DataTable)
        table.move_cursor(row=99)  # reaching the end of the page loads the next one
        assert await wait_until(pilot, lambda: len(screen.rows) == 200)
        keys = [(r.sku, r.location) for r in screen.rows]
        assert keys == sorted(keys) and len(set(keys)) == 200
        await pilot.press("G")
        assert await wait_until(pilot, lambda: screen.rows[-1].sku == last_sku and len(screen.rows) == 100)


async def test_help_names_in_full_the_keys_the_80_column_footer_abbreviates(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from invtui.ui.screens.help import HelpScreen

    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_inventory(app, pilot)
        await pilot.press("question_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one("#help-table", DataTable)
        actions = dict(table.get_row_at(n) for n in range(table.row_count))
        assert (actions["r"], actions["t"], actions["j"], actions["v"], actions["V"]) == (
            "Receive", "Transfer", "Adjust", "Reserve", "Release")
        assert actions["^q q"] == "Quit"


async def test_o_lists_the_lowest_cover_first_and_says_so(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    # Three rows issue steadily (two issues in the window, first movement 40 days back): 50 / 60 a
    # day is the least cover, 120 / 20 the most; the other rows have no usage and follow by SKU.
    with warehouse.connect() as conn:
        for sku, code, each in (("BOLT-M6", "WH1-A-02", 840), ("FUSE-5A", "WH1-A-01", 280),
                                ("GLOVE-L", "WH1-A-02", 560)):
            ids = "(SELECT id FROM products WHERE sku = %s), (SELECT id FROM locations WHERE code = %s)"
            for kind, delta, days in (("receive", 1, 40), ("issue", -each, 3), ("issue", -each, 2)):
                conn.execute(f"INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, created_at)"
                             f" VALUES ({ids}, %s, %s, now() - make_interval(days => %s))", (sku, code, kind, delta, days))
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inventory(app, pilot)
        assert "cover" not in screen.sub_title
        await pilot.press("o")
        assert await wait_until(pilot, lambda: "lowest cover first" in screen.sub_title
                                and [(r.sku, r.location) for r in screen.rows[:3]] == [
                                    ("BOLT-M6", "WH1-A-02"), ("GLOVE-L", "WH1-A-02"), ("FUSE-5A", "WH1-A-01")])
        covers = [r.days_of_cover for r in screen.rows]
        assert all(c is not None for c in covers[:3]) and covers[:3] == sorted(covers[:3])
        rest = [(r.sku, r.location) for r in screen.rows[3:]]
        assert rest == sorted(rest) and len(rest) == 9 and all(c is None for c in covers[3:])
        await pilot.press("o")
        assert await wait_until(pilot, lambda: "cover" not in screen.sub_title
                                and [(r.sku, r.location) for r in screen.rows][:2] == [("BOLT-M6", "WH1-A-01"),
                                                                                      ("BOLT-M6", "WH1-A-02")])
