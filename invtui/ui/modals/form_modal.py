"""What every form in the app does on Enter and Escape."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Static
from invtui.ui.bindings import bindings_for

from invtui.errors import InvtuiError

T = TypeVar("T")


class DomainCheck(Validator):
    """A Textual validator around a domain check, reporting the domain's own sentence.

    Every form field validates through the function the service uses (`domain.validation`), so a
    form never refuses what the CLI accepts ("1,000") or accepts what the service will refuse.
    """

    def __init__(self, check: Callable[[str], object]) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        try:
            self.check(value)
        except InvtuiError as error:
            return self.failure(error.message)
        except (ValueError, ArithmeticError):
            return self.failure("That value is not valid here.")
        return self.success()


class FormModal(ModalScreen[T]):
    """A modal of inputs with validators and a `#form-error` line.

    Enter dismisses with `result()` once every input is right; otherwise it goes to the first
    field still wrong and says why, so nothing half-typed reaches a service. Escape cancels
    (dismisses with None). Subclasses compose the inputs and implement `result()`; they must not
    define `on_input_submitted` themselves (Textual would call both).
    """

    # Enter outside a field (Tab went past the last one): the same as Enter in a field, never nothing.
    BINDINGS = bindings_for("form")

    def result(self) -> T:
        raise NotImplementedError

    def problem(self) -> tuple[Input | None, str | None]:
        """The first field that is wrong and why (None, None when all are right)."""
        for field in self.query(Input):
            check = field.validate(field.value)
            if check is not None and not check.is_valid:
                return field, check.failure_descriptions[0]
        return None, None

    def show_problem(self, problem: str | None, field: Input | None = None) -> None:
        """Say what is wrong; `field` is the input it is about (a form may show it under that field)."""
        self.query_one("#form-error", Static).update("✖ " + problem if problem else "")

    def speaks_up(self, field: Input | None, submitted: Input) -> bool:
        """Whether Enter in `submitted` names the problem of `field`, or only moves there."""
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field, problem = self.problem()
        if problem:
            if field is not None:
                field.focus()
            if self.speaks_up(field, event.input):
                self.show_problem(problem, field)
            return
        self.submit(self.result())

    def action_submit_form(self) -> None:
        """Enter where no field takes it: save, or go to the field that stops it and say why."""
        field, problem = self.problem()
        if problem:
            if field is not None:
                field.focus()
            self.show_problem(problem, field)
            return
        self.submit(self.result())

    def submit(self, result: T) -> None:
        """A complete form: close with its values (forms that wait for the service override this)."""
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)  # type: ignore[arg-type]
