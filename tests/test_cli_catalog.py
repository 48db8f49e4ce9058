"""`invtui product|category|supplier|location|rule ...` as a stock controller types them.

The first test runs the real executable; the rest run the same `main` in this process (`cli`).
"""

from __future__ import annotations

import json
from decimal import Decimal

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import alert_rules, catalog

from stock_world import cli, snapshot  # noqa: F401 (cli is a fixture)
from test_cli import assert_one_line_error

UNICODE_NAME = "Schraube M6 Ø8 — 日本"


def test_a_manager_adds_and_changes_a_product_from_the_command_line(db: Database, manager: Actor, invtui) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        catalog.create_category(s, manager, "Fasteners")
        catalog.create_supplier(s, manager, "ACME", "Acme Ltd")
    added = invtui("--user", "manager", "product", "add", "schr-m6", UNICODE_NAME, "--barcode", "4006381333931",
                   "--category", "fasteners", "--supplier", "acme", "--price", "0.25", "--cost", "0.10",
                   "--min", "5", "--reorder", "10", "--max", "100")
    assert added.code == 0, added.stderr
    assert f"Added product SCHR-M6 ({UNICODE_NAME})." in added.stdout
    updated = invtui("--user", "manager", "product", "update", "SCHR-M6", "--max", "none", "--name", "Screw M6")
    assert updated.code == 0, updated.stderr
    shown = json.loads(invtui("product", "show", "4006381333931", "--json").stdout, parse_float=Decimal)
    assert (shown["sku"], shown["name"], shown["category"], shown["supplier"], shown["unit_price"],
            shown["reorder_point"], shown["max_stock_level"]) == ("SCHR-M6", "Screw M6", "Fasteners", "ACME",
                                                                  Decimal("0.25"), 10, None)


