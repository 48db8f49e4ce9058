"""The app's side of the box's event relay: the same face as `EventListener`, fed over a Unix socket.

With `[events] relay` on (the default) the processes of one account on one box share one LISTEN
connection: a relay process (`invtui/db/relay.py`) holds it and hands each event to every app,
`invtui events --follow` and benchmark listener of that account. A hundred operators then cost
the server one listening session instead of a hundred (every commit that sends NOTIFY signals
each of them), and each app wakes at most once per relay frame (100 ms), not once per event.

The first process that finds no relay starts one (detached, like the embedded server's idle
reaper; the database URL travels on its stdin, never in argv). The socket sits in
`<state dir>/relay`, a 0700 folder of the account's own, and the relay also checks each
client's uid. When the relay goes away the client starts another and, once that one listens,
hands on a `resync`: events of the gap are lost, so views reload, as after a database outage.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import select
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psycopg.conninfo import conninfo_to_dict

from invtui import paths
from invtui.db.listener import CONNECTED, RECONNECTING, STOPPED, EventListener
from invtui.domain.events import (LISTENER_STATE, Event, MalformedEvent, event_from_fields, listener_state,
                                  parse_event, resync)

if TYPE_CHECKING:
    from invtui.db.engine import Database

log = logging.getLogger(__name__)

EventCallback = Callable[[Event], None]

# One message on the socket: a tag byte, the body's length (4 bytes, big-endian), the body.
EVENT = b"e"  # a NOTIFY payload as the server sent it
CONTROL = b"c"  # the relay's own listener.state or resync event, as JSON
HEADER = struct.Struct(">cI")
SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes on Linux, 104 on macOS
LINGER_SECONDS = 10.0  # a relay with no client for this long exits


def encode(tag: bytes, body: bytes) -> bytes:
    return HEADER.pack(tag, len(body)) + body


def relay_dir() -> Path:
    """The account's own folder for relay sockets: `<state dir>/relay`, 0700."""
    return paths.state_dir() / "relay"


def socket_path(directory: Path, conninfo: str) -> Path:
    """One relay per database and role: named by a digest of the connection without its password."""
    fields = {k: v for k, v in conninfo_to_dict(conninfo).items() if k != "password"}
    digest = hashlib.sha256(json.dumps(sorted(fields.items())).encode()).hexdigest()[:16]
    return directory / digest


def usable_dir(directory: Path) -> Path | None:
    """`directory` made (0700) if missing; None unless it is this account's own and nobody else's."""
    try:
        paths.private_dir(directory)
        info = directory.stat()
    except OSError as exc:
        log.warning("event relay folder %s unusable (%s); listening directly", directory, exc)
        return None
    if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
        log.warning("event relay folder %s is not private to this account (mode %o); listening directly",
                    directory, stat.S_IMODE(info.st_mode))
        return None
    if len(str(socket_path(directory, "dbname=x"))) > SOCKET_PATH_MAX:
        log.warning("event relay folder %s: path too long for a socket; listening directly", directory)
        return None
    return directory


def open_listener(database: Database, callback: EventCallback, *, relay: bool = True,
                  directory: Path | None = None, **options: Any) -> EventListener:
    """The listener the app, `events --follow` and benchmarks use: through the relay, or its own LISTEN."""
    place = usable_dir(directory or relay_dir()) if relay else None
    if place is None:
        return EventListener.for_database(database, callback, **options)
    return RelayListener(database.conninfo, callback, directory=place, **options)


