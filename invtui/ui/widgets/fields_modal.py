"""A few text fields (some with type-ahead); Enter submits once the required ones are right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.validation import Function
from textual.widgets import Input, Label, Static

from invtui.ui.widgets.form_modal import FormModal


class FieldsModal(FormModal[dict[str, str] | None]):
    """A few text fields (some with type-ahead), Enter submits when the required ones are filled."""

    def __init__(self, title: str, fields: list[tuple[str, str, list[str] | None, bool]],
                 values: dict[str, str] | None = None) -> None:
        """`fields`: (key, label, type-ahead choices or None, required); `values` prefill them."""
        super().__init__()
        self._title = title
        self._fields = fields
        self._values = values or {}

    def compose(self) -> ComposeResult:
        with Vertical(id="stock-form"):
            yield Static(self._title, id="stock-form-title")
            for key, label, choices, required in self._fields:
                yield Label(label)
                validators = [Function(lambda v: bool(v.strip()), f"{label} is required.")] if required else []
                if choices:
                    known = {c.upper() for c in choices}
                    validators.append(Function(lambda v, known=known: v.strip().upper() in known,
                                               f"Type a known {label.lower()}."))
                yield Input(self._values.get(key, ""), id=f"field-{key}", validators=validators,
                            suggester=SuggestFromList(choices, case_sensitive=False) if choices else None)
            yield Static("", id="form-error")
            yield Static("Enter: submit · →: accept suggestion · Escape: cancel", classes="modal-hint")

    def result(self) -> dict[str, str] | None:
        return {key: self.query_one(f"#field-{key}", Input).value.strip() for key, *_ in self._fields}
