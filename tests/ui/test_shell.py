"""The shell around every screen: quitting, the palette, unexpected errors, plain terminals."""

from __future__ import annotations

import logging

import pytest

from invtui.db.engine import Database
from invtui.services import alerts as alerts_service

from .test_live import toasts, wait_until
from .test_snapshots import SIZES, settle


async def test_q_quits_when_nothing_is_typed(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app._exit_renderables == [] and not app.is_running or app.return_code == 0


async def test_q_asks_before_throwing_away_a_typed_note(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from invtui.ui.modals.confirm_modal import ConfirmModal
    from invtui.ui.modals.note_modal import NoteModal

    app = make_app("operator", live=False)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2")
        assert await wait_until(pilot, lambda: bool(app.screen.rows))
        await pilot.press("a", *"half a note")
        assert isinstance(app.screen, NoteModal)
        await app.run_action("quit")  # what `q` does wherever it is not typed into a field
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, NoteModal)


async def test_the_palette_lists_the_screens_actions_by_name(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for expected in ("Go to Dashboard", "Go to Notifications", "Ack", "Dismiss", "Resolve", "Check"):
            assert expected in titles


async def test_an_unexpected_error_is_logged_and_shown_and_the_app_keeps_running(
        make_app, warehouse: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in the alert list")

    app = make_app("operator", live=False)
    async with app.run_test() as pilot:
        await settle(pilot)
        monkeypatch.setattr(alerts_service, "list_alerts", broken)
        with caplog.at_level(logging.ERROR):
            await pilot.press("2")
            assert await wait_until(pilot, lambda: any("Unexpected error: RuntimeError" in t for t in toasts(app)))
        assert "a bug in the alert list" in caplog.text and "Traceback" in caplog.text
        await pilot.press("1")
        await settle(pilot)
        assert app.is_running and app.current_mode == "dashboard"


async def test_an_unreachable_database_during_an_action_is_one_clear_toast(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from invtui.db.engine import Database as Db

    app = make_app("operator", live=False)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.db = Db("postgresql://nobody@127.0.0.1:1/gone")  # the server went away
        await pilot.press("2")
        assert await wait_until(pilot, lambda: any(t.startswith("Database unreachable") for t in toasts(app)))
        assert app.is_running


@pytest.mark.parametrize("size", SIZES[:1])
def test_alerts_stay_legible_without_colour(snap_compare, make_app, warehouse: Database, size,
                                             monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """NO_COLOR and a 16-colour terminal: severity still reads OUT / LOW, the badge ▲ with words."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TEXTUAL_COLOR_SYSTEM", "standard")
    app = make_app("operator", live=False, fixed_clock=True)

    async def loaded(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("2")
        assert await wait_until(pilot, lambda: len(app.screen.rows) == 9)
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=loaded)


async def test_the_audit_trail_opens_from_the_palette_and_filters_by_kind(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import DataTable

    from invtui.ui.screens.audit import AuditScreen

    app = make_app("operator", live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        audit_command = next(c for c in app.get_system_commands(app.screen) if c.title == "Audit trail")
        audit_command.callback()
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        table = app.screen.query_one("#audit-table", DataTable)
        assert await wait_until(pilot, lambda: table.row_count > 0)
        kinds = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"stock", "alert"} <= kinds
        await pilot.press("f")  # stock only
        assert await wait_until(pilot, lambda: {str(table.get_row_at(i)[1]) for i in range(table.row_count)} == {"stock"})


async def test_a_click_on_a_screen_name_in_the_top_line_goes_there(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    """In a browser (a phone has no number keys to hand) the top line is the menu."""
    from invtui.ui.widgets.nav_bar import NavBar

    app = make_app("operator", live=False)
    async with app.run_test() as pilot:
        await settle(pilot)
        line = str(app.screen.query_one(NavBar).render())
        for label, mode in (("Alerts", "alerts"), ("Catalog", "catalog"), ("Notes", "notifications"),
                            ("Dash", "dashboard")):
            assert await pilot.click(NavBar, offset=(line.index(label) + 1, 0))
            await settle(pilot)
            assert app.current_mode == mode, label
        await pilot.click(NavBar, offset=(line.index("invtui") + 1, 0))  # the title is not a screen
        await settle(pilot)
        assert app.current_mode == "dashboard"


def sweep_count(db: Database) -> int:
    with db.connect() as conn:
        return conn.execute("SELECT count(*) FROM sweep_runs WHERE trigger = 'manual'").fetchone()[0]


async def test_c_runs_a_sweep_on_every_screen_and_never_means_anything_else(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for number, key in enumerate("123456", start=1):
            await pilot.press(key)
            await settle(pilot)
            screen = app.screen
            tab = getattr(screen, "tab", None)
            await pilot.press("c")
            assert await wait_until(pilot, lambda number=number: sweep_count(warehouse) == number), key
            assert app.screen is screen and getattr(screen, "tab", None) is tab  # no tab switched on Catalog


async def test_the_b_panel_shows_the_sweep_that_c_just_ran(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import DataTable

    from invtui.ui.screens.background import BackgroundScreen

    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BackgroundScreen)
        table = app.screen.query_one("#background-runs", DataTable)
        assert await wait_until(pilot, lambda: table.row_count >= 1)
        before = table.row_count
        assert "manual" not in [str(cell) for cell in table.get_row_at(0)]
        await pilot.press("c")
        assert await wait_until(pilot, lambda: table.row_count == before + 1)
        assert "manual" in [str(cell) for cell in table.get_row_at(0)]


async def test_help_lists_every_key_once_enter_included(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import DataTable

    app = make_app("operator", live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, enter in (("2", "The alert"), ("3", "The item"), ("4", "Open the PO"), ("6", "Mark read")):
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            table = app.screen.query_one("#help-table", DataTable)
            rows = [(str(row[0]), str(row[1])) for row in (table.get_row_at(i) for i in range(table.row_count))]
            keys = [k for keys, _ in rows for k in keys.split()]
            assert len(keys) == len(set(keys)), (key, rows)  # every key once: q and ^q, ^p included
            assert "q" in keys and "^q" in keys
            assert any(k == "⏎" and name.startswith(enter) for k, name in rows), (key, rows)
            await pilot.press("escape")
            await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles)), titles  # "Copy selected text" once
