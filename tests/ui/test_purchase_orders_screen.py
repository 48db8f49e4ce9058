"""The purchase orders screen, key by key."""

from __future__ import annotations

import re

from textual.widgets import DataTable

from invtui.db.engine import Database
from invtui.services.purchasing import Draft
from invtui.ui.screens.purchase_orders import PODetailScreen, PurchaseOrdersScreen, drafted_summary

from .test_live import toasts, wait_until
from .test_snapshots import settle


def po_rows(db: Database) -> list[tuple[str, str]]:
    with db.connect() as conn:
        return conn.execute("SELECT number, status FROM purchase_orders ORDER BY id").fetchall()


async def open_pos(app, pilot) -> PurchaseOrdersScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("4")
    screen = app.screen
    assert isinstance(screen, PurchaseOrdersScreen)
    assert await wait_until(pilot, lambda: len(screen.rows) == 2)
    return screen


async def test_g_drafts_one_po_per_supplier_and_location_delivering_there(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pos(app, pilot)
        await pilot.press("g")
        assert await wait_until(pilot, lambda: len(screen.rows) == 5)
        assert screen.table().current.number == "PO-000005"  # the cursor on the newest draft, at the top
        assert any("Drafted PO-000003 (ACME to WH1-A-01), PO-000004 (ACME to WH1-A-02), "
                   "PO-000005 (ACME to WH1-B-01) for review" in t for t in toasts(app)), toasts(app)
        with warehouse.connect() as conn:
            drafted = conn.execute("SELECT o.number, l.code, count(*) FROM purchase_orders o"
                                   " JOIN locations l ON l.id = o.location_id"
                                   " JOIN purchase_order_lines pl ON pl.purchase_order_id = o.id"
                                   " GROUP BY o.number, l.code ORDER BY o.number").fetchall()
        # every low or out row, on the PO to its location: A-01 bolts, nuts, ties, tape; A-02
        # washers; B-01 washers, gloves, tape, fuses
        assert drafted == [("PO-000003", "WH1-A-01", 4), ("PO-000004", "WH1-A-02", 1), ("PO-000005", "WH1-B-01", 4)]
        screen.query_one("#po-table", DataTable).move_cursor(row=1)  # newest first: PO-000004
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PODetailScreen) and app.screen.po is not None)
        await settle(pilot)
        header = str(app.screen.query_one("#detail-header").render())
        assert "deliver to WH1-A-02" in header and "Drafted from stock alerts at WH1-A-02" in header
        assert "WASH-10 why 59: max level 60 − 1 projected" in header  # what the quantity was computed from



def test_many_drafts_are_counted_in_the_toast_not_named_one_by_one() -> None:
    """Three suppliers x ten locations made thirty drafts; their names filled an 80x24 screen."""
    drafts = [Draft(f"PO-{19 + i:06d}", f"SUP00{1 + i // 10}", f"WH1-A-{1 + i % 10:02d}", 3) for i in range(30)]
    assert drafted_summary(drafts) == ("Drafted 30 POs, PO-000019 … PO-000048, for 3 supplier(s) at 10 location(s), "
                                       "for review; nothing was submitted.")
    assert drafted_summary(drafts[:1]) == "Drafted PO-000019 (SUP001 to WH1-A-01) for review; nothing was submitted."