def test_categories_suppliers_and_locations_from_the_command_line(db: Database, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("supplier", "add", "acme", "Acme Ltd", "--lead-time", "5").code == 0
    assert cli("location", "add", "wh1-a-03", "--name", "Aisle A").code == 0
    assert cli("location", "deactivate", "WH1-A-03").code == 0
    locations = json.loads(cli("location", "list", "--json").stdout)["items"]
    assert locations == [{"code": "WH1-A-03", "name": "Aisle A", "active": False}]
    assert json.loads(cli("supplier", "show", "ACME", "--json").stdout)["lead_time_days"] == 5


def test_product_list_pages_with_a_cursor(db: Database, manager: Actor, cli) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        for n in range(3):
            catalog.create_product(s, manager, f"P-{n}", f"Product {n}")
    first = json.loads(cli("product", "list", "--limit", "2", "--json").stdout)
    assert [p["sku"] for p in first["items"]] == ["P-0", "P-1"] and first["next_cursor"] == "P-1"
    rest = json.loads(cli("product", "list", "--limit", "2", "--after", first["next_cursor"], "--json").stdout)
    assert [p["sku"] for p in rest["items"]] == ["P-2"] and rest["next_cursor"] is None
    table = cli("product", "list", "--limit", "2", "--search", "product")
    assert table.code == 0 and "More: --after P-1" in table.stdout


def test_alert_rules_from_the_command_line(db: Database, manager: Actor, cli) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        catalog.create_location(s, manager, "WH1-A-03")
        catalog.create_product(s, manager, "BOLT-M6", "Bolt")
        alert_rules.create_rule(s, manager, "BOLT-M6", 8)
    added = cli("rule", "add", "BOLT-M6", "3", "--location", "wh1-a-03")
    assert added.code == 0 and "Added rule #2: BOLT-M6 at WH1-A-03, threshold 3." in added.stdout
    assert cli("rule", "update", "2", "--threshold", "4").code == 0
    rules = json.loads(cli("rule", "list", "--json").stdout)["items"]
    assert [(r["id"], r["location"], r["threshold"], r["active"]) for r in rules] == [
        (1, None, 8, True), (2, "WH1-A-03", 4, True)]


def test_catalog_refusals_are_one_line_and_change_nothing(db: Database, manager: Actor, cli) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        catalog.create_product(s, manager, "BOLT-M6", "Bolt", barcode="123")
        catalog.create_location(s, manager, "WH1-A-03")
    before = snapshot(db)
    for args, message in [
        (("product", "add", "bolt-m6", "Again"), "A product with SKU BOLT-M6 already exists"),
        (("product", "add", "X-1", "x", "--barcode", "123"), "Barcode 123 already belongs to BOLT-M6"),
        (("product", "add", "X-1", "x", "--min", "5", "--reorder", "200", "--max", "100"),
         "Reorder point 200 must be between min level 5 and max level 100"),
        (("product", "add", "X-1", ""), "Product name is required"),
        (("product", "add", "'; DROP TABLE products; --", "x"), "may use only letters, digits"),
        (("product", "add", "X-1", "x", "--min", "-3"), "Min level must be a whole number from 0 to 1,000,000"),
        (("rule", "add", "BOLT-M6", "-1"), "Threshold must be a whole number from 0 to 1,000,000"),
        (("--user", "operator", "product", "add", "X-1", "x"), "Role operator cannot edit the catalog"),
        (("--user", "operator", "rule", "add", "BOLT-M6", "1"), "Role operator cannot edit alert rules"),
    ]:
        assert_one_line_error(cli(*args), message)
    assert snapshot(db) == before


def test_every_catalog_kind_goes_through_add_update_show_list_and_deactivate(db: Database, manager: Actor,  # type: ignore[no-untyped-def]
                                                                            cli) -> None:
    with db.session() as s:
        catalog.create_product(s, manager, "BOLT-M6", "Bolt M6")
    for kind, key, add, update, (field, value) in (
            ("category", "Fasteners", ["Fasteners", "--description", "nuts"], ["--description", "bolts"],
             ("description", "bolts")),
            ("supplier", "ACME", ["acme", "Acme Ltd"], ["--phone", "555-0100"], ("phone", "555-0100")),
            ("location", "WH1-B-01", ["wh1-b-01"], ["--name", "Aisle B"], ("name", "Aisle B"))):
        assert cli(kind, "add", *add).code == 0, kind
        assert cli(kind, "update", key, *update).code == 0, kind
        shown = json.loads(cli(kind, "show", key, "--json").stdout)
        listed = json.loads(cli(kind, "list", "--json").stdout)["items"]
        assert listed == [shown] and shown["active"] is True and shown[field] == value, kind
        done = cli(kind, "deactivate", key)
        assert done.code == 0 and "deactivated" in done.stdout, kind
        table = cli(kind, "list", "--inactive")
        assert table.code == 0 and "no" in table.stdout.split(), kind
    assert cli("rule", "add", "BOLT-M6", "12").code == 0
    (rule,) = json.loads(cli("rule", "list", "--json").stdout)["items"]
    assert json.loads(cli("rule", "show", str(rule["id"]), "--json").stdout) == rule
    assert "all" in cli("rule", "list").stdout.split()
    assert cli("rule", "deactivate", str(rule["id"])).code == 0
    assert json.loads(cli("rule", "show", str(rule["id"]), "--json").stdout)["active"] is False
    assert cli("product", "deactivate", "BOLT-M6").code == 0
    assert json.loads(cli("product", "show", "BOLT-M6", "--json").stdout)["active"] is False


def test_show_and_list_print_a_record_in_the_same_words_and_the_same_json(db: Database, manager: Actor,  # type: ignore[no-untyped-def]
                                                                          cli) -> None:
    with db.session() as s:
        catalog.create_product(s, manager, "BOLT-M6", "Bolt M6")
        catalog.create_location(s, manager, "WH1-A-03")
        rule = alert_rules.create_rule(s, manager, "BOLT-M6", 8)
    shown = json.loads(cli("product", "show", "BOLT-M6", "--json").stdout)
    (listed,) = json.loads(cli("product", "list", "--json").stdout)["items"]
    assert shown.pop("stock") == [] and shown == listed  # a list item is the record `show` gives
    for args in (("product", "show", "BOLT-M6"), ("product", "list"), ("location", "show", "WH1-A-03"),
                 ("location", "list"), ("rule", "show", str(rule.id)), ("rule", "list")):
        words = cli(*args).stdout.split()
        assert "yes" in words and "True" not in words, args  # active, in a table: yes / no
    for args in (("rule", "show", str(rule.id)), ("rule", "list")):
        assert "all" in cli(*args).stdout.split(), args  # a rule for every location says so in both
    assert json.loads(cli("rule", "show", str(rule.id), "--json").stdout)["location"] is None


def test_a_product_gets_a_default_location_from_the_command_line(db: Database, manager: Actor, cli) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        for code in ("WH1-A-03", "WH1-B-01", "WH9-SHUT"):
            catalog.create_location(s, manager, code)
        catalog.deactivate_location(s, manager, "WH9-SHUT")
    assert cli("product", "add", "BOLT-M6", "Bolt M6", "--default-location", "wh1-a-03").code == 0
    shown = json.loads(cli("product", "show", "BOLT-M6", "--json").stdout)
    assert shown["default_location"] == "WH1-A-03"
    assert "WH1-A-03" in cli("product", "show", "BOLT-M6").stdout
    assert cli("product", "update", "BOLT-M6", "--default-location", "WH1-B-01").code == 0
    listed = json.loads(cli("product", "list", "--json").stdout)["items"]
    assert [(p["sku"], p["default_location"]) for p in listed] == [("BOLT-M6", "WH1-B-01")]
    assert "WH1-B-01" in cli("product", "list").stdout
    before = snapshot(db)
    assert_one_line_error(cli("product", "update", "BOLT-M6", "--default-location", "NOWHERE"),
                          "Unknown location 'NOWHERE'")
    assert_one_line_error(cli("product", "update", "BOLT-M6", "--default-location", "WH9-SHUT"),
                          "Location WH9-SHUT is inactive")
    assert_one_line_error(cli("product", "add", "NUT-M6", "Nut", "--default-location", "NOWHERE"),
                          "Unknown location 'NOWHERE'")
    assert snapshot(db) == before
    assert cli("product", "update", "BOLT-M6", "--default-location", "none").code == 0
    assert json.loads(cli("product", "show", "BOLT-M6", "--json").stdout)["default_location"] is None
