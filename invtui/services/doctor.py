"""`invtui doctor`: the seed's troubleshooting guide as checks, each with a fix hint."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from invtui import paths
from invtui.config import Settings, redact_url
from invtui.db import migrations
from invtui.db.engine import Database
from invtui.db.errors import friendly_error
from invtui.errors import InvtuiError


# The file the printed worker unit reads secrets from (`invtui worker --print-systemd-unit`).
ENV_FILE = Path("/etc/invtui/invtui.env")
# Group or other may read (files) or list (folders).
_OTHERS_READ = stat.S_IRGRP | stat.S_IROTH


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""
    warning: bool = False  # ok to run, but the box is not set up safely (does not fail doctor)


def run_checks(settings: Settings, open_database) -> list[Check]:  # type: ignore[no-untyped-def]
    """Run every check; `open_database()` returns a Database (it may start the embedded server)."""
    checks = [_config(settings), _log_dir(settings), _interval(settings), *box_checks(settings)]
    try:
        db: Database = open_database()
    except Exception as exc:
        err = friendly_error(exc) or exc
        checks.append(Check("database reachable", False, str(err), _db_hint(settings)))
        return checks
    checks.append(_embedded(db, settings))
    reachable = _reachable(db, settings)
    checks.append(reachable)
    if reachable.ok:
        checks.append(_migrations(db))
        sweep = _last_sweep(db, settings)
        if sweep is not None:
            checks.append(sweep)
    return checks


def _config(settings: Settings) -> Check:
    where = str(settings.source) if settings.source else "none found; built-in defaults"
    return Check("config", True, f"{where}; values valid", "")


def _log_dir(settings: Settings) -> Check:
    directory: Path = settings.log_path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".doctor-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return Check("log directory", False, f"{directory}: {exc.strerror}", "set [log] file to a writable path")
    return Check("log directory", True, f"writable; log file {settings.log_path}")


def _interval(settings: Settings) -> Check:
    seconds = settings.check_interval_seconds
    ok = 5 <= seconds <= 3600
    hint = "" if ok else "5 to 3600 seconds keeps alerts timely without loading the database"
    return Check("scheduler interval", ok, f"stock sweep every {seconds} s", hint)


def _embedded(db: Database, settings: Settings) -> Check:
    if not db.embedded:
        return Check("embedded server", True, f"not used; database from configuration ({redact_url(settings.database_url)})")
    pgdata = paths.embedded_pgdata()
    pid_file = pgdata / "postmaster.pid"
    pid = pid_file.read_text().splitlines()[0] if pid_file.exists() else "?"
    return Check("embedded server", True, f"running (pid {pid}) in {pgdata}; server log {pgdata / 'log'}")


def _reachable(db: Database, settings: Settings) -> Check:
    try:
        with db.connect(autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:
        err = friendly_error(exc) or exc
        return Check("database reachable", False, str(err), _db_hint(settings))
    return Check("database reachable", True, f"PostgreSQL {version} at {db.display_url}")


def _db_hint(settings: Settings) -> str:
    if settings.database_url:
        return "check INVTUI_DATABASE_URL / DATABASE_URL / [database] url, and that the server runs"
    return "unset the database URL to use the embedded server, or see its log"


def _migrations(db: Database) -> Check:
    try:
        states = migrations.status(db)
    except InvtuiError as exc:
        return Check("migrations", False, exc.message, "run: invtui db status")
    pending = [s.migration.filename for s in states if s.applied_at is None]
    if states and len(pending) == len(states):
        return Check("migrations", False, "database has no schema (no migration applied yet)",
                     "run `invtui db upgrade` (it also prints the first admin's password)")
    if pending:
        return Check("migrations", False, f"{len(pending)} pending: {', '.join(pending)}", "run: invtui db upgrade")
    return Check("migrations", True, f"all {len(states)} applied")


def _last_sweep(db: Database, settings: Settings) -> Check | None:
    """The last sweep's age and outcome; None before the schema exists (the migrations check says what to do)."""
    with db.connect(autocommit=True) as conn:
        if not conn.execute("SELECT to_regclass('sweep_runs') IS NOT NULL").fetchone()[0]:
            return None
        row = conn.execute(
            "SELECT started_at, error, extract(epoch FROM now() - started_at) FROM sweep_runs "
            "WHERE NOT skipped ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
    if row is None:
        return Check("background sweep", True, "no sweep has run yet (the app or `invtui worker` runs it)")
    started, error, age = row
    if error:
        return Check("background sweep", False, f"last sweep at {started:%Y-%m-%d %H:%M} failed: {error}",
                     "see the log file; run: invtui sweep")
    stale = age > max(3 * settings.check_interval_seconds, 300)
    detail = f"last sweep {int(age)} s ago"
    hint = "no app or worker is sweeping; start `invtui worker` or open the app" if stale else ""
    # A stale sweep is worth a hint but not a failure: nobody may be logged in.
    return Check("background sweep", True, detail + (" (stale)" if stale else ""), hint)


# --- the box setup (issue 13): secrets, code and private files --------------------------------


def box_checks(settings: Settings) -> list[Check]:
    """What a shared box gets wrong: a readable secret, writable code, readable logs or dumps."""
    checks = [secret_file_check("config file", settings.source)]
    if ENV_FILE.exists():
        checks.append(secret_file_check("environment file", ENV_FILE))
    checks.append(code_check(code_paths(), on_box=bool(settings.database_url), uid=os.geteuid(),
                             gids={os.getegid(), *os.getgroups()}))
    checks.append(private_files_check("log files", settings.log_path.parent, f"{settings.log_path.name}*"))
    checks.append(private_files_check("file folders", settings.files_path, "*/*"))
    if settings.backup_path is not None:
        checks.append(private_files_check("backups", settings.backup_path, "*.dump*"))
    return [c for c in checks if c is not None]


def _others_can_read(path: Path) -> bool:
    return bool(path.stat().st_mode & _OTHERS_READ)


def _mode(path: Path) -> str:
    return f"{stat.S_IMODE(path.stat().st_mode):o}"


def secret_file_check(label: str, path: Path | None) -> Check | None:
    """Warn when `path` holds a database password (any form libpq reads) and group or others can read it."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return Check(label, False, f"{path}: {exc.strerror}", "the account that runs invtui must read it")
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))  # a sample's comments
    if redact_url(text) == text:
        return Check(label, True, f"{path} holds no database password")
    if _others_can_read(path):
        return Check(label, True, f"{path} holds a database password and is readable by others (mode {_mode(path)})",
                     f"chmod 600 {path} and chown it to the service account", warning=True)
    return Check(label, True, f"{path} holds a database password, readable by its owner only")


def code_paths() -> list[Path]:
    """invtui's own code: the package, the folder holding it, the environment and the `invtui` executable."""
    package = Path(__file__).resolve().parent.parent
    executable = Path(sys.executable).with_name("invtui")
    return [package, package.parent, Path(sys.prefix), executable]


def writable_by(path: Path, uid: int, gids: set[int]) -> bool:
    """Whether the account `uid` (in groups `gids`) may write `path`, judged from its owner and mode."""
    st = path.stat()
    if uid == 0:
        return True
    if st.st_uid == uid:
        return bool(st.st_mode & stat.S_IWUSR)
    if st.st_gid in gids:
        return bool(st.st_mode & stat.S_IWGRP)
    return bool(st.st_mode & stat.S_IWOTH)


def code_check(paths_: list[Path], *, on_box: bool, uid: int, gids: set[int]) -> Check:
    """Warn when the account running invtui can change invtui's code (then any bug is a way in for good)."""
    if not on_box:
        return Check("own code", True, "single-user install (embedded database): not checked")
    if uid == 0:
        return Check("own code", True, "running as root: run doctor as the service account to check this")
    writable = [p for p in paths_ if p.exists() and writable_by(p, uid, gids)]
    if writable:
        return Check("own code", True, f"this account can write invtui's code: {', '.join(map(str, writable))}",
                     "install as root (e.g. /opt/invtui owned by root, mode 755) and run as the service account",
                     warning=True)
    return Check("own code", True, "this account cannot write invtui's code")


def private_files_check(label: str, directory: Path, pattern: str) -> Check:
    """Warn when the folder or any matching file in it is readable by group or others."""
    if not directory.is_dir():
        return Check(label, True, f"{directory} does not exist yet (it is created 0700)")
    loose = [p for p in sorted(directory.glob(pattern)) if p.is_file() and _others_can_read(p)]
    folder_loose = _others_can_read(directory)
    if not loose and not folder_loose:
        return Check(label, True, f"{directory} and its files are private")
    shown = [f"{directory} (mode {_mode(directory)})"] if folder_loose else []
    shown += [f"{p.name} (mode {_mode(p)})" for p in loose[:3]] + ([f"+{len(loose) - 3} more"] if len(loose) > 3 else [])
    fix = f"chmod 700 {directory}" if folder_loose else ""
    fix += (" and " if fix else "") + (f"chmod 600 {directory}/{pattern}" if loose else "")
    return Check(label, True, f"readable by others: {', '.join(shown)}", fix, warning=True)
