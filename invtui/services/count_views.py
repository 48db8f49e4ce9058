"""What the app's count screens need beyond `services.counts`: the counting view, a line's reason.

`counts` owns the count's rules; this module only reads what a screen shows while counting (each
line with where the ledger has the item when it is not stocked here) and writes one thing the
review needs that `counts.set_quantity` cannot do without counting as a recount: a difference's
reason. Each public function is one transaction and checks the role like `counts` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from invtui.domain.roles import Actor, Permission, Role
from invtui.services import counts
from invtui.services.acting import require_current
from invtui.services.tx import unit_of_work


@dataclass(frozen=True)
class ViewLine:
    """A counted line; `expected` is None while a blind count is open; `elsewhere` is set (the
    codes where the ledger has it, or "nowhere") when the item is not stocked at this location."""

    sku: str
    name: str
    counted: int
    expected: int | None
    elsewhere: str | None


@dataclass(frozen=True)
class CountingView:
    session: counts.CountSession
    lines: list[ViewLine]


def counting(session: Session, actor: Actor, reference: str) -> CountingView:
    """The session and its lines as the counter sees them, with items from other places marked."""
    shown, lines = counts.show(session, actor, reference)
    away = placement(session, shown.location, [line.sku for line in lines])
    return CountingView(shown, [ViewLine(line.sku, line.name, line.counted, line.expected, away.get(line.sku))
                                for line in lines])


def view_line(session: Session, location: str, line: counts.CountedLine) -> ViewLine:
    """One line just counted, marked when the item is not stocked at `location` (the screen updates
    that line alone, so a count of thousands of items does not redraw them all at every scan)."""
    return ViewLine(line.sku, line.name, line.counted, line.expected,
                    placement(session, location, [line.sku]).get(line.sku))


def placement(session: Session, location: str, skus: list[str]) -> dict[str, str]:
    """For each of `skus` not stocked at `location`: where the ledger has it ("nowhere" if no place)."""
    with unit_of_work(session):
        rows = session.execute(text(
            """SELECT p.sku,
                      EXISTS (SELECT 1 FROM inventory i JOIN locations l ON l.id = i.location_id
                               WHERE i.product_id = p.id AND l.code = :here AND i.quantity > 0),
                      (SELECT string_agg(l2.code, ', ' ORDER BY l2.code) FROM inventory i2
                         JOIN locations l2 ON l2.id = i2.location_id
                        WHERE i2.product_id = p.id AND l2.code <> :here AND i2.quantity > 0)
                 FROM products p WHERE p.sku = ANY(:skus)"""), {"here": location, "skus": skus}).all()
    return {sku: (other or "nowhere") for sku, here, other in rows if not here}


def open_at(session: Session, actor: Actor, location: str) -> counts.CountSession | None:
    """The open count of `location`, if there is one (a location has at most one)."""
    with unit_of_work(session):
        found = session.execute(text(
            "SELECT s.reference FROM count_sessions s JOIN locations l ON l.id = s.location_id"
            " WHERE s.status = 'open' AND (l.code = :code OR l.code = upper(:code))"),
            {"code": location.strip()}).scalar()
    return None if found is None else counts.show(session, actor, found)[0]


def start_or_resume(session: Session, actor: Actor, location: str) -> counts.CountSession:
    """Resume the open count of `location` when the actor may (its owner, or a manager); else start one.

    Someone else's open count is refused by `counts.start` in its own words ("WH1-A-01 is already
    being counted: CNT-000003 by alice").
    """
    actor = require_current(session, actor, Permission.MOVE_STOCK)
    found = open_at(session, actor, location)
    if found is not None and (found.owner == actor.username or actor.role.rank >= Role.MANAGER.rank):
        return found
    return counts.start(session, actor, location)

