"""`invtui po ...` as an operator types it: the CLI's entry point, real database, one-line errors.

The first test drives a whole PO through the real executable; the rest run the same entry point in
the test's process (`cli_in_process`: a process start costs 0.5-1 s and nothing there is about the
process). Most tests build their PO through the service and run only the command they are about.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import integrity, purchasing, users

from conftest import CliResult, Server, run_invtui_in_process
from po_world import BOLT, DOCK, INJECTION, NUT, SHELF, approved, build, draft, shared_database, snapshot, stock

OPERATOR = {"INVTUI_USER": "operator"}
MANAGER = {"INVTUI_USER": "manager"}
VIEWER = {"INVTUI_USER": "viewer"}


@pytest.fixture
def world(db: Database) -> None:
    build(db)


@pytest.fixture
def draft_po(db: Database, operator: Actor, world: None) -> str:
    """PO-000001: 10 bolts at the product's cost (0.25) and 5 nuts at 0.12, still a draft."""
    number = draft(db, operator, {BOLT: 10})
    with db.session() as session:
        purchasing.add_line(session, operator, number, NUT, 5, unit_cost="0.12")
    return number


@pytest.fixture
def approved_po(db: Database, operator: Actor, manager: Actor, world: None) -> str:
    return approved(db, operator, manager)


def assert_one_line_error(result, fragment: str) -> None:  # type: ignore[no-untyped-def]
    """Refused as the house rules say: non-zero exit, one line on stderr, no traceback."""
    assert result.code != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def ok(result):  # type: ignore[no-untyped-def]
    assert result.code == 0, result.stderr
    return result


def test_operator_drafts_submits_and_manager_approves_then_goods_arrive_in_two_receipts(invtui, db, world) -> None:  # type: ignore[no-untyped-def]
    assert "Created PO-000001 (draft)." in ok(invtui("po", "create", "--supplier", "ACME", env=OPERATOR)).stdout
    ok(invtui("po", "add-line", "PO-000001", BOLT, "10", env=OPERATOR))
    added = ok(invtui("po", "add-line", "1", NUT, "5", "--cost", "0.12", env=OPERATOR))
    assert "NUT-M6: 5 ordered at 0.12 each." in added.stdout
    assert "PO-000001 submitted for approval." in ok(invtui("po", "submit", "po-1", env=OPERATOR)).stdout
    assert "PO-000001 approved." in ok(invtui("po", "approve", "PO-000001", env=MANAGER)).stdout
    part = ok(invtui("po", "receive", "1", "--location", DOCK, "--line", f"{BOLT}=4", env=OPERATOR))
    assert f"Received 4 {BOLT} into {DOCK}; PO-000001 is now partially received." in part.stdout
    rest = ok(invtui("po", "receive", "1", "--location", DOCK, env=OPERATOR))
    assert "Received 6 BOLT-M6, 5 NUT-M6 into WH1-A-03; PO-000001 is now received." in rest.stdout
    assert (stock(db, BOLT, DOCK), stock(db, NUT, DOCK)) == (10, 5)
    assert integrity.check(db).clean


@pytest.mark.cli_in_process
def test_po_show_json_has_lines_with_outstanding_and_history(invtui, db, operator, approved_po) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        purchasing.receive(session, operator, approved_po, DOCK, {BOLT: 3})
    data = json.loads(ok(invtui("po", "show", approved_po, "--json")).stdout, parse_float=Decimal)
    assert (data["number"], data["status"], data["supplier"], data["approved_by"]) == \
        (approved_po, "partially_received", "ACME", "manager")
    assert [(ln["sku"], ln["ordered"], ln["received"], ln["outstanding"], ln["unit_cost"]) for ln in data["lines"]] == \
        [(BOLT, 10, 3, 7, Decimal("0.25")), (NUT, 5, 0, 5, Decimal("0.10"))]
    assert str(data["total"]) == "3.00"  # money as a JSON number with its exact cents, never a rounded float
    assert [h["to"] for h in data["history"]] == ["draft", "submitted", "approved", "partially_received"]


@pytest.mark.cli_in_process
def test_po_show_prints_a_readable_table(invtui, draft_po) -> None:  # type: ignore[no-untyped-def]
    out = ok(invtui("po", "show", draft_po)).stdout
    assert "PO-000001  draft  ACME (Acme Tools)  total 3.10" in out
    assert "Bolt M6" in out and "History" in out


