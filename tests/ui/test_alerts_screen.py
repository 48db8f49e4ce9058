"""The alerts screen as operators use it: keys only, real database, real listener."""

from __future__ import annotations

from textual.widgets import DataTable

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import inventory, sweep
from invtui.ui.screens.alerts import AlertsScreen

from .test_live import idle, signed_in, toasts, wait_until


def table(app) -> DataTable:  # type: ignore[no-untyped-def, type-arg]
    return app.screen.query_one("#alerts-table", DataTable)


def statuses(db: Database) -> dict[str, str]:
    with db.connect() as conn:
        rows = conn.execute("SELECT p.sku || '@' || l.code, a.status FROM stock_alerts a JOIN products p"
                            " ON p.id = a.product_id JOIN locations l ON l.id = a.location_id").fetchall()
    return dict(rows)


async def open_alerts(app, pilot) -> AlertsScreen:  # type: ignore[no-untyped-def]
    await signed_in(app, pilot)
    await pilot.press("2")
    screen = app.screen
    assert isinstance(screen, AlertsScreen)
    assert await wait_until(pilot, lambda: len(screen.rows) > 0)
    return screen


async def test_alerts_are_listed_out_first_then_newest(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        kinds = [row.alert_type for row in screen.rows]
        assert kinds == sorted(kinds, reverse=True) and kinds[0] == "OUT_OF_STOCK"
        assert len(screen.rows) == 9


async def test_operator_acknowledges_the_first_alert_with_a_then_enter(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        first = screen.rows[0]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: statuses(warehouse)[f"{first.sku}@{first.location}"] == "ACKNOWLEDGED")
        assert await wait_until(pilot, lambda: any(r.id == first.id and r.status == "ACKNOWLEDGED" for r in screen.rows))
        assert any("1 alert acknowledged" in t for t in toasts(app))


async def test_escape_in_the_note_modal_changes_nothing(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_alerts(app, pilot)
        before = statuses(warehouse)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert statuses(warehouse) == before


async def test_three_marked_alerts_are_acknowledged_in_one_go(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        marked = [f"{r.sku}@{r.location}" for r in screen.rows[:3]]
        await pilot.press("space", "space", "space")
        assert len(screen.marked) == 3
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"restock ordered", "enter")
        assert await wait_until(pilot, lambda: all(statuses(warehouse)[k] == "ACKNOWLEDGED" for k in marked))
        assert await wait_until(pilot, lambda: any("3 alerts acknowledged" in t for t in toasts(app)))
        assert screen.marked == set()


async def test_acting_on_an_alert_someone_else_closed_shows_who_did_it(make_app, warehouse: Database,
                                                                     manager: Actor) -> None:  # type: ignore[no-untyped-def]
    from invtui.services import alerts

    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        first = screen.rows[0]
        with warehouse.session() as session:
            alerts.dismiss(session, manager, first.id, "duplicate bin")
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: any("dismissed by manager" in t for t in toasts(app)))


async def test_an_alert_raised_elsewhere_appears_as_a_toast_and_a_row_without_a_key(
        make_app, warehouse: Database, manager: Actor) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        before = len(screen.rows)
        with warehouse.session() as session:  # another operator empties a healthy bin
            inventory.issue(session, manager, "GLOVE-L", "WH1-A-02", 100)
        toast = "OUT OF STOCK: Nitrile Gloves L at WH1-A-02, 0 left"
        assert await wait_until(pilot, lambda: any(toast in t for t in toasts(app)), 2.0)
        assert await wait_until(pilot, lambda: len(screen.rows) == before + 1, 2.0)
        await pilot.pause(0.3)
        assert sum(toast in t for t in toasts(app)) == 1  # one event, one toast: it never echoes back


async def test_restocking_elsewhere_resolves_the_alert_on_screen(make_app, warehouse: Database,
                                                                manager: Actor) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        assert any(r.sku == "BOLT-M6" and r.location == "WH1-A-01" for r in screen.rows)
        with warehouse.session() as session:
            inventory.receive(session, manager, "BOLT-M6", "WH1-A-01", 60)
        assert await wait_until(pilot, lambda: any("Back in stock: Bolt M6 at WH1-A-01" in t for t in toasts(app)), 2.0)
        assert await wait_until(pilot, lambda: not any(r.sku == "BOLT-M6" and r.location == "WH1-A-01"
                                                       for r in screen.rows), 2.0)


async def test_a_dismissed_alert_does_not_come_back_on_the_next_sweep(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        target = screen.rows[0]
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: all(r.id != target.id for r in screen.rows))
        sweep.run_full_sweep(warehouse, "manual")
        screen.reload()
        await pilot.pause(0.5)
        await idle(app)
        assert all((r.sku, r.location) != (target.sku, target.location) for r in screen.rows)


async def test_f_cycles_to_acknowledged_only(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        await pilot.press("f")
        assert await wait_until(pilot, lambda: len(screen.rows) == 1)
        assert screen.rows[0].sku == "TIE-200" and screen.rows[0].acknowledged_by == "operator"


async def test_search_narrows_the_list(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        await pilot.press("slash", *"tape")
        assert await wait_until(pilot, lambda: len(screen.rows) == 2 and all(r.sku == "TAPE-48" for r in screen.rows))


async def test_a_viewer_is_told_why_not(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("viewer", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_alerts(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        assert any("Role viewer cannot acknowledge, dismiss or resolve alerts" in t for t in toasts(app))


async def test_enter_shows_the_alert_history_and_movements(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from invtui.ui.screens.alert_detail import AlertDetailScreen

    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        tie = next(i for i, r in enumerate(screen.rows) if r.sku == "TIE-200")
        table(app).move_cursor(row=tie)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AlertDetailScreen)
        await idle(app)
        await pilot.pause()
        history = app.screen.query_one("#detail-history", DataTable)
        events = [str(history.get_row_at(i)[1]) for i in range(history.row_count)]
        assert events == ["created", "acknowledged"]
        moves = app.screen.query_one("#detail-movements", DataTable)
        assert moves.row_count == 2


async def test_a_low_alert_covered_by_a_po_is_shown_as_covered_and_its_detail_says_by_what(  # type: ignore[no-untyped-def]
        make_app, warehouse: Database) -> None:
    """Issue 17: "LOW: 2 left, 200 on PO-000003 due in 3 days", and the why line, for a LOW alert whose
    projected stock covers the lead time; the list marks it LOW·PO (no action needed)."""
    from invtui.ui.screens.alert_detail import AlertDetailScreen

    with warehouse.connect() as conn:  # gloves: 2 left at WH1-B-01 (reorder point 8); 200 on an approved PO there
        conn.execute("INSERT INTO purchase_orders (supplier_id, status, expected_date, location_id) SELECT 1,"
                     " 'approved', current_date + 3, id FROM locations WHERE code = 'WH1-B-01'")
        conn.execute("INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered)"
                     " SELECT 3, id, 200 FROM products WHERE sku = 'GLOVE-L'")
        conn.commit()
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_alerts(app, pilot)
        row = next(i for i, r in enumerate(screen.rows) if (r.sku, r.location) == ("GLOVE-L", "WH1-B-01"))
        assert str(table(app).get_row_at(row)[1]) == "LOW·PO"
        table(app).move_cursor(row=row)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, AlertDetailScreen))
        await idle(app)
        await pilot.pause()
        header = str(app.screen.query_one("#detail-header").render())
        assert "LOW: 2 left, 200 on PO-000003 due in 3 days" in header
        assert "why: 2 available, threshold 8 (reorder point), no usage figure, lead time 7 days, " \
               "200 on PO-000003 due in 3 days" in header


async def test_after_dismissing_a_row_the_cursor_stays_on_the_row_that_took_its_place(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alerts(app, pilot)
        table(app).move_cursor(row=3)
        await pilot.pause()
        gone, following = screen.rows[3], screen.rows[4]
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: all(r.id != gone.id for r in screen.rows) and len(screen.rows) == 8)
        assert table(app).cursor_row == 3 and screen.rows[3].id == following.id


async def test_resolving_an_item_that_is_still_low_says_so_before_confirming(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Static

    from invtui.ui.modals.note_modal import NoteModal

    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_alerts(app, pilot)
        low = next(i for i, r in enumerate(screen.rows) if (r.sku, r.location) == ("BOLT-M6", "WH1-A-01"))
        table(app).move_cursor(row=low)
        await pilot.pause()
        await pilot.press("r")
        assert await wait_until(pilot, lambda: isinstance(app.screen, NoteModal))
        title = str(app.screen.query_one("#note-title", Static).render())
        assert "Still LOW: 3 of 10. No new alert until it is OK again." in title
