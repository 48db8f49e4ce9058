"""Notifications (`6`): the log, unread first."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Static

from invtui.ui.screens.base import BaseScreen


class NotificationsScreen(BaseScreen):
    TITLE_TEXT = "Notifications"

    def body(self) -> Iterable[Widget]:
        yield Static("Notifications", id="notifications-placeholder")
