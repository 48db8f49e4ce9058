"""A yes/no question: `y` or Enter confirms, `n` or Escape declines."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from invtui.ui.bindings import bindings_for


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = bindings_for("confirm")

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._question, id="confirm-question")
            yield Static("y / Enter: yes · n / Escape: no", classes="modal-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
