"""Stock: every change is one ledger row plus one atomic statement on `inventory`.

`apply_movement` is the single primitive every stock-changing service uses (receipts, issues,
adjustments, transfers, reservations, PO receipts). It runs in the caller's transaction and
never commits, so a transfer or a PO receipt of many lines is all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.errors import ConflictError, InvtuiError, NotFound, ValidationError
from invtui.services import events, lookup
from invtui.services.acting import require_current
from invtui.services.tx import unit_of_work

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

MAX_REFERENCE = 100
MAX_REASON = 500
MOVEMENT_LIMIT_MAX = 1000
BATCH_KINDS = ("receive", "issue", "reserve", "release")
# How many lines of a batch the summary event lists (NOTIFY payloads stay small).
BATCH_EVENT_ITEMS = 20


@dataclass(frozen=True)
class StockChange:
    """What one service call left behind at one location: shown by the CLI, sent in the event."""

    sku: str
    name: str
    location: str
    quantity: int
    reserved: int
    available: int


@dataclass(frozen=True)
class TransferResult:
    source: StockChange
    destination: StockChange


@dataclass(frozen=True)
class StockLine:
    """One location's stock of a product, as `stock show` lists it."""

    location: str
    location_name: str
    quantity: int
    reserved: int
    available: int


@dataclass(frozen=True)
class ProductStock:
    sku: str
    name: str
    is_active: bool
    lines: list[StockLine]

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def reserved(self) -> int:
        return sum(line.reserved for line in self.lines)

    @property
    def available(self) -> int:
        return sum(line.available for line in self.lines)


@dataclass(frozen=True)
class MovementRow:
    id: int
    at: datetime
    sku: str
    location: str
    kind: str
    quantity_delta: int
    reserved_delta: int
    reference: str
    reason: str
    user: str | None


@dataclass(frozen=True)
class BatchLine:
    """One line of a scan batch: `kind` is receive, issue, reserve or release."""

    sku: str
    location: str
    kind: str
    quantity: object


@dataclass(frozen=True)
class BatchResult:
    lines: int
    changes: list[StockChange]


def receive(session: Session, actor: Actor, sku: str, location: str, quantity: object,
            reference: str = "", reason: str = "") -> StockChange:
    """Put `quantity` units on the shelf; the location's row is created on its first receipt."""
    return _single(session, actor, sku, location, quantity, "receive", +1, 0, reference, reason)


def issue(session: Session, actor: Actor, sku: str, location: str, quantity: object,
          reference: str = "", reason: str = "") -> StockChange:
    """Take `quantity` units off the shelf; only available (unreserved) stock can be issued."""
    return _single(session, actor, sku, location, quantity, "issue", -1, 0, reference, reason)


def reserve(session: Session, actor: Actor, sku: str, location: str, quantity: object,
            reference: str = "", reason: str = "") -> StockChange:
    """Set `quantity` available units aside; they stay on hand but can no longer be issued."""
    return _single(session, actor, sku, location, quantity, "reserve", 0, +1, reference, reason)


def release(session: Session, actor: Actor, sku: str, location: str, quantity: object,
            reference: str = "", reason: str = "") -> StockChange:
    """Return `quantity` reserved units to available stock."""
    return _single(session, actor, sku, location, quantity, "release", 0, -1, reference, reason)


def _single(session: Session, actor: Actor, sku: str, location: str, quantity: object, kind: str,
            q_sign: int, r_sign: int, reference: str, reason: str) -> StockChange:
    require_current(session, actor, Permission.MOVE_STOCK)
    units = validation.quantity(quantity)
    ref, why = _reference(reference), _reason(reason, required=False)
    with unit_of_work(session):
        product, (place,) = _movable(session, sku, location)
        level = apply_movement(
            session, user_id=actor.id, product_id=product.id, location_id=place.id, kind=kind,
            quantity_delta=q_sign * units, reserved_delta=r_sign * units, reference=ref, reason=why,
            event=_event(actor, product, place, kind, units),
        )
    return _change(product, place, level)


