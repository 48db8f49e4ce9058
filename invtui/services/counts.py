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
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from invtui.config import Settings
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission, Role, require
from invtui.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from invtui.services import events, lookup
from invtui.services.inventory import MAX_REASON
from invtui.services.ledger import apply_movement
from invtui.services.tx import unit_of_work

REASONS = ("damaged", "lost", "found", "miscount", "moved")
GROUPS = ("missing", "extra", "matching")
_REFERENCE = re.compile(r"^(?:CNT-)?0*(\d{1,12})$", re.IGNORECASE)


@dataclass(frozen=True)
class CountSession:
    id: int
    reference: str
    location: str
    owner: str
    blind: bool
    status: str
    lines: int
    units: int
    approved_by: str | None
    created_at: datetime
    closed_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["closed_at"] = self.closed_at.isoformat() if self.closed_at else None
        return data


@dataclass(frozen=True)
class CountedLine:
    """A line as the counter sees it: `expected` is None while a blind session is open."""

    sku: str
    name: str
    counted: int
    expected: int | None


@dataclass(frozen=True)
class ReviewLine:
    sku: str
    name: str
    counted: int
    expected: int
    difference: int
    group: str  # missing | extra | matching
    moved_from: str | None  # where the ledger has it when it was counted here but not expected
    reason: str
    value: Decimal  # |difference| at cost
    needs_approval: bool

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["value"] = str(self.value)
        return data


@dataclass(frozen=True)
class Review:
    session: CountSession
    lines: list[ReviewLine]

    @property
    def differences(self) -> list[ReviewLine]:
        return [line for line in self.lines if line.difference]


@dataclass(frozen=True)
class PostResult:
    reference: str
    movements: int
    units_up: int
    units_down: int
    already_posted: bool


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


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------

def start(session: Session, actor: Actor, location: str, blind: bool | None = None) -> CountSession:
    """Open a count of `location`; blind (expected quantities hidden) by default for operators."""
    require(actor, Permission.MOVE_STOCK)
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
        return _session_row(session, new_id)


def scan(session: Session, actor: Actor, reference: str, code: str, quantity: object = 1) -> CountedLine:
    """Add `quantity` (default one) of the scanned item to its line; one line per item."""
    require(actor, Permission.MOVE_STOCK)
    units = validation.quantity(quantity, what="Quantity")
    with unit_of_work(session):
        row = _open_session(session, actor, reference)
        product_id = _countable(session, code, row)
        position = _position(session, product_id, row["location_id"])
        session.execute(text(
            """INSERT INTO count_lines (session_id, product_id, counted, ledger_position, counted_by)
               VALUES (:sid, :pid, :units, :pos, :uid)
               ON CONFLICT (session_id, product_id) DO UPDATE
                  SET counted = count_lines.counted + EXCLUDED.counted, ledger_position = EXCLUDED.ledger_position,
                      counted_at = now(), counted_by = EXCLUDED.counted_by"""),
            {"sid": row["id"], "pid": product_id, "units": units, "pos": position, "uid": actor.id})
        _touch(session, row["id"])
        return _counted_line(session, row, product_id)


def set_quantity(session: Session, actor: Actor, reference: str, code: str, counted: object,
                 reason: str | None = None) -> CountedLine:
    """Type over a line's quantity (a recount); 0 says the item was looked for and not found."""
    require(actor, Permission.MOVE_STOCK)
    number = validation.quantity(counted, minimum=0, what="Counted quantity")
    why = _reason(reason)
    with unit_of_work(session):
        row = _open_session(session, actor, reference)
        product_id = _countable(session, code, row)
        position = _position(session, product_id, row["location_id"])
        session.execute(text(
            """INSERT INTO count_lines (session_id, product_id, counted, ledger_position, counted_by, reason)
               VALUES (:sid, :pid, :n, :pos, :uid, coalesce(:why, ''))
               ON CONFLICT (session_id, product_id) DO UPDATE
                  SET counted = EXCLUDED.counted, ledger_position = EXCLUDED.ledger_position, counted_at = now(),
                      counted_by = EXCLUDED.counted_by, recounts = count_lines.recounts + 1,
                      reason = coalesce(:why, count_lines.reason)"""),
            {"sid": row["id"], "pid": product_id, "n": number, "pos": position, "uid": actor.id, "why": why})
        _touch(session, row["id"])
        return _counted_line(session, row, product_id)


def review(session: Session, actor: Actor, reference: str, settings: Settings | None = None) -> Review:
    """Every item of the location, counted or expected, as missing, extra or matching."""
    with unit_of_work(session):
        row = _session_by_reference(session, reference)
        return Review(_session_row(session, row["id"]), _review_lines(session, row, settings or Settings()))


