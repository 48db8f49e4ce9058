"""Purchase orders through the service, on a real database: lifecycle, receipts, refusals, races."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlmodel import select

from invtui.db.engine import Database
from invtui.db.models import Notification, PurchaseOrderEvent, StockMovement
from invtui.domain.roles import Actor
from invtui.errors import ConflictError, InvalidTransition, InvtuiError, NotFound, PermissionDenied, ValidationError
from invtui.services import events, integrity, purchasing

from po_world import (BOLT, BOLT_BARCODE, DOCK, INJECTION, NUT, SHELF, SUPPLIER, SUPPLIER_NAME, WASHER, approved,
                      build, draft, snapshot, stock)


@pytest.fixture(autouse=True)
def world(db: Database) -> None:
    build(db)


def call(db: Database, fn: Callable, *args, **kwargs):  # type: ignore[no-untyped-def, type-arg]
    with db.session() as session:
        return fn(session, *args, **kwargs)


# --- drafting -------------------------------------------------------------------------------


def test_operator_drafts_a_po_numbered_by_the_database(db: Database, operator: Actor) -> None:
    po = call(db, purchasing.create, operator, "acme", notes="Monthly bolts")
    assert po.number == "PO-000001" and po.status == "draft"
    view = call(db, purchasing.get, "po-1")
    assert (view.supplier_code, view.supplier_name, view.notes, view.created_by) == \
        (SUPPLIER, SUPPLIER_NAME, "Monthly bolts", "operator")
    assert [(h.from_status, h.to_status, h.user) for h in view.history] == [(None, "draft", "operator")]


def test_a_line_costs_the_products_cost_price_unless_told_otherwise(db: Database, operator: Actor) -> None:
    number = draft(db, operator, {})
    call(db, purchasing.add_line, operator, number, BOLT, "10")
    call(db, purchasing.add_line, operator, number, NUT, 5, unit_cost="0.12")
    lines = {line.sku: line for line in call(db, purchasing.get, number).lines}
    assert lines[BOLT].unit_cost == Decimal("0.25") and lines[NUT].unit_cost == Decimal("0.12")
    assert call(db, purchasing.get, number).total == Decimal("3.10")


def test_adding_a_product_already_on_the_po_adds_to_its_quantity(db: Database, operator: Actor) -> None:
    number = draft(db, operator, {BOLT: 10})
    call(db, purchasing.add_line, operator, number, BOLT_BARCODE, 5)  # scanned
    lines = call(db, purchasing.get, number).lines
    assert [(line.sku, line.ordered) for line in lines] == [(BOLT, 15)]


def test_a_line_cannot_grow_past_a_million(db: Database, operator: Actor) -> None:
    number = draft(db, operator, {BOLT: 1_000_000})
    before = snapshot(db)
    with pytest.raises(ValidationError, match="BOLT-M6 would then total 1,000,001 on PO-000001"):
        call(db, purchasing.add_line, operator, number, BOLT, 1)
    assert snapshot(db) == before


def test_removing_a_line_takes_the_product_off_the_draft(db: Database, operator: Actor) -> None:
    number = draft(db, operator)
    call(db, purchasing.remove_line, operator, number, "nut-m6")
    assert [line.sku for line in call(db, purchasing.get, number).lines] == [BOLT]
    with pytest.raises(NotFound, match="NUT-M6 is not on PO-000001"):
        call(db, purchasing.remove_line, operator, number, NUT)


def test_a_po_without_lines_cannot_be_submitted(db: Database, operator: Actor) -> None:
    number = draft(db, operator, {})
    with pytest.raises(ValidationError, match="PO-000001 has no lines; add at least one before submitting"):
        call(db, purchasing.submit, operator, number)
    assert call(db, purchasing.get, number).status == "draft"


def test_inactive_supplier_and_product_are_refused(db: Database, operator: Actor) -> None:
    with pytest.raises(ValidationError, match="Supplier OLD is inactive"):
        call(db, purchasing.create, operator, "OLD")
    number = draft(db, operator, {})
    with pytest.raises(ValidationError, match="Product OLD-1 is inactive"):
        call(db, purchasing.add_line, operator, number, "OLD-1", 1)


# --- the whole life of a PO -------------------------------------------------------------------


def test_partial_then_full_receipt_books_stock_and_closes_the_po(db: Database, operator: Actor,
                                                                  manager: Actor) -> None:
    number = approved(db, operator, manager)
    first = call(db, purchasing.receive, operator, number, DOCK, {"bolt-m6": "4"})
    assert (first.status, first.received) == ("partially_received", {BOLT: 4})
    assert stock(db, BOLT, DOCK) == 4
    rest = call(db, purchasing.receive, operator, "PO-000001", DOCK)
    assert (rest.status, rest.received) == ("received", {BOLT: 6, NUT: 5})
    assert (stock(db, BOLT, DOCK), stock(db, NUT, DOCK)) == (10, 5)

    view = call(db, purchasing.get, number)
    assert [(line.sku, line.ordered, line.received, line.outstanding) for line in view.lines] == \
        [(BOLT, 10, 10, 0), (NUT, 5, 5, 0)]
    assert view.received_at is not None
    assert [h.to_status for h in view.history] == \
        ["draft", "submitted", "approved", "partially_received", "received"]
    assert view.history[3].note == f"4 {BOLT} into {DOCK}"
    with db.session() as session:
        ledger = session.exec(select(StockMovement).order_by(StockMovement.id)).all()
    assert [(m.kind, m.quantity_delta, m.reference) for m in ledger] == \
        [("po_receipt", 4, number), ("po_receipt", 6, number), ("po_receipt", 5, number)]
    assert integrity.check(db).clean


def test_a_received_po_can_be_received_into_a_second_location_only_while_outstanding(
        db: Database, operator: Actor, manager: Actor) -> None:
    number = approved(db, operator, manager)
    call(db, purchasing.receive, operator, number, DOCK, {BOLT: 10})
    call(db, purchasing.receive, operator, number, SHELF, {NUT: 5})
    assert (stock(db, BOLT, DOCK), stock(db, NUT, SHELF)) == (10, 5)
    with pytest.raises(InvalidTransition, match="PO-000001 is already received"):
        call(db, purchasing.receive, operator, number, DOCK)


def test_over_receiving_a_line_is_refused_and_changes_nothing(db: Database, operator: Actor,
                                                              manager: Actor) -> None:
    number = approved(db, operator, manager)
    call(db, purchasing.receive, operator, number, DOCK, {BOLT: 7})
    before = snapshot(db)
    with pytest.raises(ConflictError, match=r"Cannot receive 4 of BOLT-M6 on PO-000001: only 3 outstanding \(7 of 10"):
        call(db, purchasing.receive, operator, number, DOCK, {NUT: 5, BOLT: 4})
    assert snapshot(db) == before


def test_receiving_a_product_not_on_the_po_names_it(db: Database, operator: Actor, manager: Actor) -> None:
    number = approved(db, operator, manager)
    before = snapshot(db)
    with pytest.raises(NotFound, match="WASHER-M6 is not on PO-000001"):
        call(db, purchasing.receive, operator, number, DOCK, {WASHER: 1})
    with pytest.raises(ValidationError, match="BOLT-M6 is named twice in this receipt"):
        call(db, purchasing.receive, operator, number, DOCK, {BOLT: 1, BOLT_BARCODE: 1})
    with pytest.raises(ValidationError, match="Location WH9-CLOSED is inactive"):
        call(db, purchasing.receive, operator, number, "WH9-CLOSED")
    assert snapshot(db) == before


# --- every transition through the service ---------------------------------------------------

STATES = ["draft", "submitted", "approved", "partially_received", "received", "cancelled"]
ACTIONS = ["add_line", "submit", "approve", "receive", "cancel"]
ALLOWED = {("draft", "add_line"), ("draft", "submit"), ("draft", "cancel"), ("submitted", "approve"),
           ("submitted", "cancel"), ("approved", "receive"), ("approved", "cancel"),
           ("partially_received", "receive")}


def _po_in(db: Database, state: str, operator: Actor, manager: Actor) -> str:
    number = draft(db, operator)
    steps = {
        "draft": [], "submitted": ["submit"], "approved": ["submit", "approve"],
        "partially_received": ["submit", "approve", "part"], "received": ["submit", "approve", "all"],
        "cancelled": ["cancel"],
    }[state]
    for step in steps:
        with db.session() as s:
            if step == "submit":
                purchasing.submit(s, operator, number)
            elif step == "approve":
                purchasing.approve(s, manager, number)
            elif step == "part":
                purchasing.receive(s, operator, number, DOCK, {BOLT: 1})
            elif step == "all":
                purchasing.receive(s, operator, number, DOCK)
            else:
                purchasing.cancel(s, manager, number)
    return number


def _do(db: Database, action: str, number: str, operator: Actor, manager: Actor) -> None:
    with db.session() as s:
        if action == "add_line":
            purchasing.add_line(s, operator, number, WASHER, 1)
        elif action == "submit":
            purchasing.submit(s, operator, number)
        elif action == "approve":
            purchasing.approve(s, manager, number)
        elif action == "receive":
            purchasing.receive(s, operator, number, DOCK, {BOLT: 1})
        else:
            purchasing.cancel(s, manager, number)


@pytest.mark.parametrize("state", STATES)
def test_each_action_from_each_state_is_allowed_or_refused_naming_the_state(
        db: Database, operator: Actor, manager: Actor, state: str) -> None:
    number = _po_in(db, state, operator, manager)
    before = snapshot(db)
    for action in ACTIONS:
        if (state, action) in ALLOWED:
            continue
        with pytest.raises(InvalidTransition) as refused:
            _do(db, action, number, operator, manager)
        assert refused.value.message.startswith(f"{number} is "), action
        assert state.replace("_", " ") in refused.value.message, action
    assert snapshot(db) == before
    for action in ACTIONS:  # each allowed action on a PO of its own, since it changes the state
        if (state, action) in ALLOWED:
            _do(db, action, _po_in(db, state, operator, manager), operator, manager)


def test_approving_twice_says_who_approved_it(db: Database, operator: Actor, manager: Actor, admin: Actor) -> None:
    number = approved(db, operator, manager)
    with pytest.raises(InvalidTransition, match="^PO-000001 is already approved \\(by manager\\)$"):
        call(db, purchasing.approve, admin, number)


# --- races ------------------------------------------------------------------------------------


def _race(db: Database, jobs: list[Callable]) -> list[object]:  # type: ignore[type-arg]
    """Run each job in its own thread and session, all released at once; results or errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int) -> None:
        with db.session() as session:
            barrier.wait()
            try:
                results[i] = jobs[i](session)
            except InvtuiError as exc:
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_managers_approving_at_once_one_wins_the_other_is_told(db: Database, operator: Actor,
                                                                   manager: Actor, admin: Actor) -> None:
    number = draft(db, operator)
    call(db, purchasing.submit, operator, number)
    results = _race(db, [lambda s, who=who: purchasing.approve(s, who, number) for who in (manager, admin)])
    errors = [r for r in results if isinstance(r, InvtuiError)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition)
    assert "is already approved (by" in errors[0].message
    with db.session() as session:
        approvals = session.exec(select(PurchaseOrderEvent).where(PurchaseOrderEvent.to_status == "approved")).all()
    assert len(approvals) == 1


