"""The schema's own guards from sql/0005: names unique in any case, a ledger TRUNCATE cannot
erase, a bounded sweep history; and an upgrade that does not stop on old case duplicates."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from invtui import paths
from invtui.config import load_settings
from invtui.db import migrations
from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError
from invtui.services import catalog
from invtui.services.sweep import run_full_sweep
from stock_world import A, build


def _sql(db: Database, query: str, params: object = None) -> list[tuple]:
    with psycopg.connect(db.conninfo) as conn:
        cur = conn.execute(query, params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def test_a_supplier_name_differing_only_in_case_is_refused_in_one_sentence(db: Database, manager: Actor) -> None:
    build(db, manager)  # supplier ACME "Acme Ltd"
    with db.session() as s, pytest.raises(ConflictError) as refused:
        catalog.create_supplier(s, manager, "ACME2", "ACME LTD")
    assert refused.value.message == "A supplier with that name already exists (names are matched in any case)"
    with db.session() as s:
        catalog.create_supplier(s, manager, "BETA", "Beta GmbH")
        with pytest.raises(ConflictError, match="A supplier with that name already exists"):
            catalog.update_supplier(s, manager, "BETA", name="acme ltd")
    assert _sql(db, "SELECT code, name FROM suppliers ORDER BY id") == [("ACME", "Acme Ltd"), ("BETA", "Beta GmbH")]


def test_the_cli_refuses_a_case_variant_supplier_name_with_one_line(db: Database, manager: Actor, invtui) -> None:  # type: ignore[no-untyped-def]
    build(db, manager)
    result = invtui("--user", "manager", "supplier", "add", "ACME2", "acme ltd")
    assert result.code != 0
    assert result.stderr.strip() == "invtui: A supplier with that name already exists (names are matched in any case)"
    assert _sql(db, "SELECT count(*) FROM suppliers") == [(1,)]


@pytest.mark.parametrize(("query", "message"), [
    ("INSERT INTO categories (name) VALUES ('FASTENERS')", "uq_categories_name_ci"),
    ("INSERT INTO suppliers (code, name) VALUES ('acme', 'Other')", "uq_suppliers_code_ci"),
    ("INSERT INTO locations (code) VALUES (lower(%s))", "uq_locations_code_ci"),
])
def test_the_database_refuses_case_duplicates_written_past_the_services(
        db: Database, manager: Actor, query: str, message: str) -> None:
    """psql or an import that skips the services cannot make a lookup ambiguous either."""
    build(db, manager)
    with pytest.raises(psycopg.errors.UniqueViolation, match=message):
        _sql(db, query, (A,) if "%s" in query else None)


def test_the_ledger_refuses_truncate(db: Database, manager: Actor, operator: Actor) -> None:
    build(db, manager)
    with db.session() as s:
        from invtui.services import inventory

        inventory.receive(s, operator, "BOLT-M6", A, 5)
    with pytest.raises(psycopg.errors.RestrictViolation, match=r"stock_movements is append-only \(TRUNCATE refused\)"):
        _sql(db, "TRUNCATE stock_movements CASCADE")
    assert _sql(db, "SELECT count(*) FROM stock_movements") == [(1,)]


def test_a_sweep_prunes_runs_older_than_keep_days_and_keeps_the_rest(db: Database) -> None:
    _sql(db, """INSERT INTO sweep_runs (started_at, skipped)
                SELECT now() - make_interval(days => d), true FROM generate_series(1, 30) d""")
    run = run_full_sweep(db, "cli", keep_days=14)
    left = _sql(db, "SELECT id FROM sweep_runs WHERE started_at < now() - interval '14 days'")
    assert left == []
    assert _sql(db, "SELECT count(*) FROM sweep_runs") == [(13 + 1,)]  # days 1..13 and this run
    assert _sql(db, "SELECT max(id) FROM sweep_runs") == [(run.id,)]


def test_keep_days_comes_from_the_config_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[sweep]\nkeep_days = 30\n")
    assert load_settings(config, env={}).sweep_keep_days == 30
    assert load_settings(config, env={"INVTUI_SWEEP_KEEP_DAYS": "7"}).sweep_keep_days == 7
    assert load_settings(None, env={"XDG_CONFIG_HOME": str(tmp_path / "none")}).sweep_keep_days == 14


def test_an_upgrade_renames_old_case_duplicates_instead_of_failing(empty_db: Database, tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    shutil.copytree(paths.sql_dir(), after)
    for path in sorted(after.glob("*.sql")):
        if path.name[:4].isdigit() and int(path.name[:4]) < 5:
            shutil.copy(path, before / path.name)
    migrations.upgrade(empty_db, before)
    _sql(empty_db, """INSERT INTO categories (name) VALUES ('Tools'), ('TOOLS'), ('tools');
                      INSERT INTO suppliers (code, name) VALUES ('ACME', 'Acme'), ('acme', 'ACME');
                      INSERT INTO locations (code) VALUES ('A-1'), ('a-1')""")
    migrations.upgrade(empty_db, after)
    rows = _sql(empty_db, "SELECT id, name FROM categories ORDER BY id")
    assert [name for _, name in rows] == ["Tools", f"TOOLS #{rows[1][0]}", f"tools #{rows[2][0]}"]
    assert [row[0] for row in _sql(empty_db, "SELECT code FROM suppliers ORDER BY id")][0] == "ACME"
    assert _sql(empty_db, "SELECT count(*) FROM suppliers WHERE code LIKE 'acme#%' AND name LIKE 'ACME #%'") == [(1,)]
    assert _sql(empty_db, "SELECT count(*) FROM locations WHERE code LIKE 'a-1#%'") == [(1,)]

