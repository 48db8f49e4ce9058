"""What a count is made of, as read from the database: sessions, counted lines and the review.

The data shapes every caller of `invtui.services.counts` gets back (re-exported there), and the
reads the count's actions share: a session by its reference, the review of every item of the
location (one query), one counted line. Nothing here writes.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from invtui.config import Settings
from invtui.errors import NotFound, ValidationError

if TYPE_CHECKING:
    from sqlmodel import Session

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
    posted_lines: int = 0  # lines already posted (a count posted in part stays open for the rest)

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
    needs_approval: bool  # above the thresholds, not posted yet
    posted: bool = False  # written already (a count posted in part, or a posted count)

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
    lines: int = 0  # lines this call posted, differences or not
    held: tuple[str, ...] = ()  # SKUs of the differences still waiting for a manager (the count stays open)



# What one unit of a difference is worth: its cost, else its price (products `p`).
UNIT_COST = "coalesce(nullif(p.cost_price, 0), p.unit_price, 0)"

# ---------------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------------

_SESSION = """SELECT s.id, s.reference, s.location_id, s.owner_id, s.blind, s.status, s.approved_by
                FROM count_sessions s WHERE s.id = :sid"""


def session_by_reference(session: Session, reference: str, *, lock: bool = False) -> dict[str, Any]:
    match = _REFERENCE.match((reference or "").strip())
    if not match:
        raise ValidationError(f"Unknown count {reference!r}; counts are named like CNT-000001")
    row = session.execute(text(_SESSION + (" FOR UPDATE" if lock else "")), {"sid": int(match.group(1))}).mappings().first()
    if row is None:
        raise NotFound(f"Unknown count {reference!r}")
    return dict(row)


def session_by_id(session: Session, session_id: int) -> dict[str, Any]:
    return dict(session.execute(text(_SESSION), {"sid": session_id}).mappings().one())


# Every item of the location: what is on hand there and what was counted. For a counted line,
# the expected quantity is the current one minus what moved after the line was counted.
_REVIEW = text(
    f"""
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
           {UNIT_COST} AS unit_cost,
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


def review_lines(session: Session, row: dict[str, Any], settings: Settings) -> list[ReviewLine]:
    result = session.execute(_REVIEW, {"loc": row["location_id"], "sid": row["id"]}).all()
    lines = []
    for sku, name, counted, expected, reason, unit_cost, elsewhere, posted_expected, posted_diff in result:
        posted = posted_expected is not None
        if posted:
            expected = posted_expected  # what posting found, not what moved since
        expected = max(int(expected), 0)
        difference = int(counted) - expected
        group = "matching" if difference == 0 else ("missing" if difference < 0 else "extra")
        value = (abs(difference) * Decimal(unit_cost)).quantize(Decimal("0.01"))
        percent_over = expected > 0 and abs(difference) * 100 > settings.counts_approve_above_percent * expected
        needs = bool(difference) and not posted and (value > settings.counts_approve_above_value or percent_over)
        moved = elsewhere if group == "extra" and elsewhere else None
        lines.append(ReviewLine(sku, name, int(counted), expected, difference, group, moved, reason, value, needs,
                                posted))
    return lines


def counted_line(session: Session, row: dict[str, Any], product_id: int) -> CountedLine:
    """One line as the counter sees it; its expected quantity is worked out for that item alone."""
    sku, name, counted, expected = session.execute(text(
        """SELECT p.sku, p.name, c.counted,
                  coalesce(i.quantity, 0) - coalesce((
                      SELECT sum(m.quantity_delta) FROM stock_movements m
                       WHERE m.product_id = c.product_id AND m.location_id = :loc AND m.id > c.ledger_position), 0)
             FROM count_lines c JOIN products p ON p.id = c.product_id
             LEFT JOIN inventory i ON i.product_id = c.product_id AND i.location_id = :loc
            WHERE c.session_id = :sid AND c.product_id = :pid"""),
        {"sid": row["id"], "pid": product_id, "loc": row["location_id"]}).one()
    return CountedLine(sku, name, counted, None if row["blind"] else max(int(expected), 0))


def session_row(session: Session, session_id: int) -> CountSession:
    row = session.execute(text(
        """SELECT s.id, s.reference, l.code, u.username, s.blind, s.status,
                  (SELECT count(*) FROM count_lines c WHERE c.session_id = s.id),
                  (SELECT coalesce(sum(c.counted), 0) FROM count_lines c WHERE c.session_id = s.id),
                  a.username, s.created_at, s.closed_at,
                  (SELECT count(*) FROM count_lines c WHERE c.session_id = s.id AND c.posted_at IS NOT NULL)
             FROM count_sessions s JOIN locations l ON l.id = s.location_id JOIN users u ON u.id = s.owner_id
             LEFT JOIN users a ON a.id = s.approved_by
            WHERE s.id = :sid"""), {"sid": session_id}).one()
    return CountSession(int(row[0]), row[1], row[2], row[3], row[4], row[5], int(row[6]), int(row[7]), row[8],
                        row[9], row[10], int(row[11]))
