"""The event listener: one dedicated LISTEN connection in a thread, handing events to a callback.

Every invtui process that shows live data (the app, `invtui events --follow`) runs one of these.
It survives the database going away: the connection is retried with exponential backoff (1 s
doubling to 30 s), the callback hears the state (`listener.state` events: connected, or
reconnecting since T with the next retry in N s) and, once back, a `resync` event, because
NOTIFYs sent while nobody listened are gone for good and every view must reload.

The callback runs in the listener's thread; a Textual app hands the event to its event loop
with `call_from_thread`. A callback that raises is logged and the listener carries on.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from invtui.domain.events import CHANNEL, Event, MalformedEvent, listener_state, parse_event, resync

if TYPE_CHECKING:
    from invtui.db.engine import Database

log = logging.getLogger(__name__)

EventCallback = Callable[[Event], None]

CONNECTED = "connected"
RECONNECTING = "reconnecting"
STOPPED = "stopped"


class EventListener:
    """LISTEN on `invtui_events` in a background thread; `start()`, then `stop()` (quick, < 1 s).

    The thread sleeps in `select` on the connection's socket and on a wake-up pipe that `stop()`
    writes to, so an idle listener costs no CPU (a 0.2 s poll loop was half of an idle app's
    CPU) and still stops at once; events are handed over the moment they arrive.
    `health_check_seconds`: after this long with no traffic the connection is probed with a
    `SELECT 1`, so a connection that died silently (no TCP reset) is noticed and replaced.
    """

    def __init__(
        self,
        conninfo: str,
        callback: EventCallback,
        *,
        channel: str = CHANNEL,
        initial_backoff: float = 1.0,
        max_backoff: float = 30.0,
        health_check_seconds: float = 15.0,
        connect_timeout: int = 5,
        application_name: str = "invtui-listener",
    ) -> None:
        self.conninfo = conninfo
        self.callback = callback
        self.channel = channel
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.health_check_seconds = health_check_seconds
        self.connect_timeout = connect_timeout
        self.application_name = application_name
        self.state = STOPPED
        self.backend_pid: int | None = None  # of the LISTEN connection, while connected
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection | None = None
        self._wake: tuple[int, int] | None = None  # (read, write) ends of the pipe stop() writes to

    @classmethod
    def for_database(cls, database: Database, callback: EventCallback, **options: Any) -> EventListener:
        """A listener on the same database as the services of `database`."""
        return cls(database.conninfo, callback, **options)

    def start(self) -> EventListener:
        """Start listening in a daemon thread; returns self (so `with EventListener(...).start():`)."""
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        if self._wake is None:
            self._wake = os.pipe()
            os.set_blocking(self._wake[1], False)
        self._thread = threading.Thread(target=self._run, name="invtui-listener", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 1.0) -> None:
        """Stop listening; returns within `timeout` seconds even if the database hangs."""
        self._stop.set()
        wake = self._wake
        if wake is not None:
            try:
                os.write(wake[1], b"x")
            except BlockingIOError:  # full of earlier wake-ups: the thread wakes anyway
                pass
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("event listener did not stop within %.1f s; leaving its daemon thread", timeout)
                wake = None  # still in use by that thread
        if wake is not None and (thread is None or not thread.is_alive()):
            self._wake = None
            os.close(wake[0])
            os.close(wake[1])
        self._thread = None
        self.state = STOPPED

    def wait_connected(self, timeout: float = 10.0) -> bool:
        """Block until the LISTEN is in place (tests, and commands that must not miss the first event)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state == CONNECTED:
                return True
            time.sleep(0.01)
        return self.state == CONNECTED

    def __enter__(self) -> EventListener:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
        except Exception:  # a bug, not an outage: say so loudly rather than go quiet
            log.exception("event listener stopped by an unexpected error")
        finally:
            self.state = STOPPED

    def _loop(self) -> None:
        delay = self.initial_backoff
        down_since: datetime | None = None  # when the current outage began; None while connected
        while not self._stop.is_set():
            try:
                conn = self._connect()
            except psycopg.Error as exc:
                down_since = down_since or _now()
                self._outage(down_since, delay, exc, "cannot connect")
            else:
                delay = self.initial_backoff
                self._report(listener_state(CONNECTED))
                if down_since is not None:  # views may have missed events (or failed to load): reload
                    self._deliver(resync(down_since))
                down_since = None
                try:
                    self._listen(conn)
                except psycopg.Error as exc:
                    if not self._stop.is_set():
                        down_since = _now()
                        self._outage(down_since, delay, exc, "lost its connection")
                finally:
                    self._close(conn)
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, self.max_backoff)

    def _outage(self, since: datetime, retry_in: float, exc: psycopg.Error, what: str) -> None:
        log.warning("event listener %s (%s); retrying in %.1f s", what, _first_line(exc), retry_in)
        self._report(listener_state(RECONNECTING, since=since, retry_in=retry_in, error=_first_line(exc)))

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(
            self.conninfo,
            autocommit=True,  # LISTEN takes effect at once, and no transaction is ever left open
            connect_timeout=self.connect_timeout,
            application_name=self.application_name,
            # TCP keepalives notice a peer that vanished without a reset (cable, VPN, firewall).
            keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3,
        )
        try:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        except BaseException:
            conn.close()
            raise
        self._conn, self.backend_pid = conn, conn.info.backend_pid
        return conn

    def _listen(self, conn: psycopg.Connection) -> None:
        assert self._wake is not None  # made by start()
        wake = self._wake[0]
        quiet_since = time.monotonic()
        while not self._stop.is_set():
            # What has arrived, including NOTIFYs read while a query ran (psycopg keeps those); never blocks.
            for notify in conn.notifies(timeout=0):
                quiet_since = time.monotonic()
                self._handle(notify.payload)
                if self._stop.is_set():
                    return
            wait = max(0.0, quiet_since + self.health_check_seconds - time.monotonic())
            readable, _, _ = select.select([conn.pgconn.socket, wake], [], [], wait)
            if not readable and not self._stop.is_set():
                conn.execute("SELECT 1")
                quiet_since = time.monotonic()

    def _handle(self, payload: str) -> None:
        try:
            event = parse_event(payload)
        except MalformedEvent as exc:
            log.warning("skipped an event on %s: %s", self.channel, exc.message)
            return
        self._deliver(event)

    def _report(self, event: Event) -> None:
        self.state = event.extra["state"]
        if self.state != CONNECTED:
            self.backend_pid = None
        self._deliver(event)

    def _deliver(self, event: Event) -> None:
        try:
            self.callback(event)
        except Exception:
            log.exception("event callback failed on %s; listener carries on", event.kind)

    def _close(self, conn: psycopg.Connection) -> None:
        self._conn = None
        try:
            conn.close()
        except psycopg.Error:  # already broken: nothing left to release
            pass


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
