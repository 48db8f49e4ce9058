"""When locations are counted: each one's interval, and the counts that are due.

Each location has its own interval in days (NULL: the config's `[counts] every_days`; 0: never)
and the time its last count was posted. Re-exported by `invtui.services.counts`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from invtui.config import Settings
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.services import events
from invtui.services.acting import require_current
from invtui.services.count_history import EVENT
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

MAX_INTERVAL_DAYS = 3650


@dataclass(frozen=True)
class DueLocation:
    code: str
    name: str
    every_days: int
    last_counted_at: datetime | None
    items: int
    units: int

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_counted_at"] = self.last_counted_at.isoformat() if self.last_counted_at else None
        return data


# Active locations counted every N > 0 days whose last count is N days old or was never made.
_DUE_WHERE = """
    l.is_active AND coalesce(l.count_every_days, :every) > 0
    AND (l.last_counted_at IS NULL
         OR l.last_counted_at + make_interval(days => coalesce(l.count_every_days, :every))
            <= coalesce(CAST(:now AS timestamptz), now()))"""

_DUE = text(
    f"""SELECT l.code, l.name, coalesce(l.count_every_days, :every) AS every, l.last_counted_at,
               count(i.id) FILTER (WHERE i.quantity > 0), coalesce(sum(i.quantity), 0)
          FROM locations l LEFT JOIN inventory i ON i.location_id = l.id
         WHERE {_DUE_WHERE}
         GROUP BY l.id
         ORDER BY l.last_counted_at NULLS FIRST, l.code""")
_DUE_COUNT = text(f"SELECT count(*) FROM locations l WHERE {_DUE_WHERE}")


def due(session: Session, actor: Actor, settings: Settings | None = None,
        now: datetime | None = None) -> list[DueLocation]:
    """Active locations whose count is due, oldest (never counted first), with what they hold."""
    every = (settings or Settings()).counts_every_days
    with unit_of_work(session):
        rows = session.execute(_DUE, {"every": every, "now": now}).all()
    return [DueLocation(code, name, int(days), last, int(items), int(units))
            for code, name, days, last, items, units in rows]


def due_count(session: Session, actor: Actor, settings: Settings | None = None,
              now: datetime | None = None) -> int:
    """How many locations are due for a count (the dashboard's figure; no stock is read)."""
    with unit_of_work(session):
        return count_due_in(session, settings, now)


def count_due_in(session: Session, settings: Settings | None = None, now: datetime | None = None) -> int:
    """`due_count` inside the caller's own transaction (for a reader that takes one snapshot)."""
    every = (settings or Settings()).counts_every_days
    return int(session.execute(_DUE_COUNT, {"every": every, "now": now}).scalar_one())


def set_interval(session: Session, actor: Actor, location: str, every_days: object | None) -> int | None:
    """A location's own count interval in days (None: the config's; 0: never counted); managers.

    Returns the interval set. Announced as `count.changed` (action `interval`) so lists of counts
    due refresh.
    """
    from invtui.services import lookup  # the ORM: not loaded by the dashboard's count_due_in

    actor = require_current(session, actor, Permission.EDIT_CATALOG)
    days = None if every_days is None else validation.quantity(every_days, minimum=0, maximum=MAX_INTERVAL_DAYS,
                                                                  what="Count interval")
    with unit_of_work(session):
        place = lookup.location(session, location)
        session.execute(text("UPDATE locations SET count_every_days = :d, updated_at = now() WHERE id = :id"),
                        {"d": days, "id": place.id})
        events.emit(session, EVENT, location_id=place.id, user_id=actor.id, action="interval",
                    location=place.code, every_days=days)
    return days
