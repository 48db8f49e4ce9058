"""Reading the sweep's history: the runs recorded in sweep_runs and whether one is running now.

`invtui sweep --status` reads these on a plain connection (invtui.db.light: no ORM loaded) and the
app in its ORM session, through the same function; `invtui.services.sweep` records the runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from psycopg.rows import kwargs_row

from invtui.db.light import as_connection

if TYPE_CHECKING:
    import psycopg
    from sqlmodel import Session

# Fixed for every invtui process: the single-flight key of the full sweep.
SWEEP_LOCK_KEY = 0x1A7_0005

# The advisory lock of a running sweep, seen from any session (a bigint key below 2^32 shows as
# classid 0, objid = key, objsubid 1).
_RUNNING = """
    SELECT EXISTS (SELECT 1 FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = %(key)s AND objsubid = 1
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
"""
_RUNS = """
    SELECT id, started_at, finished_at, duration_ms, trigger, host, pid, rows_scanned, created_count,
           escalated_count, downgraded_count, resolved_count, skipped, error
      FROM sweep_runs ORDER BY started_at DESC, id DESC LIMIT %(limit)s
"""


@dataclass(frozen=True)
class SweepRun:
    """One full sweep as recorded in sweep_runs."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    trigger: str
    host: str
    pid: int | None
    rows_scanned: int
    created_count: int
    escalated_count: int
    downgraded_count: int
    resolved_count: int
    skipped: bool
    error: str | None

    @property
    def summary(self) -> str:
        if self.skipped:
            return "skipped: another process was sweeping"
        if self.error:
            return f"failed: {self.error}"
        return (f"{self.created_count} created, {self.escalated_count} escalated, "
                f"{self.downgraded_count} downgraded, {self.resolved_count} resolved; "
                f"{self.rows_scanned:,} rows judged in {self.duration_ms} ms")

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SweepStatus:
    runs: list[SweepRun]
    running: bool

    @property
    def last(self) -> SweepRun | None:
        return self.runs[0] if self.runs else None


def sweep_status(source: Session | psycopg.Connection, limit: int = 20) -> SweepStatus:
    """The last `limit` runs, newest first, and whether a full sweep is running right now."""
    conn = as_connection(source)
    with conn.cursor(row_factory=kwargs_row(SweepRun)) as cur:
        runs = cur.execute(_RUNS, {"limit": max(1, min(int(limit), 1000))}).fetchall()
    running = conn.execute(_RUNNING, {"key": SWEEP_LOCK_KEY}).fetchone()
    if source is not conn:
        source.rollback()  # read-only: end the session's transaction so no snapshot is held
    return SweepStatus(runs, bool(running and running[0]))
