"""What the status bar shows: open-alert and unread counts, the last sweep. Cheap queries only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import text

from invtui.domain.roles import Actor
from invtui.services import notifications
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

# Served by the partial unique index on open alerts, so it stays cheap with 1M stock rows.
_OPEN_ALERTS = text(
    """
    SELECT count(*), count(*) FILTER (WHERE alert_type = 'OUT_OF_STOCK'),
           count(*) FILTER (WHERE status = 'ACKNOWLEDGED')
      FROM stock_alerts WHERE status IN ('ACTIVE', 'ACKNOWLEDGED')
    """
)
_LAST_SWEEP = text(
    """
    SELECT started_at, created_count, escalated_count, resolved_count, error
      FROM sweep_runs WHERE NOT skipped AND finished_at IS NOT NULL
     ORDER BY started_at DESC LIMIT 1
    """
)


@dataclass(frozen=True)
class SweepCounts:
    """What the last finished sweep did; the status bar spells it out where there is room."""

    created: int = 0
    escalated: int = 0
    resolved: int = 0
    failed: bool = False


@dataclass(frozen=True)
class StatusCounts:
    open_alerts: int
    out_alerts: int
    acknowledged_alerts: int
    unread: int
    last_sweep_at: datetime | None
    last_sweep: SweepCounts | None


def counts(session: Session, actor: Actor) -> StatusCounts:
    """The badge numbers for `actor` and what the last finished sweep did."""
    unread = notifications.unread_count(session, actor) if actor.id is not None else 0
    with unit_of_work(session):
        open_alerts, out_alerts, acknowledged = session.execute(_OPEN_ALERTS).one()
        last = session.execute(_LAST_SWEEP).first()
    if last is None:
        return StatusCounts(open_alerts, out_alerts, acknowledged, unread, None, None)
    started, created, escalated, resolved, error = last
    sweep = SweepCounts(created or 0, escalated or 0, resolved or 0, failed=bool(error))
    return StatusCounts(open_alerts, out_alerts, acknowledged, unread, started, sweep)
