"""The PO state machine and receipt maths, without a database."""

from __future__ import annotations

import itertools

import pytest

from invtui.domain import purchasing as rules
from invtui.domain.purchasing import LineBalance, POAction, POStatus
from invtui.errors import ConflictError, InvalidTransition, ValidationError

ALLOWED = {
    (POAction.EDIT_LINES, POStatus.DRAFT),
    (POAction.SUBMIT, POStatus.DRAFT),
    (POAction.APPROVE, POStatus.SUBMITTED),
    (POAction.RECEIVE, POStatus.APPROVED),
    (POAction.RECEIVE, POStatus.PARTIALLY_RECEIVED),
    (POAction.CANCEL, POStatus.DRAFT),
    (POAction.CANCEL, POStatus.SUBMITTED),
    (POAction.CANCEL, POStatus.APPROVED),
}
EVERY_PAIR = list(itertools.product(POAction, POStatus))


@pytest.mark.parametrize(("action", "status"), sorted(ALLOWED, key=str))
def test_allowed_transitions_pass(action: POAction, status: POStatus) -> None:
    assert rules.refusal("PO-000001", status, action) is None
    rules.check_transition("PO-000001", status, action)


@pytest.mark.parametrize(("action", "status"), [p for p in EVERY_PAIR if p not in ALLOWED], ids=str)
def test_every_other_transition_is_refused_naming_the_current_state(action: POAction, status: POStatus) -> None:
    with pytest.raises(InvalidTransition) as refused:
        rules.check_transition("PO-000123", status, action)
    assert refused.value.message.startswith("PO-000123 is ")
    assert status.words in refused.value.message


def test_approving_a_received_po_says_it_is_received() -> None:
    assert rules.refusal("PO-000123", POStatus.RECEIVED, POAction.APPROVE) == \
        "PO-000123 is received; it cannot be approved"


def test_approving_twice_says_already_approved_and_by_whom() -> None:
    assert rules.refusal("PO-000123", POStatus.APPROVED, POAction.APPROVE, by="sam") == \
        "PO-000123 is already approved (by sam)"


def test_partially_received_reads_as_two_words() -> None:
    assert rules.refusal("PO-000007", POStatus.PARTIALLY_RECEIVED, POAction.CANCEL) == \
        "PO-000007 is partially received; it cannot be cancelled"


def test_editing_a_submitted_po_says_only_drafts_can_be_changed() -> None:
    assert "only drafts" in (rules.refusal("PO-000001", POStatus.SUBMITTED, POAction.EDIT_LINES) or "")


@pytest.mark.parametrize("typed", ["PO-000123", "po-123", "123", " PO123 ", "000123"])
def test_po_numbers_are_accepted_in_every_usual_spelling(typed: str) -> None:
    assert rules.parse_number(typed) == 123


@pytest.mark.parametrize("typed", ["", "PO-", "abc", "PO-12a", "-5", "0", "PO-000000", "'; DROP TABLE products; --"])
def test_anything_else_is_not_a_po_number(typed: str) -> None:
    with pytest.raises(ValidationError, match="is not a PO number"):
        rules.parse_number(typed)


def test_po_number_format_matches_the_databases() -> None:
    assert rules.format_number(123) == "PO-000123"


@pytest.mark.parametrize("typed", ["Partially received", "partially-received", "PARTIALLY_RECEIVED"])
def test_status_filters_accept_the_words_people_type(typed: str) -> None:
    assert rules.parse_status(typed) is POStatus.PARTIALLY_RECEIVED


def test_unknown_status_lists_the_choices() -> None:
    with pytest.raises(ValidationError, match="Unknown PO status 'lost'; choose one of draft, submitted"):
        rules.parse_status("lost")


LINES = [LineBalance("BOLT-M6", ordered=10, received=4), LineBalance("NUT-M6", ordered=5, received=0)]


def test_outstanding_is_ordered_minus_received() -> None:
    assert [line.outstanding for line in LINES] == [6, 5]
    assert rules.outstanding(3, 3) == 0


def test_receiving_everything_plans_all_outstanding_and_completes_the_po() -> None:
    plan = rules.plan_receipt("PO-000001", LINES, None)
    assert plan == {"BOLT-M6": 6, "NUT-M6": 5}
    assert rules.status_after_receipt(LINES, plan) is POStatus.RECEIVED


def test_a_partial_receipt_leaves_the_po_partially_received() -> None:
    plan = rules.plan_receipt("PO-000001", LINES, {"BOLT-M6": 6})
    assert not rules.completes(LINES, plan)
    assert rules.status_after_receipt(LINES, plan) is POStatus.PARTIALLY_RECEIVED


def test_over_receiving_a_line_is_refused_naming_the_line_and_what_is_outstanding() -> None:
    with pytest.raises(ConflictError, match="Cannot receive 7 of BOLT-M6 on PO-000001: only 6 outstanding"):
        rules.plan_receipt("PO-000001", LINES, {"BOLT-M6": 7})


def test_receiving_a_fully_received_po_finds_nothing_outstanding() -> None:
    done = [LineBalance("BOLT-M6", 10, 10)]
    with pytest.raises(ValidationError, match="Nothing is outstanding on PO-000001"):
        rules.plan_receipt("PO-000001", done, None)
