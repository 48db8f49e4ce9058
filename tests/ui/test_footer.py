"""The footer on a narrow terminal: keys that fit whole, and always `?` for the rest."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from invtui.db.engine import Database
from invtui.ui.widgets.fitting_footer import key_width

from .test_live import wait_until
from .test_snapshots import settle


def _shown(app) -> list[FooterKey]:  # type: ignore[no-untyped-def]
    return list(app.screen.query(FooterKey))


async def test_a_narrow_terminal_shows_the_keys_that_fit_and_always_help(make_app, warehouse: Database) -> None:  # type: ignore[no-untyped-def]
    app = make_app("operator", live=False)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        assert await wait_until(pilot, lambda: any(k.action == "help" for k in _shown(app)))
        keys = _shown(app)
        assert sum(key_width(k) for k in keys) <= 60
        assert [k.key_display for k in keys][:3] == ["r", "i", "t"] and keys[-1].key_display == "?"
        assert "q" not in [k.key_display for k in keys]  # the last to go: `?` lists it
        await pilot.resize_terminal(100, 30)
        assert await wait_until(pilot, lambda: "q" in [k.key_display for k in _shown(app)])