def adjust(session: Session, actor: Actor, sku: str, location: str, counted: object, reason: str,
           reference: str = "") -> StockChange:
    """Set the quantity on hand to what a stock count found; the difference goes in the ledger.

    A count equal to the current quantity is refused (it would record nothing), and so is a count
    below the reserved quantity (release the reservation first).
    """
    require_current(session, actor, Permission.MOVE_STOCK)
    count = validation.quantity(counted, minimum=0, what="Counted quantity")
    why = _reason(reason, required=True)
    ref = _reference(reference)
    with unit_of_work(session):
        product, (place,) = _movable(session, sku, location)
        # FOR UPDATE: a receipt landing between reading and writing must not be overwritten.
        row = session.execute(_LOCK_ONE, {"product_id": product.id, "location_id": place.id}).first()
        current, reserved = (row[0], row[1]) if row else (0, 0)
        if count == current:
            raise ValidationError(
                f"{place.code} already holds {current} of {product.sku}; the count changes nothing"
            )
        if count < reserved:
            raise ConflictError(
                f"Cannot count {count} of {product.sku} at {place.code}: {reserved} are reserved; release them first"
            )
        level = apply_movement(
            session, user_id=actor.id, product_id=product.id, location_id=place.id, kind="adjust",
            quantity_delta=count - current, reference=ref, reason=why,
            event=_event(actor, product, place, "adjust", count - current),
        )
    return _change(product, place, level)


def transfer(session: Session, actor: Actor, sku: str, source: str, destination: str, quantity: object,
             reference: str = "", reason: str = "") -> TransferResult:
    """Move units between two locations: both rows change in one transaction or neither does."""
    require_current(session, actor, Permission.MOVE_STOCK)
    units = validation.quantity(quantity)
    ref, why = _reference(reference), _reason(reason, required=False)
    with unit_of_work(session):
        product, (origin, target) = _movable(session, sku, source, destination)
        if origin.id == target.id:
            raise ValidationError(f"Source and destination are both {origin.code}; choose another location")
        common = {"user_id": actor.id, "product_id": product.id, "reference": ref, "reason": why}
        legs = {origin.id: ("transfer_out", -units), target.id: ("transfer_in", units)}
        levels: dict[int, Level] = {}
        # The two rows are changed in location order, whichever is the source, so two transfers in
        # opposite directions queue on the first row instead of deadlocking on each other's.
        for location_id in sorted(legs):
            kind, delta = legs[location_id]
            levels[location_id] = apply_movement(session, location_id=location_id, kind=kind,
                                                 quantity_delta=delta, **common)
        out_level, in_level = levels[origin.id], levels[target.id]
        result = TransferResult(_change(product, origin, out_level), _change(product, target, in_level))
        events.emit(
            session, "stock.changed", product_id=product.id, location_id=origin.id, user_id=actor.id,
            sku=product.sku, name=product.name, location=origin.code, movement="transfer", quantity_moved=units,
            quantity=out_level.quantity, reserved=out_level.reserved, available=out_level.available,
            to_location_id=target.id, to_location=target.code, to_quantity=in_level.quantity,
            to_reserved=in_level.reserved, to_available=in_level.available,
        )
    return result


