"""`invtui db ...`: schema upgrades, status, integrity check, the URL in use."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, err_console, print_json, print_table
from invtui.cli.state import CliState, state

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from invtui.db import migrations
    from invtui.db.engine import Database
    from invtui.services import integrity
else:
    migrations = lazy_module("invtui.db.migrations")
    integrity = lazy_module("invtui.services.integrity")

app = typer.Typer(help="Database schema and integrity.", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Apply pending migrations (and create the first admin on an empty database)."""
    from invtui.services.setup import prepare_database
    from invtui.cli.state import announce_admin

    db = state(ctx).database(prepare=False)
    prepared = prepare_database(db)
    announce_admin(prepared.admin_password)
    if prepared.applied:
        for migration in prepared.applied:
            console.print(f"applied {migration.filename}")
    else:
        console.print("Database is up to date.")


@app.command()
def status(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List every migration and when it was applied."""
    db = state(ctx).database(prepare=False)
    states = migrations.status(db)
    if as_json:
        print_json([{"version": s.migration.version, "file": s.migration.filename,
                     "applied_at": s.applied_at.isoformat() if s.applied_at else None} for s in states])
        return
    print_table(
        ["version", "file", "applied"],
        [(f"{s.migration.version:04d}", s.migration.filename,
          f"{s.applied_at:%Y-%m-%d %H:%M:%S}" if s.applied_at else "PENDING") for s in states],
    )
    pending = sum(1 for s in states if s.applied_at is None)
    console.print(f"{len(states) - pending} applied, {pending} pending")


@app.command()
def check(ctx: typer.Context) -> None:
    """Prove every inventory row equals the sum of its ledger; exit 1 if any does not."""
    report = integrity.check(state(ctx).database())
    problems = report.problems()
    for line in problems:
        console.print(f"MISMATCH {line}")
    if problems:
        console.print(f"{len(problems)} problem(s) in {report.inventory_rows:,} inventory rows")
        raise typer.Exit(1)
    console.print(
        f"OK: {report.inventory_rows:,} inventory rows agree with {report.movements:,} ledger movements; "
        "no duplicate open alerts"
    )


@app.command()
def schema(ctx: typer.Context) -> None:
    """Print the schema a fresh migration makes (a scratch database on the same server, dropped after).

    sql/schema.sql is this output: regenerate it with `invtui db schema > sql/schema.sql`.
    """
    from invtui.services.schema import fresh_schema

    sys.stdout.write(fresh_schema(state(ctx).database(prepare=False)))


@app.command()
def url(ctx: typer.Context) -> None:
    """Print the database URL in use (password hidden); stderr names the other one (--demo or not)."""
    st = state(ctx)
    db = st.database(prepare=False)
    console.print(db.display_url, soft_wrap=True)
    err_console.print(_other_database(st, db), soft_wrap=True, highlight=False, markup=False)


def _other_database(st: CliState, db: Database) -> str:
    """`invtui demo` seeds its own database; say where the one not in use is, and how to reach it."""
    from invtui.config import redact_url
    from invtui.db.embedded import DATABASE_NAME, DEMO_DATABASE

    if st.demo:
        configured = st.settings.database_url
        real = redact_url(configured) if configured else _display(db.url.set(database=DATABASE_NAME))
        return f"(the demo database; without --demo: {real})"
    if db.embedded:
        return f"(demo data from `invtui demo`: {_display(db.url.set(database=DEMO_DATABASE))}, `invtui --demo ...`)"
    return f"(demo data from `invtui demo`: {DEMO_DATABASE} on the embedded server, `invtui --demo ...`)"


def _display(url: URL) -> str:
    from invtui.db.engine import Database

    return Database(url).display_url


@app.command()
def stop(ctx: typer.Context) -> None:
    """Stop the embedded PostgreSQL now (it stops itself after [database] embedded_idle_minutes idle)."""
    from invtui import paths
    from invtui.db.embedded import embedded_status, stop_embedded

    pgdata = paths.embedded_pgdata()
    pid = embedded_status(pgdata)
    if pid is not None and stop_embedded(pgdata):
        console.print(f"Stopped the embedded PostgreSQL (pid {pid}) in {pgdata}.", soft_wrap=True)
    else:
        console.print(f"The embedded PostgreSQL in {pgdata} is not running.", soft_wrap=True)
    if state(ctx).settings.database_url:
        console.print("The configured database server is not invtui's to stop; it was not touched.")


@app.command()
def backup(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="Where to write it (default invtui-DB-YYYYmmdd-HHMMSS.dump "
                                       "in [backup] dir, else here)."),
) -> None:
    """Write a compressed pg_dump (custom format) of the database in use; the file is 0600."""
    from invtui.services import backup as backup_service

    st = state(ctx)
    db = st.database(prepare=False)
    with _progress_line() as progress:
        result = backup_service.backup(db, file, progress=progress, directory=st.settings.backup_path)
    console.print(f"Backed up {db.url.database} ({result.tables} tables) to {result.path}: "
                  f"{result.size} in {result.seconds:.1f} s", soft_wrap=True)


@app.command()
def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A file written by `invtui db backup`."),
    force: bool = typer.Option(False, "--force", help="Replace a database that already has data."),
) -> None:
    """Restore a backup in one transaction, upgrade the schema, check the ledger, print counts."""
    from invtui.services import backup as backup_service

    db = state(ctx).database(prepare=False)
    with _progress_line() as progress:
        result = backup_service.restore(db, file, force=force, progress=progress)
    counts = ", ".join(f"{n:,} {label}" for label, n in result.counts.items())
    console.print(f"Restored {result.path} into {db.url.database} in {result.seconds:.1f} s: {counts}",
                  soft_wrap=True)
    for filename in result.applied:
        console.print(f"applied {filename}")
    problems = result.check.problems()
    for line in problems:
        console.print(f"MISMATCH {line}")
    if problems:
        console.print(f"db check: {len(problems)} problem(s)")
        raise typer.Exit(1)
    console.print(f"db check: OK, {result.check.inventory_rows:,} inventory rows agree with "
                  f"{result.check.movements:,} ledger movements")


@contextmanager
def _progress_line() -> Iterator[Callable[[str], None]]:
    """One line on stderr that keeps being rewritten (only on a terminal; scripts see nothing)."""
    if not err_console.is_terminal:
        yield lambda message: None
        return
    with err_console.status("starting...") as status:
        yield lambda message: status.update(message)