def test_approve_racing_cancel_leaves_exactly_one_outcome(db: Database, operator: Actor, manager: Actor,
                                                          admin: Actor) -> None:
    number = draft(db, operator)
    call(db, purchasing.submit, operator, number)
    results = _race(db, [lambda s: purchasing.approve(s, manager, number),
                         lambda s: purchasing.cancel(s, admin, number)])
    # Either order ends cancelled: approved POs may still be cancelled; a cancelled one is never approved.
    assert call(db, purchasing.get, number).status == "cancelled"
    assert not isinstance(results[1], InvtuiError)
    if isinstance(results[0], InvtuiError):
        assert results[0].message == f"{number} is cancelled; it cannot be approved"


def test_concurrent_receipts_of_one_line_never_over_receive(db: Database, operator: Actor, manager: Actor,
                                                            admin: Actor) -> None:
    number = approved(db, operator, manager, {BOLT: 10})
    receivers = [operator, manager, admin, operator, manager, admin]
    results = _race(db, [lambda s, who=who: purchasing.receive(s, who, number, DOCK, {BOLT: 4})
                         for who in receivers])
    accepted = [r for r in results if isinstance(r, purchasing.Receipt)]
    refused = [r for r in results if isinstance(r, InvtuiError)]
    assert len(accepted) == 2 and len(refused) == 4
    assert all("only 2 outstanding" in e.message for e in refused)
    view = call(db, purchasing.get, number)
    assert (view.lines[0].received, view.status) == (8, "partially_received")
    assert stock(db, BOLT, DOCK) == 8
    assert integrity.check(db).clean


