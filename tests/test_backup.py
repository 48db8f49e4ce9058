"""Backups: what an admin relies on when the warehouse box's disk dies."""

from __future__ import annotations

from pathlib import Path

import pytest

from invtui.db import migrations
from invtui.db.engine import Database
from invtui.errors import ConflictError
from invtui.services import backup, integrity, seed
from tests.conftest import run_invtui

TABLES = ("users", "products", "locations", "inventory", "stock_movements", "stock_alerts", "alert_events",
          "purchase_orders", "purchase_order_lines", "schema_migrations")


def rows(db: Database) -> dict[str, list]:
    with db.connect() as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


@pytest.fixture
def stocked(db: Database) -> Database:
    seed.seed(db, products=30, locations=3, low_fraction=0.3)
    from invtui.services.sweep import run_full_sweep

    run_full_sweep(db, "cli")  # some alerts, so they travel too
    return db


def env_for(db: Database, base: dict[str, str]) -> dict[str, str]:
    return {**base, "INVTUI_DATABASE_URL": db.url.render_as_string(hide_password=False)}


def test_backup_restored_into_an_empty_database_gives_the_same_rows_and_a_clean_check(
        stocked: Database, empty_db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    dump = tmp_path / "box.dump"
    made = run_invtui(["db", "backup", str(dump)], cli_env)
    assert made.code == 0, made.stderr
    assert f"to {dump}" in made.stdout and ("KB" in made.stdout or "MB" in made.stdout)

    restored = run_invtui(["db", "restore", str(dump)], env_for(empty_db, cli_env))
    assert restored.code == 0, restored.stderr
    assert "30 products, 90 inventory rows" in restored.stdout
    assert "db check: OK" in restored.stdout
    assert rows(empty_db) == rows(stocked)
    assert integrity.check(empty_db).clean


def test_restore_refuses_a_database_that_has_data_without_force(
        stocked: Database, db: Database, tmp_path: Path, cli_env: dict[str, str]) -> None:
    dump = backup.backup(stocked, tmp_path / "box.dump").path
    before = rows(stocked)
    refused = run_invtui(["db", "restore", str(dump)], cli_env)
    assert refused.code != 0
    assert refused.stderr.strip().count("\n") == 0
    assert "already has data (30 products" in refused.stderr and "--force" in refused.stderr
    assert rows(stocked) == before


def test_restore_with_force_replaces_what_the_database_held(stocked: Database, tmp_path: Path,
                                                            cli_env: dict[str, str]) -> None:
    dump = backup.backup(stocked, tmp_path / "box.dump").path
    before = rows(stocked)
    with stocked.connect() as conn:  # a day's work after the backup, which the restore undoes
        conn.execute("UPDATE products SET name = 'renamed' WHERE id = 1")
        conn.commit()
    forced = run_invtui(["db", "restore", str(dump), "--force"], cli_env)
    assert forced.code == 0, forced.stderr
    assert rows(stocked) == before


def test_restoring_a_missing_file_is_one_line(invtui, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invtui("db", "restore", str(tmp_path / "nope.dump"))
    assert result.code != 0
    assert result.stderr.strip() == f"invtui: Backup file {tmp_path / 'nope.dump'} does not exist"


def test_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(
        stocked: Database, empty_db: Database, tmp_path: Path, cli_env: dict[str, str]) -> None:
    junk = tmp_path / "junk.dump"
    junk.write_text("'; DROP TABLE products; --\n")
    result = run_invtui(["db", "restore", str(junk)], env_for(empty_db, cli_env))
    assert result.code != 0 and "pg_restore failed" in result.stderr
    assert "Traceback" not in result.stderr
    with empty_db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def test_backup_into_a_missing_directory_is_one_line_and_leaves_no_file(invtui, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invtui("db", "backup", str(tmp_path / "no" / "such" / "x.dump"))
    assert result.code != 0
    assert "does not exist" in result.stderr and result.stderr.strip().count("\n") == 0
    assert not (tmp_path / "no").exists()


def test_sizes_read_like_a_person_wrote_them() -> None:
    assert backup.human_size(900) == "900 bytes"
    assert backup.human_size(1536) == "1.5 KB"
    assert backup.human_size(5 * 1024 * 1024) == "5.0 MB"


def test_client_tools_are_never_older_than_the_server(db: Database) -> None:
    tools = backup.find_tools(db)
    assert tools.major >= backup.server_major(db)
    assert tools.pg_dump.is_file() and tools.pg_restore.is_file()


def test_restore_into_a_freshly_upgraded_database_says_it_has_tables(stocked: Database, empty_db: Database,
                                                                      tmp_path: Path) -> None:
    dump = backup.backup(stocked, tmp_path / "box.dump").path
    migrations.upgrade(empty_db)
    with pytest.raises(ConflictError, match="already has tables .* or with --force to replace them"):
        backup.restore(empty_db, dump)