def approve(session: Session, actor: Actor, reference: str) -> CountSession:
    """A manager accepts the differences above the thresholds, so the count can be posted."""
    require(actor, Permission.APPROVE_COUNT)
    with unit_of_work(session):
        row = _session_by_reference(session, reference, lock=True)
        if row["status"] != "open":
            raise ConflictError(f"{row['reference']} is {row['status']}; only an open count can be approved")
        session.execute(text("UPDATE count_sessions SET approved_by = :uid, approved_at = now(), updated_at = now()"
                             " WHERE id = :sid"), {"uid": actor.id, "sid": row["id"]})
        return _session_row(session, row["id"])


def post(session: Session, actor: Actor, reference: str, reason: str = "",
         settings: Settings | None = None) -> PostResult:
    """Write one `adjust` movement per difference, close the session; all or nothing, once.

    `reason` is used for differences that have none of their own. Differences above the
    thresholds need a manager: the manager's own post approves them. Posting a posted session
    again writes nothing and says so.
    """
    require(actor, Permission.MOVE_STOCK)
    default_reason = _reason(reason) or ""
    config = settings or Settings()
    with unit_of_work(session):
        row = _session_by_reference(session, reference, lock=True)  # a second post waits here
        if row["status"] == "posted":
            return PostResult(row["reference"], 0, 0, 0, already_posted=True)
        if row["status"] != "open":
            raise ConflictError(f"{row['reference']} was abandoned; start a new count")
        _may_act(session, actor, row)
        _lock_location(session, row["location_id"])
        lines = _review_lines(session, row, config)
        manager = actor.can(Permission.APPROVE_COUNT)
        waiting = [line.sku for line in lines if line.needs_approval]
        if waiting and row["approved_by"] is None and not manager:
            raise PermissionDenied(f"{len(waiting)} difference(s) need a manager's approval first: "
                                   f"{', '.join(waiting[:5])}")
        unexplained = [line.sku for line in lines if line.difference and not (line.reason or default_reason)]
        if unexplained:
            raise ValidationError(f"Give a reason for each difference ({', '.join(REASONS)} or your own words): "
                                  f"{', '.join(unexplained[:5])}")
        up = down = moves = 0
        ids = _product_ids(session, [line.sku for line in lines])
        for line in lines:
            pid = ids[line.sku]
            if line.difference:
                apply_movement(session, user_id=actor.id, product_id=pid, location_id=row["location_id"],
                               kind="adjust", quantity_delta=line.difference, reference=row["reference"],
                               reason=line.reason or default_reason)
                moves += 1
                up += max(line.difference, 0)
                down += max(-line.difference, 0)
            session.execute(text(
                """INSERT INTO count_lines (session_id, product_id, counted, ledger_position, counted_by,
                                            reason, expected_at_post, posted_difference)
                   VALUES (:sid, :pid, 0, :pos, :uid, :why, :exp, :diff)
                   ON CONFLICT (session_id, product_id) DO UPDATE
                      SET expected_at_post = EXCLUDED.expected_at_post,
                          posted_difference = EXCLUDED.posted_difference,
                          reason = CASE WHEN count_lines.reason = '' THEN EXCLUDED.reason ELSE count_lines.reason END"""),
                {"sid": row["id"], "pid": pid, "pos": _position(session, pid, row["location_id"]), "uid": actor.id,
                 "why": (line.reason or default_reason) if line.difference else line.reason,
                 "exp": line.expected, "diff": line.difference})
        session.execute(text(
            "UPDATE count_sessions SET status = 'posted', closed_at = now(), closed_by = :uid, updated_at = now(),"
            " approved_by = CASE WHEN :approve THEN coalesce(approved_by, :uid) ELSE approved_by END,"
            " approved_at = CASE WHEN :approve THEN coalesce(approved_at, now()) ELSE approved_at END"
            " WHERE id = :sid"), {"uid": actor.id, "sid": row["id"], "approve": bool(waiting) and manager})
        session.execute(text("UPDATE locations SET last_counted_at = now() WHERE id = :loc"),
                        {"loc": row["location_id"]})
        events.emit(session, "stock.changed", user_id=actor.id, movement="count", reference=row["reference"],
                    location_id=row["location_id"], items=moves)
        return PostResult(row["reference"], moves, up, down, already_posted=False)