class RelayListener(EventListener):
    """Events from the box's relay; `start()`, `stop()`, `wait_connected()`, `state` as EventListener's.

    Only the thread differs: it reads the relay's socket instead of a LISTEN connection.
    """

    def __init__(self, conninfo: str, callback: EventCallback, *, directory: Path, linger: float = LINGER_SECONDS,
                 initial_backoff: float = 0.05, max_backoff: float = 5.0, start_timeout: float = 15.0,
                 **_ignored: Any) -> None:
        super().__init__(conninfo, callback, initial_backoff=initial_backoff, max_backoff=max_backoff)
        self.path = socket_path(directory, conninfo)
        self.linger, self.start_timeout = linger, start_timeout
        self._missed: datetime | None = None  # the link to a relay broke at this time: resync once back

    # -- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.initial_backoff
        try:
            while not self._stop.is_set():
                try:
                    delay = self._serve_once(delay)
                except Exception as exc:  # a bug, not an outage: say so, then start over like after one
                    log.exception("relay listener hit an unexpected error; reconnecting in %.1f s", delay)
                    self._gone(delay, f"event relay: unexpected error ({type(exc).__name__}: {exc})")
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.max_backoff)
        finally:
            self.state = STOPPED

    def _serve_once(self, delay: float) -> float:
        """Connect (starting a relay if need be) and read until the link ends; the next backoff."""
        try:
            sock = self._connect()
        except OSError as exc:
            log.warning("event relay unreachable at %s (%s); retrying in %.1f s", self.path, exc, delay)
            self._gone(delay, f"event relay unreachable: {exc}")
            self._stop.wait(delay)
            return min(delay * 2, self.max_backoff)
        with sock:
            self._read(sock)
        if not self._stop.is_set():  # the relay went away: another takes over, views resync
            self._gone(0, "the event relay went away")
        return self.initial_backoff

    def _gone(self, retry_in: float, error: str) -> None:
        """The link to a relay is down: the status bar says so, and views resync once it is back."""
        if self._stop.is_set():
            return
        self._missed = self._missed or _now()
        self._report(listener_state(RECONNECTING, since=self._missed, retry_in=retry_in, error=error))

    def _connect(self) -> socket.socket:
        """Connect to the relay, starting one if none runs; OSError after `start_timeout`."""
        deadline = time.monotonic() + self.start_timeout
        spawned_at = -1.0
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(self.path))
                return sock
            except (FileNotFoundError, ConnectionRefusedError) as exc:
                sock.close()
                if time.monotonic() >= deadline or self._stop.is_set():
                    raise OSError(f"no relay answered within {self.start_timeout:g} s") from exc
                if time.monotonic() - spawned_at > 1.0 and not relay_running(self.path):
                    spawned_at = time.monotonic()
                    spawn_relay(self.path, self.conninfo, self.linger)
                self._stop.wait(0.02)

    def _read(self, sock: socket.socket) -> None:
        assert self._wake is not None
        buffer = bytearray()
        while not self._stop.is_set():
            readable, _, _ = select.select([sock, self._wake[0]], [], [])
            if sock not in readable:
                continue
            try:
                chunk = sock.recv(1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while len(buffer) >= HEADER.size:
                tag, size = HEADER.unpack_from(buffer)
                if len(buffer) < HEADER.size + size:
                    break
                body = bytes(buffer[HEADER.size:HEADER.size + size])
                del buffer[:HEADER.size + size]
                self._handle(tag, body)

    def _handle(self, tag: bytes, body: bytes) -> None:
        try:
            event = parse_event(body) if tag == EVENT else event_from_fields(json.loads(body))
        except MalformedEvent as exc:
            log.warning("skipped an event from the relay: %s", exc.message)
            return
        except ValueError as exc:  # not JSON: a relay of another invtui version, say
            log.warning("skipped a message from the relay: %s", exc)
            return
        if event.kind != LISTENER_STATE:
            self._deliver(event)
            return
        self._report(event)
        if self.state == CONNECTED and self._missed is not None:
            missed, self._missed = self._missed, None
            self._deliver(resync(missed))


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def relay_running(path: Path) -> bool:
    """A relay holds the lock beside the socket (it may still be starting)."""
    try:
        with open(lock_path(path), "a") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(probe, fcntl.LOCK_UN)
    except OSError:
        return False
    return False


def relay_pid(path: Path) -> int | None:
    """The pid of the relay serving `path`, if one runs."""
    if not relay_running(path):
        return None
    try:
        return int(lock_path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def spawn_relay(path: Path, conninfo: str, linger: float) -> None:
    """Start a detached relay for `path`; the URL goes on its stdin (argv is visible to every local user)."""
    log_file = next((h.baseFilename for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)), "")
    brief = {"conninfo": conninfo, "socket": str(path), "linger": linger, "log_file": log_file,
             "log_level": logging.getLevelName(logging.getLogger().getEffectiveLevel())}
    try:
        proc = subprocess.Popen([sys.executable, "-m", "invtui.db.relay"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                close_fds=True, cwd="/")
        assert proc.stdin is not None
        with proc.stdin:
            proc.stdin.write(json.dumps(brief).encode())
    except OSError:
        log.exception("could not start the event relay for %s", path)
        return
    threading.Thread(target=proc.wait, name="invtui-relay-reaper", daemon=True).start()  # no zombie left


def _now() -> datetime:
    return datetime.now(timezone.utc)