async def test_an_operator_is_told_why_they_cannot_approve(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pos(app, pilot)
        await pilot.press("enter")  # the newest first: PO-000002, a draft
        assert await wait_until(pilot, lambda: isinstance(app.screen, PODetailScreen) and app.screen.po is not None)
        await pilot.press("A")
        assert await wait_until(pilot, lambda: any("Role operator cannot approve purchase orders" in t
                                                   for t in toasts(app)))
        assert po_rows(warehouse)[1] == ("PO-000002", "draft")


async def test_a_new_po_gets_a_line_is_submitted_approved_and_received(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_new_po(app, pilot, *"ACME", "enter")
        await add_a_line_and_submit(app, pilot)
        await pilot.press("A")
        assert await wait_until(pilot, lambda: app.screen.po.status == "approved")
        await pilot.press("R")
        await settle(pilot)
        await pilot.press(*"WH1-A-01", "tab", "backspace", "backspace", *"15", "enter")  # partial: 15 of 40
        assert await wait_until(pilot, lambda: app.screen.po.status == "partially_received")
        with warehouse.connect() as conn:
            qty = conn.execute("SELECT quantity FROM inventory i JOIN products p ON p.id = i.product_id"
                               " JOIN locations l ON l.id = i.location_id WHERE p.sku = 'BOLT-M6'"
                               " AND l.code = 'WH1-A-01'").fetchone()[0]
        assert qty == 18


async def test_over_receiving_a_line_is_refused_before_anything_is_sent(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    with warehouse.connect() as conn:  # the approved PO-000001 orders 10 hex nuts
        conn.execute("INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered)"
                     " SELECT 1, id, 10 FROM products WHERE sku = 'NUT-M6'")
        conn.commit()
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pos(app, pilot)
        screen.query_one("#po-table", DataTable).move_cursor(row=1)  # PO-000001, approved
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PODetailScreen) and app.screen.po is not None)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press(*"WH1-A-01", "tab", "backspace", "backspace", *"11", "enter")
        await settle(pilot)
        assert "NUT-M6 must be a whole number from 0 to 10" in str(app.screen.query_one("#form-error").render())
        await pilot.press("escape")
        assert po_rows(warehouse)[0] == ("PO-000001", "approved")


async def open_new_po(app, pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """`n` on the PO list, the form filled with `keys`, and the new draft's detail open."""
    await open_pos(app, pilot)
    await pilot.press("n")
    await settle(pilot)
    await pilot.press(*keys)
    assert await wait_until(pilot, lambda: isinstance(app.screen, PODetailScreen) and app.screen.po is not None)


async def add_a_line_and_submit(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """On an open draft: `+` 40 x BOLT-M6, then `S`, and the PO is submitted."""
    await pilot.press("plus")
    await settle(pilot)
    await pilot.press(*"BOLT-M6", "tab", *"40", "enter")
    assert await wait_until(pilot, lambda: app.screen.po is not None and len(app.screen.po.lines) == 1)
    await pilot.press("S")
    assert await wait_until(pilot, lambda: app.screen.po.status == "submitted")


def assert_numbers_fit(table: DataTable) -> None:  # type: ignore[type-arg]
    """No fixed-width column holds a number longer than the column: the terminal would cut it."""
    for row_key in table.rows:
        for column in table.ordered_columns:
            cell = str(table.get_cell(row_key, column.key))
            if re.fullmatch(r"-?[\d,.]+[kMBT]?", cell) and not column.auto_width:
                assert len(cell) <= column.width, (column.label, cell)


async def test_po_totals_are_written_compactly_never_cut(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    with warehouse.connect() as conn:  # PO-000001 totals 1,077,285.28, PO-000002 25,181.08
        conn.execute("INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered, unit_cost)"
                     " SELECT 1, id, 7, 153897.89 FROM products WHERE sku = 'NUT-M6'")
        conn.execute("INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered, unit_cost)"
                     " SELECT 2, id, 4, 6295.27 FROM products WHERE sku = 'BOLT-M6'")
        conn.commit()
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_pos(app, pilot)
        table = screen.query_one("#po-table", DataTable)
        assert_numbers_fit(table)
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "25.181k" in shown and "1.077M" in shown
        assert "25,181.0 " not in shown and "1,077,28" not in shown


async def test_new_po_finds_a_supplier_by_name_and_a_line_by_product_name(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    with warehouse.connect() as conn:
        conn.execute("INSERT INTO suppliers (code, name) VALUES ('NW', 'Northwind Supply')")
        conn.commit()
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pos(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"zzz", "enter")  # unknown: the form stays and lists the choices
        await settle(pilot)
        assert "No match for 'zzz'. Choices: ACME Acme · NW Northwind Supply" in str(
            app.screen.query_one("#choices-supplier").render())
        await pilot.press("backspace", "backspace", "backspace", *"nor")
        await settle(pilot)
        assert "NW Northwind Supply" in str(app.screen.query_one("#choices-supplier").render())
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PODetailScreen) and app.screen.po is not None)
        assert app.screen.po.supplier_code == "NW"
        await pilot.press("plus")  # was "Unexpected error: NoMatches"
        await settle(pilot)
        await pilot.press(*"hex n")
        await settle(pilot)
        assert "NUT-M6 Hex Nut M6" in str(app.screen.query_one("#choices-sku").render())
        await pilot.press("tab", *"5", "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PODetailScreen)
                                and app.screen.po is not None and len(app.screen.po.lines) == 1)
        assert app.screen.po.lines[0].sku == "NUT-M6"
        assert not any("Unexpected error" in t for t in toasts(app))


async def test_an_open_po_follows_an_approval_made_elsewhere(make_app, warehouse: Database, actors) -> None:  # type: ignore[no-untyped-def]
    from invtui.domain.roles import Role
    from invtui.services import purchasing

    from .test_live import signed_in

    with warehouse.transaction() as session:  # PO-000002 is a draft: give it a line and submit it
        purchasing.add_line(session, actors[Role.MANAGER], "PO-000002", "BOLT-M6", 5)
    with warehouse.transaction() as session:
        purchasing.submit(session, actors[Role.MANAGER], "PO-000002")
    app = make_app("operator")
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(app, pilot)
        await open_pos(app, pilot)
        await pilot.press("enter")  # the newest first: PO-000002
        assert await wait_until(pilot, lambda: isinstance(app.screen, PODetailScreen) and app.screen.po is not None)
        assert app.screen.po.status == "submitted"
        with warehouse.transaction() as session:
            purchasing.approve(session, actors[Role.MANAGER], "PO-000002")
        assert await wait_until(pilot, lambda: app.screen.po.status == "approved")
        assert "approved by manager" in str(app.screen.query_one("#detail-header").render())


async def test_a_po_names_where_it_delivers_and_the_receipt_goes_there(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_new_po(app, pilot, *"ACME", "tab", *"wh1-a-02", "enter")
        assert app.screen.po.location == "WH1-A-02"
        assert "deliver to WH1-A-02" in str(app.screen.query_one("#detail-header").render())
        await pilot.press("e")  # the edit form, prefilled: clear the location, name another
        await settle(pilot)
        await pilot.press(*["backspace"] * 8, *"WH1-B-01", "enter")
        assert await wait_until(pilot, lambda: app.screen.po is not None and app.screen.po.location == "WH1-B-01")
        await add_a_line_and_submit(app, pilot)
        await pilot.press("e")  # only drafts: said at once, nothing asked
        assert await wait_until(pilot, lambda: any("only drafts can be changed" in t for t in toasts(app)))
        await pilot.press("A")
        assert await wait_until(pilot, lambda: app.screen.po.status == "approved")
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("enter")  # the location is the PO's; every outstanding unit
        assert await wait_until(pilot, lambda: app.screen.po.status == "received")
        with warehouse.connect() as conn:
            rows = conn.execute("SELECT l.code, m.quantity_delta FROM stock_movements m JOIN locations l"
                                " ON l.id = m.location_id WHERE m.kind = 'po_receipt'").fetchall()
        assert rows == [("WH1-B-01", 40)]
    with warehouse.connect() as conn:
        shown = conn.execute("SELECT l.code FROM purchase_orders po JOIN locations l ON l.id = po.location_id"
                             " WHERE po.id = 3").fetchone()
    assert shown == ("WH1-B-01",)