def abandon(session: Session, actor: Actor, reference: str) -> CountSession:
    """Close an open count without writing any stock."""
    require(actor, Permission.MOVE_STOCK)
    with unit_of_work(session):
        row = _session_by_reference(session, reference, lock=True)
        if row["status"] != "open":
            raise ConflictError(f"{row['reference']} is already {row['status']}")
        _may_act(session, actor, row)
        session.execute(text("UPDATE count_sessions SET status = 'abandoned', closed_at = now(), closed_by = :uid,"
                             " updated_at = now() WHERE id = :sid"), {"uid": actor.id, "sid": row["id"]})
        return _session_row(session, row["id"])


def list_sessions(session: Session, actor: Actor, status: str | None = None, limit: int = 100) -> list[CountSession]:
    """Sessions newest first, optionally only those with `status` (open, posted, abandoned)."""
    if status is not None and status not in ("open", "posted", "abandoned"):
        raise ValidationError("Status must be open, posted or abandoned")
    with unit_of_work(session):
        ids = session.execute(text(
            "SELECT id FROM count_sessions WHERE (CAST(:status AS varchar) IS NULL OR status = :status)"
            " ORDER BY id DESC LIMIT :limit"), {"status": status, "limit": max(1, min(limit, 1000))}).scalars().all()
        return [_session_row(session, sid) for sid in ids]


def show(session: Session, actor: Actor, reference: str) -> tuple[CountSession, list[CountedLine]]:
    """A session and its lines; expected quantities stay hidden while a blind count is open."""
    with unit_of_work(session):
        row = _session_by_reference(session, reference)
        hide = row["blind"] and row["status"] == "open"
        lines = session.execute(text(
            "SELECT p.sku, p.name, c.counted, c.expected_at_post FROM count_lines c JOIN products p ON p.id = c.product_id"
            " WHERE c.session_id = :sid ORDER BY p.sku"), {"sid": row["id"]}).all()
        expected = {} if hide else {line.sku: line.expected for line in _review_lines(session, row, Settings())}
        return _session_row(session, row["id"]), [
            CountedLine(sku, name, counted, None if hide else (posted if posted is not None else expected.get(sku)))
            for sku, name, counted, posted in lines]


def due(session: Session, actor: Actor, settings: Settings | None = None,
        now: datetime | None = None) -> list[DueLocation]:
    """Active locations whose count is due, oldest (never counted first), with what they hold."""
    every = (settings or Settings()).counts_every_days
    with unit_of_work(session):
        rows = session.execute(text(
            """SELECT l.code, l.name, coalesce(l.count_every_days, :every) AS every, l.last_counted_at,
                      count(i.id) FILTER (WHERE i.quantity > 0), coalesce(sum(i.quantity), 0)
                 FROM locations l LEFT JOIN inventory i ON i.location_id = l.id
                WHERE l.is_active AND coalesce(l.count_every_days, :every) > 0
                  AND (l.last_counted_at IS NULL
                       OR l.last_counted_at + make_interval(days => coalesce(l.count_every_days, :every))
                          <= coalesce(CAST(:now AS timestamptz), now()))
                GROUP BY l.id
                ORDER BY l.last_counted_at NULLS FIRST, l.code"""), {"every": every, "now": now}).all()
    return [DueLocation(code, name, int(days), last, int(items), int(units))
            for code, name, days, last, items, units in rows]


def set_interval(session: Session, actor: Actor, location: str, every_days: object | None) -> None:
    """A location's own count interval in days (None: the config's; 0: never counted)."""
    require(actor, Permission.EDIT_CATALOG)
    days = None if every_days is None else validation.quantity(every_days, minimum=0, maximum=3650,
                                                                  what="Count interval")
    with unit_of_work(session):
        place = lookup.location(session, location)
        session.execute(text("UPDATE locations SET count_every_days = :d, updated_at = now() WHERE id = :id"),
                        {"d": days, "id": place.id})


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

_SESSION = """SELECT s.id, s.reference, s.location_id, s.owner_id, s.blind, s.status, s.approved_by
                FROM count_sessions s WHERE s.id = :sid"""


def _session_by_reference(session: Session, reference: str, *, lock: bool = False) -> dict[str, Any]:
    match = _REFERENCE.match((reference or "").strip())
    if not match:
        raise ValidationError(f"Unknown count {reference!r}; counts are named like CNT-000001")
    row = session.execute(text(_SESSION + (" FOR UPDATE" if lock else "")), {"sid": int(match.group(1))}).mappings().first()
    if row is None:
        raise NotFound(f"Unknown count {reference!r}")
    return dict(row)


def _open_session(session: Session, actor: Actor, reference: str) -> dict[str, Any]:
    row = _session_by_reference(session, reference, lock=True)
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


