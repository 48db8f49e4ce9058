"""The small form behind each stock key (receive, issue, adjust, transfer, reserve, release).

Validators explain what is wrong while the operator types (harlequin's habit); Enter submits only
a valid form; Escape cancels. The service checks everything again, the database a third time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.validation import Function
from textual.widgets import Input, Label, Static

from invtui.domain import validation
from invtui.domain.validation import MAX_QUANTITY
from invtui.errors import InvtuiError
from invtui.ui.modals.form_modal import DomainCheck, FormModal
from invtui.ui.service_call import call_service

# Given the typed values, the service call to make (session -> result); None: the form just closes.
Perform = Callable[["StockFormResult"], Callable[[Any], Any]]


@dataclass(frozen=True)
class StockAction:
    key: str
    title: str  # "Receive", ...
    quantity_label: str = "Quantity"
    minimum: int = 1
    needs_destination: bool = False
    needs_reason: bool = False


ACTIONS = {
    "receive": StockAction("receive", "Receive"),
    "issue": StockAction("issue", "Issue"),
    "reserve": StockAction("reserve", "Reserve"),
    "release": StockAction("release", "Release"),
    "adjust": StockAction("adjust", "Adjust to a count", "Counted quantity", minimum=0, needs_reason=True),
    "transfer": StockAction("transfer", "Transfer", needs_destination=True),
}


@dataclass(frozen=True)
class StockFormResult:
    quantity: str
    destination: str = ""
    reason: str = ""
    reference: str = ""


class StockFormModal(FormModal["tuple[StockFormResult, Any] | StockFormResult | None"]):
    """With `perform`, Enter sends the movement and the form stays open until the service answers:
    a refusal ("only 60 available") appears under the field and every typed value stays; success
    closes the form with (values, the service's result)."""

    def __init__(self, action: StockAction, item: str, locations: list[str] | None = None, *,
                 source: str | None = None, perform: Perform | None = None) -> None:
        super().__init__()
        self.action_spec = action
        self.item = item
        self.locations = locations or []
        self.source = source
        self.perform = perform
        self._sending = False

    def compose(self) -> ComposeResult:
        spec = self.action_spec
        with Vertical(id="stock-form"):
            yield Static(f"{spec.title}: {self.item}", id="stock-form-title")
            yield Label(spec.quantity_label)
            yield Input(id="form-quantity", placeholder=f"{spec.minimum} to {MAX_QUANTITY:,}", validators=[
                DomainCheck(lambda v, low=spec.minimum: validation.quantity(v, minimum=low)),
            ])
            yield Static("", id="form-quantity-error", classes="field-error")
            if spec.needs_destination:
                known = {code.upper() for code in self.locations}
                source = (self.source or "").upper()
                yield Label("To location")
                yield Input(id="form-destination", placeholder="location code (type-ahead)",
                            suggester=SuggestFromList(self.locations, case_sensitive=False),
                            validators=[Function(lambda v: v.strip().upper() != source,
                                                 "Destination is the source; choose another location."),
                                        Function(lambda v: v.strip().upper() in known | {source},
                                                 "Type a known location code.")])
                yield Static("", id="form-destination-error", classes="field-error")
            if spec.needs_reason:
                yield Label("Reason")
                yield Input(id="form-reason", placeholder="why the count differs (required)", max_length=500,
                            validators=[Function(lambda v: bool(v.strip()), "A reason is required.")])
                yield Static("", id="form-reason-error", classes="field-error")
            yield Label("Reference (optional)")
            yield Input(id="form-reference", placeholder="delivery note, pick list…", max_length=100)
            yield Static("", id="form-error")
            yield Static("Enter: submit (or go to the field still missing) · Escape: cancel", classes="modal-hint")

    def on_input_changed(self, event: Input.Changed) -> None:
        problems = event.validation_result.failure_descriptions if event.validation_result else []
        self.show_problem(problems[0] if problems else None, event.input)

    def show_problem(self, problem: str | None, field: Input | None = None) -> None:
        """The sentence goes under the field it is about; the line at the bottom is for the rest."""
        for line in self.query(".field-error").results(Static):
            line.update("")
        spot = self.query(f"#{field.id}-error") if field is not None and field.id else None
        if spot:
            spot.first(Static).update("✖ " + problem if problem else "")
            super().show_problem(None)
        else:
            super().show_problem(problem)

    def submit(self, result: StockFormResult | None) -> None:  # type: ignore[override]
        if self.perform is None or result is None:
            self.dismiss(result)
            return
        if self._sending:
            return
        self._sending = True

        def refused(error: InvtuiError | None) -> None:
            self._sending = False
            if error is not None:
                field = self.query_one("#form-destination" if self._about_destination(error) else "#form-quantity",
                                       Input)
                self.show_problem(error.message, field)
                field.focus()

        call_service(self, self.perform(result), lambda answer: self.dismiss((result, answer)), group="stock-form",
                     failed=refused, toast_refusals=False)

    def _about_destination(self, error: InvtuiError) -> bool:
        return self.action_spec.needs_destination and "destination" in error.message.lower()

    def speaks_up(self, field: Input | None, submitted: Input) -> bool:
        # Enter submits as soon as the form is complete ("r", "5", Enter receives five); otherwise
        # it goes to the first field still wrong, and says why unless that field is still empty.
        return field is submitted or bool(field is not None and field.value)

    def result(self) -> StockFormResult | None:
        return StockFormResult(
            quantity=self._value("#form-quantity"),
            destination=self._value("#form-destination").upper(),
            reason=self._value("#form-reason"),
            reference=self._value("#form-reference"),
        )

    def _value(self, selector: str) -> str:
        found = self.query(selector)
        return found.first(Input).value.strip() if found else ""
