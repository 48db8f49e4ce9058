"""`invtui db ...`: schema upgrades, status, integrity check, the URL in use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from invtui.cli.output import console, err_console, print_json, print_table
from invtui.cli.state import state
from invtui.db import migrations
from invtui.services import integrity

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
def url(ctx: typer.Context) -> None:
    """Print the database URL in use (password hidden)."""
    console.print(state(ctx).database(prepare=False).display_url, soft_wrap=True)


@app.command()
def backup(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="Where to write it (default invtui-DB-YYYYmmdd-HHMMSS.dump)."),
) -> None:
    """Write a compressed pg_dump (custom format) of the database in use."""
    from invtui.services import backup as backup_service

    db = state(ctx).database(prepare=False)
    with _progress_line() as progress:
        result = backup_service.backup(db, file, progress=progress)
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
