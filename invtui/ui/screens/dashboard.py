"""Dashboard (`1`): KPI tiles and the stock-status and PO-status charts."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Static

from invtui.ui.screens.base import BaseScreen


class DashboardScreen(BaseScreen):
    TITLE_TEXT = "Dashboard"

    def body(self) -> Iterable[Widget]:
        yield Static("Dashboard", id="dashboard-placeholder")