def apply_batch(session: Session, actor: Actor, lines: Sequence[BatchLine | tuple[str, str, str, object]],
                reference: str = "") -> BatchResult:
    """Apply many scanned lines all-or-nothing in one transaction, announced by one summary event.

    Every line is validated before anything is written; the first refusal names its line
    ("Line 3: Only 2 available of BOLT-M6 at WH1-A-03") and nothing of the batch is kept.
    """
    require_current(session, actor, Permission.MOVE_STOCK)
    parsed = [_batch_line(number, line) for number, line in enumerate(lines, start=1)]
    if not parsed:
        raise ValidationError("The batch is empty")
    ref = _reference(reference)
    with unit_of_work(session):
        resolved = []
        for number, (sku, code, kind, units) in enumerate(parsed, start=1):
            try:
                product, (place,) = _movable(session, sku, code)
                resolved.append((product, place, kind, units))
            except InvtuiError as exc:
                raise type(exc)(f"Line {number}: {exc.message}") from None
        _lock_rows(session, [(p.id, loc.id) for p, loc, kind, _ in resolved if kind == "receive"], create=True)
        _lock_rows(session, [(p.id, loc.id) for p, loc, _, _ in resolved])
        changes: dict[tuple[int, int], StockChange] = {}
        for number, (product, place, kind, units) in enumerate(resolved, start=1):
            q_sign, r_sign = _BATCH_SIGNS[kind]
            try:
                level = apply_movement(
                    session, user_id=actor.id, product_id=product.id, location_id=place.id, kind=kind,
                    quantity_delta=q_sign * units, reserved_delta=r_sign * units, reference=ref,
                )
            except InvtuiError as exc:
                raise type(exc)(f"Line {number}: {exc.message}") from None
            changes[(product.id, place.id)] = _change(product, place, level)
        summary = list(changes.values())
        events.emit(
            session, "stock.changed", user_id=actor.id, movement="batch", lines=len(parsed), items=len(summary),
            changes=[{"sku": c.sku, "location": c.location, "quantity": c.quantity, "reserved": c.reserved,
                      "available": c.available} for c in summary[:BATCH_EVENT_ITEMS]],
        )
    return BatchResult(len(parsed), summary)


def apply_counts(session: Session, actor: Actor, lines: Sequence[tuple[str, str, object]],
                 reason: str = "stock count", reference: str = "") -> BatchResult:
    """Set many items to counted quantities all-or-nothing (the scan screen's count mode).

    Each line is (sku, location, counted). A line whose count equals the shelf records nothing;
    a count below the reserved quantity refuses the whole batch, naming its line.
    """
    require_current(session, actor, Permission.MOVE_STOCK)
    if not lines:
        raise ValidationError("The batch is empty")
    why = _reason(reason, required=True)
    ref = _reference(reference)
    counts = []
    for number, (sku, location, counted) in enumerate(lines, start=1):
        try:
            counts.append((sku, location, validation.quantity(counted, minimum=0, what="Counted quantity")))
        except ValidationError as exc:
            raise ValidationError(f"Line {number}: {exc.message}") from None
    with unit_of_work(session):
        resolved = []
        for number, (sku, location, count) in enumerate(counts, start=1):
            try:
                product, (place,) = _movable(session, sku, location)
            except InvtuiError as exc:
                raise type(exc)(f"Line {number}: {exc.message}") from None
            resolved.append((product, place, count))
        # Lock every row up front in (product, location) order, like transfers and batches, so
        # two count batches naming the same items in different orders queue instead of deadlocking.
        _lock_rows(session, [(p.id, loc.id) for p, loc, _ in resolved])
        changes: dict[tuple[int, int], StockChange] = {}
        for number, (product, place, count) in enumerate(resolved, start=1):
            try:
                row = session.execute(_LOCK_ONE, {"product_id": product.id, "location_id": place.id}).first()
                current, reserved = (row[0], row[1]) if row else (0, 0)
                if count < reserved:
                    raise ConflictError(f"Cannot count {count} of {product.sku} at {place.code}: "
                                        f"{reserved} are reserved; release them first")
                if count == current:
                    continue
                level = apply_movement(session, user_id=actor.id, product_id=product.id, location_id=place.id,
                                       kind="adjust", quantity_delta=count - current, reference=ref, reason=why)
            except InvtuiError as exc:
                raise type(exc)(f"Line {number}: {exc.message}") from None
            changes[(product.id, place.id)] = _change(product, place, level)
        summary = list(changes.values())
        events.emit(
            session, "stock.changed", user_id=actor.id, movement="count", lines=len(counts), items=len(summary),
            changes=[{"sku": c.sku, "location": c.location, "quantity": c.quantity, "reserved": c.reserved,
                      "available": c.available} for c in summary[:BATCH_EVENT_ITEMS]],
        )
    return BatchResult(len(counts), summary)