@pytest.mark.cli_in_process
def test_po_list_filters_by_status_and_supplier(invtui, db, manager, draft_po) -> None:  # type: ignore[no-untyped-def]
    cancelled = draft(db, manager, {})
    with db.session() as session:
        purchasing.cancel(session, manager, cancelled, reason="duplicate")
    rows = json.loads(ok(invtui("po", "list", "--json")).stdout, parse_float=Decimal)
    assert [(r["number"], r["status"], r["lines"], str(r["total"])) for r in rows] == \
        [("PO-000002", "cancelled", 0, "0.00"), ("PO-000001", "draft", 2, "3.10")]
    drafts = json.loads(ok(invtui("po", "list", "--status", "draft", "--supplier", "acme", "--json")).stdout)
    assert [r["number"] for r in drafts] == ["PO-000001"]


@pytest.mark.cli_in_process
def test_a_po_delivers_to_a_location_set_on_the_draft_and_is_received_there(invtui, db, operator, manager,  # type: ignore[no-untyped-def]
                                                                             world) -> None:
    created = ok(invtui("po", "create", "--supplier", "ACME", "--location", DOCK.lower(), env=OPERATOR))
    assert f"Created PO-000001 (draft, delivers to {DOCK})." in created.stdout
    assert json.loads(ok(invtui("po", "show", "PO-000001", "--json")).stdout)["location"] == DOCK
    assert f"delivers to {DOCK}" in ok(invtui("po", "show", "1")).stdout
    assert f"PO-000001: delivers to {SHELF}." in ok(invtui("po", "edit", "1", "--location", SHELF, env=OPERATOR)).stdout
    listed = json.loads(ok(invtui("po", "list", "--json")).stdout)
    assert [(r["number"], r["location"]) for r in listed] == [("PO-000001", SHELF)]
    assert SHELF in ok(invtui("po", "list")).stdout
    with db.session() as session:
        purchasing.add_line(session, operator, "PO-000001", BOLT, 6)
        purchasing.submit(session, operator, "PO-000001")
        purchasing.approve(session, manager, "PO-000001")
    received = ok(invtui("po", "receive", "1", env=OPERATOR))  # no --location: the PO's
    assert f"Received 6 {BOLT} into {SHELF}" in received.stdout
    assert stock(db, BOLT, SHELF) == 6
    cleared = ok(invtui("po", "create", "--supplier", "ACME", env=OPERATOR))
    assert "Created PO-000002 (draft)." in cleared.stdout
    assert json.loads(ok(invtui("po", "show", "2", "--json")).stdout)["location"] is None


def test_po_draft_from_alerts_drafts_a_po_per_location_delivering_there(invtui, db, world) -> None:  # type: ignore[no-untyped-def]
    with db.connect() as conn:  # bolts low at the dock (3 of reorder point 10) and out on the shelf
        conn.execute("UPDATE products SET reorder_point = 10, max_stock_level = 40 WHERE sku = %s", (BOLT,))
        conn.execute("INSERT INTO inventory (product_id, location_id, quantity) SELECT p.id, l.id, q.qty"
                     " FROM products p, locations l, (VALUES (%s, 3), (%s, 0)) q(code, qty)"
                     " WHERE p.sku = %s AND l.code = q.code", (DOCK, SHELF, BOLT))
        conn.commit()
    out = ok(invtui("po", "draft-from-alerts", env=OPERATOR)).stdout
    assert f"Drafted PO-000001: ACME, delivers to {DOCK}, 1 line(s)." in out
    assert f"Drafted PO-000002: ACME, delivers to {SHELF}, 1 line(s)." in out
    shown = json.loads(ok(invtui("po", "show", "2", "--json")).stdout)
    assert (shown["location"], shown["notes"]) == (SHELF, f"Drafted from stock alerts at {SHELF}")
    assert [(ln["sku"], ln["ordered"], ln["why"]) for ln in shown["lines"]] == [
        (BOLT, 40, "why 40: max level 40 − 0 projected")]
    again = json.loads(ok(invtui("po", "draft-from-alerts", "--json", env=OPERATOR)).stdout)
    assert again == []  # both rows are on order now
    assert_one_line_error(invtui("po", "draft-from-alerts", env=VIEWER), "Role viewer cannot draft purchase orders")


# --- refusals: one shared database, one draft and one approved PO; nothing may change -------


@dataclass(frozen=True)
class Refusals:
    """A database shared by the refusal tests, with a draft and an approved PO in it."""

    db: Database
    draft: str
    submitted: str
    approved: str
    env: dict[str, str]

    def run(self, *args: str, user: str = "admin") -> CliResult:
        return run_invtui_in_process(list(args), {**self.env, "INVTUI_USER": user})


