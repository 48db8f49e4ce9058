"""Purchase orders as pure rules: the state machine, PO numbers, and receipt maths. No I/O.

The purchasing service asks these functions before it writes anything, so every refusal reads
the same in the CLI, the screens and the tests ("PO-000123 is received; it cannot be approved").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from invtui.errors import ConflictError, InvalidTransition, ValidationError


class POStatus(str, Enum):
    """The states of a purchase order, as stored in purchase_orders.status."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"

    @property
    def words(self) -> str:
        """How people say the state: "partially received", not "partially_received"."""
        return self.value.replace("_", " ")


class POAction(Enum):
    """What someone can do to a PO; each value is the past tense used in messages."""

    EDIT_LINES = "changed"
    SUBMIT = "submitted"
    APPROVE = "approved"
    RECEIVE = "received"
    CANCEL = "cancelled"


# From which states each action may start. Receiving is the only action that can repeat
# (partial receipts), and the only one whose resulting state depends on the quantities.
ALLOWED_FROM: dict[POAction, frozenset[POStatus]] = {
    POAction.EDIT_LINES: frozenset({POStatus.DRAFT}),
    POAction.SUBMIT: frozenset({POStatus.DRAFT}),
    POAction.APPROVE: frozenset({POStatus.SUBMITTED}),
    POAction.RECEIVE: frozenset({POStatus.APPROVED, POStatus.PARTIALLY_RECEIVED}),
    POAction.CANCEL: frozenset({POStatus.DRAFT, POStatus.SUBMITTED, POStatus.APPROVED}),
}

# The state an action leads to when it is done; receiving ends in one of two (see status_after_receipt).
RESULT_OF: dict[POAction, POStatus] = {
    POAction.SUBMIT: POStatus.SUBMITTED,
    POAction.APPROVE: POStatus.APPROVED,
    POAction.RECEIVE: POStatus.RECEIVED,
    POAction.CANCEL: POStatus.CANCELLED,
}

NUMBER_PATTERN = re.compile(r"^(?:PO-?)?0*(\d{1,12})$", re.IGNORECASE)


def format_number(po_id: int) -> str:
    """The printed number of a PO id, exactly as the database's generated column makes it."""
    return f"PO-{po_id:06d}"


def parse_number(text: object) -> int:
    """The PO id in "PO-000123", "po-123", "PO123" or "123"; anything else is refused."""
    cleaned = text.strip() if isinstance(text, str) else ""
    match = NUMBER_PATTERN.match(cleaned)
    if match is None or int(match.group(1)) == 0:
        raise ValidationError(f"{cleaned or text!r} is not a PO number; expected e.g. PO-000123 or 123")
    return int(match.group(1))


def parse_status(text: str) -> POStatus:
    """A status filter as typed: "Partially received", "partially-received" and the stored form."""
    key = re.sub(r"[\s-]+", "_", (text or "").strip().lower())
    try:
        return POStatus(key)
    except ValueError:
        choices = ", ".join(s.value for s in POStatus)
        raise ValidationError(f"Unknown PO status {text!r}; choose one of {choices}") from None


def refusal(number: str, status: POStatus, action: POAction, *, by: str | None = None) -> str | None:
    """Why `action` is not possible on a PO in `status`, or None when it is allowed.

    When the PO is already where the action would take it (someone else was quicker), the message
    says so and, if known, who did it: "PO-000123 is already approved (by sam)".
    """
    if status in ALLOWED_FROM[action]:
        return None
    if RESULT_OF.get(action) == status:
        who = f" (by {by})" if by else ""
        return f"{number} is already {status.words}{who}"
    verb = action.value if action is not POAction.EDIT_LINES else "changed (only drafts can be)"
    return f"{number} is {status.words}; it cannot be {verb}"


def check_transition(number: str, status: POStatus | str, action: POAction, *, by: str | None = None) -> None:
    """Raise InvalidTransition naming the current state unless `action` is allowed from it."""
    message = refusal(number, POStatus(status), action, by=by)
    if message is not None:
        raise InvalidTransition(message)


@dataclass(frozen=True)
class LineBalance:
    """One PO line's quantities: what was ordered and what has arrived so far."""

    sku: str
    ordered: int
    received: int

    @property
    def outstanding(self) -> int:
        return max(self.ordered - self.received, 0)


def outstanding(ordered: int, received: int) -> int:
    """Units still to arrive on a line (never negative)."""
    return max(ordered - received, 0)


def plan_receipt(number: str, lines: Iterable[LineBalance], requested: Mapping[str, int] | None) -> dict[str, int]:
    """The quantity to receive per SKU; None means everything outstanding.

    Refuses with ConflictError a receipt of more than is outstanding on a line, naming the line and
    its outstanding quantity; with ValidationError a receipt of nothing at all. Every SKU in
    `requested` must be one of `lines` (the service resolves SKUs first).
    """
    by_sku = {line.sku: line for line in lines}
    if requested is None:
        plan = {sku: line.outstanding for sku, line in by_sku.items() if line.outstanding > 0}
    else:
        plan = dict(requested)
        for sku, qty in plan.items():
            line = by_sku[sku]
            if qty > line.outstanding:
                raise ConflictError(
                    f"Cannot receive {qty:,} of {sku} on {number}: only {line.outstanding:,} outstanding "
                    f"({line.received:,} of {line.ordered:,} received)"
                )
    if not plan:
        raise ValidationError(f"Nothing is outstanding on {number}")
    return plan


def completes(lines: Iterable[LineBalance], plan: Mapping[str, int]) -> bool:
    """Whether receiving `plan` leaves nothing outstanding on any line of the PO."""
    return all(line.outstanding - plan.get(line.sku, 0) <= 0 for line in lines)


def status_after_receipt(lines: Iterable[LineBalance], plan: Mapping[str, int]) -> POStatus:
    """received when the receipt completes the PO, else partially_received."""
    return POStatus.RECEIVED if completes(lines, plan) else POStatus.PARTIALLY_RECEIVED
