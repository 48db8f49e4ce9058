"""Cycle counts by location: open a session, scan what is on the shelf, review, post in one go.

Each public function is one transaction for one acting user and checks the role first: anyone
signed in sees sessions, operators count and post, managers approve differences above the
`[counts]` thresholds.

The expected quantity of a line is the quantity **at the moment the line was counted**. A line
keeps the item's last ledger row (its position) when it was counted, read under the inventory
row's lock so no movement of that item is in flight; at review and posting, every movement
booked to the item and location after that position is taken off the current quantity. Stock
that keeps moving while the bin is counted therefore makes no false difference, and the posted
adjustment lands on top of whatever moved since.

Every change is written to the count's history (services/count_history.py, also in `invtui
audit`) and announced as a `count.changed` event. A count may be posted in parts: with
`partial=True` the differences that need no approval are posted and those waiting for a manager
stay in the open session for a later post. A posted line is never counted or posted again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from invtui.config import Settings
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission, Role
from invtui.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from invtui.services import count_history, count_posting, count_review, events, lookup
from invtui.services.count_history import HistoryEntry
from invtui.services.count_review import (GROUPS, REASONS, CountedLine, CountSession, PostResult, Review,
                                          ReviewLine)
from invtui.services.acting import require_current
from invtui.services.count_schedule import DueLocation, due, due_count, set_interval
from invtui.services.inventory import MAX_REASON
from invtui.services.tx import unit_of_work

__all__ = ["GROUPS", "REASONS", "CountSession", "CountedLine", "DueLocation", "HistoryEntry", "PostResult",
           "Review", "ReviewLine", "abandon", "approve", "due", "due_count", "history", "list_sessions", "post",
           "review", "scan", "set_interval", "set_quantity", "set_reason", "show", "start"]

# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------

def start(session: Session, actor: Actor, location: str, blind: bool | None = None) -> CountSession:
    """Open a count of `location`; blind (expected quantities hidden) by default for operators."""
    actor = require_current(session, actor, Permission.MOVE_STOCK)
    hide = actor.role == Role.OPERATOR if blind is None else blind
    with unit_of_work(session):
        place = lookup.location(session, location)
        if not place.is_active:
            raise ConflictError(f"Location {place.code} is inactive")
        open_one = session.execute(text(
            "SELECT s.reference, u.username FROM count_sessions s JOIN users u ON u.id = s.owner_id"
            " WHERE s.location_id = :loc AND s.status = 'open'"), {"loc": place.id}).first()
        if open_one is not None:
            raise ConflictError(f"{place.code} is already being counted: {open_one[0]} by {open_one[1]}")
        try:
            with session.begin_nested():
                new_id = session.execute(text(
                    "INSERT INTO count_sessions (location_id, owner_id, blind) VALUES (:loc, :owner, :blind)"
                    " RETURNING id"), {"loc": place.id, "owner": actor.id, "blind": hide}).scalar_one()
        except IntegrityError:  # another session for this location opened a moment ago
            raise ConflictError(f"{place.code} is already being counted") from None
        count_history.record(session, count_review.session_by_id(session, new_id), "started", actor.id,
                             detail=f"{'blind ' if hide else ''}count of {place.code}")
        return count_review.session_row(session, new_id)


def scan(session: Session, actor: Actor, reference: str, code: str, quantity: object = 1) -> CountedLine:
    """Add `quantity` (default one) of the scanned item to its line; one line per item."""
    actor = require_current(session, actor, Permission.MOVE_STOCK)
    units = validation.quantity(quantity, what="Quantity")
    with unit_of_work(session):
        row = _open_session(session, actor, reference)
        product_id = _countable(session, code, row)
        position = _position(session, product_id, row["location_id"])
        counted = _write_line(session, row, product_id, text(
            """INSERT INTO count_lines (session_id, product_id, counted, ledger_position, counted_by)
               VALUES (:sid, :pid, :units, :pos, :uid)
               ON CONFLICT (session_id, product_id) DO UPDATE
                  SET counted = count_lines.counted + EXCLUDED.counted, ledger_position = EXCLUDED.ledger_position,
                      counted_at = now(), counted_by = EXCLUDED.counted_by
                WHERE count_lines.posted_at IS NULL
               RETURNING counted"""),
            {"sid": row["id"], "pid": product_id, "units": units, "pos": position, "uid": actor.id})
        line = count_review.counted_line(session, row, product_id)
        _changed(session, row, actor, "scanned", product_id, line.sku, units, f"+{units}, line now {counted}")
        return line


def set_quantity(session: Session, actor: Actor, reference: str, code: str, counted: object,
                 reason: str | None = None) -> CountedLine:
    """Type over a line's quantity (a recount); 0 says the item was looked for and not found."""
    actor = require_current(session, actor, Permission.MOVE_STOCK)
    number = validation.quantity(counted, minimum=0, what="Counted quantity")
    why = _reason(reason)
    with unit_of_work(session):
        row = _open_session(session, actor, reference)
        product_id = _countable(session, code, row)
        position = _position(session, product_id, row["location_id"])
        _write_line(session, row, product_id, text(
            """INSERT INTO count_lines (session_id, product_id, counted, ledger_position, counted_by, reason)
               VALUES (:sid, :pid, :n, :pos, :uid, coalesce(:why, ''))
               ON CONFLICT (session_id, product_id) DO UPDATE
                  SET counted = EXCLUDED.counted, ledger_position = EXCLUDED.ledger_position, counted_at = now(),
                      counted_by = EXCLUDED.counted_by, recounts = count_lines.recounts + 1,
                      reason = coalesce(:why, count_lines.reason)
                WHERE count_lines.posted_at IS NULL
               RETURNING counted"""),
            {"sid": row["id"], "pid": product_id, "n": number, "pos": position, "uid": actor.id, "why": why})
        line = count_review.counted_line(session, row, product_id)
        _changed(session, row, actor, "recounted", product_id, line.sku, number,
                 f"set to {number}" + (f" ({why})" if why else ""))
        return line


