"""Keys remapped in the config file's [keys]: the new key runs the action, the old one no longer does."""

from __future__ import annotations

from textual.widgets import DataTable

from .test_live import toasts, wait_until
from .test_snapshots import settle


async def test_a_remapped_key_runs_its_action_and_a_refused_remap_keeps_the_default(make_app) -> None:  # type: ignore[no-untyped-def]
    from invtui.ui.screens.alerts import AlertsScreen
    from invtui.ui.screens.help import HelpScreen

    remaps = (("go.alerts", "w"), ("alerts.filter", "F"), ("alerts.acknowledge", "d"), ("nosuch", "x"))
    app = make_app("operator", live=False, keys=remaps)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # One message at start-up names both refused remaps; the app runs on.
        warned = [t for t in toasts(app) if t.startswith("Config [keys]")]
        assert len(warned) == 1 and "unknown action 'nosuch'" in warned[0]
        assert "alerts.acknowledge = 'd' clashes with alerts.dismiss (Alerts)" in warned[0]
        await pilot.press("2")
        await pilot.pause()
        assert app.current_mode == "dashboard"  # the old key does nothing
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        assert app.current_mode == "alerts" and isinstance(screen, AlertsScreen)
        await pilot.press("f")
        await pilot.pause()
        assert screen.filter_index == 0
        await pilot.press("F")
        await pilot.pause()
        assert screen.filter_index == 1
        keys = {key: active.binding.action for key, active in screen.active_bindings.items()}
        assert keys["a"] == "act('acknowledge')" and keys["d"] == "act('dismiss')"  # the refused remap
        await pilot.press("question_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one("#help-table", DataTable)
        rows = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert rows["Filter"] == "F" and rows["Ack"] == "a"
        listed = [k for i in range(table.row_count) for k in str(table.get_row_at(i)[0]).split()]
        assert len(listed) == len(set(listed)) and "f" not in listed
