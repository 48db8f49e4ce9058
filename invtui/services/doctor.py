"""`invtui doctor`: the seed's troubleshooting guide as checks, each with a fix hint."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from invtui import paths
from invtui.config import Settings, redact_url
from invtui.db import migrations
from invtui.db.engine import Database
from invtui.db.errors import friendly_error
from invtui.errors import InvtuiError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""


def run_checks(settings: Settings, open_database) -> list[Check]:  # type: ignore[no-untyped-def]
    """Run every check; `open_database()` returns a Database (it may start the embedded server)."""
    checks = [_config(settings), _log_dir(settings), _interval(settings)]
    try:
        db: Database = open_database()
    except Exception as exc:
        err = friendly_error(exc) or exc
        checks.append(Check("database reachable", False, str(err), _db_hint(settings)))
        return checks
    checks.append(_embedded(db, settings))
    checks.append(_databases(db, settings))
    reachable = _reachable(db, settings)
    checks.append(reachable)
    if reachable.ok:
        checks.append(_migrations(db))
        checks.append(_last_sweep(db, settings))
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


def _databases(db: Database, settings: Settings) -> Check:
    """Name both databases: `invtui demo` seeds its own, which the CLI reaches only with --demo."""
    from invtui.db.embedded import DATABASE_NAME, DEMO_DATABASE

    if db.url.database == DEMO_DATABASE:
        real = redact_url(settings.database_url) if settings.database_url else f"{DATABASE_NAME} on the embedded server"
        return Check("databases", True, f"{DEMO_DATABASE} (--demo) in use; without --demo: {real}")
    if not db.embedded:
        demo = f"{DEMO_DATABASE} on the embedded server, if `invtui demo` made it"
        return Check("databases", True, f"{db.url.database} in use; demo data: {demo} (`invtui --demo ...`)")
    try:
        with db.connect(autocommit=True) as conn:
            made = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DEMO_DATABASE,)).fetchone()
    except Exception:  # the reachability check below says what is wrong
        made = None
    demo = f"{DEMO_DATABASE} (`invtui --demo ...`)" if made else f"none yet (`invtui demo` makes {DEMO_DATABASE})"
    return Check("databases", True, f"{db.url.database} in use; demo data: {demo}")


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
    if pending:
        return Check("migrations", False, f"{len(pending)} pending: {', '.join(pending)}", "run: invtui db upgrade")
    return Check("migrations", True, f"all {len(states)} applied")


def _last_sweep(db: Database, settings: Settings) -> Check:
    with db.connect(autocommit=True) as conn:
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
