"""The ledger primitive: every stock change is one ledger row plus one atomic statement on `inventory`.

`apply_movement` is the single primitive every stock-changing service uses (receipts, issues,
adjustments, transfers, reservations, PO receipts, counts). It runs in the caller's transaction
and never commits, so a transfer or a PO receipt of many lines is all-or-nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from invtui.errors import ConflictError
from invtui.services import events

# The ledger row for whatever the first CTE changed (nothing changed: no ledger row).
_RECORD = """
    recorded AS (
        INSERT INTO stock_movements (product_id, location_id, kind, quantity_delta, reserved_delta, reference,
                                     reason, user_id)
        SELECT CAST(:product_id AS bigint), CAST(:location_id AS bigint), CAST(:kind AS varchar),
               CAST(:dq AS integer), CAST(:dr AS integer), CAST(:reference AS varchar), CAST(:reason AS text),
               CAST(:user_id AS bigint)
          FROM {source}
    )"""

# One statement: row-locked by the UPDATE itself, so two operators changing the same item
# serialise on the row and neither update is lost. The WHERE refuses (no row returned) any
# change that would leave negative stock or more reserved than on hand; no exception is raised,
# so the transaction stays usable and the caller can say exactly why. The ledger row is written
# by the same statement, only when the UPDATE took effect: one round trip, the row lock held
# for as short a time as possible.
_MOVE = """
    WITH moved AS (
        UPDATE inventory
           SET quantity = quantity + :dq,
               reserved_quantity = reserved_quantity + :dr,
               updated_at = now()
         WHERE product_id = :product_id AND location_id = :location_id
           AND quantity + :dq >= 0
           AND reserved_quantity + :dr >= 0
           AND quantity + :dq >= reserved_quantity + :dr
        RETURNING quantity, reserved_quantity, available_quantity
    ),""" + _RECORD.format(source="moved") + """
    SELECT quantity, reserved_quantity, available_quantity{announce} FROM moved
    """

# Stock arriving at a location that has never held the product creates its row (and its ledger row).
_CREATE = """
    WITH created AS (
        INSERT INTO inventory (product_id, location_id, quantity, reserved_quantity)
        VALUES (:product_id, :location_id, :dq, 0)
        ON CONFLICT (product_id, location_id) DO NOTHING
        RETURNING quantity, reserved_quantity, available_quantity
    ),""" + _RECORD.format(source="created") + """
    SELECT quantity, reserved_quantity, available_quantity{announce} FROM created
    """

# A single-row service's stock.changed event sent by the very statement that moved the stock, with
# the new levels filled in by the database: no extra round trip while the row lock is held.
_ANNOUNCE = """,
           pg_notify(:channel, (CAST(:event AS jsonb) || jsonb_build_object(
               'quantity', quantity, 'reserved', reserved_quantity, 'available', available_quantity))::text)"""

_STATEMENTS = {
    announce: (text(_MOVE.format(announce=_ANNOUNCE if announce else "")),
               text(_CREATE.format(announce=_ANNOUNCE if announce else "")))
    for announce in (False, True)
}

_CURRENT = text(
    """
    SELECT p.sku, l.code, i.quantity, i.reserved_quantity, i.available_quantity
      FROM products p CROSS JOIN locations l
      LEFT JOIN inventory i ON i.product_id = p.id AND i.location_id = l.id
     WHERE p.id = :product_id AND l.id = :location_id
    """
)


@dataclass(frozen=True)
class Level:
    """Stock of one product at one location after a change."""

    quantity: int
    reserved: int
    available: int


def apply_movement(
    session: Session,
    *,
    user_id: int | None,
    product_id: int,
    location_id: int,
    kind: str,
    quantity_delta: int = 0,
    reserved_delta: int = 0,
    reference: str = "",
    reason: str = "",
    event: str | None = None,
) -> Level:
    """Change one inventory row by the deltas and record the ledger row; no commit.

    Raises ConflictError ("Only 3 available of BOLT-M6 at WH1-A-03 (5 reserved)") and changes
    nothing when the result would break 0 <= reserved <= quantity. `event`, a payload from
    `events.payload`, is sent with the new quantity, reserved and available added, only if the
    change was made.
    """
    params = {
        "product_id": product_id, "location_id": location_id, "dq": quantity_delta, "dr": reserved_delta,
        "kind": kind, "reference": reference, "reason": reason, "user_id": user_id,
        "channel": events.CHANNEL, "event": event,
    }
    move, create = _STATEMENTS[event is not None]
    row = session.execute(move, params).first()
    if row is None and quantity_delta > 0 and reserved_delta == 0:
        # No row yet: create it; if another transaction created it first, move it after all.
        row = session.execute(create, params).first() or session.execute(move, params).first()
    if row is None:
        raise _shortage(session, params)
    return Level(*row[:3])


def _shortage(session: Session, params: dict) -> ConflictError:
    sku, code, quantity, reserved, available = session.execute(_CURRENT, params).one()
    quantity, reserved, available = quantity or 0, reserved or 0, available or 0
    dq, dr = params["dq"], params["dr"]
    if dr < 0 and reserved + dr < 0:
        return ConflictError(f"Only {reserved} reserved of {sku} at {code}; cannot release {-dr}")
    if dr > 0:
        return ConflictError(f"Only {available} available of {sku} at {code} to reserve ({reserved} reserved)")
    if dq < 0 and dr < 0:  # issuing reserved stock
        return ConflictError(f"Only {quantity} on hand of {sku} at {code}")
    extra = f" ({reserved} reserved)" if reserved else ""
    return ConflictError(f"Only {available} available of {sku} at {code}{extra}")


# --------------------------------------------------------------------------------------------
# Public stock services: each is one transaction, role-checked, validated, and announces itself.
# --------------------------------------------------------------------------------------------
