"""`invtui export KIND [--output FILE]` and `invtui import KIND FILE [--dry-run]`: CSV in and out.

Export streams to stdout (so it pipes into other tools) or into a file that appears only when
complete. Import is all or nothing: a refused file has every error listed on stderr, one line
each with its row number, then the one-line summary, and the exit code is 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, err_console
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import csv_export, csv_import
else:
    csv_export = lazy_module("invtui.services.csv_export")
    csv_import = lazy_module("invtui.services.csv_import")

# csv_export.EXPORT_KINDS and csv_import.IMPORT_KINDS, written out so `--help` loads no service
# (tests/test_cli_imports.py checks they agree).
EXPORT_METAVAR = "products|inventory|movements|alerts|pos"
IMPORT_METAVAR = "products|inventory"

# Files smaller than this import in well under a second: no bar to flicker past.
_PROGRESS_FROM_BYTES = 1_000_000
_PHASES = {"read": "Reading and checking rows", "check": "Checking against the database", "write": "Writing"}


def export(ctx: typer.Context,
           kind: str = typer.Argument(..., metavar=EXPORT_METAVAR, help="What to export."),
           output: Path | None = typer.Option(None, "--output", "-o", help="Write to FILE (default: stdout).")) -> None:
    """Export as CSV with a header row (column names in the README); everyone may export."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        if output is None:
            try:
                csv_export.export_csv(session, actor, kind, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            except BrokenPipeError:  # `invtui export movements | head`: the reader has what it wanted
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        rows = csv_export.export_to_path(session, actor, kind, output)
    err_console.print(f"Exported {rows:,} rows of {kind.strip().lower()} to {output}.")


def import_(ctx: typer.Context,
            kind: str = typer.Argument(..., metavar=IMPORT_METAVAR, help="What the file holds."),
            file: Path = typer.Argument(..., metavar="FILE", help="A CSV file (UTF-8) with a header row."),
            dry_run: bool = typer.Option(False, "--dry-run", help="Check every row; write nothing.")) -> None:
    """Import products (managers) or counted inventory (operators): all rows, or none."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session, _progress(file) as progress:
        try:
            report = csv_import.import_from_path(session, actor, kind, file, dry_run=dry_run, progress=progress)
        except csv_import.ImportRefused as refused:
            for error in refused.report.errors:
                err_console.print(str(error), markup=False, soft_wrap=True)
            raise
    console.print(report.summary() + ".", markup=False)


@contextmanager
def _progress(file: Path) -> Iterator[csv_import.Progress | None]:
    """A rich progress bar on a terminal for a big file; None (no bar) otherwise."""
    try:
        big = file.stat().st_size >= _PROGRESS_FROM_BYTES
    except OSError:
        big = False  # the service says what is wrong with the file
    if not (big and err_console.is_terminal):
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(_PHASES["read"], total=None)

        def update(phase: str, done: int, total: int) -> None:
            if phase == "read":
                bar.update(task, description=_PHASES[phase], completed=done, total=total or None)
            else:
                bar.update(task, description=_PHASES.get(phase, phase))

        yield update


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_)