def _touch(session: Session, session_id: int) -> None:
    session.execute(text("UPDATE count_sessions SET updated_at = now() WHERE id = :sid"), {"sid": session_id})


def _product_ids(session: Session, skus: list[str]) -> dict[str, int]:
    rows = session.execute(text("SELECT sku, id FROM products WHERE sku = ANY(:skus)"), {"skus": skus}).all()
    return {sku: int(pid) for sku, pid in rows}


def _reason(value: str | None) -> str | None:
    if value is None:
        return None
    return validation.text(value, what="Reason", max_length=MAX_REASON, required=False)


# Every item of the location: what is on hand there and what was counted. For a counted line,
# the expected quantity is the current one minus what moved after the line was counted.
_REVIEW = text(
    """
    WITH items AS (
        SELECT i.product_id FROM inventory i WHERE i.location_id = :loc AND i.quantity > 0
        UNION
        SELECT c.product_id FROM count_lines c WHERE c.session_id = :sid
    )
    SELECT p.sku, p.name, coalesce(c.counted, 0) AS counted,
           coalesce(i.quantity, 0) - coalesce((
               SELECT sum(m.quantity_delta) FROM stock_movements m
                WHERE m.product_id = p.id AND m.location_id = :loc AND m.id > c.ledger_position), 0) AS expected,
           coalesce(c.reason, '') AS reason,
           coalesce(nullif(p.cost_price, 0), p.unit_price, 0) AS unit_cost,
           (SELECT string_agg(l2.code, ', ' ORDER BY l2.code) FROM inventory i2 JOIN locations l2 ON l2.id = i2.location_id
             WHERE i2.product_id = p.id AND i2.location_id <> :loc AND i2.quantity > 0) AS elsewhere,
           c.expected_at_post, c.posted_difference
      FROM items
      JOIN products p ON p.id = items.product_id
      LEFT JOIN count_lines c ON c.session_id = :sid AND c.product_id = p.id
      LEFT JOIN inventory i ON i.product_id = p.id AND i.location_id = :loc
     ORDER BY p.sku
    """
)


def _review_lines(session: Session, row: dict[str, Any], settings: Settings) -> list[ReviewLine]:
    result = session.execute(_REVIEW, {"loc": row["location_id"], "sid": row["id"]}).all()
    lines = []
    for sku, name, counted, expected, reason, unit_cost, elsewhere, posted_expected, posted_diff in result:
        if row["status"] == "posted" and posted_expected is not None:
            expected = posted_expected  # what posting found, not what moved since
        expected = max(int(expected), 0)
        difference = int(counted) - expected
        group = "matching" if difference == 0 else ("missing" if difference < 0 else "extra")
        value = (abs(difference) * Decimal(unit_cost)).quantize(Decimal("0.01"))
        percent_over = expected > 0 and abs(difference) * 100 > settings.counts_approve_above_percent * expected
        needs = bool(difference) and (value > settings.counts_approve_above_value or percent_over)
        moved = elsewhere if group == "extra" and elsewhere else None
        lines.append(ReviewLine(sku, name, int(counted), expected, difference, group, moved, reason, value, needs))
    return lines


def _counted_line(session: Session, row: dict[str, Any], product_id: int) -> CountedLine:
    sku, name, counted = session.execute(text(
        "SELECT p.sku, p.name, c.counted FROM count_lines c JOIN products p ON p.id = c.product_id"
        " WHERE c.session_id = :sid AND c.product_id = :pid"), {"sid": row["id"], "pid": product_id}).one()
    if row["blind"]:
        return CountedLine(sku, name, counted, None)
    expected = next((line.expected for line in _review_lines(session, row, Settings()) if line.sku == sku), None)
    return CountedLine(sku, name, counted, expected)


def _session_row(session: Session, session_id: int) -> CountSession:
    row = session.execute(text(
        """SELECT s.id, s.reference, l.code, u.username, s.blind, s.status,
                  (SELECT count(*) FROM count_lines c WHERE c.session_id = s.id),
                  (SELECT coalesce(sum(c.counted), 0) FROM count_lines c WHERE c.session_id = s.id),
                  a.username, s.created_at, s.closed_at
             FROM count_sessions s JOIN locations l ON l.id = s.location_id JOIN users u ON u.id = s.owner_id
             LEFT JOIN users a ON a.id = s.approved_by
            WHERE s.id = :sid"""), {"sid": session_id}).one()
    return CountSession(int(row[0]), row[1], row[2], row[3], row[4], row[5], int(row[6]), int(row[7]), row[8],
                        row[9], row[10])
