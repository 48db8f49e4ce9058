"""Stock commands: receive, issue, reserve, release, adjust, transfer, batches and counts.

Each is one transaction: the product and locations are resolved in one round trip
(`lookup.resolve`), the rows a multi-row change touches are locked in (product, location)
order, and every change goes through `ledger.apply_movement`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.errors import ConflictError, InvtuiError, ValidationError
from invtui.services import events, lookup
from invtui.services.acting import require_current
from invtui.services.ledger import Level, apply_movement
from invtui.services.lookup import Item, Place, movable
from invtui.services.tx import unit_of_work

MAX_REFERENCE = 100
MAX_REASON = 500
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


def return_issued(session: Session, actor: Actor, sku: str, location: str, quantity: object,
                  reference: str = "", reason: str = "") -> StockChange:
    """Put back `quantity` units that were issued and came back unused (a return).

    Booked as an issue with a positive delta, not as a receipt: the item's average daily usage is
    its issues net of returns (issue 17, sql/0010_demand.sql demand_usage), so a return lowers it
    where a receipt would leave the usage overstated."""
    return _single(session, actor, sku, location, quantity, "issue", +1, 0, reference, reason or "return",
                   movement="return")


def reserve(session: Session, actor: Actor, sku: str, location: str, quantity: object,
            reference: str = "", reason: str = "") -> StockChange:
    """Set `quantity` available units aside; they stay on hand but can no longer be issued."""
    return _single(session, actor, sku, location, quantity, "reserve", 0, +1, reference, reason)


def release(session: Session, actor: Actor, sku: str, location: str, quantity: object,
            reference: str = "", reason: str = "") -> StockChange:
    """Return `quantity` reserved units to available stock."""
    return _single(session, actor, sku, location, quantity, "release", 0, -1, reference, reason)


def _single(session: Session, actor: Actor, sku: str, location: str, quantity: object, kind: str,
            q_sign: int, r_sign: int, reference: str, reason: str, movement: str | None = None) -> StockChange:
    require_current(session, actor, Permission.MOVE_STOCK)
    units = validation.quantity(quantity)
    ref, why = _reference(reference), _reason(reason, required=False)
    with unit_of_work(session):
        product, (place,) = movable(session, sku, location)
        level = apply_movement(
            session, user_id=actor.id, product_id=product.id, location_id=place.id, kind=kind,
            quantity_delta=q_sign * units, reserved_delta=r_sign * units, reference=ref, reason=why,
            event=_event(actor, product, place, movement or kind, units),
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
        product, (place,) = movable(session, sku, location)
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
        product, (origin, target) = movable(session, sku, source, destination)
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
                product, (place,) = movable(session, sku, code)
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
                product, (place,) = movable(session, sku, location)
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


def _change(product: Item, place: Place, level: Level) -> StockChange:
    return StockChange(product.sku, product.name, place.code, level.quantity, level.reserved, level.available)


def _event(actor: Actor, product: Item, place: Place, movement: str, units: int) -> str:
    """The stock.changed payload of a one-row change; the database adds the new levels when it sends it."""
    return events.payload(
        "stock.changed", product_id=product.id, location_id=place.id, user_id=actor.id, sku=product.sku,
        name=product.name, location=place.code, movement=movement, quantity_moved=units,
    )