def test_operators_adding_the_same_product_at_once_lose_no_quantity(db: Database, operator: Actor,
                                                                    manager: Actor, admin: Actor) -> None:
    number = draft(db, operator, {})
    results = _race(db, [lambda s, who=who: purchasing.add_line(s, who, number, BOLT, 5)
                         for who in (operator, manager, admin, operator)])
    assert not any(isinstance(r, InvtuiError) for r in results)
    assert [(line.sku, line.ordered) for line in call(db, purchasing.get, number).lines] == [(BOLT, 20)]


# --- roles ------------------------------------------------------------------------------------


def test_viewer_is_refused_everything_that_writes(db: Database, operator: Actor, manager: Actor,
                                                  viewer: Actor) -> None:
    number = approved(db, operator, manager)
    before = snapshot(db)
    refusals = {
        "draft purchase orders": [lambda s: purchasing.create(s, viewer, SUPPLIER),
                                  lambda s: purchasing.add_line(s, viewer, number, BOLT, 1),
                                  lambda s: purchasing.remove_line(s, viewer, number, BOLT),
                                  lambda s: purchasing.submit(s, viewer, number)],
        "approve purchase orders": [lambda s: purchasing.approve(s, viewer, number)],
        "cancel purchase orders": [lambda s: purchasing.cancel(s, viewer, number)],
        "receive purchase orders": [lambda s: purchasing.receive(s, viewer, number, DOCK)],
    }
    for words, attempts in refusals.items():
        for attempt in attempts:
            with db.session() as session, pytest.raises(PermissionDenied, match=f"^Role viewer cannot {words}$"):
                attempt(session)
    assert snapshot(db) == before
    assert call(db, purchasing.get, number).status == "approved"  # but viewers can see everything


