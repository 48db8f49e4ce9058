"""The set-based writes of posting a count: a few statements whatever the number of lines.

Posting 5,000 lines one `apply_movement` at a time took seconds (every statement fires the
inventory alert trigger once); here one INSERT ... ON CONFLICT moves every changed inventory row
and writes its ledger row, so the alert trigger runs once for the whole count, and one upsert
records what each line posted. The caller holds the session's and the location's row locks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from invtui.errors import ConflictError


@dataclass(frozen=True)
class LineToPost:
    product_id: int
    counted: int
    expected: int
    difference: int
    reason: str


_INPUT = """unnest(CAST(:pids AS bigint[]), CAST(:counted AS integer[]), CAST(:expected AS integer[]),
                   CAST(:diffs AS integer[]), CAST(:reasons AS text[]))
            AS t(product_id, counted, expected, diff, reason)"""

# A count below what is reserved would break 0 <= reserved <= quantity: refuse, naming the item.
_BELOW_RESERVED = text(
    f"""SELECT p.sku, l.code, i.quantity + t.diff, i.reserved_quantity
          FROM {_INPUT}
          JOIN inventory i ON i.product_id = t.product_id AND i.location_id = :loc
          JOIN products p ON p.id = t.product_id
          JOIN locations l ON l.id = i.location_id
         WHERE t.diff <> 0 AND i.quantity + t.diff < i.reserved_quantity
         ORDER BY p.sku LIMIT 1""")

# Every difference lands on top of whatever moved since the line was counted. A count above the
# ledger may find an item the location never held: its row is created (the upsert is only for
# positive differences, since PostgreSQL checks `quantity >= 0` on the row it would insert).
_ADJUST = text(
    f"""WITH t AS (SELECT * FROM {_INPUT} WHERE t.diff <> 0),
             down AS (
                UPDATE inventory i SET quantity = i.quantity + t.diff, updated_at = now()
                  FROM t WHERE t.diff < 0 AND i.product_id = t.product_id AND i.location_id = :loc
                RETURNING i.product_id),
             up AS (
                INSERT INTO inventory (product_id, location_id, quantity, reserved_quantity)
                SELECT product_id, :loc, diff, 0 FROM t WHERE diff > 0 ORDER BY product_id
                ON CONFLICT (product_id, location_id)
                   DO UPDATE SET quantity = inventory.quantity + EXCLUDED.quantity, updated_at = now()
                RETURNING product_id)
        INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, reserved_delta, reference,
                                     reason, user_id)
        SELECT t.product_id, :loc, 'adjust', t.diff, 0, :ref, t.reason, :uid
          FROM t WHERE t.product_id IN (SELECT product_id FROM down UNION ALL SELECT product_id FROM up)
         ORDER BY t.product_id
        RETURNING 1""")

# What each line posted; a line never counted (a missing item) is recorded with a count of 0.
_RECORD_LINES = text(
    f"""INSERT INTO count_lines (session_id, product_id, counted, ledger_position, counted_by, reason,
                                expected_at_post, posted_difference, posted_at)
        SELECT :sid, t.product_id, 0,
               (SELECT coalesce(max(m.id), 0) FROM stock_movements m
                 WHERE m.product_id = t.product_id AND m.location_id = :loc),
               :uid, t.reason, t.expected, t.diff, now()
          FROM {_INPUT}
         ORDER BY t.product_id
        ON CONFLICT (session_id, product_id) DO UPDATE
           SET expected_at_post = EXCLUDED.expected_at_post, posted_difference = EXCLUDED.posted_difference,
               posted_at = EXCLUDED.posted_at,
               reason = CASE WHEN count_lines.reason = '' THEN EXCLUDED.reason ELSE count_lines.reason END""")


def write(session: Session, *, session_id: int, location_id: int, reference: str, user_id: int | None,
          lines: Sequence[LineToPost]) -> None:
    """Adjust stock by every line's difference, ledger rows included, and mark the lines posted.

    Raises ConflictError (nothing written) when a count is below the reserved quantity.
    """
    if not lines:
        return
    params = {
        "pids": [line.product_id for line in lines], "counted": [line.counted for line in lines],
        "expected": [line.expected for line in lines], "diffs": [line.difference for line in lines],
        "reasons": [line.reason for line in lines], "loc": location_id, "sid": session_id, "ref": reference,
        "uid": user_id,
    }
    short = session.execute(_BELOW_RESERVED, params).first()
    if short is not None:
        sku, code, left, reserved = short
        raise ConflictError(f"Cannot post the count of {sku} at {code}: it would leave {left} on hand and "
                            f"{reserved} are reserved; release them first")
    written = len(session.execute(_ADJUST, params).all())
    if written != sum(1 for line in lines if line.difference):  # a row vanished under the lock: write nothing
        raise ConflictError("The stock of this location changed while posting; review the count and post again")
    session.execute(_RECORD_LINES, params)
