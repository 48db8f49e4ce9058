"""Bad input at scale: hypothesis throws random strings, numbers, ids and transitions at the services.

Whatever comes in, the only exceptions that escape are the project's own (InvtuiError, with a
sentence for the operator), and when one is raised nothing at all was written: every table's
content is fingerprinted before and after the call. Calls that happen to be valid may change
the world; the next example simply starts from there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.domain import validation
from invtui.errors import InvtuiError, ValidationError
from invtui.services import alert_rules, alerts, catalog, inventory, purchasing, users
from tests import po_world

# A few seconds per test in the suite; INVTUI_FUZZ_EXAMPLES=500 for a long hunt.
EXAMPLES = settings(max_examples=int(os.environ.get("INVTUI_FUZZ_EXAMPLES", "30")), deadline=None,
                    suppress_health_check=list(HealthCheck))

KNOWN = [po_world.BOLT, po_world.NUT, po_world.WASHER, "OLD-1", "bolt-m6", po_world.BOLT_BARCODE, po_world.DOCK,
         po_world.SHELF, "WH9-CLOSED", "ACME", "OLD", "PO-000001", "po-2", "3", "admin", "operator", "viewer"]
WEIRD = [po_world.INJECTION, "", "   ", "Ø6 ñ 🙂 — 東京", "x" * 5000, "\x00", "a\x00b", "\t\n", "NULL", "-1", "1e9",
         "0x10", "１２"]

codes = st.one_of(st.sampled_from(KNOWN + WEIRD), st.text(max_size=40))
texts = st.one_of(st.sampled_from(WEIRD), st.text(max_size=300))
numbers = st.one_of(
    st.integers(-3, 12), st.integers(-(10**20), 10**20), st.floats(), st.decimals(), st.booleans(), st.none(),
    st.sampled_from(["5", " 7 ", "2.5", "1,000", "-4", "ten", "", "1e3", "NaN", "inf"]), st.text(max_size=8),
)
ids = st.one_of(st.integers(-3, 10), st.integers(-(10**20), 10**20), st.sampled_from(["1", "#1", "", "x"]),
                st.none(), st.floats())
roles = st.sampled_from(["viewer", "operator", "manager", "admin", "ADMIN", " admin ", "root", "", po_world.INJECTION])


def fingerprint(db: Database) -> dict[str, str]:
    """An md5 of every table's rows: equal fingerprints mean nothing was written."""
    global _FINGERPRINT
    with db.connect() as conn:
        if _FINGERPRINT is None:
            tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
            _FINGERPRINT = "SELECT " + ", ".join(
                f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {t} t) AS {t}" for t in tables)
        cursor = conn.execute(_FINGERPRINT)
        row, names = cursor.fetchone(), [c.name for c in cursor.description or []]
        conn.rollback()
    return dict(zip(names, row, strict=True))


_FINGERPRINT: str | None = None  # one query over every table, built once


@pytest.fixture(scope="module")
def world(pg_server, template_db: str) -> Iterator[tuple[Database, dict[str, Actor]]]:  # type: ignore[no-untyped-def]
    """Stock, an open alert, POs in several states, users of every role."""
    with po_world.shared_database(pg_server, template_db, "badinput") as db:
        with db.session() as s:
            people = {name: users.actor_for(s, name) for name in ("viewer", "operator", "manager", "admin")}
        with db.session() as s:
            catalog.update_product(s, people["manager"], po_world.BOLT, reorder_point=10)
        for sku in (po_world.BOLT, po_world.NUT):
            with db.session() as s:
                inventory.receive(s, people["operator"], sku, po_world.DOCK, 20)
        with db.session() as s:
            inventory.issue(s, people["operator"], po_world.BOLT, po_world.DOCK, 15)  # low: an alert
        po_world.draft(db, people["operator"])
        po_world.approved(db, people["operator"], people["manager"])
        yield db, people


def check(world: tuple[Database, dict[str, Actor]], who: str, call: Callable[..., Any], *args: Any,
          **kwargs: Any) -> None:
    db, people = world
    before = fingerprint(db)
    try:
        with db.session() as session:
            call(session, people[who], *args, **kwargs)
    except InvtuiError as exc:
        assert exc.message.strip(), f"{type(exc).__name__} without a message"
        assert "\n" not in exc.message.strip(), exc.message
        assert fingerprint(db) == before, f"{call.__name__} refused ({exc.message}) but wrote something"


actors = st.sampled_from(["viewer", "operator", "manager", "admin"])


@EXAMPLES
@given(who=actors, kind=st.sampled_from(["receive", "issue", "reserve", "release"]), sku=codes, where=codes,
       qty=numbers, ref=texts)