def stock_for(session: Session, sku: str) -> ProductStock:
    """A product's stock at every location that holds or held it, by location code."""
    with unit_of_work(session):
        product = lookup.product(session, sku)
        rows = session.execute(_STOCK_FOR, {"product_id": product.id}).all()
    return ProductStock(product.sku, product.name, product.is_active, [StockLine(*row) for row in rows])


def movements(session: Session, sku: str | None = None, limit: object = 50) -> list[MovementRow]:
    """The newest ledger rows first, for one product or for all."""
    count = validation.quantity(limit, maximum=MOVEMENT_LIMIT_MAX, what="Limit")
    with unit_of_work(session):
        product_id = lookup.product(session, sku).id if sku is not None else None
        rows = session.execute(_MOVEMENTS, {"product_id": product_id, "limit": count}).all()
    return [MovementRow(*row) for row in rows]


# --- helpers ------------------------------------------------------------------------------

_BATCH_SIGNS = {"receive": (1, 0), "issue": (-1, 0), "reserve": (0, 1), "release": (0, -1)}

_LOCK_ONE = text(
    "SELECT quantity, reserved_quantity FROM inventory WHERE product_id = :product_id AND location_id = :location_id "
    "FOR UPDATE"
)

# Locks every row a multi-row change touches in one fixed order (product, location), so two
# transfers in opposite directions queue behind each other instead of deadlocking.
_LOCK_MANY = text(
    """
    SELECT i.id FROM inventory i
      JOIN unnest(CAST(:product_ids AS bigint[]), CAST(:location_ids AS bigint[])) AS k(product_id, location_id)
        ON i.product_id = k.product_id AND i.location_id = k.location_id
     ORDER BY i.product_id, i.location_id
       FOR UPDATE OF i
    """
)

# A destination that has never held the product gets an empty row first, so it can be locked in
# order with the others; the movement that follows fills it (the ledger of an empty row sums to 0).
_CREATE_EMPTY = text(
    """
    INSERT INTO inventory (product_id, location_id)
    SELECT * FROM unnest(CAST(:product_ids AS bigint[]), CAST(:location_ids AS bigint[])) ORDER BY 1, 2
    ON CONFLICT (product_id, location_id) DO NOTHING
    """
)

_STOCK_FOR = text(
    """
    SELECT l.code, l.name, i.quantity, i.reserved_quantity, i.available_quantity
      FROM inventory i JOIN locations l ON l.id = i.location_id
     WHERE i.product_id = :product_id
     ORDER BY l.code
    """
)

_MOVEMENTS = text(
    """
    SELECT m.id, m.created_at, p.sku, l.code, m.kind, m.quantity_delta, m.reserved_delta, m.reference, m.reason,
           u.username
      FROM stock_movements m
      JOIN products p ON p.id = m.product_id
      JOIN locations l ON l.id = m.location_id
      LEFT JOIN users u ON u.id = m.user_id
     WHERE CAST(:product_id AS bigint) IS NULL OR m.product_id = :product_id
     ORDER BY m.id DESC
     LIMIT :limit
    """
)


@dataclass(frozen=True)
class _Item:
    id: int
    sku: str
    name: str
    is_active: bool


@dataclass(frozen=True)
class _Place:
    id: int
    code: str
    is_active: bool


# The product (by SKU in any case, or barcode) and each named location, found in ONE round trip:
# this runs for every scan, so it matches lookup.py's rules without its two ORM queries.
_FIND_PRODUCT = """
    LEFT JOIN LATERAL (SELECT id, sku, name, is_active FROM products
                        WHERE sku = :sku OR sku = :sku_upper OR barcode = :sku ORDER BY id LIMIT 1) p ON true"""
