"""The catalog as a stock controller keeps it: products, categories, suppliers, locations, rules."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest
from sqlalchemy import text

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from invtui.services import alert_rules, catalog, inventory

from stock_world import A, B, BOLT, BOLT_BARCODE, NUT, OLD, build, snapshot

UNICODE_NAME = "Schraube M6 Ø8 — 日本"
SQL_TEXT = "'; DROP TABLE products; --"


@pytest.fixture
def world(db: Database, manager: Actor) -> Database:
    build(db, manager)
    return db


# --- products -----------------------------------------------------------------------------


def test_a_product_is_created_with_its_category_supplier_and_thresholds(world: Database) -> None:
    with world.session() as s:
        p = catalog.get_product(s, BOLT_BARCODE)
    assert (p.sku, p.name, p.category, p.supplier) == (BOLT, "Bolt M6", "Fasteners", "ACME")
    assert (p.unit_price, p.min_stock_level, p.reorder_point, p.max_stock_level) == (Decimal("0.25"), 5, 10, 100)


def test_unicode_and_sql_like_names_are_stored_exactly(world: Database, manager: Actor) -> None:
    with world.session() as s:
        catalog.create_product(s, manager, "SCHR-M6", UNICODE_NAME)
        catalog.create_product(s, manager, "ODD-1", SQL_TEXT)
        catalog.create_category(s, manager, SQL_TEXT)
    with world.session() as s:
        assert catalog.get_product(s, "schr-m6").name == UNICODE_NAME
        assert catalog.get_product(s, "ODD-1").name == SQL_TEXT
        assert catalog.list_products(s, search="日本").items[0].sku == "SCHR-M6"
        assert s.execute(text("SELECT count(*) FROM products")).scalar_one() == 5


def test_unicode_named_product_can_be_received_and_shown(world: Database, manager: Actor, operator: Actor) -> None:
    with world.session() as s:
        catalog.create_product(s, manager, "SCHR-M6", UNICODE_NAME)
        change = inventory.receive(s, operator, "SCHR-M6", A, 3)
    assert (change.name, change.quantity) == (UNICODE_NAME, 3)


def test_duplicate_sku_and_barcode_are_refused_with_a_clear_message(world: Database, manager: Actor) -> None:
    before = snapshot(world)
    with world.session() as s, pytest.raises(ConflictError, match=f"^A product with SKU {BOLT} already exists$"):
        catalog.create_product(s, manager, BOLT.lower(), "Another bolt")
    with world.session() as s, pytest.raises(ConflictError, match=f"^Barcode {BOLT_BARCODE} already belongs to {BOLT}$"):
        catalog.create_product(s, manager, "BOLT-M7", "Bolt M7", barcode=BOLT_BARCODE)
    with world.session() as s, pytest.raises(ConflictError, match=f"already belongs to {BOLT}"):
        catalog.update_product(s, manager, NUT, barcode=BOLT_BARCODE)
    assert snapshot(world) == before


def test_thresholds_must_be_ordered(world: Database, manager: Actor) -> None:
    before = snapshot(world)
    with world.session() as s, pytest.raises(
            ValidationError, match="^Reorder point 200 must be between min level 5 and max level 100$"):
        catalog.create_product(s, manager, "X-1", "x", min_stock_level=5, reorder_point=200, max_stock_level=100)
    with world.session() as s, pytest.raises(ValidationError, match="^Reorder point 3 must be at least min level 5$"):
        catalog.create_product(s, manager, "X-1", "x", min_stock_level=5, reorder_point=3)
    with world.session() as s, pytest.raises(ValidationError, match="^Max level 4 must be at least min level 5$"):
        catalog.create_product(s, manager, "X-1", "x", min_stock_level=5, max_stock_level=4)
    with world.session() as s, pytest.raises(ValidationError, match="Reorder point 101 must be between min level 5"):
        catalog.update_product(s, manager, BOLT, reorder_point=101)
    assert snapshot(world) == before


def test_update_changes_only_the_named_fields_and_none_clears(world: Database, manager: Actor) -> None:
    with world.session() as s:
        p = catalog.update_product(s, manager, BOLT, name="Bolt M6 zinc", unit_price="0.30", max_stock_level=None,
                                   category=None)
    assert (p.name, p.unit_price, p.max_stock_level, p.category) == ("Bolt M6 zinc", Decimal("0.30"), None, None)
    assert (p.reorder_point, p.barcode, p.supplier) == (10, BOLT_BARCODE, "ACME")


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": ""}, "^Product name is required$"),
    ({"name": "x" * 256}, r"^Product name is too long \(256 characters; at most 255\)$"),
    ({"unit_price": "-1"}, "^Price must be an amount from 0"),
    ({"unit_price": "abc"}, "^Price must be an amount from 0"),
    ({"cost_price": "0.001"}, "^Cost must be an amount"),
    ({"min_stock_level": "-1"}, "^Min level must be a whole number from 0 to 1,000,000$"),
    ({"reorder_point": "1.5"}, "^Reorder point must be a whole number"),
    ({"category": "Nope"}, "^Unknown category 'Nope'$"),
    ({"supplier": "NOPE"}, "^Unknown supplier 'NOPE'$"),
    ({"barcode": SQL_TEXT}, "^Barcode .* may use only letters, digits"),
    ({"lead_time_days": "3651"}, "^Lead time \\(days\\) must be a whole number from 0 to 3,650$"),
    ({"pack_size": "0"}, "^Pack size must be a whole number from 1 to 1,000,000$"),
])
def test_bad_product_fields_are_refused_and_nothing_changes(world: Database, manager: Actor, fields: dict,
                                                           message: str) -> None:
    before = snapshot(world)
    with world.session() as s, pytest.raises((ValidationError, NotFound), match=message):
        catalog.create_product(s, manager, **{"sku": "NEW-1", "name": "New", **fields})
    with world.session() as s, pytest.raises((ValidationError, NotFound), match=message):
        catalog.update_product(s, manager, BOLT, **fields)
    assert snapshot(world) == before


def test_a_product_gets_its_own_lead_time_and_pack_size_and_can_go_back_to_its_suppliers(
        world: Database, manager: Actor) -> None:
    with world.session() as s:
        made = catalog.create_product(s, manager, "NEW-1", "New", supplier="ACME", lead_time_days="21", pack_size=12)
        assert (made.lead_time_days, made.pack_size) == (21, 12)
        kept = catalog.update_product(s, manager, "NEW-1", name="Renamed")
        assert (kept.lead_time_days, kept.pack_size) == (21, 12)  # fields not named are left alone
        cleared = catalog.update_product(s, manager, "NEW-1", lead_time_days=None, pack_size="")
        assert (cleared.lead_time_days, cleared.pack_size) == (None, None)  # the supplier's lead time again


def test_bad_skus_are_refused(world: Database, manager: Actor) -> None:
    before = snapshot(world)
    for sku, message in [("", "^SKU is required$"), ("S" * 101, "^SKU is too long"),
                         (SQL_TEXT, "may use only letters, digits"), ("A B", "may use only letters, digits")]:
        with world.session() as s, pytest.raises(ValidationError, match=message):
            catalog.create_product(s, manager, sku, "x")
    with world.session() as s, pytest.raises(NotFound, match="^Unknown SKU 'BOLT-M7'$"):
        catalog.update_product(s, manager, "BOLT-M7", name="x")
    assert snapshot(world) == before


def test_deactivated_product_keeps_its_stock_and_history_but_cannot_move(world: Database, manager: Actor,
                                                                          operator: Actor) -> None:
    with world.session() as s:
        inventory.receive(s, operator, NUT, A, 4)
        catalog.deactivate_product(s, manager, NUT)
        assert inventory.stock_for(s, NUT).quantity == 4
    with world.session() as s, pytest.raises(ConflictError, match=f"^Product {NUT} is inactive$"):
        inventory.issue(s, operator, NUT, A, 1)
    with world.session() as s, pytest.raises(ConflictError, match=f"^Product {NUT} is already inactive$"):
        catalog.deactivate_product(s, manager, NUT)
    with world.session() as s:
        catalog.update_product(s, manager, NUT, active=True)
        assert inventory.issue(s, operator, NUT, A, 1).quantity == 3


def test_product_list_filters_by_search_active_category_and_supplier(world: Database) -> None:
    with world.session() as s:
        assert [p.sku for p in catalog.list_products(s).items] == [BOLT, NUT, OLD]
        assert [p.sku for p in catalog.list_products(s, search="nut").items] == [NUT]
        assert [p.sku for p in catalog.list_products(s, search=BOLT_BARCODE).items] == [BOLT]
        assert [p.sku for p in catalog.list_products(s, active=False).items] == [OLD]
        assert [p.sku for p in catalog.list_products(s, category="fasteners").items] == [BOLT]
        assert [p.sku for p in catalog.list_products(s, supplier="acme").items] == [BOLT]
        assert catalog.list_products(s, search="%").items == []  # wildcards are plain characters


def test_product_pages_continue_after_the_cursor_until_the_last(world: Database, manager: Actor) -> None:
    with world.session() as s:
        for n in range(7):
            catalog.create_product(s, manager, f"PAGE-{n:02d}", f"Paged {n}")
    seen, cursor, pages = [], None, 0
    with world.session() as s:
        while True:
            page = catalog.list_products(s, search="PAGE-", limit=3, after=cursor)
            seen += [p.sku for p in page.items]
            pages += 1
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert seen == [f"PAGE-{n:02d}" for n in range(7)] and pages == 3


def test_keyset_paging_reads_a_deep_page_straight_from_the_sku_index(world: Database) -> None:
    """Page 400 costs what page 1 costs: the plan starts at the cursor in the index, no OFFSET, no sort."""
    with world.session() as s:
        s.execute(text("INSERT INTO products (sku, name) SELECT 'DEEP-' || lpad(n::text, 6, '0'), 'Deep ' || n "
                       "FROM generate_series(1, 20000) AS n"))
        s.execute(text("ANALYZE products"))
        s.commit()
        page = catalog.list_products(s, limit=50, after="DEEP-019950")
        plan = "\n".join(r[0] for r in s.execute(text(
            "EXPLAIN SELECT * FROM products WHERE sku > 'DEEP-019950' ORDER BY sku LIMIT 51")))
    assert [p.sku for p in page.items][:2] == ["DEEP-019951", "DEEP-019952"] and len(page.items) == 50
    assert "Index Scan using products_sku_key" in plan and "Sort" not in plan


@pytest.mark.parametrize("limit", [0, -5, "x", 1001])
def test_bad_page_sizes_are_refused(world: Database, limit: object) -> None:
    with world.session() as s, pytest.raises(ValidationError, match="^Limit must be a whole number from 1 to 1,000$"):
        catalog.list_products(s, limit=limit)


# --- categories, suppliers, locations -------------------------------------------------------


def test_duplicate_codes_and_names_are_refused_in_any_case(world: Database, manager: Actor) -> None:
    before = snapshot(world)
    with world.session() as s, pytest.raises(ConflictError, match="^A category named 'fasteners' already exists$"):
        catalog.create_category(s, manager, "fasteners")
    with world.session() as s, pytest.raises(ConflictError, match="^A supplier with code ACME already exists$"):
        catalog.create_supplier(s, manager, "acme", "Acme again")
    with world.session() as s, pytest.raises(ConflictError, match=f"^A location with code {A} already exists$"):
        catalog.create_location(s, manager, A.lower())
    assert snapshot(world) == before


def test_categories_suppliers_and_locations_update_and_deactivate(world: Database, manager: Actor) -> None:
    with world.session() as s:
        assert catalog.update_category(s, manager, "fasteners", new_name="Fixings").name == "Fixings"
        assert catalog.update_supplier(s, manager, "acme", lead_time_days="3", email="a@acme.test").lead_time_days == 3
        assert catalog.update_location(s, manager, A, name="Aisle A, shelf 3").name == "Aisle A, shelf 3"
        assert not catalog.deactivate_category(s, manager, "Fixings").is_active
        assert not catalog.deactivate_supplier(s, manager, "ACME").is_active
        assert not catalog.deactivate_location(s, manager, B).is_active
        assert [loc.code for loc in catalog.list_locations(s, active=True).items] == [A]
        assert [c.name for c in catalog.list_categories(s, active=False).items] == ["Fixings"]
        assert [x.code for x in catalog.list_suppliers(s, search="acme").items] == ["ACME"]


def test_the_catalog_hands_out_frozen_views_that_outlive_their_session(world: Database, manager: Actor) -> None:
    """What a screen or the CLI gets is a plain frozen record: it reads the same once the session is
    closed, and changing it changes nothing stored (only a service call does)."""
    with world.session() as s:
        got = [catalog.get_product(s, BOLT), catalog.get_category(s, "FASTENERS"), catalog.get_supplier(s, "acme"),
               catalog.get_location(s, A.lower()), catalog.create_category(s, manager, "Tools"),
               catalog.update_supplier(s, manager, "ACME", phone="555"), catalog.deactivate_location(s, manager, B),
               *catalog.list_categories(s).items, *catalog.list_suppliers(s).items, *catalog.list_locations(s).items,
               *catalog.list_products(s).items]
    assert [type(v).__name__ for v in got[:7]] == ["ProductView", "CategoryView", "SupplierView", "LocationView",
                                                   "CategoryView", "SupplierView", "LocationView"]
    for view in got:
        assert dataclasses.is_dataclass(view) and not hasattr(view, "_sa_instance_state")
        with pytest.raises(dataclasses.FrozenInstanceError):
            view.name = "changed"  # type: ignore[misc]
    assert (got[1].name, got[3].code, got[5].phone, got[6].is_active) == ("Fasteners", A, "555", False)
    assert got[2].phone == ""  # read before the update: a view is what was read, not a live row


def test_bad_category_supplier_and_location_input_is_refused(world: Database, manager: Actor) -> None:
    before = snapshot(world)
    cases = [
        (lambda s: catalog.create_category(s, manager, "  "), ValidationError, "^Category name is required$"),
        (lambda s: catalog.create_category(s, manager, "c" * 101), ValidationError, "^Category name is too long"),
        (lambda s: catalog.create_supplier(s, manager, "NEW", ""), ValidationError, "^Supplier name is required$"),
        (lambda s: catalog.create_supplier(s, manager, SQL_TEXT, "x"), ValidationError, "may use only letters"),
        (lambda s: catalog.create_supplier(s, manager, "NEW", "x", lead_time_days="-1"), ValidationError,
         "^Lead time"),
        (lambda s: catalog.create_location(s, manager, ""), ValidationError, "^Location code is required$"),
        (lambda s: catalog.create_location(s, manager, "L" * 33), ValidationError, "^Location code is too long"),
        (lambda s: catalog.update_location(s, manager, "WH9", name="x"), NotFound, "^Unknown location 'WH9'$"),
        (lambda s: catalog.update_category(s, manager, "Nope", new_name="x"), NotFound, "^Unknown category 'Nope'$"),
        (lambda s: catalog.update_supplier(s, manager, "NOPE", name="x"), NotFound, "^Unknown supplier 'NOPE'$"),
    ]
    for call, error, message in cases:
        with world.session() as s, pytest.raises(error, match=message):
            call(s)
    assert snapshot(world) == before


def test_locations_page_by_code(world: Database, manager: Actor) -> None:
    with world.session() as s:
        first = catalog.list_locations(s, limit=2)
        rest = catalog.list_locations(s, limit=2, after=first.next_cursor)
    assert [loc.code for loc in first.items + rest.items] == sorted([A, B, "WH9-X-99"])
    assert rest.next_cursor is None


# --- alert rules ----------------------------------------------------------------------------


def test_rules_for_one_location_and_for_all_are_separate_scopes(world: Database, manager: Actor) -> None:
    with world.session() as s:
        here = alert_rules.create_rule(s, manager, BOLT, 3, A)
        everywhere = alert_rules.create_rule(s, manager, BOLT_BARCODE, "7")
        listed = alert_rules.list_rules(s, sku=BOLT).items
    assert (here.location, here.threshold, everywhere.location, everywhere.threshold) == (A, 3, None, 7)
    assert [r.id for r in listed] == [here.id, everywhere.id]


def test_a_second_rule_for_the_same_scope_is_refused(world: Database, manager: Actor) -> None:
    with world.session() as s:
        rule = alert_rules.create_rule(s, manager, BOLT, 3, A)
    before = snapshot(world)
    with world.session() as s, pytest.raises(
            ConflictError, match=rf"^A rule for {BOLT} at {A} already exists \(#{rule.id}\); update it instead$"):
        alert_rules.create_rule(s, manager, BOLT, 4, A.lower())
    assert snapshot(world) == before


def test_a_deactivated_rule_comes_back_when_added_again(world: Database, manager: Actor) -> None:
    with world.session() as s:
        rule = alert_rules.create_rule(s, manager, BOLT, 3)
        alert_rules.deactivate_rule(s, manager, rule.id)
        again = alert_rules.create_rule(s, manager, BOLT, 8)
    assert (again.id, again.threshold, again.is_active) == (rule.id, 8, True)


def test_rule_threshold_updates_and_bad_input_is_refused(world: Database, manager: Actor) -> None:
    with world.session() as s:
        rule = alert_rules.create_rule(s, manager, BOLT, 3, A)
        assert alert_rules.update_rule(s, manager, f"#{rule.id}", threshold="5").threshold == 5
    before = snapshot(world)
    for call, error, message in [
        (lambda s: alert_rules.create_rule(s, manager, BOLT, -1), ValidationError,
         "^Threshold must be a whole number from 0 to 1,000,000$"),
        (lambda s: alert_rules.create_rule(s, manager, BOLT, "x"), ValidationError, "^Threshold must be"),
        (lambda s: alert_rules.create_rule(s, manager, "BOLT-M7", 1), NotFound, "^Unknown SKU 'BOLT-M7'$"),
        (lambda s: alert_rules.create_rule(s, manager, BOLT, 1, "WH9"), NotFound, "^Unknown location 'WH9'$"),
        (lambda s: alert_rules.update_rule(s, manager, 999, threshold=1), NotFound, "^Unknown rule #999$"),
        (lambda s: alert_rules.update_rule(s, manager, "abc", threshold=1), ValidationError, "^Rule number must be"),
    ]:
        with world.session() as s, pytest.raises(error, match=message):
            call(s)
    assert snapshot(world) == before


# --- events and roles -----------------------------------------------------------------------


def test_catalog_changes_announce_catalog_changed(world: Database, manager: Actor) -> None:
    conn = world.connect(autocommit=True)
    conn.execute("LISTEN invtui_events")
    with world.session() as s:
        catalog.update_product(s, manager, BOLT, name="Bolt M6 A2")
    events = [json.loads(n.payload) for n in conn.notifies(timeout=0.5)]
    conn.close()
    mine = [e for e in events if e["kind"] == "catalog.changed"]
    assert [(e["entity"], e["action"], e["sku"], e["user_id"]) for e in mine] == [
        ("product", "updated", BOLT, manager.id)]


CATALOG_EDITS = {
    "create product": lambda s, a: catalog.create_product(s, a, "R-1", "r"),
    "update product": lambda s, a: catalog.update_product(s, a, BOLT, name="r"),
    "deactivate product": lambda s, a: catalog.deactivate_product(s, a, BOLT),
    "create category": lambda s, a: catalog.create_category(s, a, "R"),
    "update category": lambda s, a: catalog.update_category(s, a, "Fasteners", description="r"),
    "deactivate category": lambda s, a: catalog.deactivate_category(s, a, "Fasteners"),
    "create supplier": lambda s, a: catalog.create_supplier(s, a, "R", "r"),
    "update supplier": lambda s, a: catalog.update_supplier(s, a, "ACME", name="r2"),
    "deactivate supplier": lambda s, a: catalog.deactivate_supplier(s, a, "ACME"),
    "create location": lambda s, a: catalog.create_location(s, a, "R"),
    "update location": lambda s, a: catalog.update_location(s, a, A, name="r"),
    "deactivate location": lambda s, a: catalog.deactivate_location(s, a, A),
}
RULE_EDITS = {
    "create rule": lambda s, a: alert_rules.create_rule(s, a, BOLT, 1),
    "update rule": lambda s, a: alert_rules.update_rule(s, a, 1, threshold=2),
    "deactivate rule": lambda s, a: alert_rules.deactivate_rule(s, a, 1),
}


def test_viewers_and_operators_may_not_edit_the_catalog_or_rules(world: Database, manager: Actor,
                                                                 operator: Actor, viewer: Actor) -> None:
    with world.session() as s:
        alert_rules.create_rule(s, manager, NUT, 1)
    before = snapshot(world)
    for actor in (viewer, operator):
        for name, call in CATALOG_EDITS.items():
            with world.session() as s, pytest.raises(PermissionDenied, match=f"^Role {actor.role.value} cannot edit the catalog$"):
                call(s, actor)
        for name, call in RULE_EDITS.items():
            with world.session() as s, pytest.raises(PermissionDenied, match=f"^Role {actor.role.value} cannot edit alert rules$"):
                call(s, actor)
    assert snapshot(world) == before


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_may_edit_the_catalog_and_rules(world: Database, actors: dict, role: str) -> None:
    from invtui.domain.roles import Role

    actor = actors[Role(role)]
    with world.session() as s:
        alert_rules.create_rule(s, actor, NUT, 1)  # rule #1 for the rule edits below
    for name, call in {**CATALOG_EDITS, **RULE_EDITS}.items():
        if name == "create rule":
            continue
        with world.session() as s:
            call(s, actor)


def test_everyone_may_read_the_catalog(world: Database) -> None:
    with world.session() as s:
        assert catalog.get_product(s, BOLT).sku == BOLT
        assert catalog.get_category(s, "FASTENERS").name == "Fasteners"
        assert catalog.get_supplier(s, "acme").code == "ACME"
        assert catalog.get_location(s, A.lower()).code == A
        assert alert_rules.list_rules(s).items == []
