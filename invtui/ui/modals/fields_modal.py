"""A few text fields (some with type-ahead); Enter submits once the required ones are right."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.validation import Function
from textual.widgets import Input, Label, Static

from invtui.ui.modals.form_modal import FormModal

SHOWN = 4  # choices listed under a field


@dataclass(frozen=True)
class Choices:
    """A field's type-ahead: (code, name) pairs, searched by code prefix and by any part of the name.

    `strict` fields accept only a listed code (or a text that matches exactly one choice, which
    becomes its code); the others take the list as a help and accept anything (a barcode, say).
    """

    items: Sequence[tuple[str, str]]
    strict: bool = True

    def matches(self, typed: str) -> list[tuple[str, str]]:
        """Choices whose code starts with, or whose code or name contains, `typed` (any case)."""
        needle = typed.strip().casefold()
        if not needle:
            return []
        first = [c for c in self.items if c[0].casefold().startswith(needle)]
        rest = [c for c in self.items if c not in first and (needle in c[0].casefold() or needle in c[1].casefold())]
        return first + rest

    def resolve(self, typed: str) -> str | None:
        """The code `typed` stands for: an exact code, else the one choice it matches; None if unclear."""
        needle = typed.strip().casefold()
        exact = [code for code, name in self.items if needle in (code.casefold(), name.casefold())]
        if exact:
            return exact[0]
        found = self.matches(typed)
        return found[0][0] if len(found) == 1 else None


class ChoiceSuggester(Suggester):
    """Completes a code by its prefix, or a name by its prefix, in the field (→ accepts)."""

    def __init__(self, choices: Choices) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.choices = choices

    async def get_suggestion(self, value: str) -> str | None:
        folded = value.casefold()
        for code, name in self.choices.items:
            for text in (code, name):
                if folded and text.casefold().startswith(folded):
                    return value + text[len(value):]
        return None


Field = tuple[str, str, "list[str] | Choices | None", bool]


class FieldsModal(FormModal[dict[str, str] | None]):
    """A few text fields (some with type-ahead), Enter submits when the required ones are filled."""

    def __init__(self, title: str, fields: list[Field], values: dict[str, str] | None = None) -> None:
        """`fields`: (key, label, type-ahead choices or None, required); `values` prefill them.

        Plain lists of codes are strict choices; `Choices` carry names and may be loose.
        """
        super().__init__()
        self._title = title
        self._fields = fields
        self._values = values or {}
        self._choices: dict[str, Choices] = {}
        for key, _label, choices, _required in fields:
            if isinstance(choices, Choices):
                self._choices[key] = choices
            elif choices:
                self._choices[key] = Choices([(code, "") for code in choices])

    def compose(self) -> ComposeResult:
        with Vertical(id="stock-form"):
            yield Static(self._title, id="stock-form-title")
            for key, label, _choices, required in self._fields:
                yield Label(label)
                validators = [Function(lambda v: bool(v.strip()), f"{label} is required.")] if required else []
                choices = self._choices.get(key)
                if choices is not None and choices.strict:
                    validators.append(Function(lambda v, c=choices: not v.strip() or c.resolve(v) is not None,
                                               f"Type a known {label.lower()}; the list under it shows the choices."))
                yield Input(self._values.get(key, ""), id=f"field-{key}", validators=validators,
                            suggester=ChoiceSuggester(choices) if choices else None)
                if choices is not None:
                    yield Static("", id=f"choices-{key}", classes="field-choices")
            yield Static("", id="form-error")
            yield Static("Enter: submit · →: accept suggestion · Escape: cancel", classes="modal-hint")

    @on(Input.Changed)
    def _list_choices(self, event: Input.Changed) -> None:
        """Under a type-ahead field: the choices the typed text matches, or all of them if none."""
        key = (event.input.id or "").removeprefix("field-")
        choices = self._choices.get(key)
        if choices is None:
            return
        typed = event.value.strip()
        found = choices.matches(typed)
        if not typed or any(typed.casefold() == code.casefold() for code, _ in choices.items):
            text = ""
        elif choices.resolve(typed) is not None:
            code = choices.resolve(typed)
            text = "→ " + _listing([c for c in choices.items if c[0] == code]) + " (Enter takes it)"
        elif found:
            text = _listing(found)
        elif choices.strict:
            text = f"No match for {typed!r}. Choices: " + _listing(list(choices.items))
        else:
            text = ""
        self.query_one(f"#choices-{key}", Static).update(text)

    def result(self) -> dict[str, str] | None:
        values = {}
        for key, *_ in self._fields:
            typed = self.query_one(f"#field-{key}", Input).value.strip()
            choices = self._choices.get(key)
            values[key] = (choices.resolve(typed) or typed) if choices is not None and typed else typed
        return values


def _listing(found: Sequence[tuple[str, str]]) -> str:
    shown = " · ".join(f"{code} {name}".strip() for code, name in found[:SHOWN])
    return shown + (f" · +{len(found) - SHOWN} more" if len(found) > SHOWN else "")
