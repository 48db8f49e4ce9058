"""CSV export and import as a stock controller uses them: round trips, refusals that change nothing."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import NotFound, PermissionDenied, ValidationError
from invtui.services import catalog, csv_export, csv_import, integrity, inventory, purchasing, users
from invtui.services.csv_import import ImportRefused

from conftest import Server
from stock_world import A, B, BOLT, BOLT_BARCODE, CLOSED, NUT, OLD, build, level, snapshot

PRODUCT_HEADER = ("sku,name,description,barcode,category,supplier,unit_price,cost_price,min_stock_level,"
                  "reorder_point,max_stock_level,active")
EXPORT_HEADER = PRODUCT_HEADER + ",default_location"  # every column; an import may leave the last out
UNICODE_NAME = "Schraube M6 Ø8 — 日本"
INJECTION = "'; DROP TABLE products; --"


def stock_up(db: Database, operator: Actor) -> None:
    """Bolts at two bins (5 reserved at A; B below its reorder point, so LOW) and a few nuts."""
    with db.session() as s:
        inventory.receive(s, operator, BOLT, A, 40)
        inventory.receive(s, operator, BOLT, B, 8)
        inventory.reserve(s, operator, BOLT, A, 5)
        inventory.receive(s, operator, NUT, A, 3)


@pytest.fixture(scope="module")
def shared(pg_server: Server, template_db: str) -> Iterator[Database]:
    """One warehouse for every test that only reads or is refused (cloning a database costs seconds).

    stock_world's catalog, stock_up's stock and a draft PO of 10 bolts and 4 nuts.
    """
    from psycopg import sql

    name = f"invtui_transfer_{os.getpid()}"
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template_db)))
    db = Database(pg_server.url_for(name))  # type: ignore[operator]
    try:
        build(db, role(db, "manager"))
        stock_up(db, role(db, "operator"))
        with db.session() as s:
            po = purchasing.create(s, role(db, "operator"), "ACME")
        for sku, qty, cost in ((BOLT, 10, "0.20"), (NUT, 4, "0.05")):
            with db.session() as s:
                purchasing.add_line(s, role(db, "operator"), po.number, sku, qty, cost)
        yield db
    finally:
        db.dispose()
        with pg_server.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def role(db: Database, name: str) -> Actor:
    with db.session() as s:
        return users.actor_for(s, name)


@pytest.fixture(scope="module")
def people(shared: Database) -> dict[str, Actor]:
    """The shared warehouse's users by role name."""
    return {name: role(shared, name) for name in ("viewer", "operator", "manager", "admin")}


@pytest.fixture
def world(db: Database, manager: Actor, operator: Actor) -> Database:
    """The same warehouse in this test's own database, for tests that write."""
    build(db, manager)
    stock_up(db, operator)
    return db


def export(db: Database, actor: Actor, kind: str) -> str:
    out = io.BytesIO()
    with db.session() as s:
        csv_export.export_csv(s, actor, kind, out)
    return out.getvalue().decode("utf-8")


def load(db: Database, actor: Actor, kind: str, content: str, *, dry_run: bool = False,
         source: str = "file.csv") -> csv_import.ImportReport:
    with db.session() as s:
        return csv_import.import_csv(s, actor, kind, io.BytesIO(content.encode("utf-8")), source=source,
                                   dry_run=dry_run)


def refusal(db: Database, actor: Actor, kind: str, content: str, **kwargs: object) -> list[str]:
    """The listed errors of a refused import, after proving it wrote nothing."""
    before = snapshot(db)
    with pytest.raises(ImportRefused) as refused:
        load(db, actor, kind, content, **kwargs)  # type: ignore[arg-type]
    assert snapshot(db) == before
    assert "nothing was imported" in refused.value.message
    return [str(error) for error in refused.value.report.errors]


def rows(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content)))


