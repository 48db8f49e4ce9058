"""The connection pool of one process: connections that sit unused are closed after a short while.

PostgreSQL's `max_connections` (100 by default) is shared by every operator's app, worker and
browser tab. A pool that kept its connections for the life of the process would hold two or
three per app even when nobody touches it, so thirty idle operators would fill the server.
This pool lends connections the same way SQLAlchemy's QueuePool does (up to `pool_size` kept,
`max_overflow` more under load), and a reaper closes every connection that has been back in
the pool for `idle_seconds`: an idle app keeps only its LISTEN connection (db/listener.py).

The reaper is a timer thread that exists only while the pool holds idle connections.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy.pool import ConnectionPoolEntry, QueuePool
from sqlalchemy.util import queue as sqla_queue

_RETURNED_AT = "invtui_returned_at"
DEFAULT_IDLE_SECONDS = 10.0


class IdleClosingPool(QueuePool):
    """A LIFO QueuePool whose connections close once unused for `idle_seconds` (0: at once)."""

    def __init__(self, creator: Any, idle_seconds: float = DEFAULT_IDLE_SECONDS, **kw: Any) -> None:
        kw.setdefault("use_lifo", True)  # the busiest connection is reused, the others can time out
        super().__init__(creator, **kw)
        self.idle_seconds = idle_seconds
        self._reaper: threading.Timer | None = None
        self._reaper_lock = threading.Lock()

    def recreate(self) -> IdleClosingPool:
        """A fresh pool with the same settings (engine.dispose() and a server restart use it)."""
        pool = super().recreate()
        pool.idle_seconds = self.idle_seconds  # type: ignore[attr-defined]
        return pool  # type: ignore[return-value]

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        if self.idle_seconds <= 0:
            record.close()  # nothing is kept: NullPool's behaviour, with QueuePool's limits
            self._dec_overflow()
            return
        record.info[_RETURNED_AT] = time.monotonic()
        super()._do_return_conn(record)
        self._schedule(self.idle_seconds)

    def _schedule(self, delay: float) -> None:
        with self._reaper_lock:
            if self._reaper is None:
                self._reaper = threading.Timer(delay, self._reap)
                self._reaper.daemon = True
                self._reaper.name = "invtui-pool-reaper"
                self._reaper.start()

    def _reap(self) -> None:
        """Close the connections idle for `idle_seconds`; come back for the rest when they are due."""
        with self._reaper_lock:
            self._reaper = None
        now = time.monotonic()
        kept: list[ConnectionPoolEntry] = []
        while True:
            try:
                record = self._pool.get(False)
            except sqla_queue.Empty:
                break
            if now - record.info.get(_RETURNED_AT, 0.0) >= self.idle_seconds:
                self._close(record)
            else:
                kept.append(record)
        for record in reversed(kept):  # back in the order they came out (LIFO: most recent on top)
            try:
                self._pool.put(record, False)
            except sqla_queue.Full:  # others came back meanwhile: this one is surplus
                self._close(record)
        if kept:
            oldest = min(record.info.get(_RETURNED_AT, now) for record in kept)
            self._schedule(max(0.05, oldest + self.idle_seconds - now))

    def _close(self, record: ConnectionPoolEntry) -> None:
        try:
            record.close()
        finally:
            self._dec_overflow()

    def dispose(self) -> None:
        with self._reaper_lock:
            if self._reaper is not None:
                self._reaper.cancel()
                self._reaper = None
        super().dispose()
