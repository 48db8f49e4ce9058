"""The migration runner: fresh, idempotent, edited-file refusal, failures roll back, concurrency."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from invtui import paths
from invtui.db import migrations
from invtui.db.engine import Database
from invtui.errors import MigrationError


def tables(db: Database) -> set[str]:
    with db.connect() as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {r[0] for r in rows}


@pytest.fixture
def sql_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sql"
    shutil.copytree(paths.sql_dir(), target)
    return target


def test_fresh_database_gets_every_migration_recorded(empty_db: Database) -> None:
    applied = migrations.upgrade(empty_db)
    on_disk = migrations.discover()
    assert [m.filename for m in applied] == [m.filename for m in on_disk]
    assert {"products", "inventory", "stock_alerts", "schema_migrations"} <= tables(empty_db)
    assert all(state.applied_at is not None for state in migrations.status(empty_db))


def test_second_upgrade_applies_nothing(empty_db: Database) -> None:
    migrations.upgrade(empty_db)
    assert migrations.upgrade(empty_db) == []
    assert migrations.is_current(empty_db)


def test_status_of_an_empty_database_lists_everything_pending(empty_db: Database) -> None:
    states = migrations.status(empty_db)
    assert states and all(s.applied_at is None for s in states)


def test_an_applied_file_that_was_edited_is_refused_by_name(empty_db: Database, sql_copy: Path) -> None:
    migrations.upgrade(empty_db, sql_copy)
    first = sorted(sql_copy.glob("0001_*.sql"))[0]
    first.write_text(first.read_text() + "\n-- an innocent-looking edit\n")
    with pytest.raises(MigrationError, match=f"Migration {first.name} was edited after it was applied"):
        migrations.upgrade(empty_db, sql_copy)
    with pytest.raises(MigrationError, match=first.name):
        migrations.status(empty_db, sql_copy)


def test_a_new_file_is_applied_after_the_others(empty_db: Database, sql_copy: Path) -> None:
    migrations.upgrade(empty_db, sql_copy)
    (sql_copy / "9001_extra.sql").write_text("CREATE TABLE extra_thing (id int);")
    assert [m.filename for m in migrations.upgrade(empty_db, sql_copy)] == ["9001_extra.sql"]
    assert "extra_thing" in tables(empty_db)


def test_a_failing_migration_rolls_back_entirely_and_names_the_file(empty_db: Database, sql_copy: Path) -> None:
    migrations.upgrade(empty_db, sql_copy)
    (sql_copy / "9002_broken.sql").write_text("CREATE TABLE half_done (id int);\nSELECT no_such_function();")
    with pytest.raises(MigrationError, match="9002_broken.sql failed and was rolled back"):
        migrations.upgrade(empty_db, sql_copy)
    assert "half_done" not in tables(empty_db)
    assert not migrations.is_current(empty_db, sql_copy)


def test_badly_named_file_is_refused(sql_copy: Path) -> None:
    (sql_copy / "12_oops.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="12_oops.sql is not named NNNN_lowercase_name.sql"):
        migrations.discover(sql_copy)


def test_concurrent_upgrades_apply_each_migration_once(empty_db: Database) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def upgrade() -> None:
        try:
            barrier.wait()
            migrations.upgrade(empty_db)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with empty_db.connect() as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [m.version for m in migrations.discover()]