def set_reason(session: Session, actor: Actor, reference: str, code: str, reason: str) -> CountedLine:
    """Give a line's difference its reason (one of REASONS or free text) without recounting it."""
    actor = require_current(session, actor, Permission.MOVE_STOCK)
    why = _reason(reason)
    if not why:
        raise ValidationError(f"Give a reason: {', '.join(REASONS)} or your own words")
    with unit_of_work(session):
        row = _open_session(session, actor, reference)
        product_id = _countable(session, code, row)
        position = _position(session, product_id, row["location_id"])
        # An item not counted at all (missing) gets its line of 0 here, so its reason has a home.
        _write_line(session, row, product_id, text(
            """INSERT INTO count_lines (session_id, product_id, counted, ledger_position, counted_by, reason)
               VALUES (:sid, :pid, 0, :pos, :uid, :why)
               ON CONFLICT (session_id, product_id) DO UPDATE SET reason = EXCLUDED.reason
                WHERE count_lines.posted_at IS NULL
               RETURNING counted"""),
            {"sid": row["id"], "pid": product_id, "pos": position, "uid": actor.id, "why": why})
        line = count_review.counted_line(session, row, product_id)
        count_history.record(session, row, "reason", actor.id, product_id=product_id, sku=line.sku, detail=why)
        return line


def review(session: Session, actor: Actor, reference: str, settings: Settings | None = None) -> Review:
    """Every item of the location, counted or expected, as missing, extra or matching."""
    with unit_of_work(session):
        row = count_review.session_by_reference(session, reference)
        return Review(count_review.session_row(session, row["id"]), count_review.review_lines(session, row, settings or Settings()))


def approve(session: Session, actor: Actor, reference: str, settings: Settings | None = None) -> CountSession:
    """A manager accepts the differences above the thresholds, so the count can be posted.

    The approval covers the lines as they are: counting any line again withdraws it.
    """
    actor = require_current(session, actor, Permission.APPROVE_COUNT)
    with unit_of_work(session):
        row = count_review.session_by_reference(session, reference, lock=True)
        if row["status"] != "open":
            raise ConflictError(f"{row['reference']} is {row['status']}; only an open count can be approved")
        session.execute(text("UPDATE count_sessions SET approved_by = :uid, approved_at = now(), updated_at = now()"
                             " WHERE id = :sid"), {"uid": actor.id, "sid": row["id"]})
        waiting = [line.sku for line in count_review.review_lines(session, row, settings or Settings()) if line.needs_approval]
        count_history.record(session, row, "approved", actor.id, quantity=len(waiting),
                             detail=f"{len(waiting)} difference(s) above the thresholds"
                                    + (f": {', '.join(waiting[:5])}" if waiting else ""))
        return count_review.session_row(session, row["id"])


