"""Alerts (`2`): open alerts, acknowledged with a keystroke."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Static

from invtui.ui.screens.base import BaseScreen


class AlertsScreen(BaseScreen):
    TITLE_TEXT = "Alerts"

    def body(self) -> Iterable[Widget]:
        yield Static("Alerts", id="alerts-placeholder")
