"""Counting a location in the app as an operator does it: `k` on the stock screen, scans (a
scanner's burst too), the review in three groups, a reason for every difference, post, abandon,
leave and resume, and what viewers and managers see."""

from __future__ import annotations

from textual.widgets import DataTable

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import counts
from invtui.ui.screens.count import CountScreen
from invtui.ui.screens.count_review import AbandonCountModal, AskModal, CountReviewScreen
from invtui.ui.screens.counts_list import CountsListScreen
from invtui.ui.screens.inventory import InventoryScreen
from invtui.ui.modals.confirm_modal import ConfirmModal

from .burst import burst
from .test_inventory_screen import ledger_rows, level, open_inventory
from .test_live import signed_in, toasts, wait_until
from .test_scan_mode import keys_of
from .test_snapshots import settle

HERE = "WH1-A-01"  # the first stock row's location: BOLT-M6 3, TIE-200 40, TAPE-48 5, FUSE-5A 120
LENIENT = {"counts_approve_above_value": 10**9, "counts_approve_above_percent": 100_000}


def counted(app) -> dict[str, tuple[int, str | None]]:  # type: ignore[no-untyped-def]
    return {line.sku: (line.counted, line.elsewhere) for line in app.screen.lines}


def groups(app) -> dict[str, dict[str, tuple[int, int]]]:  # type: ignore[no-untyped-def]
    shown: dict[str, dict[str, tuple[int, int]]] = {}
    for line in app.screen.review.lines:
        shown.setdefault(line.group, {})[line.sku] = (line.counted, line.expected)
    return shown