def post(session: Session, actor: Actor, reference: str, reason: str = "",
         settings: Settings | None = None, partial: bool = False) -> PostResult:
    """Write one `adjust` movement per difference, close the session; all or nothing, once.

    `reason` is used for differences that have none of their own. Differences above the
    thresholds need a manager: the manager's own post approves them. Without approval the post
    is refused, unless `partial`: then every other line is posted and the waiting ones stay in
    the open session (`PostResult.held`) for a later post. Posting a posted session (or posting
    in part again with nothing new) writes nothing and says so.
    """
    actor = require_current(session, actor, Permission.MOVE_STOCK)
    default_reason = _reason(reason) or ""
    config = settings or Settings()
    with unit_of_work(session):
        row = count_review.session_by_reference(session, reference, lock=True)  # a second post waits here
        if row["status"] == "posted":
            return PostResult(row["reference"], 0, 0, 0, already_posted=True)
        if row["status"] != "open":
            raise ConflictError(f"{row['reference']} was abandoned; start a new count")
        _may_act(session, actor, row)
        _lock_location(session, row["location_id"])
        pending = [line for line in count_review.review_lines(session, row, config) if not line.posted]
        waiting = [line for line in pending if line.needs_approval]
        manager = actor.can(Permission.APPROVE_COUNT)
        held = [] if manager or row["approved_by"] is not None else waiting
        if held and not partial:
            raise PermissionDenied(f"{len(held)} difference(s) need a manager's approval first: "
                                   f"{', '.join(line.sku for line in held[:5])}; the rest can be posted on its own")
        lines = [line for line in pending if not line.needs_approval or not held]
        unexplained = [line.sku for line in lines if line.difference and not (line.reason or default_reason)]
        if unexplained:
            raise ValidationError(f"Give a reason for each difference ({', '.join(REASONS)} or your own words): "
                                  f"{', '.join(unexplained[:5])}")
        ids = _product_ids(session, [line.sku for line in lines])
        count_posting.write(session, session_id=row["id"], location_id=row["location_id"], reference=row["reference"],
                            user_id=actor.id, lines=[count_posting.LineToPost(
                                ids[line.sku], line.counted, line.expected, line.difference,
                                (line.reason or default_reason) if line.difference else line.reason) for line in lines])
        moves = sum(1 for line in lines if line.difference)
        up = sum(max(line.difference, 0) for line in lines)
        down = sum(max(-line.difference, 0) for line in lines)
        if waiting and not held and row["approved_by"] is None:
            count_history.record(session, row, "approved", actor.id, quantity=len(waiting),
                                 detail=f"{len(waiting)} difference(s) above the thresholds, by posting them")
        if not held:
            _close(session, row, actor, "posted", approve=bool(waiting) and manager)
            session.execute(text("UPDATE locations SET last_counted_at = now() WHERE id = :loc"),
                            {"loc": row["location_id"]})
        if lines or not held:
            skus = ", ".join(line.sku for line in held[:5])
            count_history.record(session, row, "posted", actor.id, quantity=moves,
                                 detail=f"{moves} adjustment(s), +{up} / -{down} unit(s); "
                                        + (f"{len(held)} wait for approval: {skus}" if held else "closed"))
        if moves:
            events.emit(session, "stock.changed", user_id=actor.id, movement="count", reference=row["reference"],
                        location_id=row["location_id"], items=moves)
        return PostResult(row["reference"], moves, up, down, already_posted=False, lines=len(lines),
                          held=tuple(line.sku for line in held))


def abandon(session: Session, actor: Actor, reference: str) -> CountSession:
    """Close an open count without writing any more stock (lines posted in part stay posted)."""
    actor = require_current(session, actor, Permission.MOVE_STOCK)
    with unit_of_work(session):
        row = count_review.session_by_reference(session, reference, lock=True)
        if row["status"] != "open":
            raise ConflictError(f"{row['reference']} is already {row['status']}")
        _may_act(session, actor, row)
        _close(session, row, actor, "abandoned")
        closed = count_review.session_row(session, row["id"])
        count_history.record(session, row, "abandoned", actor.id,
                             detail=f"{closed.posted_lines} line(s) posted before stay posted"
                                    if closed.posted_lines else "nothing written")
        return closed


def list_sessions(session: Session, actor: Actor, status: str | None = None, limit: int = 100) -> list[CountSession]:
    """Sessions newest first, optionally only those with `status` (open, posted, abandoned)."""
    if status is not None and status not in ("open", "posted", "abandoned"):
        raise ValidationError("Status must be open, posted or abandoned")
    with unit_of_work(session):
        ids = session.execute(text(
            "SELECT id FROM count_sessions WHERE (CAST(:status AS varchar) IS NULL OR status = :status)"
            " ORDER BY id DESC LIMIT :limit"), {"status": status, "limit": max(1, min(limit, 1000))}).scalars().all()
        return [count_review.session_row(session, sid) for sid in ids]


def show(session: Session, actor: Actor, reference: str) -> tuple[CountSession, list[CountedLine]]:
    """A session and its lines; expected quantities stay hidden while a blind count is open."""
    with unit_of_work(session):
        row = count_review.session_by_reference(session, reference)
        hide = row["blind"] and row["status"] == "open"
        lines = session.execute(text(
            "SELECT p.sku, p.name, c.counted, c.expected_at_post FROM count_lines c JOIN products p ON p.id = c.product_id"
            " WHERE c.session_id = :sid ORDER BY p.sku"), {"sid": row["id"]}).all()
        expected = {} if hide else {line.sku: line.expected for line in count_review.review_lines(session, row, Settings())}
        return count_review.session_row(session, row["id"]), [
            CountedLine(sku, name, counted, None if hide else (posted if posted is not None else expected.get(sku)))
            for sku, name, counted, posted in lines]