def setup_reference_data(db: Database, manager: Actor) -> None:
    """What a products file names must exist first: categories, suppliers, locations."""
    with db.session() as s:
        catalog.create_category(s, manager, "Fasteners")
        catalog.create_supplier(s, manager, "ACME", "Acme Ltd")
        for code in (A, B, CLOSED):
            catalog.create_location(s, manager, code, f"Bin {code}")


# --- export (shared warehouse, read only) --------------------------------------------------


def test_a_products_export_has_a_header_and_one_row_per_product_in_sku_order(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    content = export(shared, people["viewer"], "products")
    assert content.splitlines()[0] == EXPORT_HEADER
    exported = rows(content)
    assert [r["sku"] for r in exported] == [BOLT, NUT, OLD]
    bolt = exported[0]
    assert (bolt["barcode"], bolt["category"], bolt["supplier"], bolt["unit_price"], bolt["reorder_point"],
            bolt["active"]) == (BOLT_BARCODE, "Fasteners", "ACME", "0.25", "10", "true")
    assert exported[2]["active"] == "false" and exported[1]["reorder_point"] == ""


def test_an_inventory_export_shows_on_hand_reserved_available_and_status(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    exported = rows(export(shared, people["viewer"], "inventory"))
    assert [(r["sku"], r["location"], r["quantity"], r["reserved"], r["available"], r["threshold"], r["status"])
            for r in exported] == [(BOLT, A, "40", "5", "35", "10", "OK"), (BOLT, B, "8", "0", "8", "10", "LOW_STOCK"),
                                   (NUT, A, "3", "0", "3", "0", "OK")]


def test_a_movements_export_lists_the_ledger_with_who_did_it(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    exported = rows(export(shared, people["viewer"], "movements"))
    assert [(r["sku"], r["location"], r["kind"], r["quantity_delta"], r["reserved_delta"], r["user"])
            for r in exported] == [(BOLT, A, "receive", "40", "0", "operator"), (BOLT, B, "receive", "8", "0", "operator"),
                                   (BOLT, A, "reserve", "0", "5", "operator"), (NUT, A, "receive", "3", "0", "operator")]
    assert exported[0]["created_at"].endswith("Z")


def test_an_alerts_export_lists_the_low_bolts(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    exported = rows(export(shared, people["viewer"], "alerts"))
    assert [(r["sku"], r["location"], r["type"], r["status"], r["current_quantity"], r["threshold"])
            for r in exported] == [(BOLT, B, "LOW_STOCK", "ACTIVE", "8", "10")]


def test_a_pos_export_has_one_row_per_line(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    exported = rows(export(shared, people["viewer"], "pos"))
    assert [(r["number"], r["supplier"], r["status"], r["sku"], r["quantity_ordered"], r["outstanding"],
             r["line_total"], r["created_by"]) for r in exported] == [
        ("PO-000001", "ACME", "draft", BOLT, "10", "10", "2.00", "operator"),
        ("PO-000001", "ACME", "draft", NUT, "4", "4", "0.20", "operator")]
    assert [r["location"] for r in exported] == ["", ""]  # the shared PO names no delivery location


def test_a_pos_export_says_where_each_po_delivers(db: Database, manager: Actor, operator: Actor,
                                                    viewer: Actor) -> None:
    build(db, manager)
    with db.session() as s:
        to_b = purchasing.create(s, operator, "ACME", location=B.lower())
        purchasing.add_line(s, operator, to_b.number, BOLT, 5)
        purchasing.create(s, operator, "ACME")
    exported = rows(export(db, viewer, "pos"))
    assert [(r["number"], r["sku"], r["location"]) for r in exported] == [
        ("PO-000001", BOLT, B), ("PO-000002", "", "")]
    assert list(exported[0])[-1] == "location"  # added last: the columns before it keep their places


def test_an_unknown_export_is_refused_with_the_choices(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="choose one of products, inventory, movements, alerts, pos"):
        export(shared, people["viewer"], "users")


def test_export_to_a_path_writes_the_whole_file_or_none(shared: Database, people, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "products.csv"
    with shared.session() as s:
        assert csv_export.export_to_path(s, people["viewer"], "products", target) == 3
    assert target.read_text().splitlines()[0] == EXPORT_HEADER
    with shared.session() as s, pytest.raises(ValidationError, match="Cannot write"):
        csv_export.export_to_path(s, people["viewer"], "products", tmp_path / "missing-dir" / "x.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["products.csv"]


# --- refusals (shared warehouse: each proves nothing changed) -------------------------------


def test_a_bad_products_file_is_refused_with_every_bad_row_listed_and_nothing_written(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    content = "\n".join([
        PRODUCT_HEADER,
        "GOOD-1,Good one,,,,,1.00,0.50,0,,,true",                    # row 2: fine
        "GOOD-2,Price in words,,,,,abc,0.50,0,,,true",               # row 3: text in a number column
        "GOOD-1,Same SKU again,,,,,1.00,0.50,0,,,true",              # row 4: duplicate in the file
        f"{BOLT},Clash,,,,,1.00,0.50,0,,,true",                      # row 5: already in the database
        "GOOD-5,Unknown category,,,Screws,,1.00,0.50,0,,,true",      # row 6
        "GOOD-6,Unknown supplier,,,,NOBODY,1.00,0.50,0,,,true",      # row 7
        "GOOD-7,Out of order,,,,,1.00,0.50,10,5,,true",              # row 8: reorder point below min
        "GOOD-8,Negative min,,,,,1.00,0.50,-1,,,true",               # row 9
        f"GOOD-9,Barcode taken,,{BOLT_BARCODE},,,1.00,0.50,0,,,true",  # row 10
        f"{INJECTION},Bad SKU,,,,,1.00,0.50,0,,,true",               # row 11
        "GOOD-11,,,,,,1.00,0.50,0,,,true",                           # row 12: empty name
        "GOOD-12," + "x" * 300 + ",,,,,1.00,0.50,0,,,true",          # row 13: name too long
        "GOOD-13,Too few fields",                                    # row 14
        "GOOD-14,Huge price,,,,,1e30,0.50,0,,,maybe",                # row 15: two errors
    ]) + "\n"
    errors = refusal(shared, people["manager"], "products", content)
    assert [e.split(":")[0] for e in errors] == [f"Row {n}" for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15)]
    text_ = "\n".join(errors)
    for expected in ("Row 3: unit_price 'abc': Price must be an amount", "Row 4: SKU GOOD-1 is also on row 2",
                     f"Row 5: A product with SKU {BOLT} already exists", "Row 6: Unknown category 'Screws'",
                     "Row 7: Unknown supplier 'NOBODY'", "Row 8: Reorder point 5 must be at least min level 10",
                     "Row 9: min_stock_level '-1': Min level must be a whole number from 0",
                     f"Row 10: Barcode {BOLT_BARCODE} already belongs to {BOLT}", "Row 11: sku",
                     "Row 12: name '': Product name is required", "Row 13: name 'xxx", "is too long",
                     "Row 14: Has 2 fields; the header has 12", "Row 15: active 'maybe': Active must be true or false"):
        assert expected in text_


def test_a_wrong_header_is_refused_naming_the_columns(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    errors = refusal(shared, people["manager"], "products", "sku,title,colour,sku\nX-1,Thing,red,X-1\n")
    assert errors[0] == "Row 1: Unknown column 'title'; a products file has columns " + EXPORT_HEADER.replace(",", ", ")
    assert "Row 1: Unknown column 'colour'" in errors[1] and errors[2] == "Row 1: Column 'sku' appears twice"
    assert errors[3].startswith("Row 1: Column 'name' is missing")
    assert len(errors) == 4  # the rows cannot be read without a name column, so none is listed


def test_an_unknown_column_beside_the_right_ones_is_listed_with_the_bad_rows(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    errors = refusal(shared, people["operator"], "inventory", f"sku,location,quantity,bin_colour\n{BOLT},{A},x,red\n")
    assert errors == ["Row 1: Unknown column 'bin_colour'; an inventory file has columns sku, location, quantity, "
                      "unit_cost, name, reserved, available, threshold, status",
                      "Row 2: quantity 'x': Counted quantity must be a whole number from 0 to 1,000,000"]


def test_an_empty_file_is_refused(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    assert refusal(shared, people["manager"], "products", "")[0].startswith("Row 1: The file is empty")


def test_a_file_that_is_not_utf8_is_refused(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(shared)
    with shared.session() as s, pytest.raises(ImportRefused, match="nothing was imported") as refused:
        csv_import.import_csv(s, people["manager"], "products", io.BytesIO("sku,name\nX-1,Caf\xe9\n".encode("latin-1")),
                            source="latin1.csv")
    assert "not UTF-8" in str(refused.value.report.errors[0])
    assert snapshot(shared) == before


def test_a_bad_inventory_file_is_refused_with_every_bad_row_listed_and_nothing_written(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    content = "\n".join([
        "sku,location,quantity",
        f"{BOLT},{A},50",          # row 2: fine
        f"{BOLT},{B},ten",         # row 3: text in a number column
        f"{BOLT},{B},-4",          # row 4: negative
        f"{BOLT},{B},2.5",         # row 5: fractional
        f"{BOLT},{B},99999999",    # row 6: huge
        f"NOPE-1,{A},1",           # row 7: unknown SKU
        f"{NUT},WH7-Z-99,1",       # row 8: unknown location
        f"{BOLT},{A},51",          # row 9: same item as row 2
        f"{OLD},{A},1",            # row 10: inactive product
        f"{NUT},{CLOSED},1",       # row 11: inactive location
        "",                        # row 12: blank, skipped
        f"{BOLT},{A},1",           # row 13: below the 5 reserved (and a duplicate)
        f"{INJECTION},{A},1",      # row 14
    ]) + "\n"
    errors = refusal(shared, people["operator"], "inventory", content)
    text_ = "\n".join(errors)
    for expected in ("Row 3: quantity 'ten': Counted quantity must be a whole number from 0 to 1,000,000",
                     "Row 4: quantity '-4'", "Row 5: quantity '2.5'", "Row 6: quantity '99999999'",
                     "Row 7: Unknown SKU 'NOPE-1'", "Row 8: Unknown location 'WH7-Z-99'",
                     f"Row 9: {BOLT} at {A} is also on row 2", f"Row 10: Product {OLD} is inactive",
                     f"Row 11: Location {CLOSED} is inactive",
                     f"Row 13: Cannot count 1 of {BOLT} at {A}: 5 are reserved; release them first",
                     "Row 14: Unknown SKU"):
        assert expected in text_
    assert "Row 2:" not in text_ and "Row 12:" not in text_


def test_a_dry_run_checks_everything_and_writes_nothing(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(shared)
    report = load(shared, people["operator"], "inventory", f"sku,location,quantity\n{BOLT},{A},30\n{NUT},{B},7\n",
                  dry_run=True)
    assert report.dry_run and not report.written and report.rows == 2
    assert "Dry run: all 2 rows" in report.summary()
    assert load(shared, people["manager"], "products", "sku,name\nNEW-1,New\n", dry_run=True).rows == 1
    assert snapshot(shared) == before
    assert refusal(shared, people["operator"], "inventory", "sku,location,quantity\nNOPE,WH1-A-03,1\n",
                   dry_run=True) == ["Row 2: Unknown SKU 'NOPE'"]


def test_a_spreadsheet_saved_file_with_a_byte_order_mark_and_crlf_is_read(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    with shared.session() as s:
        report = csv_import.import_csv(s, people["manager"], "products",
                                     io.BytesIO(b"\xef\xbb\xbfsku,name\r\nNEW-1,New\r\n"), source="excel.csv",
                                     dry_run=True)
    assert report.rows == 1 and not report.errors


def test_an_operator_cannot_import_products_and_a_viewer_cannot_import_counts(shared: Database, people) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(shared)
    with pytest.raises(PermissionDenied, match="Role operator cannot edit the catalog"):
        load(shared, people["operator"], "products", "sku,name\nNEW-1,New\n")
    with pytest.raises(PermissionDenied, match="Role viewer cannot move stock"):
        load(shared, people["viewer"], "inventory", f"sku,location,quantity\n{BOLT},{A},1\n")
    assert snapshot(shared) == before


def test_importing_a_missing_file_or_an_unknown_kind_is_refused(shared: Database, people, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with shared.session() as s, pytest.raises(NotFound, match="No file"):
        csv_import.import_from_path(s, people["manager"], "products", tmp_path / "nope.csv")
    with shared.session() as s, pytest.raises(ValidationError, match="choose one of products, inventory"):
        csv_import.import_from_path(s, people["manager"], "movements", tmp_path / "nope.csv")


# --- imports that write (a database of their own) -------------------------------------------


def test_products_exported_then_imported_into_an_empty_database_give_the_same_catalog(
        shared: Database, people, db: Database, manager: Actor) -> None:  # type: ignore[no-untyped-def]
    content = export(shared, people["viewer"], "products")
    setup_reference_data(db, manager)
    report = load(db, manager, "products", content)
    assert report.created == 3 and report.written and report.summary() == "Imported 3 products from file.csv"
    with shared.session() as s1, db.session() as s2:
        source = [{**vars(p), "id": None} for p in catalog.list_products(s1, limit=10).items]
        target = [{**vars(p), "id": None} for p in catalog.list_products(s2, limit=10).items]
    assert target == source
    assert export(db, manager, "products") == content


def test_inventory_exported_then_imported_gives_the_same_quantities_and_a_clean_ledger(
        shared: Database, people, db: Database, manager: Actor, operator: Actor) -> None:  # type: ignore[no-untyped-def]
    setup_reference_data(db, manager)
    load(db, manager, "products", export(shared, people["viewer"], "products"))
    report = load(db, operator, "inventory", export(shared, people["viewer"], "inventory"), source="count.csv")
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert [(r["sku"], r["location"], r["quantity"], r["unit_cost"], r["status"])
            for r in rows(export(db, operator, "inventory"))] == [
        (r["sku"], r["location"], r["quantity"], r["unit_cost"], r["status"])
        for r in rows(export(shared, people["viewer"], "inventory"))]
    assert integrity.check(db).clean
    moves = rows(export(db, operator, "movements"))
    assert {(m["kind"], m["reason"], m["user"]) for m in moves} == {("adjust", "CSV import count.csv", "operator")}


def test_importing_counts_adjusts_only_what_differs_and_keeps_the_ledger_clean(world: Database, operator: Actor) -> None:
    content = f"sku,location,quantity\n{BOLT},{A},30\n{BOLT.lower()},{B.lower()},8\n{NUT},{B},7\n{NUT},{A},0\n"
    report = load(world, operator, "inventory", content, source="count.csv")
    assert (report.rows, report.created, report.updated, report.unchanged) == (4, 1, 2, 1)
    assert report.summary() == "Counted 4 rows from count.csv: 1 new, 2 changed, 1 unchanged"
    assert [level(world, *item) for item in ((BOLT, A), (BOLT, B), (NUT, B), (NUT, A))] == [
        (30, 5), (8, 0), (7, 0), (0, 0)]
    assert integrity.check(world).clean
    with world.session() as s:
        ledger = s.execute(text("SELECT kind, quantity_delta, reason FROM stock_movements WHERE reason LIKE 'CSV%' "
                                "ORDER BY id")).all()
    assert sorted(ledger) == [("adjust", -10, "CSV import count.csv"), ("adjust", -3, "CSV import count.csv"),
                              ("adjust", 7, "CSV import count.csv")]


def test_a_counted_zero_raises_the_out_of_stock_alert_in_the_same_import(world: Database, operator: Actor,
                                                                        viewer: Actor) -> None:
    load(world, operator, "inventory", f"sku,location,quantity\n{BOLT},{B},0\n")
    alerts = rows(export(world, viewer, "alerts"))
    assert [(a["sku"], a["location"], a["type"], a["status"]) for a in alerts] == [(BOLT, B, "OUT_OF_STOCK", "ACTIVE")]


def test_products_in_any_column_order_with_unicode_and_sql_looking_text_are_stored_as_typed(
        db: Database, manager: Actor) -> None:
    setup_reference_data(db, manager)
    content = ('name,sku,category,supplier,unit_price\n'
               f'"{UNICODE_NAME}",schr-m6,fasteners,Acme Ltd,1.50\n'
               f'"{INJECTION}",drop-1,,,\n')
    report = load(db, manager, "products", content)
    assert report.created == 2
    with db.session() as s:
        schr, drop = catalog.get_product(s, "SCHR-M6"), catalog.get_product(s, "DROP-1")
    assert (schr.name, schr.category, schr.supplier, str(schr.unit_price)) == (UNICODE_NAME, "Fasteners", "ACME", "1.50")
    assert drop.name == INJECTION and drop.min_stock_level == 0 and drop.is_active


def test_a_products_default_location_goes_out_and_comes_back_by_code(db: Database, manager: Actor,
                                                                      viewer: Actor) -> None:
    build(db, manager)
    with db.session() as s:
        catalog.update_product(s, manager, BOLT, default_location=A.lower())
    exported = {r["sku"]: r["default_location"] for r in rows(export(db, viewer, "products"))}
    assert exported == {BOLT: A, NUT: "", OLD: ""}
    header = "sku,name,default_location\n"
    errors = refusal(db, manager, "products", header + f"NEW-1,Fine,{A}\nNEW-2,Nowhere,NOWHERE\nNEW-3,Shut,{CLOSED}\n")
    assert errors == ["Row 3: Unknown location 'NOWHERE'", f"Row 4: Location {CLOSED} is inactive"]
    assert load(db, manager, "products", header + f"NEW-1,Fine,{B.lower()}\nNEW-2,None,\n").created == 2
    with db.session() as s:
        assert (catalog.get_product(s, "NEW-1").default_location, catalog.get_product(s, "NEW-2").default_location) \
            == (B, None)


def test_import_from_a_path_names_the_file_in_the_ledger_and_reports_progress(
        world: Database, operator: Actor, tmp_path: Path) -> None:
    path = tmp_path / "cycle-count.csv"
    path.write_text("sku,location,quantity\n" + f"{BOLT},{B},13\n")
    seen: list[str] = []
    with world.session() as s:
        csv_import.import_from_path(s, operator, "inventory", path, progress=lambda phase, done, total: seen.append(phase))
    assert seen == ["read", "check", "write"]
    with world.session() as s:
        reason = s.execute(text("SELECT reason FROM stock_movements ORDER BY id DESC LIMIT 1")).scalar()
    assert reason == "CSV import cycle-count.csv"


def test_an_import_that_loses_a_race_for_a_new_stock_row_writes_nothing(world: Database, operator: Actor) -> None:
    """Someone creates NUT at B while the import is writing it: the import is refused whole."""
    import threading

    from invtui.errors import ConflictError

    content = f"sku,location,quantity\n{BOLT},{A},30\n{NUT},{B},7\n"
    other = world.connect()
    other.execute("INSERT INTO inventory (product_id, location_id, quantity) SELECT p.id, l.id, 2 FROM products p, "
                  "locations l WHERE p.sku = %s AND l.code = %s", (NUT, B))
    outcome: list[BaseException] = []

    def run_import() -> None:
        try:
            load(world, operator, "inventory", content)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    importer = threading.Thread(target=run_import)
    importer.start()
    with world.connect(autocommit=True) as watcher:  # wait until the import waits on the other writer's row
        for _ in range(200):
            if watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND wait_event_type = 'Lock'").fetchone()[0]:  # type: ignore[index]
                break
            importer.join(0.05)
    other.commit()
    other.close()
    importer.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], ConflictError)
    assert "Someone else created the same stock row at the same moment" in str(outcome[0])
    assert level(world, BOLT, A) == (40, 5) and level(world, NUT, B) == (2, 0)