def test_stock_movements_refuse_nonsense_and_write_nothing(world, who, kind, sku, where, qty, ref) -> None:  # type: ignore[no-untyped-def]
    check(world, who, getattr(inventory, kind), sku, where, qty, reference=ref)


@EXAMPLES
@given(who=actors, sku=codes, a=codes, b=codes, qty=numbers, counted=numbers, reason=texts)
def test_transfers_and_counts_refuse_nonsense_and_write_nothing(world, who, sku, a, b, qty, counted, reason) -> None:  # type: ignore[no-untyped-def]
    check(world, who, inventory.transfer, sku, a, b, qty)
    check(world, who, inventory.adjust, sku, a, counted, reason)


@EXAMPLES
@given(who=actors, sku=codes, name=texts, price=numbers, low=numbers, reorder=numbers, high=numbers, code=codes,
       barcode=st.one_of(st.none(), codes), threshold=numbers, rule=ids)
def test_catalog_edits_refuse_nonsense_and_write_nothing(world, who, sku, name, price, low, reorder, high, code,  # type: ignore[no-untyped-def]
                                                         barcode, threshold, rule) -> None:
    check(world, who, catalog.create_product, sku, name, barcode=barcode, unit_price=price, min_stock_level=low,
          reorder_point=reorder, max_stock_level=high, supplier=code)
    check(world, who, catalog.update_product, sku, name=name, cost_price=price, reorder_point=reorder)
    check(world, who, catalog.create_location, code, name)
    check(world, who, catalog.create_supplier, code, name, lead_time_days=low)
    check(world, who, catalog.create_category, name)
    check(world, who, alert_rules.create_rule, sku, threshold, code)
    check(world, who, alert_rules.update_rule, rule, threshold=threshold)


@EXAMPLES
@given(who=actors, po=st.one_of(codes, ids), sku=codes, qty=numbers, cost=numbers, where=codes, note=texts,
       step=st.sampled_from(["submit", "approve", "cancel"]), lines=st.one_of(st.none(), st.dictionaries(codes, numbers, max_size=3)))
def test_purchase_orders_refuse_nonsense_and_wrong_transitions_and_write_nothing(  # type: ignore[no-untyped-def]
        world, who, po, sku, qty, cost, where, note, step, lines) -> None:
    check(world, who, purchasing.create, sku, note)
    check(world, who, purchasing.add_line, po, sku, qty, cost)
    check(world, who, purchasing.remove_line, po, sku)
    check(world, who, getattr(purchasing, step), po)
    check(world, who, purchasing.receive, po, where, lines)


@EXAMPLES
@given(who=actors, alert=ids, note=texts, action=st.sampled_from(["acknowledge", "dismiss", "resolve"]),
       many=st.lists(ids, max_size=4))
def test_alert_actions_refuse_nonsense_and_wrong_transitions_and_write_nothing(world, who, alert, note, action, many) -> None:  # type: ignore[no-untyped-def]
    check(world, who, getattr(alerts, action), alert, note)
    check(world, who, alerts.act, action, many, note)


@EXAMPLES
# The world's own four users are left alone: an admin disabling "operator" here is a valid change, and
# it would make every later test of this module act as a disabled user.
@given(who=actors, name=codes.filter(lambda n: n.strip().lower() not in {"viewer", "operator", "manager", "admin"}),
       role=roles, password=texts, full=texts, active=st.booleans())
def test_user_changes_refuse_nonsense_and_write_nothing(world, who, name, role, password, full, active) -> None:  # type: ignore[no-untyped-def]
    # authenticate is left out on purpose: a wrong password is refused AND counted (lockout).
    check(world, who, users.create_user, name, role, password, full)
    check(world, who, users.set_role, name, role)
    check(world, who, users.set_password, name, password)
    check(world, who, users.set_active, name, active)


@pytest.mark.parametrize("odd", [float("nan"), float("inf"), Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")])
def test_nan_and_infinity_are_refused_as_quantities_with_the_usual_sentence(odd: object) -> None:
    with pytest.raises(ValidationError, match="Quantity must be a whole number from 1 to 1,000,000"):
        validation.quantity(odd)


def test_a_nul_byte_in_a_scanned_code_is_refused_as_invalid_input(world) -> None:  # type: ignore[no-untyped-def]
    db, people = world
    before = fingerprint(db)
    with db.session() as session, pytest.raises(ValidationError, match="NUL"):
        inventory.receive(session, people["operator"], "BOLT\x00M6", po_world.DOCK, 1)
    assert fingerprint(db) == before