def detail(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#review-detail").render())


def session_row(db: Database) -> tuple[str, str, int]:
    with db.connect() as conn:
        return tuple(conn.execute("SELECT reference, status, (SELECT count(*) FROM count_lines)"
                                  " FROM count_sessions ORDER BY id DESC LIMIT 1").fetchone())


async def start_count(app, pilot) -> CountScreen:  # type: ignore[no-untyped-def]
    await open_inventory(app, pilot)
    await pilot.press("k")
    assert await wait_until(pilot, lambda: isinstance(app.screen, CountScreen))
    await settle(pilot)
    return app.screen


async def on_line(pilot, screen: CountReviewScreen, sku: str) -> None:  # type: ignore[no-untyped-def]
    row = next(n for n, line in enumerate(screen.keys) if line is not None and line.sku == sku)
    screen.query_one("#review-lines", DataTable).move_cursor(row=row)
    await pilot.pause()


async def answer(app, pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the reason / recount question and wait for the review to show the result."""
    assert await wait_until(pilot, lambda: isinstance(app.screen, AskModal))
    await pilot.press(*keys, "enter")
    assert await wait_until(pilot, lambda: isinstance(app.screen, CountReviewScreen))
    await settle(pilot)


async def test_operator_counts_a_location_reviews_gives_reasons_and_posts(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False, **LENIENT)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_count(app, pilot)
        assert screen.session.location == HERE and screen.session.blind
        assert [c.label.plain for c in screen.query_one("#count-lines", DataTable).columns.values()] == [
            "SKU", "product", "counted", "note"]  # blind: no expected column
        # A scanner's burst: a number right after a code is that item's count.
        await burst(app, pilot, *keys_of(["BOLT-M6", "2", "TIE-200", "40", "GLOVE-L", "NOPE-9", "NUT-M6", "0"]))
        assert await wait_until(pilot, lambda: counted(app) == {
            "BOLT-M6": (2, None), "TIE-200": (40, None), "GLOVE-L": (1, "WH1-A-02, WH1-B-01"),
            "NUT-M6": (0, "nowhere")}, timeout=10), counted(app)
        with warehouse.connect() as conn:  # a count typed after the first scan is no recount; 0 is one
            assert conn.execute("SELECT sum(recounts) FROM count_lines").fetchone()[0] == 1
        await pilot.press("enter")  # empty: finish
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountReviewScreen) and app.screen.review)
        review = app.screen
        await settle(pilot)
        assert groups(app) == {
            "missing": {"BOLT-M6": (2, level(warehouse, "BOLT-M6", HERE)[0]), "FUSE-5A": (0, 120), "TAPE-48": (0, 5)},
            "extra": {"GLOVE-L": (1, 0)},
            "matching": {"NUT-M6": (0, 0), "TIE-200": (40, level(warehouse, "TIE-200", HERE)[0])}}
        assert "missing 3 · extra 1 · matching 2 · 4 without reason" in str(review.query_one("#review-summary").render())
        before = ledger_rows(warehouse)
        await pilot.press("p")  # no reasons yet: refused, nothing asked
        assert "Give a reason for each difference first" in detail(app) and app.screen is review
        await on_line(pilot, review, "TAPE-48")
        await pilot.press("r")  # recount: one key, then the number
        await answer(app, pilot, "5")
        assert "TAPE-48" in groups(app)["matching"]
        await on_line(pilot, review, "BOLT-M6")
        await pilot.press("e")
        await answer(app, pilot, "4")  # 4: miscount
        await on_line(pilot, review, "FUSE-5A")  # never counted: the reason gives it a line of 0
        await pilot.press("e")
        await answer(app, pilot, "2")
        await on_line(pilot, review, "GLOVE-L")
        assert "moved? the ledger has it at WH1-A-02, WH1-B-01" in detail(app)
        await pilot.press("enter")  # a moved? line suggests "moved"
        await answer(app, pilot)
        await pilot.press("p")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "3 adjustment(s) at WH1-A-01, +1 / −121 units" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        assert await wait_until(pilot, lambda: isinstance(app.screen, InventoryScreen))
        assert ledger_rows(warehouse) == before + 3
        with warehouse.connect() as conn:
            adjusts = conn.execute(
                "SELECT p.sku, m.quantity_delta, m.reason, m.reference FROM stock_movements m"
                " JOIN products p ON p.id = m.product_id WHERE m.kind = 'adjust' ORDER BY p.sku").fetchall()
        assert [tuple(a) for a in adjusts] == [("BOLT-M6", -1, "miscount", "CNT-000001"),
                                               ("FUSE-5A", -120, "lost", "CNT-000001"),
                                               ("GLOVE-L", 1, "moved", "CNT-000001")]
        assert level(warehouse, "BOLT-M6", HERE) == (2, 0) and level(warehouse, "GLOVE-L", HERE) == (1, 0)
        assert session_row(warehouse)[1] == "posted"
        assert any("Posted CNT-000001: 3 adjustment(s)" in t for t in toasts(app))


async def test_leaving_keeps_the_count_to_resume_and_abandon_writes_nothing(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_inventory(app, pilot)
        before = ledger_rows(warehouse)
        await pilot.press("s", *HERE, "enter")  # scan mode: a location's code offers a count there
        assert await wait_until(pilot, lambda: "F3: count this whole location" in str(
            app.screen.query_one("#scan-message").render()))
        await pilot.press("f3")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountScreen))
        await pilot.press(*"NUT-M6", "enter", *"TIE-200", "enter", "down", "up", *"3", "enter")
        assert await wait_until(pilot, lambda: counted(app) == {"NUT-M6": (3, "nowhere"), "TIE-200": (1, None)}), counted(app)
        with warehouse.connect() as conn:
            conn.execute("UPDATE products SET is_active = false WHERE sku = 'WASH-10'")
            conn.commit()
        await pilot.press(*"WASH-10", "enter")  # inactive: said in red, not added
        assert await wait_until(pilot, lambda: "Product WASH-10 is inactive; not added" in str(
            app.screen.query_one("#count-message").render())) and len(app.screen.lines) == 2
        await pilot.press("escape")  # leave: the count stays open in the database
        assert await wait_until(pilot, lambda: isinstance(app.screen, InventoryScreen))
        assert session_row(warehouse) == ("CNT-000001", "open", 2)
        await pilot.press("k")  # the same location: resumed, not a second count
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountScreen) and len(app.screen.lines) == 2)
        assert app.screen.session.reference == "CNT-000001"
        assert any("Resumed, 2 line(s) so far" in t for t in toasts(app))
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountReviewScreen) and app.screen.review)
        assert "a" not in app.screen.active_bindings and "p" in app.screen.active_bindings  # approve: managers
        await pilot.press("x")
        assert await wait_until(pilot, lambda: isinstance(app.screen, AbandonCountModal))
        await pilot.press("enter")  # a stray Enter keeps the count
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountReviewScreen))
        await pilot.press("x", "y")
        assert await wait_until(pilot, lambda: isinstance(app.screen, InventoryScreen))
        assert session_row(warehouse)[1] == "abandoned" and ledger_rows(warehouse) == before
        assert level(warehouse, "NUT-M6", HERE) == (0, 0)


async def test_differences_above_the_threshold_wait_for_a_manager(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)  # default thresholds: 25 %
    async with app.run_test(size=(80, 24)) as pilot:
        await start_count(app, pilot)
        await pilot.press(*keys_of(["BOLT-M6", "TIE-200", "40", "FUSE-5A", "120", "TAPE-48", "5"]), "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountReviewScreen) and app.screen.review)
        review = app.screen  # BOLT-M6: 1 of 3, a third missing
        await pilot.press("e")
        await answer(app, pilot, "2")
        assert "0 without reason · 1 need approval" in str(review.query_one("#review-summary").render())
        await pilot.press("p")
        assert await wait_until(pilot, lambda: "need a manager's approval first" in detail(app))
        await pilot.press("a")  # hidden and inert for an operator
        assert not isinstance(app.screen, ConfirmModal) and session_row(warehouse)[1] == "open"


async def test_an_operator_posts_what_needs_no_approval_and_the_rest_waits(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)  # default thresholds: 25 %
    async with app.run_test(size=(80, 24)) as pilot:
        await start_count(app, pilot)
        await pilot.press(*keys_of(["BOLT-M6", "TIE-200", "39", "FUSE-5A", "120", "TAPE-48", "5"]), "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountReviewScreen) and app.screen.review)
        review = app.screen  # BOLT-M6: 1 of 3 (a third: a manager's); TIE-200: 39 of 40 (the operator's)
        await on_line(pilot, review, "BOLT-M6")
        await pilot.press("e")
        await answer(app, pilot, "2")
        await on_line(pilot, review, "TIE-200")
        await pilot.press("e")
        await answer(app, pilot, "4")
        await pilot.press("p")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "Post the other 1 now?" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        assert await wait_until(pilot, lambda: any("stays open" in t for t in toasts(app)))
        assert isinstance(app.screen, CountReviewScreen) and session_row(warehouse)[1] == "open"
        with warehouse.connect() as conn:
            adjusts = conn.execute(
                "SELECT p.sku, m.quantity_delta FROM stock_movements m JOIN products p ON p.id = m.product_id"
                " WHERE m.kind = 'adjust'").fetchall()
        assert [tuple(a) for a in adjusts] == [("TIE-200", -1)]  # BOLT-M6 waits for a manager


async def test_the_review_is_exported_to_csv_in_the_operators_own_folder(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    import csv as csv_module

    from invtui.ui.modals.file_modal import FileNameModal

    app = make_app("operator", live=False, **LENIENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_count(app, pilot)
        await pilot.press(*keys_of(["BOLT-M6", "TIE-200", "40"]), "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountReviewScreen) and app.screen.review)
        review = app.screen
        await pilot.press("w")
        assert await wait_until(pilot, lambda: isinstance(app.screen, FileNameModal))
        await pilot.press("enter")  # the offered name: cnt-000001-review.csv
        assert await wait_until(pilot, lambda: "Exported" in detail(app) if app.screen is review else False)
        path = app.user_folder(app.actor).path / "cnt-000001-review.csv"
        rows = {r["sku"]: r for r in csv_module.DictReader(path.open())}
        # the same figures the review shows: BOLT-M6 1 of 3, TIE-200 40 of 40
        assert (rows["BOLT-M6"]["counted"], rows["BOLT-M6"]["expected"], rows["BOLT-M6"]["group"]) == ("1", "3", "missing")
        assert (rows["TIE-200"]["counted"], rows["TIE-200"]["group"]) == ("40", "matching")
        assert session_row(warehouse)[1] == "open"  # exporting changes nothing


async def test_viewer_sees_counts_due_and_open_sessions_live_but_cannot_count(make_app, warehouse: Database,  # type: ignore[no-untyped-def]
                                                                              operator: Actor) -> None:
    with warehouse.session() as s:
        ref = counts.start(s, operator, "WH1-B-01").reference
        counts.scan(s, operator, ref, "WASH-10", 7)
    app = make_app("viewer")
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(app, pilot)
        await open_inventory(app, pilot)
        await pilot.press("k")
        assert await wait_until(pilot, lambda: any("Role viewer cannot count stock" in t for t in toasts(app)))
        await pilot.press("K")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountsListScreen) and app.screen.due)
        listed = app.screen
        assert [(d.code, d.items, d.units) for d in listed.due] == [
            ("WH1-A-01", 4, 168), ("WH1-A-02", 3, 151), ("WH1-B-01", 3, 11)]  # never counted: all due
        assert [(c.reference, c.location, c.owner, c.units) for c in listed.open] == [(ref, "WH1-B-01", "operator", 7)]
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: toasts(app).count("Role viewer cannot count stock") == 2)
        with warehouse.session() as s:  # the operator posts: both lists follow
            counts.post(s, operator, ref, reason="lost", settings=Settings(**LENIENT))  # type: ignore[arg-type]
        assert await wait_until(pilot, lambda: [d.code for d in listed.due] == ["WH1-A-01", "WH1-A-02"]
                                and listed.open == [], timeout=5)


async def test_manager_counts_with_expected_shown_approves_and_posts(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("manager", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_count(app, pilot)
        assert not screen.session.blind  # blind by default for operators only
        await pilot.press(*keys_of(["BOLT-M6", "2", "TIE-200", "40", "FUSE-5A", "120", "TAPE-48", "5"]))
        assert await wait_until(pilot, lambda: len(screen.lines) == 4)
        assert {line.sku: line.expected for line in screen.lines}["BOLT-M6"] == 3
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CountReviewScreen) and app.screen.review)
        review = app.screen
        await pilot.press("e")
        await answer(app, pilot, *"dropped behind the shelf")  # own words
        await pilot.press("a")
        assert await wait_until(pilot, lambda: "approved by manager" in str(review.query_one("#review-summary").render()))
        await pilot.press("p", "y")
        assert await wait_until(pilot, lambda: isinstance(app.screen, InventoryScreen))
    with warehouse.connect() as conn:
        row = conn.execute("SELECT s.status, u.username, m.quantity_delta, m.reason FROM count_sessions s"
                           " JOIN users u ON u.id = s.approved_by JOIN stock_movements m ON m.reference = s.reference"
                           ).fetchall()
    assert [tuple(r) for r in row] == [("posted", "manager", -1, "dropped behind the shelf")]
