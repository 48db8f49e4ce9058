"""The login screen: user name and password; five failures lock the account (users service).

In a browser tab (`invtui serve`) failures slow the browser's address down instead of locking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from invtui.errors import InvtuiError
from invtui.services import users
from invtui.ui.service_call import call_service

if TYPE_CHECKING:
    from invtui.ui.app import InvtuiApp


class LoginScreen(Screen[None]):
    """Sign in. With a trusted OS user (or the demo) it only says who is being signed in."""

    AUTO_FOCUS = "#login-user"

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-box"):
            yield Static("invtui", id="login-title")
            yield Static("Warehouse inventory", id="login-subtitle")
            yield Label("User name")
            yield Input(placeholder="user name", id="login-user", max_length=64)
            yield Label("Password")
            yield Input(placeholder="password", password=True, id="login-password", max_length=200)
            yield Static("", id="login-message")
        yield Footer()

    @property
    def invtui(self) -> InvtuiApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        if self.invtui.trusted_username:
            self.query_one("#login-message", Static).update(f"Signing in as {self.invtui.trusted_username}…")

    def on_screen_suspend(self) -> None:
        # Signed in: the screen stays in its mode, unseen; its focused field would blink (wake
        # the app) twice a second for as long as the app runs.
        self.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "login-user":
            self.query_one("#login-password", Input).focus()
            return
        self._attempt()

    def _attempt(self) -> None:
        name = self.query_one("#login-user", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        if not name:
            self._say("Type your user name", error=True)
            self.query_one("#login-user", Input).focus()
            return
        settings, client = self.invtui.settings, self.invtui.client_address
        self._say("Checking…", error=False)

        def authenticate(session):  # type: ignore[no-untyped-def]
            return users.authenticate(session, name, password, max_failed=settings.max_failed_logins,
                                      lockout_minutes=settings.lockout_minutes, client=client)

        call_service(self, authenticate, self.invtui.signed_in, failed=self._refused, group="login",
                     exclusive=True)

    def _refused(self, error: InvtuiError | None) -> None:
        self._say(error.message if error else "Sign-in failed; see the log file", error=True)
        password = self.query_one("#login-password", Input)
        password.value = ""
        password.focus()

    def _say(self, text: str, *, error: bool) -> None:
        message = self.query_one("#login-message", Static)
        message.update(("✖ " if error else "") + text)
        message.set_class(error, "error")
