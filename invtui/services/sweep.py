"""The full stock sweep: every item judged at once, by the SQL function the triggers use too.

Stock changes are judged instantly by triggers (sql/0002_alert_engine.sql); the full sweep is the
safety net for whatever they could not see (a trigger disabled for a bulk load, a row restored
from a backup) and the heartbeat the status bar shows. Because the triggers keep alerts current, a
sweep first compares fingerprints of rows and open alerts (sql/0003_full_sweep_diff.sql) and
judges items one by one only when they differ. Only one full sweep runs at a time across
all processes: a transaction-level advisory lock, taken with try-lock, so a second process skips
(and records that it skipped) instead of queueing behind the first.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import text

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.db.errors import friendly_error
from invtui.domain.roles import Actor, Permission, require
from invtui.errors import DatabaseUnavailable, ValidationError
from invtui.services import demand, events
from invtui.services.sweep_runs import SWEEP_LOCK_KEY, SweepRun, SweepStatus, sweep_status  # noqa: F401 (re-exported)
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

TRIGGERS = ("scheduled", "manual", "worker", "cli")
# Days of sweep_runs kept (`[sweep] keep_days`): every open app records a run each minute, most of
# them skips, so the history is pruned by the sweep that wins the lock.
DEFAULT_KEEP_DAYS = Settings().sweep_keep_days
# At most this many old runs go per sweep: in the steady state an index probe finds a minute's
# worth; a backlog (the first sweep after an upgrade) drains over a few sweeps, never one long delete.
PRUNE_BATCH = 1000

_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")
_EVALUATE = text("SELECT created, escalated, downgraded, resolved, scanned FROM evaluate_stock_alert_items()")
_RECORD = text(
    """
    INSERT INTO sweep_runs (started_at, finished_at, duration_ms, trigger, host, pid, rows_scanned,
                            created_count, escalated_count, downgraded_count, resolved_count, skipped, error)
    VALUES (:started_at, clock_timestamp(), :duration_ms, :trigger, :host, :pid, :rows_scanned,
            :created, :escalated, :downgraded, :resolved, :skipped, :error)
    RETURNING id, finished_at
    """
)
_PRUNE = text(
    """
    DELETE FROM sweep_runs WHERE id IN (
        SELECT id FROM sweep_runs WHERE started_at < now() - make_interval(days => :keep_days)
         ORDER BY started_at LIMIT :batch)
    """
)
def run_full_sweep(db: Database, trigger: str = "scheduled", *, actor: Actor | None = None,
                   keep_days: int = DEFAULT_KEEP_DAYS, settings: Settings | None = None) -> SweepRun:
    """Judge every item now, unless another process is already doing it (then record a skip).

    The sweep that runs also prunes sweep_runs older than `keep_days` days, and copies the
    [demand] `settings` (when given) into the database first, so it judges by them.

    One transaction: the alerts it changes, its sweep_runs row and its `sweep.finished` event
    commit together. A failure is logged and recorded in a sweep_runs row of its own, then raised.
    """
    if trigger not in TRIGGERS:
        raise ValidationError(f"Sweep trigger must be one of {', '.join(TRIGGERS)}")
    if actor is not None:
        require(actor, Permission.RUN_SWEEP)
    started_at = datetime.now(timezone.utc)
    clock = time.perf_counter()
    try:
        with db.session() as session, unit_of_work(session):
            taken = bool(session.execute(_TRY_LOCK, {"key": SWEEP_LOCK_KEY}).scalar())
            if taken and settings is not None:
                demand.sync_settings(session, settings)
            counts = _evaluate(session) if taken else None
            if taken:
                session.execute(_PRUNE, {"keep_days": keep_days, "batch": PRUNE_BATCH})
            run = _record(session, trigger, started_at, clock, counts, error=None)
            _announce(session, run, actor)
    except Exception as exc:
        unreachable = isinstance(friendly_error(exc), DatabaseUnavailable)
        if unreachable:  # an outage, not a bug: one line, not a traceback every second
            log.warning("stock sweep (%s) failed: %s", trigger, friendly_error(exc))
        else:
            log.exception("stock sweep (%s) failed", trigger)
        _record_failure(db, trigger, started_at, clock, exc)
        raise
    log.info("stock sweep (%s): %s", trigger, run.summary)
    return run


def _evaluate(session: Session) -> dict[str, int]:
    row = session.execute(_EVALUATE).one()
    return {"created": row.created, "escalated": row.escalated, "downgraded": row.downgraded,
            "resolved": row.resolved, "rows_scanned": row.scanned}


def _record(
    session: Session, trigger: str, started_at: datetime, clock: float, counts: dict[str, int] | None,
    error: str | None,
) -> SweepRun:
    values = counts or {"created": 0, "escalated": 0, "downgraded": 0, "resolved": 0, "rows_scanned": 0}
    params = {
        **values, "started_at": started_at, "duration_ms": int((time.perf_counter() - clock) * 1000),
        "trigger": trigger, "host": socket.gethostname()[:255], "pid": os.getpid(),
        "skipped": counts is None and error is None, "error": error,
    }
    run_id, finished_at = session.execute(_RECORD, params).one()
    return SweepRun(
        id=run_id, started_at=started_at, finished_at=finished_at, duration_ms=params["duration_ms"],
        trigger=trigger, host=params["host"], pid=params["pid"], rows_scanned=values["rows_scanned"],
        created_count=values["created"], escalated_count=values["escalated"],
        downgraded_count=values["downgraded"], resolved_count=values["resolved"], skipped=params["skipped"],
        error=error,
    )


def _announce(session: Session, run: SweepRun, actor: Actor | None) -> None:
    events.emit(session, "sweep.finished", id=run.id, user_id=actor.id if actor else None, trigger=run.trigger,
                skipped=run.skipped, created=run.created_count, escalated=run.escalated_count,
                resolved=run.resolved_count, scanned=run.rows_scanned, duration_ms=run.duration_ms,
                error=run.error)


def _record_failure(db: Database, trigger: str, started_at: datetime, clock: float, exc: Exception) -> None:
    """Write the failed run in a transaction of its own (the sweep's was rolled back)."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:500]
    try:
        with db.session() as session, unit_of_work(session):
            run = _record(session, trigger, started_at, clock, None, error=first or type(exc).__name__)
            _announce(session, run, None)
    except Exception as record_exc:  # the database may be the very thing that failed
        unreachable = isinstance(friendly_error(record_exc), DatabaseUnavailable)
        log.warning("could not record the failed sweep in sweep_runs: %s", friendly_error(record_exc) or record_exc,
                    exc_info=not unreachable)
