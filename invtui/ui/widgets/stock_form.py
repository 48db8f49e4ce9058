"""The small form behind each stock key (receive, issue, adjust, transfer, reserve, release).

Validators explain what is wrong while the operator types (harlequin's habit); Enter submits only
a valid form; Escape cancels. The service checks everything again, the database a third time.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.validation import Function, Integer
from textual.widgets import Input, Label, Static

from invtui.domain.validation import MAX_QUANTITY
from invtui.ui.widgets.form_modal import FormModal


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


class StockFormModal(FormModal[StockFormResult | None]):
    def __init__(self, action: StockAction, item: str, locations: list[str] | None = None) -> None:
        super().__init__()
        self.action_spec = action
        self.item = item
        self.locations = locations or []

    def compose(self) -> ComposeResult:
        spec = self.action_spec
        with Vertical(id="stock-form"):
            yield Static(f"{spec.title}: {self.item}", id="stock-form-title")
            yield Label(spec.quantity_label)
            yield Input(id="form-quantity", placeholder=f"{spec.minimum} to {MAX_QUANTITY:,}", validators=[
                Integer(minimum=spec.minimum, maximum=MAX_QUANTITY,
                        failure_description=f"Type a whole number from {spec.minimum} to {MAX_QUANTITY:,}."),
            ])
            if spec.needs_destination:
                known = set(self.locations)
                yield Label("To location")
                yield Input(id="form-destination", placeholder="location code (type-ahead)",
                            suggester=SuggestFromList(self.locations, case_sensitive=False),
                            validators=[Function(lambda v: v.strip().upper() in known,
                                                 "Type a known location code.")])
            if spec.needs_reason:
                yield Label("Reason")
                yield Input(id="form-reason", placeholder="why the count differs (required)", max_length=500,
                            validators=[Function(lambda v: bool(v.strip()), "A reason is required.")])
            yield Label("Reference (optional)")
            yield Input(id="form-reference", placeholder="delivery note, pick list…", max_length=100)
            yield Static("", id="form-error")
            yield Static("Enter: submit (or go to the field still missing) · Escape: cancel", classes="modal-hint")

    def on_input_changed(self, event: Input.Changed) -> None:
        problems = event.validation_result.failure_descriptions if event.validation_result else []
        self.show_problem(problems[0] if problems else None)

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
