"""What the status bar shows: open-alert and unread counts, the last sweep. Cheap queries only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from invtui.domain.roles import Actor
from invtui.services import notifications
from invtui.services.tx import unit_of_work

# Served by the partial unique index on open alerts, so it stays cheap with 1M stock rows.
_OPEN_ALERTS = text(
    """
    SELECT count(*), count(*) FILTER (WHERE alert_type = 'OUT_OF_STOCK')
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
class StatusCounts:
    open_alerts: int
    out_alerts: int
    unread: int
    last_sweep_at: datetime | None
    last_sweep_summary: str


def counts(session: Session, actor: Actor) -> StatusCounts:
    """The badge numbers for `actor` and a one-line summary of the last finished sweep."""
    unread = notifications.unread_count(session, actor) if actor.id is not None else 0
    with unit_of_work(session):
        open_alerts, out_alerts = session.execute(_OPEN_ALERTS).one()
        last = session.execute(_LAST_SWEEP).first()
    if last is None:
        return StatusCounts(open_alerts, out_alerts, unread, None, "")
    started, created, escalated, resolved, error = last
    summary = "failed" if error else f"+{created}/^{escalated}/✓{resolved}"
    return StatusCounts(open_alerts, out_alerts, unread, started, summary)
