"""A small modal asking for an optional note: Enter confirms, Escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from invtui.ui.bindings import bindings_for


class NoteModal(ModalScreen[str | None]):
    """Dismisses with the note (maybe empty) on Enter, with None on Escape."""

    BINDINGS = bindings_for("note")

    def __init__(self, title: str, prompt: str = "Note (optional), Enter to confirm, Escape to cancel") -> None:
        super().__init__()
        self._title = title
        self._prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(self._title, id="note-title")
            yield Static(self._prompt, id="note-prompt")
            yield Input(placeholder="note", id="note-input", max_length=500)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
