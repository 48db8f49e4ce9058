"""The command line as an operator runs it: real executable, real database, one-line errors."""

from __future__ import annotations

import json

import pytest

TRACEBACK = "Traceback"


def assert_one_line_error(result, fragment: str) -> None:  # type: ignore[no-untyped-def]
    assert result.code != 0
    assert TRACEBACK not in result.stderr and TRACEBACK not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]


def test_version(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("--version")
    assert result.code == 0 and result.stdout.startswith("invtui 0.")


def test_db_status_shows_every_migration_applied(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("db", "status")
    assert result.code == 0
    assert "0001_schema.sql" in result.stdout and "PENDING" not in result.stdout
    assert "0 pending" in result.stdout
    as_json = invtui("db", "status", "--json")
    assert as_json.code == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert rows[0]["file"] == "0001_schema.sql" and all(row["applied_at"] for row in rows)


def test_db_upgrade_on_a_current_database_says_so(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("db", "upgrade")
    assert result.code == 0 and "up to date" in result.stdout


def test_seed_then_db_check_is_clean(invtui) -> None:  # type: ignore[no-untyped-def]
    seeded = invtui("seed", "--products", "40", "--locations", "5")
    assert seeded.code == 0, seeded.stderr
    assert "Seeded 40 products, 5 locations, 200 inventory rows" in seeded.stdout
    check = invtui("db", "check")
    assert check.code == 0 and "OK: 200 inventory rows agree" in check.stdout


def test_seed_refuses_a_database_that_already_has_products(invtui) -> None:  # type: ignore[no-untyped-def]
    assert invtui("seed", "--products", "5", "--locations", "2").code == 0
    assert_one_line_error(invtui("seed", "--products", "5", "--locations", "2"), "already has 5 products")


def test_db_check_reports_a_quantity_changed_behind_the_ledgers_back(invtui, db) -> None:  # type: ignore[no-untyped-def]
    assert invtui("seed", "--products", "3", "--locations", "2").code == 0
    with db.connect() as conn:
        conn.execute("UPDATE inventory SET quantity = quantity + 7 WHERE id = 1")
        sku, code = conn.execute("SELECT p.sku, l.code FROM inventory i JOIN products p ON p.id = i.product_id "
                                 "JOIN locations l ON l.id = i.location_id WHERE i.id = 1").fetchone()
        conn.commit()
    result = invtui("db", "check")
    assert result.code == 1
    assert f"MISMATCH {sku} at {code}: quantity" in result.stdout


def test_user_add_list_passwd_disable(invtui) -> None:  # type: ignore[no-untyped-def]
    added = invtui("user", "add", "maria", "--role", "operator", "--full-name", "Maria Lopez", "--password-stdin",
                   stdin="maria-secret\n")
    assert added.code == 0, added.stderr
    listed = json.loads(invtui("user", "list", "--json").stdout)
    assert {"username": "maria", "role": "operator", "active": True}.items() <= next(
        u for u in listed if u["username"] == "maria").items()
    assert invtui("user", "passwd", "maria", "--password-stdin", stdin="another-secret\n").code == 0
    assert invtui("user", "disable", "maria").code == 0
    listed = json.loads(invtui("user", "list", "--json").stdout)
    assert next(u for u in listed if u["username"] == "maria")["active"] is False


def test_a_manager_cannot_add_users(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("--user", "manager", "user", "add", "eve", "--role", "admin", "--password-stdin",
                    stdin="long-enough\n")
    assert_one_line_error(result, "Role manager cannot manage users")


def test_doctor_is_all_ok(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("doctor")
    assert result.code == 0, result.stdout
    assert "FAIL" not in result.stdout
    for name in ("config", "log directory", "database reachable", "migrations", "scheduler interval"):
        assert name in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (["db", "status"], {"INVTUI_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"}, "Database unreachable"),
        (["db", "status"], {"INVTUI_DATABASE_URL": "not a url at all"}, "is malformed"),
        (["db", "status"], {"INVTUI_DATABASE_URL": "mysql://root@localhost/x"}, "must be a postgresql:// URL"),
        (["--user", "ghost", "user", "add", "x", "--role", "viewer", "--password-stdin"], {}, "Unknown user 'ghost'"),
        (["db", "status"], {"CHECK_INTERVAL_SECONDS": "abc"}, "CHECK_INTERVAL_SECONDS: must be a whole number from 1 to 86400"),
        (["db", "status"], {"CHECK_INTERVAL_SECONDS": "0"}, "CHECK_INTERVAL_SECONDS"),
        (["seed", "--products", "0"], {}, "--products must be from 1 to 1,000,000"),
        (["user", "add", "bad name", "--role", "viewer", "--password-stdin"], {}, "may use only"),
    ],
)
def test_errors_are_one_line_without_traceback(invtui, args, env, fragment) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(invtui(*args, stdin="long-enough\n", env=env), fragment)


def test_bad_config_value_exits_with_code_2(invtui) -> None:  # type: ignore[no-untyped-def]
    assert invtui("db", "status", env={"CHECK_INTERVAL_SECONDS": "abc"}).code == 2


def test_unreachable_database_is_one_line_for_doctor_too(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("doctor", env={"INVTUI_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"})
    assert result.code == 1
    assert "FAIL database reachable" in result.stdout and TRACEBACK not in result.stdout + result.stderr
