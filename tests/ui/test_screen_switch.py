"""Opening a list screen does no work an operator would wait for twice (issue 15: `3` < 200 ms).

The time itself is measured by tests/benchmarks/inventory_screen.py; these check the cheap
proxies that made it slow: every stylesheet parsed again on the key press, and the footer
rebuilt for keys it already showed. And that the footer still follows the screen's keys.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from invtui.db.engine import Database
from invtui.ui.ahead import made_ahead
from invtui.ui.app import AHEAD_SECONDS
from invtui.ui.screens.dashboard import DashboardScreen
from invtui.ui.screens.inventory import InventoryScreen
from invtui.ui.widgets.paged_table import PagedTable

from .test_live import wait_until
from .test_snapshots import settle
from .test_snapshots_small import screen_text


def footer(app: Any) -> str:
    return screen_text(app)[-1]


async def test_the_stock_list_opens_on_the_styles_already_parsed(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        parsed = app.stylesheet.rules
        await pilot.press("3")
        screen = app.screen
        assert isinstance(screen, InventoryScreen)
        assert await wait_until(pilot, lambda: len(screen.rows) > 0)
        await settle(pilot)
        assert app.stylesheet.rules is parsed  # not parsed again: the same rules object is in force
        assert "Receive" in footer(app) or "Recv" in footer(app), footer(app)


async def test_the_footer_follows_the_screen_shown_and_the_focus(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        on_dashboard = footer(app)
        await pilot.press("3")
        await settle(pilot)
        on_stock = footer(app)
        assert on_stock != on_dashboard, on_stock
        await pilot.press("slash")  # the search field takes the focus: the list's keys leave the footer
        await settle(pilot)
        assert footer(app) != on_stock, footer(app)
        await pilot.press("escape")
        await settle(pilot)
        assert footer(app) == on_stock
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert footer(app) == on_dashboard


async def test_the_stock_list_made_ahead_is_shown_by_its_key_as_one_made_on_the_key(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    """After sign-in the stock list is composed in idle time, footer keys and all; `3` shows that
    screen, the same first page and footer as a screen made on the key, without building its
    footer again or parsing the stylesheets."""
    made_on_key = make_app("operator", live=False, fixed_clock=True)
    async with made_on_key.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")  # before the screen is made ahead: Textual makes it on the key
        assert await wait_until(pilot, lambda: isinstance(made_on_key.screen, InventoryScreen)
                                and len(made_on_key.screen.rows) > 0)
        await settle(pilot)
        expected = screen_text(made_on_key)
    app = make_app("operator", live=False, fixed_clock=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert await wait_until(pilot, lambda: made_ahead(app, "inventory") is not None, timeout=AHEAD_SECONDS + 5)
        ahead = made_ahead(app, "inventory")
        assert ahead is not None and ahead.query_one(PagedTable).is_mounted and not ahead.query_one(PagedTable).items
        await settle(pilot)
        parsed, keys = app.stylesheet.rules, list(ahead.query(FooterKey))
        assert keys  # the footer's keys were built ahead too
        await pilot.press("3")
        assert app.screen is ahead
        assert await wait_until(pilot, lambda: len(ahead.rows) > 0)
        await settle(pilot)
        assert screen_text(app) == expected
        assert app.stylesheet.rules is parsed
        assert list(ahead.query(FooterKey)) == keys  # the same widgets: not rebuilt on the key


async def test_list_cells_draw_as_datatable_draws_them(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    """PagedTable draws a text cell itself (cheaper); the segments are DataTable's own, for every
    column, under the cursor or not, on a wide and a narrow terminal (a cut product name)."""
    for width in (120, 70):
        app = make_app("operator", live=False)
        async with app.run_test(size=(width, 40)) as pilot:
            await settle(pilot)
            await pilot.press("3")
            assert await wait_until(pilot, lambda: isinstance(app.screen, InventoryScreen) and len(app.screen.rows) > 0)
            await settle(pilot)
            table = app.screen.query_one(PagedTable)
            columns = list(table.columns.values())
            assert len(columns) == (9 if width == 120 else 6)
            for row in range(len(table.items)):
                for index, column in enumerate(columns):
                    for cursor, base in ((False, Style.null()), (True, Style(bgcolor="red", bold=True))):
                        cell_width = column.get_render_width(table)
                        table._cell_render_cache.clear()
                        expected = DataTable._render_cell(table, row, index, base, cell_width, cursor)
                        table._cell_render_cache.clear()
                        assert table._render_cell(row, index, base, cell_width, cursor) == expected, (row, column.key)
