"""The idle lock: after `auth.idle_lock_minutes` without a key, the screen is covered.

Only the signed-in user (or an admin switching nothing: the same user) can unlock it with their
password; the status bar keeps counting alerts underneath. Unlocking returns to where they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from invtui.errors import InvtuiError
from invtui.services import users
from invtui.ui.bindings import bindings_for
from invtui.ui.service_call import call_service
from invtui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from invtui.ui.app import InvtuiApp


class LockScreen(Screen[None]):
    """A full screen, not a modal: nothing of the screen underneath shows (one status bar), and
    the footer lists the lock's own key only (the app's keys are off while locked)."""

    AUTO_FOCUS = "#lock-password"
    BINDINGS = bindings_for("lock")

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-box"):
            yield Static("invtui — locked", id="login-title")
            yield Static(f"Idle for a while. {self.username}, type your password to carry on.",
                         id="login-subtitle")
            yield Label("Password")
            yield Input(placeholder="password", password=True, id="lock-password", max_length=200)
            yield Static("", id="login-message")
        yield StatusBar()
        yield Footer()

    async def action_unlock(self) -> None:
        await self.query_one("#lock-password", Input).action_submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        app: InvtuiApp = self.app  # type: ignore[assignment]
        password, name, settings, client = event.value, self.username, app.settings, app.client_address

        def check(session):  # type: ignore[no-untyped-def]
            return users.authenticate(session, name, password, max_failed=settings.max_failed_logins,
                                      lockout_minutes=settings.lockout_minutes, client=client)

        call_service(self, check, lambda actor: self.dismiss(None), failed=self._refused, group="unlock",
                     exclusive=True)

    def _refused(self, error: InvtuiError | None) -> None:
        message = self.query_one("#login-message", Static)
        words = error.message if error else "Unlock failed; see the log file"
        if words.startswith("Wrong user name or password"):
            words = "Wrong password"  # the user is known here: only the password can be wrong
        message.update("✖ " + words)
        message.add_class("error")
        field = self.query_one("#lock-password", Input)
        field.value = ""
        field.focus()