def test_operator_cannot_approve_or_cancel(db: Database, operator: Actor) -> None:
    number = draft(db, operator)
    call(db, purchasing.submit, operator, number)
    with pytest.raises(PermissionDenied, match="Role operator cannot approve purchase orders"):
        call(db, purchasing.approve, operator, number)
    with pytest.raises(PermissionDenied, match="Role operator cannot cancel purchase orders"):
        call(db, purchasing.cancel, operator, number)
    assert call(db, purchasing.get, number).status == "submitted"


def test_manager_drafts_approves_receives_and_cancels(db: Database, manager: Actor) -> None:
    number = approved(db, manager, manager)
    call(db, purchasing.receive, manager, number, DOCK)
    other = draft(db, manager)
    call(db, purchasing.cancel, manager, other, reason="Supplier closed")
    statuses = {po.number: po.status for po in call(db, purchasing.list_pos)}
    assert statuses == {number: "received", other: "cancelled"}


# --- notifications and events -----------------------------------------------------------------


def _notes(db: Database) -> list[tuple[str, str, int | None, str | None]]:
    with db.session() as session:
        rows = session.exec(select(Notification).order_by(Notification.id)).all()
    return [(n.kind, n.title, n.target_user_id, n.target_role) for n in rows]


def test_submitting_tells_managers_and_approving_tells_the_creator(db: Database, operator: Actor,
                                                                   manager: Actor) -> None:
    number = approved(db, operator, manager)
    assert _notes(db) == [
        ("po.submitted", f"{number} from Acme Tools awaits approval", None, "manager"),
        ("po.approved", f"Your {number} was approved by manager", operator.id, None),
    ]


def test_receipts_and_cancellations_tell_the_creator(db: Database, operator: Actor, manager: Actor) -> None:
    number = approved(db, operator, manager)
    call(db, purchasing.receive, operator, number, DOCK, {BOLT: 1})
    call(db, purchasing.receive, manager, number, DOCK)
    other = draft(db, operator)
    call(db, purchasing.cancel, manager, other)
    # The operator's own partial receipt tells nobody (nobody is told of their own action).
    assert _notes(db)[2:] == [
        ("po.received", f"Your {number} was received in full by manager", operator.id, None),
        ("po.cancelled", f"Your {other} was cancelled by manager", operator.id, None),
    ]


def test_approval_is_announced_to_listeners_only_when_committed(db: Database, operator: Actor,
                                                                manager: Actor) -> None:
    number = draft(db, operator)
    call(db, purchasing.submit, operator, number)
    with db.connect(autocommit=True) as listener:
        listener.execute(f"LISTEN {events.CHANNEL}")
        with pytest.raises(PermissionDenied):
            call(db, purchasing.approve, operator, number)
        call(db, purchasing.approve, manager, number)
        kinds = []
        for note in listener.notifies(timeout=2, stop_after=2):
            kinds.append(json.loads(note.payload)["kind"])
    assert kinds == ["po.approved", "notification.created"]


# --- bad input --------------------------------------------------------------------------------


def test_sql_like_and_unicode_notes_are_stored_as_plain_text(db: Database, operator: Actor) -> None:
    po = call(db, purchasing.create, operator, SUPPLIER, notes=INJECTION)
    other = call(db, purchasing.create, operator, SUPPLIER, notes="Lieferung für Ø6 — 東京")
    assert call(db, purchasing.get, po.number).notes == INJECTION
    assert call(db, purchasing.get, other.number).notes == "Lieferung für Ø6 — 東京"
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM products")).scalar() == 4


