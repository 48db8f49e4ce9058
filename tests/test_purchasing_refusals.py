"""Bad input to the purchasing service: each refusal has its message and changes no row.

All cases share one database (each makes its own fresh PO and compares every table before and
after), because cloning a database per case costs more than the cases themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import InvtuiError, NotFound, ValidationError
from invtui.services import purchasing, users

from conftest import Server
from po_world import BOLT, DOCK, INJECTION, SUPPLIER, WASHER, approved, draft, shared_database, snapshot


@dataclass(frozen=True)
class Shared:
    db: Database
    operator: Actor
    manager: Actor


@pytest.fixture(scope="module")
def shared(pg_server: Server, template_db: str) -> Iterator[Shared]:
    with shared_database(pg_server, template_db, "po_refusals") as db:
        with db.session() as session:
            yield Shared(db, users.actor_for(session, "operator"), users.actor_for(session, "manager"))


def call(db: Database, fn: Callable, *args, **kwargs):  # type: ignore[no-untyped-def, type-arg]
    with db.session() as session:
        return fn(session, *args, **kwargs)


BAD_QUANTITIES = [0, -1, "-5", 1.5, "2.5", "abc", "", 1_000_001, "1e3", None, True]


def test_bad_quantities_are_refused_and_change_nothing(shared: Shared) -> None:
    db, operator, manager = shared.db, shared.operator, shared.manager
    number = approved(db, operator, manager)
    other = draft(db, operator)
    before = snapshot(db)
    for qty in BAD_QUANTITIES:
        with pytest.raises(ValidationError, match="^Quantity must be a whole number from 1 to 1,000,000$"):
            call(db, purchasing.add_line, operator, other, WASHER, qty)
        with pytest.raises(ValidationError, match="^Quantity of BOLT-M6 must be a whole number from 1 to 1,000,000$"):
            call(db, purchasing.receive, operator, number, DOCK, {BOLT: qty})
    assert snapshot(db) == before


@pytest.mark.parametrize(("attempt", "error", "message"), [
    (lambda s, a, n: purchasing.add_line(s, a, "PO-999999", BOLT, 1), NotFound, "Unknown purchase order PO-999999"),
    (lambda s, a, n: purchasing.submit(s, a, "PO-77"), NotFound, "Unknown purchase order PO-000077"),
    (lambda s, a, n: purchasing.add_line(s, a, "last one", BOLT, 1), ValidationError, "'last one' is not a PO number"),
    (lambda s, a, n: purchasing.add_line(s, a, INJECTION, BOLT, 1), ValidationError, "is not a PO number"),
    (lambda s, a, n: purchasing.create(s, a, "NOPE"), NotFound, "Unknown supplier 'NOPE'"),
    (lambda s, a, n: purchasing.create(s, a, INJECTION), NotFound, "Unknown supplier"),
    (lambda s, a, n: purchasing.create(s, a, ""), ValidationError, "A supplier code is required"),
    (lambda s, a, n: purchasing.add_line(s, a, n, "BOLT-M7", 1), NotFound, "Unknown SKU 'BOLT-M7'"),
    (lambda s, a, n: purchasing.add_line(s, a, n, INJECTION, 1), NotFound, "Unknown SKU"),
    (lambda s, a, n: purchasing.add_line(s, a, n, "", 1), ValidationError, "A SKU or barcode is required"),
    (lambda s, a, n: purchasing.add_line(s, a, n, BOLT, 1, unit_cost="-1"), ValidationError, "Unit cost must be"),
    (lambda s, a, n: purchasing.add_line(s, a, n, BOLT, 1, unit_cost="0.001"), ValidationError, "Unit cost must be"),
    (lambda s, a, n: purchasing.add_line(s, a, n, BOLT, 1, unit_cost="cheap"), ValidationError, "Unit cost must be"),
    (lambda s, a, n: purchasing.create(s, a, SUPPLIER, notes="x" * 2001), ValidationError, "Notes is too long"),
    (lambda s, a, n: purchasing.list_pos(s, status="lost"), ValidationError, "Unknown PO status 'lost'"),
    (lambda s, a, n: purchasing.list_pos(s, supplier="NOPE"), NotFound, "Unknown supplier 'NOPE'"),
    (lambda s, a, n: purchasing.list_pos(s, limit=0), ValidationError, "Limit must be a whole number from 1 to 1,000"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_bad_input_gets_its_message_and_changes_nothing(shared: Shared, attempt: Callable,  # type: ignore[type-arg]
                                                        error: type, message: str) -> None:
    db, operator = shared.db, shared.operator
    number = draft(db, operator)
    before = snapshot(db)
    with db.session() as session, pytest.raises(error, match=message.replace("(", r"\(")):
        attempt(session, operator, number)
    assert snapshot(db) == before


def test_receiving_into_an_unknown_location_changes_nothing(shared: Shared) -> None:
    db, operator, manager = shared.db, shared.operator, shared.manager
    number = approved(db, operator, manager)
    before = snapshot(db)
    for code, message in (("WH9", "Unknown location 'WH9'"), (INJECTION, "Unknown location"),
                          ("", "names no delivery location; name the location to receive into")):
        with pytest.raises(InvtuiError, match=message):
            call(db, purchasing.receive, operator, number, code)
    with pytest.raises(ValidationError, match="Name at least one line"):
        call(db, purchasing.receive, operator, number, DOCK, {})
    assert snapshot(db) == before


def test_a_control_character_in_a_receipt_line_sku_is_refused_in_one_line() -> None:
    """Found by the fuzzer: a SKU with a newline used to split the refusal over two lines."""
    from invtui.services.po_receiving import _wanted

    with pytest.raises(ValidationError, match="^SKU contains control characters$"):
        _wanted({"0\n0": 0})
