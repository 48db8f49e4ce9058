"""The box's event relay: one LISTEN connection handing events to every invtui process of this account.

Started detached by the first client that finds none (`invtui/db/relay_listener.py`), as
`python -m invtui.db.relay` with its brief (database URL, socket path, linger) on stdin, so no
secret is in argv. One relay per socket: it holds a lock file beside the socket for its life.

Its LISTEN is an `EventListener` (the app's own: reconnects with backoff, health checks), whose
payloads are passed on unparsed and whose state and resync events are passed on as control
messages. Events are sent in frames: the first after a quiet spell at once, then at most one
write per client every `FRAME_SECONDS`, so a busy site wakes each app ~10 times a second
however many events there are. A client that reads too slowly is dropped (it reconnects and
resyncs). With no client for `linger` seconds the relay exits.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import select
import socket
import sys
import threading
import time
from pathlib import Path

from invtui.db.listener import EventListener
from invtui.db.relay_listener import CONTROL, EVENT, encode, lock_path
from invtui.domain.events import LISTENER_STATE, Event

log = logging.getLogger(__name__)

# 100 ms, not 40: with 100 apps on a 2-core box their wakeups were what the writers lost
# (operators.py --relay, N = 100: 59-62 % of N = 0's writes at 40 ms, 74-93 % at 100 ms; listener
# p95 67-74 ms -> 129-133 ms, inside the 250 ms goal). A lone event still goes out at once.
FRAME_SECONDS = 0.1
MAX_BACKLOG_BYTES = 4 << 20  # a client this far behind is dropped


class Upstream(EventListener):
    """The relay's LISTEN: raw payloads and control events go to `post` as encoded messages."""

    def __init__(self, conninfo: str, relay: Relay) -> None:
        super().__init__(conninfo, self._control, application_name="invtui-relay")
        self.relay = relay

    def _handle(self, payload: str) -> None:
        self.relay.post(encode(EVENT, payload.encode()))

    def _control(self, event: Event) -> None:
        message = encode(CONTROL, json.dumps(event.to_payload(), default=str).encode())
        if event.kind == LISTENER_STATE:
            self.relay.last_state = message  # what a client that joins later is told first
        self.relay.post(message)


class Relay:
    def __init__(self, conninfo: str, path: Path, linger: float, frame: float = FRAME_SECONDS) -> None:
        self.path, self.linger, self.frame = path, linger, frame
        self.upstream = Upstream(conninfo, self)
        self.last_state: bytes | None = None
        self.clients: dict[socket.socket, bytearray] = {}
        self._pending: list[bytes] = []
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)

    def post(self, message: bytes) -> None:
        """From the listener thread: queue for the next frame, waking the loop if it was idle."""
        with self._lock:
            self._pending.append(message)
            if len(self._pending) > 1:
                return
        try:
            os.write(self._wake_w, b"x")
        except BlockingIOError:
            pass

    def serve(self, server: socket.socket) -> None:
        self.upstream.start()
        idle_since: float | None = time.monotonic()
        next_frame = 0.0
        try:
            while True:
                now = time.monotonic()
                if self.clients:
                    idle_since = None
                elif idle_since is None:
                    idle_since = now
                elif now - idle_since >= self.linger and not select.select([server], [], [], 0)[0]:
                    log.info("event relay %s: no client for %.0f s; exiting", self.path.name, self.linger)
                    return
                with self._lock:
                    due = bool(self._pending)
                timeout = max(0.0, next_frame - now) if due else None
                if idle_since is not None:
                    left = max(0.0, idle_since + self.linger - now)
                    timeout = left if timeout is None else min(timeout, left)
                behind = [c for c, backlog in self.clients.items() if backlog]
                readable, writable, _ = select.select([server, self._wake_r, *self.clients], behind, [], timeout)
                for sock in readable:
                    if sock is server:
                        self._accept(server)
                    elif sock == self._wake_r:
                        os.read(self._wake_r, 4096)
                    else:
                        self._hear(sock)
                for sock in writable:
                    if sock in self.clients:
                        self._send(sock)
                if due and time.monotonic() >= next_frame:
                    self._broadcast()
                    next_frame = time.monotonic() + self.frame
        finally:
            self.upstream.stop()
            for sock in list(self.clients):
                sock.close()

    def _accept(self, server: socket.socket) -> None:
        try:
            sock, _ = server.accept()
        except OSError:
            return
        if not _same_account(sock):
            log.warning("event relay %s refused a client of another account", self.path.name)
            sock.close()
            return
        sock.setblocking(False)
        self.clients[sock] = bytearray(self.last_state or b"")  # connected, or since when not
        self._send(sock)

    def _hear(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # clients send nothing; end of file is a client leaving
            self._drop(sock)

    def _broadcast(self) -> None:
        with self._lock:
            frame, self._pending = b"".join(self._pending), []
        for sock, backlog in list(self.clients.items()):
            backlog += frame
            if len(backlog) > MAX_BACKLOG_BYTES:
                log.warning("event relay %s dropped a client %d bytes behind", self.path.name, len(backlog))
                self._drop(sock)
            else:
                self._send(sock)

    def _send(self, sock: socket.socket) -> None:
        backlog = self.clients[sock]
        try:
            sent = sock.send(backlog)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(sock)
            return
        del backlog[:sent]

    def _drop(self, sock: socket.socket) -> None:
        self.clients.pop(sock, None)
        sock.close()


def _same_account(sock: socket.socket) -> bool:
    """The peer runs as this account (Linux SO_PEERCRED; elsewhere the 0700 folder is the guard)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    import struct

    _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    return uid == os.getuid()


def main() -> int:
    brief = json.loads(sys.stdin.read())
    path = Path(brief["socket"])
    if brief.get("log_file"):
        from invtui.log import setup_logging

        setup_logging(brief.get("log_level") or "INFO", Path(brief["log_file"]))
    with open(lock_path(path), "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another relay serves this socket
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")  # who serves it: `relay_pid`
        lock.flush()
        path.unlink(missing_ok=True)  # left by a relay that was killed
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            server.bind(str(path))
        finally:
            os.umask(old_umask)
        server.listen(256)
        log.info("event relay %s started (pid %d)", path.name, os.getpid())
        try:
            Relay(brief["conninfo"], path, float(brief.get("linger", 10.0))).serve(server)
        finally:
            path.unlink(missing_ok=True)
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