# --- listing ----------------------------------------------------------------------------------


def test_list_filters_by_status_and_supplier_and_pages_newest_first(db: Database, operator: Actor,
                                                                   manager: Actor) -> None:
    first = approved(db, operator, manager)
    second, third = draft(db, operator), draft(db, operator, {WASHER: 3})
    everything = call(db, purchasing.list_pos)
    assert [po.number for po in everything] == [third, second, first]
    assert (everything[0].line_count, everything[0].units_ordered, everything[0].total) == (1, 3, Decimal("0.15"))
    assert [po.number for po in call(db, purchasing.list_pos, status="Draft")] == [third, second]
    assert [po.number for po in call(db, purchasing.list_pos, supplier="acme", limit=2)] == [third, second]
    assert [po.number for po in call(db, purchasing.list_pos, after=second)] == [first]


# --- delivery location ------------------------------------------------------------------------


def test_a_draft_names_its_delivery_location_and_receipts_go_there_by_default(db: Database, operator: Actor,
                                                                               manager: Actor) -> None:
    po = call(db, purchasing.create, operator, SUPPLIER, location=DOCK.lower())
    assert call(db, purchasing.get, po.number).location == DOCK
    call(db, purchasing.edit, operator, po.number, location=SHELF)
    call(db, purchasing.add_line, operator, po.number, BOLT, 10)
    view = call(db, purchasing.get, po.number)
    assert view.location == SHELF and view.history[-1].note == f"deliver to {SHELF}"
    assert [(p.number, p.location) for p in call(db, purchasing.list_pos)] == [(po.number, SHELF)]
    call(db, purchasing.submit, operator, po.number)
    call(db, purchasing.approve, manager, po.number)
    receipt = call(db, purchasing.receive, operator, po.number, None, {BOLT: 4})
    assert (receipt.location, stock(db, BOLT, SHELF)) == (SHELF, 4)
    # naming another location still wins
    assert call(db, purchasing.receive, operator, po.number, DOCK).location == DOCK
    assert stock(db, BOLT, DOCK) == 6


def test_a_delivery_location_can_be_cleared_and_only_a_draft_can_change_it(db: Database, operator: Actor,
                                                                            manager: Actor) -> None:
    number = draft(db, operator)
    call(db, purchasing.edit, operator, number, location=DOCK, notes="Dock door 2")
    call(db, purchasing.edit, operator, number, location=None)
    view = call(db, purchasing.get, number)
    assert (view.location, view.notes, view.history[-1].note) == (None, "Dock door 2", "no delivery location")
    call(db, purchasing.submit, operator, number)
    other = approved(db, operator, manager)
    before = snapshot(db)
    with pytest.raises(InvalidTransition, match=f"{number} is submitted; it cannot be changed \\(only drafts can be\\)"):
        call(db, purchasing.edit, operator, number, location=DOCK)
    with pytest.raises(ValidationError, match=f"{other} names no delivery location; name the location"):
        call(db, purchasing.receive, manager, other, None)
    assert snapshot(db) == before


@pytest.mark.parametrize(("code", "error", "message"), [
    ("WH9", NotFound, "Unknown location 'WH9'"),
    ("wh9-closed", ValidationError, "Location WH9-CLOSED is inactive"),
])
def test_an_unknown_or_inactive_delivery_location_is_refused_and_changes_nothing(
        db: Database, operator: Actor, code: str, error: type, message: str) -> None:
    number = draft(db, operator)
    before = snapshot(db)
    with pytest.raises(error, match=message):
        call(db, purchasing.create, operator, SUPPLIER, location=code)
    with pytest.raises(error, match=message):
        call(db, purchasing.edit, operator, number, location=code)
    assert snapshot(db) == before


def test_a_po_whose_location_was_closed_asks_where_to_receive(db: Database, operator: Actor, manager: Actor) -> None:
    number = draft(db, operator)
    call(db, purchasing.edit, operator, number, location=DOCK)
    with db.session() as session:
        purchasing.submit(session, operator, number)
        purchasing.approve(session, manager, number)
        session.execute(text("UPDATE locations SET is_active = false WHERE code = :c"), {"c": DOCK})
        session.commit()
    before = snapshot(db)
    with pytest.raises(ValidationError, match=f"Location {DOCK} is inactive; name the location to receive into"):
        call(db, purchasing.receive, operator, number)
    assert snapshot(db) == before
    assert call(db, purchasing.receive, operator, number, SHELF).location == SHELF
