"""What an alert rule does, as the catalog screen's rules tab shows it: the threshold it puts in
place of the one it replaces, the stock rows it decides and how many of those are low now."""

from __future__ import annotations

import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import alert_rules, catalog

from ui.world import build


@pytest.fixture
def warehouse(db: Database) -> Database:
    build(db)  # BOLT-M6: reorder point 10; 3 at WH1-A-01, 50 at WH1-A-02
    return db


def effects(db: Database, **query: object) -> list[alert_rules.RuleEffect]:
    with db.session() as s:
        return alert_rules.rule_effects(s, **query).items  # type: ignore[arg-type]


def test_a_rule_for_all_locations_replaces_the_reorder_point_on_every_row(warehouse: Database,
                                                                         manager: Actor) -> None:
    with warehouse.session() as s:
        alert_rules.create_rule(s, manager, "BOLT-M6", 15)
    [rule] = effects(warehouse)
    assert rule.effect == "15 instead of reorder point 10"
    assert (rule.location, rule.rows, rule.low) == (None, 2, 1)  # 3 units is low under 15, 50 is not


def test_a_location_rule_replaces_the_rule_for_all_locations_at_its_bin_only(warehouse: Database,
                                                                            manager: Actor) -> None:
    with warehouse.session() as s:
        alert_rules.create_rule(s, manager, "BOLT-M6", 15)
        alert_rules.create_rule(s, manager, "BOLT-M6", 60, location="WH1-A-02")
    everywhere, at_bin = effects(warehouse)
    assert at_bin.effect == "60 instead of product rule 15"
    assert (at_bin.location, at_bin.rows, at_bin.low) == ("WH1-A-02", 1, 1)
    assert (everywhere.rows, everywhere.low) == (1, 1)  # the bin with its own rule is no longer its


def test_an_inactive_rule_decides_no_rows(warehouse: Database, manager: Actor) -> None:
    with warehouse.session() as s:
        rule = alert_rules.create_rule(s, manager, "NUT-M6", 5)
        alert_rules.deactivate_rule(s, manager, rule.id)
    [shown] = effects(warehouse)
    assert (shown.is_active, shown.rows, shown.low) == (False, 0, 0)
    assert shown.effect == "5 instead of reorder point 20"


def test_rules_page_by_number_and_search_matches_sku_name_or_location(warehouse: Database,
                                                                       manager: Actor) -> None:
    with warehouse.session() as s:
        for sku in ("BOLT-M6", "NUT-M6", "TAPE-48"):
            alert_rules.create_rule(s, manager, sku, 7)
        alert_rules.create_rule(s, manager, "GLOVE-L", 9, location="WH1-B-01")
    with warehouse.session() as s:
        first = alert_rules.rule_effects(s, limit=2)
        rest = alert_rules.rule_effects(s, limit=2, after=first.next_cursor)
    assert [r.sku for r in first.items + rest.items] == ["BOLT-M6", "NUT-M6", "TAPE-48", "GLOVE-L"]
    assert rest.next_cursor is None
    assert [r.sku for r in effects(warehouse, search="tape")] == ["TAPE-48"]
    assert [r.sku for r in effects(warehouse, search="b-01")] == ["GLOVE-L"]
    assert effects(warehouse, search="'; DROP TABLE products; --") == []