def history(session: Session, actor: Actor, reference: str) -> list[HistoryEntry]:
    """Everything that happened to a count, oldest first: start, lines, reasons, approval, postings.

    Includes the adjustments its posting wrote (action `adjusted`); everyone may read it.
    """
    with unit_of_work(session):
        return count_history.entries(session, count_review.session_by_reference(session, reference))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def _open_session(session: Session, actor: Actor, reference: str) -> dict[str, Any]:
    row = count_review.session_by_reference(session, reference, lock=True)
    if row["status"] != "open":
        raise ConflictError(f"{row['reference']} is {row['status']}; nothing more can be counted in it")
    _may_act(session, actor, row)
    return row


def _may_act(session: Session, actor: Actor, row: dict[str, Any]) -> None:
    """The owner resumes their own count; a manager may take over anyone's."""
    if row["owner_id"] != actor.id and actor.role.rank < Role.MANAGER.rank:
        owner = session.execute(text("SELECT username FROM users WHERE id = :id"), {"id": row["owner_id"]}).scalar()
        raise PermissionDenied(f"{row['reference']} belongs to {owner}; only they or a manager can change it")


def _countable(session: Session, code: str, row: dict[str, Any]) -> int:
    """The scanned product's id; a location code, an unknown code or an inactive product is refused."""
    try:
        product = lookup.product(session, code)
    except NotFound:
        try:
            place = lookup.location(session, code)
        except NotFound:
            raise NotFound(f"Unknown code {code.strip()!r}; not added") from None
        raise ValidationError(f"{place.code} is a location, not an item; not added") from None
    if not product.is_active:
        raise ConflictError(f"Product {product.sku} is inactive; not added")
    return int(product.id)  # type: ignore[arg-type]


def _position(session: Session, product_id: int, location_id: int) -> int:
    """The item's last ledger row here, read under its inventory row's lock (no movement in flight)."""
    session.execute(text("SELECT 1 FROM inventory WHERE product_id = :p AND location_id = :l FOR UPDATE"),
                    {"p": product_id, "l": location_id}).all()
    return int(session.execute(text(
        "SELECT coalesce(max(id), 0) FROM stock_movements WHERE product_id = :p AND location_id = :l"),
        {"p": product_id, "l": location_id}).scalar_one())


def _lock_location(session: Session, location_id: int) -> None:
    session.execute(text("SELECT id FROM inventory WHERE location_id = :l ORDER BY product_id FOR UPDATE"),
                    {"l": location_id}).all()


def _write_line(session: Session, row: dict[str, Any], product_id: int, statement: Any,
                params: dict[str, Any]) -> int:
    """Run a line's upsert; a line posted already (a count posted in part) is refused, not changed."""
    counted = session.execute(statement, params).scalar()
    if counted is None:
        sku = session.execute(text("SELECT sku FROM products WHERE id = :id"), {"id": product_id}).scalar()
        raise ConflictError(f"{sku} was posted already in {row['reference']}; it cannot be counted again")
    return int(counted)


def _changed(session: Session, row: dict[str, Any], actor: Actor, action: str, product_id: int, sku: str,
             quantity: int, detail: str) -> None:
    """Record a line change; an approval given before it no longer covers the lines, so it is withdrawn."""
    session.execute(text("UPDATE count_sessions SET updated_at = now(), approved_by = NULL, approved_at = NULL"
                         " WHERE id = :sid"), {"sid": row["id"]})
    count_history.record(session, row, action, actor.id, product_id=product_id, sku=sku, quantity=quantity,
                         detail=detail + ("; approval withdrawn" if row["approved_by"] is not None else ""))


def _close(session: Session, row: dict[str, Any], actor: Actor, status: str, *, approve: bool = False) -> None:
    session.execute(text(
        "UPDATE count_sessions SET status = :status, closed_at = now(), closed_by = :uid, updated_at = now(),"
        " approved_by = CASE WHEN :approve THEN coalesce(approved_by, :uid) ELSE approved_by END,"
        " approved_at = CASE WHEN :approve THEN coalesce(approved_at, now()) ELSE approved_at END"
        " WHERE id = :sid"), {"status": status, "uid": actor.id, "sid": row["id"], "approve": approve})


def _product_ids(session: Session, skus: list[str]) -> dict[str, int]:
    rows = session.execute(text("SELECT sku, id FROM products WHERE sku = ANY(:skus)"), {"skus": skus}).all()
    return {sku: int(pid) for sku, pid in rows}


def _reason(value: str | None) -> str | None:
    if value is None:
        return None
    return validation.text(value, what="Reason", max_length=MAX_REASON, required=False)
