"""Snapshots of a count: counting (blind, 80x24 and 40x16), the review, counts due and open."""

from __future__ import annotations

from textual.widgets import DataTable

from invtui.db.engine import Database
from invtui.ui.screens.count import CountScreen

from .test_live import wait_until
from .test_snapshots import settle

COUNTED = [*"BOLT-M6", "enter", *"2", "enter", *"GLOVE-L", "enter", *"TIE-200", "enter", *"40", "enter"]


def _run(snap_compare, make_app, size, *keys: str, then: tuple[str, ...] = ()) -> bool:  # type: ignore[no-untyped-def]
    """`k` on the first stock row, `keys` typed into the count (saved in order), then `then`."""
    app = make_app("operator", live=False, fixed_clock=True)

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("3")
        assert await wait_until(pilot, lambda: pilot.app.screen.query_one("#inventory-table", DataTable).row_count)
        await pilot.press("k")
        assert await wait_until(pilot, lambda: isinstance(pilot.app.screen, CountScreen))
        screen = pilot.app.screen
        await pilot.press(*keys)
        assert await wait_until(pilot, lambda: sum(line.counted for line in screen.lines) == 43
                                and screen.entries.settled)
        for key in then:
            await pilot.press(key)
            await settle(pilot)
        pilot.app.clear_notifications()  # toasts time out: a slow run would catch one, a fast one not
        await settle(pilot)

    return snap_compare(app, terminal_size=size, run_before=ready)


def test_counting_blind_with_an_item_from_elsewhere_and_an_unknown_code(snap_compare, make_app,  # type: ignore[no-untyped-def]
                                                                        warehouse: Database) -> None:
    assert _run(snap_compare, make_app, (80, 24), *COUNTED, *"NOPE-9", "enter")


def test_counting_on_a_small_terminal(snap_compare, make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, (40, 16), *COUNTED)


def test_review_in_three_groups(snap_compare, make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, (80, 24), *COUNTED, then=("enter", "down", "down", "down", "down"))


def test_counts_due_and_open(snap_compare, make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, (80, 24), *COUNTED, then=("escape", "K"))


def test_review_on_a_small_terminal(snap_compare, make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    assert _run(snap_compare, make_app, (40, 16), *COUNTED, then=("enter", "down"))
