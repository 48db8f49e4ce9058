"""The app's file prompt: a bare file name in the user's own folder, checked as it is typed."""

from __future__ import annotations

from textual.validation import Function
from textual.widgets import Input

from invtui.services.files import NAME_RULE, name_problem
from invtui.ui.modals.fields_modal import FieldsModal


class FileNameModal(FieldsModal):
    """A `name` field (type-ahead over `choices`) and, for an import, a dry-run question.

    Enter with a name that is not a bare file name (a path, '..', a leading dot, ...) keeps the
    form open with the one sentence of `files.NAME_RULE` under it, so nothing is written.
    """

    def __init__(self, title: str, values: dict[str, str], *, choices: list[str] | None = None,
                 dry_run: bool = False) -> None:
        fields: list[tuple[str, str, list[str] | None, bool]] = [("name", "File name", choices or None, True)]
        if dry_run:
            fields.append(("dry_run", "Dry run only? (y/n)", None, False))
        super().__init__(title, fields, values)

    def on_mount(self) -> None:
        field = self.query_one("#field-name", Input)
        field.validators.insert(0, Function(lambda v: not v.strip() or name_problem(v.strip()) is None, NAME_RULE))