@pytest.fixture(scope="module")
def refusals(pg_server: Server, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Refusals]:
    with shared_database(pg_server, template_db, "cli_po") as db:
        with db.session() as session:
            operator, manager = users.actor_for(session, "operator"), users.actor_for(session, "manager")
        submitted = draft(db, operator)
        with db.session() as session:
            purchasing.submit(session, operator, submitted)
        home = tmp_path_factory.mktemp("cli_po")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INVTUI_", "DATABASE_URL"))}
        env.update(INVTUI_DATABASE_URL=db.url.render_as_string(hide_password=False), INVTUI_BCRYPT_ROUNDS="4",
                   XDG_STATE_HOME=str(home / "state"), XDG_CONFIG_HOME=str(home / "config"),
                   XDG_DATA_HOME=str(home / "data"), COLUMNS="200")
        yield Refusals(db, draft(db, operator), submitted, approved(db, operator, manager), env)


def refused(refusals: Refusals, args: list[str], message: str, user: str = "admin") -> None:
    before = snapshot(refusals.db)
    assert_one_line_error(refusals.run(*args, user=user), message)
    assert snapshot(refusals.db) == before


def test_operator_cannot_approve_and_viewer_cannot_cancel(refusals: Refusals) -> None:
    submitted = refusals.submitted
    refused(refusals, ["po", "approve", submitted], "Role operator cannot approve purchase orders", user="operator")
    refused(refusals, ["po", "cancel", submitted], "Role viewer cannot cancel purchase orders", user="viewer")


def test_refused_transition_names_the_current_state(refusals: Refusals) -> None:
    refused(refusals, ["po", "approve", refusals.draft], f"{refusals.draft} is draft; it cannot be approved",
            user="manager")


@pytest.mark.parametrize("qty", ["-3", "1.5", "abc"])
def test_bad_quantity_is_one_line_and_changes_nothing(refusals: Refusals, qty: str) -> None:
    # "--": "-3" is a value, not an option
    refused(refusals, ["po", "add-line", refusals.draft, BOLT, "--", qty],
            "Quantity must be a whole number from 1 to 1,000,000")


@pytest.mark.parametrize(("args", "message"), [
    (["po", "show", "PO-999999"], "Unknown purchase order PO-999999"),
    (["po", "submit", "yesterday's"], "is not a PO number"),
    (["po", "create", "--supplier", INJECTION], "Unknown supplier"),
    (["po", "add-line", "{draft}", INJECTION, "1"], "Unknown SKU"),
    (["po", "add-line", "{draft}", BOLT, "1", "--cost", "free"], "Unit cost must be an amount"),
    (["po", "list", "--status", "lost"], "Unknown PO status 'lost'"),
    (["po", "receive", "{approved}", "--location", "WH9"], "Unknown location 'WH9'"),
    (["po", "receive", "{approved}"], "{approved} names no delivery location; name the location to receive into"),
    (["po", "create", "--supplier", "ACME", "--location", "WH9"], "Unknown location 'WH9'"),
    (["po", "create", "--supplier", "ACME", "--location", "wh9-closed"], "Location WH9-CLOSED is inactive"),
    (["po", "edit", "{draft}", "--location", "WH9"], "Unknown location 'WH9'"),
    (["po", "edit", "{draft}", "--location", "WH9-CLOSED"], "Location WH9-CLOSED is inactive"),
    (["po", "edit", "{draft}"], "Nothing to change; give --location or --notes"),
    (["po", "edit", "{approved}", "--location", DOCK], "{approved} is approved; it cannot be changed (only drafts can be)"),
])
def test_bad_input_is_one_line_and_changes_nothing(refusals: Refusals, args: list[str], message: str) -> None:
    args = [a.format(draft=refusals.draft, approved=refusals.approved) for a in args]
    refused(refusals, args, message.format(draft=refusals.draft, approved=refusals.approved))


@pytest.mark.parametrize(("options", "message"), [
    (["--line", "BOLT-M6"], "--line must look like SKU=QTY (got 'BOLT-M6')"),
    (["--line", "BOLT-M6=4x"], "Quantity of BOLT-M6 must be a whole number"),
    (["--line", "BOLT-M6=11"], "Cannot receive 11 of BOLT-M6 on {po}: only 10 outstanding"),
    (["--line", "WASHER-M6=1"], "WASHER-M6 is not on {po}"),
    (["--line", "BOLT-M6=1", "--line", "BOLT-M6=2"], "BOLT-M6 is named twice in this receipt"),
])
def test_bad_receipt_lines_are_refused_and_book_nothing(refusals: Refusals, options: list[str], message: str) -> None:
    refused(refusals, ["po", "receive", refusals.approved, "--location", DOCK, *options],
            message.format(po=refusals.approved))
