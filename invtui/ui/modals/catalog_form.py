"""The form behind the catalog's `n` (new) and `e` (edit) keys: one compact line per field.

Each field is checked while it is typed with the same domain function the service uses, so the
words at the input are the service's words; a form-wide check (min <= reorder point <= max)
runs over the fields together. Enter submits only a valid form and returns every field's text;
the screen works out which ones changed. Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from invtui.ui.modals.form_modal import DomainCheck, FormModal

# Values by field key -> the sentence saying what is wrong across fields, or None.
FormCheck = Callable[[dict[str, str]], "str | None"]


@dataclass(frozen=True)
class FormField:
    """One input: `check` raises the domain's ValidationError for a bad value (text as typed)."""

    key: str
    label: str
    check: Callable[[str], object]
    choices: tuple[str, ...] = ()  # type-ahead (category names, supplier and location codes)
    placeholder: str = ""


class CatalogFormModal(FormModal[dict[str, str] | None]):
    AUTO_FOCUS = "Input"

    def __init__(self, title: str, fields: list[FormField], initial: dict[str, str] | None = None,
                 check: FormCheck | None = None) -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.initial = initial or {}
        self.form_check = check

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="catalog-form"):
            yield Static(self.form_title, id="catalog-form-title")
            for field in self.fields:
                with Horizontal(classes="catalog-form-row"):
                    yield Label(field.label, classes="catalog-form-label")
                    yield Input(self.initial.get(field.key, ""), id=f"catalog-{field.key}", compact=True,
                                placeholder=field.placeholder, validators=[DomainCheck(field.check)],
                                suggester=SuggestFromList(field.choices, case_sensitive=False)
                                if field.choices else None)
            yield Static("", id="form-error")
            yield Static("Enter save · Tab next · → take suggestion · Escape cancel",
                         classes="modal-hint")

    def values(self) -> dict[str, str]:
        return {field.key: self.query_one(f"#catalog-{field.key}", Input).value.strip() for field in self.fields}

    def result(self) -> dict[str, str] | None:
        return self.values()

    def problem(self) -> tuple[Input | None, str | None]:
        """The first field that is wrong and why; then what is wrong across fields."""
        field, problem = super().problem()
        if problem is None and self.form_check is not None:
            return None, self.form_check(self.values())
        return field, problem

    def on_input_changed(self, event: Input.Changed) -> None:
        field, problem = self.problem()
        # While typing, only the field being typed and the cross-field rule speak up.
        self.show_problem(problem if field is None or field is event.input else None)
