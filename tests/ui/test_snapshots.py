"""What each screen looks like, at 80x24 (the SSH default) and 120x40, on fixed data and a fixed clock.

Review changes with `uv run pytest tests/ui/test_snapshots.py --snapshot-report` and accept them
with `--snapshot-update` only after looking at them.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from invtui.db.engine import Database

from .test_live import idle, wait_until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let every worker finish and the screen repaint; stop text cursors blinking (a blink
    caught half-way makes a screenshot differ from run to run)."""
    from textual.widgets import Input

    for _ in range(3):
        await pilot.pause(0.1)
        await idle(pilot.app)
    for screen in pilot.app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
    await pilot.pause(0.1)


def signed_in_app(make_app, username: str = "operator"):  # type: ignore[no-untyped-def]
    return make_app(username, live=False, fixed_clock=True)


@pytest.mark.parametrize("size", SIZES)
def test_login(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(live=False, fixed_clock=True)

    async def typed(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*"operator", "enter", *"wrong", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=typed)


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_with_low_bar_selected(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = signed_in_app(make_app)

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        assert await wait_until(pilot, lambda: "In stock" in str(app.screen.query_one("#bar-detail").render()))
        await pilot.press("right")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=ready)


async def _alerts_loaded(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("2")
    assert await wait_until(pilot, lambda: pilot.app.screen.query_one("#alerts-table", DataTable).row_count == 9)
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_alerts(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = signed_in_app(make_app)

    async def marked(pilot) -> None:  # type: ignore[no-untyped-def]
        await _alerts_loaded(pilot)
        await pilot.press("space")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=marked)


@pytest.mark.parametrize("size", SIZES)
def test_alert_detail(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = signed_in_app(make_app)

    async def opened(pilot) -> None:  # type: ignore[no-untyped-def]
        await _alerts_loaded(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)


@pytest.mark.parametrize("size", SIZES)
def test_notifications(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = signed_in_app(make_app)

    async def shown(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("6")
        assert await wait_until(pilot, lambda: app.screen.query_one("#notifications-table", DataTable).row_count == 10)
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = signed_in_app(make_app)

    async def helped(pilot) -> None:  # type: ignore[no-untyped-def]
        await _alerts_loaded(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=helped)


@pytest.mark.parametrize("size", SIZES)
def test_background_status(snap_compare, make_app, warehouse: Database, size) -> None:  # type: ignore[no-untyped-def]
    app = signed_in_app(make_app)

    async def opened(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)