_FIND_LOCATION = """
    LEFT JOIN LATERAL (SELECT id, code, is_active FROM locations
                        WHERE code = :code{n} OR code = :code{n}_upper ORDER BY id LIMIT 1) l{n} ON true"""


def _resolve(session: Session, sku: str, *codes: str) -> tuple[_Item, list[_Place]]:
    """The product and locations an operator named, with lookup.py's messages for unknown ones."""
    typed_sku = (sku or "").strip()
    if not typed_sku:
        raise ValidationError("A SKU or barcode is required")
    typed = [(code or "").strip() for code in codes]
    if not all(typed):
        raise ValidationError("A location code is required")
    columns = ["p.id", "p.sku", "p.name", "p.is_active"]
    joins = [_FIND_PRODUCT]
    params: dict[str, str] = {"sku": typed_sku, "sku_upper": typed_sku.upper()}
    for n, code in enumerate(typed):
        columns += [f"l{n}.id", f"l{n}.code", f"l{n}.is_active"]
        joins.append(_FIND_LOCATION.format(n=n))
        params[f"code{n}"], params[f"code{n}_upper"] = code, code.upper()
    row = session.execute(text(f"SELECT {', '.join(columns)} FROM (SELECT 1) AS one {''.join(joins)}"), params).one()
    if row[0] is None:
        raise NotFound(f"Unknown SKU {typed_sku!r}")
    places = []
    for n, code in enumerate(typed):
        place_id, place_code, active = row[4 + 3 * n: 7 + 3 * n]
        if place_id is None:
            raise NotFound(f"Unknown location {code!r}")
        places.append(_Place(place_id, place_code, active))
    return _Item(*row[:4]), places


def _movable(session: Session, sku: str, *locations: str) -> tuple[_Item, list[_Place]]:
    """The product and locations an operator named, refusing any that is inactive."""
    product, places = _resolve(session, sku, *locations)
    if not product.is_active:
        raise ConflictError(f"Product {product.sku} is inactive")
    for place in places:
        if not place.is_active:
            raise ConflictError(f"Location {place.code} is inactive")
    return product, places


def _lock_rows(session: Session, keys: list[tuple[int, int]], *, create: bool = False) -> None:
    if not keys:
        return
    unique = sorted(set(keys))
    params = {"product_ids": [k[0] for k in unique], "location_ids": [k[1] for k in unique]}
    if create:
        session.execute(_CREATE_EMPTY, params)
    else:
        session.execute(_LOCK_MANY, params).all()


def _batch_line(number: int, line: BatchLine | tuple[str, str, str, object]) -> tuple[str, str, str, int]:
    item = line if isinstance(line, BatchLine) else BatchLine(*line)
    kind = str(item.kind).strip().lower()
    if kind not in BATCH_KINDS:
        raise ValidationError(f"Line {number}: unknown movement {item.kind!r}; use one of {', '.join(BATCH_KINDS)}")
    try:
        units = validation.quantity(item.quantity)
    except ValidationError as exc:
        raise ValidationError(f"Line {number}: {exc.message}") from None
    return item.sku, item.location, kind, units


def _reference(value: str | None) -> str:
    return validation.text(value, what="Reference", max_length=MAX_REFERENCE, required=False)


def _reason(value: str | None, *, required: bool) -> str:
    if required and not (value or "").strip():
        raise ValidationError("A reason is required for an adjustment")
    return validation.text(value, what="Reason", max_length=MAX_REASON, required=False)


def _change(product: _Item, place: _Place, level: Level) -> StockChange:
    return StockChange(product.sku, product.name, place.code, level.quantity, level.reserved, level.available)


def _event(actor: Actor, product: _Item, place: _Place, movement: str, units: int) -> str:
    """The stock.changed payload of a one-row change; the database adds the new levels when it sends it."""
    return events.payload(
        "stock.changed", product_id=product.id, location_id=place.id, user_id=actor.id, sku=product.sku,
        name=product.name, location=place.code, movement=movement, quantity_moved=units,
    )
