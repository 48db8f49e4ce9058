"""Stock alerts as people handle them: acknowledge, dismiss, resolve; the list; one alert's history.

The sweep (sql/0002_alert_engine.sql, `invtui.services.sweep`) raises, escalates and closes
alerts; the functions here are what an operator does to them. Each action is one compare-and-set
UPDATE (`... WHERE status IN (allowed) RETURNING`), never read-then-write: when two operators
act on one alert at once, one wins and the other is told who did what and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from invtui.domain import validation
from invtui.domain.alerts import AlertAction, AlertState, AlertStatus, AlertType, disarms, refusal
from invtui.domain.roles import Actor, Permission
from invtui.errors import InvalidTransition, NotFound, ValidationError
from invtui.services import events
from invtui.services.acting import require_current
from invtui.services.tx import unit_of_work

MAX_BULK = 10_000
MAX_NOTE = 1000
# One event per alert up to this many; above it one "alerts.bulk" summary (NOTIFY payload limit).
MAX_SINGLE_EVENTS = 50
STATUS_CHOICES = ("open", "all", *(s.value for s in AlertStatus))


@dataclass(frozen=True)
class AlertView:
    """One alert with the names a person reads (SKU, product, location code, who acted)."""

    id: int
    product_id: int
    location_id: int
    sku: str
    name: str
    location: str
    alert_type: str
    status: str
    current_quantity: int
    threshold_quantity: int
    message: str
    note: str
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    judged_on: dict[str, Any] | None = None  # what the engine judged it on (issue 17)
    covered: bool = False  # stock on order covers the lead time: no action needed

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AlertEventView:
    """One line of an alert's history."""

    id: int
    event: str
    from_status: str | None
    to_status: str
    alert_type: str
    quantity: int | None
    user: str | None  # None: the sweep
    note: str
    created_at: datetime
    judged_on: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AlertCursor:
    """Where the next page starts: the sort key of the last alert shown."""

    alert_type: str
    created_at: datetime
    id: int


@dataclass(frozen=True)
class AlertPage:
    rows: list[AlertView]
    next: AlertCursor | None


@dataclass
class BulkResult:
    """What a bulk action did: alerts changed, and for each refused alert the sentence why."""

    action: AlertAction
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        text_ = f"{len(self.done)} alert{'s' if len(self.done) != 1 else ''} {self.action.past_tense}"
        if self.refused:
            text_ += f", {len(self.refused)} refused"
        return text_


_SELECT = """
    SELECT a.id, a.product_id, a.location_id, p.sku, p.name, l.code AS location, a.alert_type, a.status,
           a.current_quantity, a.threshold_quantity, a.message, a.note, a.created_at, a.updated_at,
           a.acknowledged_at, ua.username AS acknowledged_by, a.resolved_at, ur.username AS resolved_by,
           a.resolution, a.judged_on, a.covered
      FROM stock_alerts a
      JOIN products p ON p.id = a.product_id
      JOIN locations l ON l.id = a.location_id
      LEFT JOIN users ua ON ua.id = a.acknowledged_by
      LEFT JOIN users ur ON ur.id = a.resolved_by
"""

# The compare-and-set: only alerts still in an allowed status change; the rest are refused after.
# A row another operator is changing right now is waited for, then re-checked on its new status.
_ACT = text(
    """
    WITH locked AS (
        -- FOR UPDATE in id order: after waiting for another operator, the row's new status is
        -- re-checked against :allowed and `status` here is what it was just before this change
        SELECT id, status FROM stock_alerts
         WHERE id = ANY(:ids) AND status = ANY(:allowed)
         ORDER BY id
           FOR UPDATE
    ), changed AS (
        UPDATE stock_alerts a
           SET status = CAST(:target AS varchar),
               updated_at = now(),
               note = CASE WHEN CAST(:note AS text) <> '' THEN CAST(:note AS text) ELSE a.note END,
               acknowledged_at = CASE WHEN CAST(:action AS text) = 'acknowledge' THEN now() ELSE a.acknowledged_at END,
               acknowledged_by = CASE WHEN CAST(:action AS text) = 'acknowledge' THEN CAST(:user_id AS bigint) ELSE a.acknowledged_by END,
               resolved_at = CASE WHEN CAST(:action AS text) IN ('dismiss', 'resolve') THEN now() END,
               resolved_by = CASE WHEN CAST(:action AS text) IN ('dismiss', 'resolve') THEN CAST(:user_id AS bigint) END,
               resolution = CASE CAST(:action AS text) WHEN 'dismiss' THEN 'dismissed' WHEN 'resolve' THEN 'manual' END
          FROM locked k
         WHERE a.id = k.id AND a.status = ANY(:allowed)
        RETURNING k.status AS from_status, a.id, a.product_id, a.location_id, a.alert_type, a.status, a.current_quantity,
                  a.threshold_quantity
    ), logged AS (
        INSERT INTO alert_events (alert_id, event, from_status, to_status, alert_type, quantity, user_id, note)
        SELECT c.id, CAST(:event AS varchar), c.from_status, c.status, c.alert_type, c.current_quantity, CAST(:user_id AS bigint), CAST(:note AS text)
          FROM changed c
    )
    SELECT c.id, c.product_id, c.location_id, c.alert_type, c.status, c.current_quantity, c.threshold_quantity,
           p.sku, p.name, l.code
      FROM changed c JOIN products p ON p.id = c.product_id JOIN locations l ON l.id = c.location_id
     ORDER BY c.id
    """
)

# Before dismissing or resolving, lock the inventory rows behind the alerts, in (product, location)
# order as every stock change does (inventory rows first, then alerts: no deadlock). Without it a
# stock change can judge the item from a snapshot taken before this disarm commits and then find
# the alert closed under it: an issue to zero raises no OUT alert, a receipt back to OK leaves the
# item disarmed, until the next sweep. NO KEY UPDATE: the lock an UPDATE of the row takes, so it
# queues with every stock change and never with a foreign-key check.
_LOCK_ITEMS = text(
    """
    SELECT i.id FROM inventory i
     WHERE (i.product_id, i.location_id) IN (SELECT product_id, location_id FROM stock_alerts WHERE id = ANY(:ids))
     ORDER BY i.product_id, i.location_id
       FOR NO KEY UPDATE OF i
    """
)

# Dismissing or resolving by hand disarms the item (DESIGN.md section 4) until it is OK again;
# the evaluation right after re-arms at once an item that is already OK.
_DISARM = text(
    """
    INSERT INTO alert_disarmed (product_id, location_id, alert_type, alert_id)
    SELECT product_id, location_id, alert_type, id FROM stock_alerts WHERE id = ANY(:ids)
    ORDER BY product_id, location_id
    ON CONFLICT (product_id, location_id)
    DO UPDATE SET alert_type = EXCLUDED.alert_type, alert_id = EXCLUDED.alert_id, disarmed_at = now()
    """
)
_REEVALUATE = text(
    """
    SELECT * FROM evaluate_stock_alert_items(
        (SELECT array_agg(product_id ORDER BY id) FROM stock_alerts WHERE id = ANY(:ids)),
        (SELECT array_agg(location_id ORDER BY id) FROM stock_alerts WHERE id = ANY(:ids)))
    """
)
_STATES = text(
    """
    SELECT a.id, a.status, a.resolution,
           CASE WHEN a.status = 'ACKNOWLEDGED' THEN ua.username ELSE ur.username END,
           CASE WHEN a.status IN ('ACTIVE', 'ACKNOWLEDGED') THEN a.acknowledged_at ELSE a.resolved_at END
      FROM stock_alerts a
      LEFT JOIN users ua ON ua.id = a.acknowledged_by
      LEFT JOIN users ur ON ur.id = a.resolved_by
     WHERE a.id = ANY(:ids)
    """
)


def alert_number(value: object) -> int:
    """An alert number as typed ("12" or "#12"); anything else is refused with one sentence."""
    if isinstance(value, str):
        value = value.strip().lstrip("#")
    return validation.quantity(value, minimum=1, maximum=9_999_999_999, what="Alert number")


def _clean_ids(alert_ids: Sequence[object]) -> list[int]:
    if isinstance(alert_ids, str | bytes) or not alert_ids:
        raise ValidationError("Give at least one alert number")
    if len(alert_ids) > MAX_BULK:
        raise ValidationError(f"At most {MAX_BULK:,} alerts at once")
    ids = [alert_number(raw) for raw in alert_ids]
    return list(dict.fromkeys(ids))  # keep the order given, once each


def _act(session: Session, actor: Actor, action: AlertAction, alert_ids: Sequence[object], note: str) -> BulkResult:
    require_current(session, actor, Permission.HANDLE_ALERTS)
    ids = _clean_ids(alert_ids)
    clean_note = validation.text(note, what="Note", max_length=MAX_NOTE, required=False)
    result = BulkResult(action)
    with unit_of_work(session):
        if disarms(action):
            session.execute(_LOCK_ITEMS, {"ids": ids})
        rows = session.execute(_ACT, {
            "ids": ids, "allowed": [s.value for s in action.allowed_from], "target": action.target.value,
            "action": action.value, "event": action.past_tense, "user_id": actor.id, "note": clean_note,
        }).all()
        result.done = [row.id for row in rows]
        if result.done and disarms(action):
            session.execute(_DISARM, {"ids": result.done})
            session.execute(_REEVALUATE, {"ids": result.done})
        _announce(session, actor, action, rows)
        result.refused = _refusals(session, action, [i for i in ids if i not in set(result.done)])
    return result


def _announce(session: Session, actor: Actor, action: AlertAction, rows: Sequence[Any]) -> None:
    kind = f"alert.{action.past_tense}"
    if len(rows) > MAX_SINGLE_EVENTS:
        events.emit(session, "alerts.bulk", user_id=actor.id, **{action.past_tense: len(rows)})
        return
    for row in rows:
        events.emit(session, kind, id=row.id, product_id=row.product_id, location_id=row.location_id,
                    user_id=actor.id, sku=row.sku, name=row.name, location=row.code, alert_type=row.alert_type,
                    status=row.status, current_quantity=row.current_quantity,
                    threshold_quantity=row.threshold_quantity)


def _refusals(session: Session, action: AlertAction, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    states = {row[0]: row for row in session.execute(_STATES, {"ids": ids}).all()}
    refused: dict[int, str] = {}
    for alert_id in ids:
        row = states.get(alert_id)
        if row is None:
            refused[alert_id] = f"Alert #{alert_id} does not exist"
            continue
        _, status, resolution, by, at = row
        refused[alert_id] = refusal(action, AlertState(alert_id, AlertStatus(status), by, at, resolution))
    return refused


def _one(session: Session, actor: Actor, action: AlertAction, alert_id: object, note: str) -> AlertView:
    result = _act(session, actor, action, [alert_id], note)
    if result.refused:
        ((refused_id, message),) = result.refused.items()
        if message.endswith("does not exist"):
            raise NotFound(message)
        raise InvalidTransition(message)
    return get(session, result.done[0])


def acknowledge(session: Session, actor: Actor, alert_id: int, note: str = "") -> AlertView:
    """ACTIVE -> ACKNOWLEDGED: "I have seen it". Refused, naming who, if someone else was first."""
    return _one(session, actor, AlertAction.ACKNOWLEDGE, alert_id, note)


def dismiss(session: Session, actor: Actor, alert_id: int, note: str = "") -> AlertView:
    """ACTIVE or ACKNOWLEDGED -> DISMISSED; the item raises nothing more until it is OK again."""
    return _one(session, actor, AlertAction.DISMISS, alert_id, note)


def resolve(session: Session, actor: Actor, alert_id: int, note: str = "") -> AlertView:
    """ACKNOWLEDGED -> RESOLVED by hand; like dismiss, the item stays quiet until it is OK again."""
    return _one(session, actor, AlertAction.RESOLVE, alert_id, note)


def acknowledge_many(session: Session, actor: Actor, alert_ids: Sequence[int], note: str = "") -> BulkResult:
    """Acknowledge several alerts in one transaction; each refused one says why."""
    return _act(session, actor, AlertAction.ACKNOWLEDGE, alert_ids, note)


def dismiss_many(session: Session, actor: Actor, alert_ids: Sequence[int], note: str = "") -> BulkResult:
    return _act(session, actor, AlertAction.DISMISS, alert_ids, note)


def resolve_many(session: Session, actor: Actor, alert_ids: Sequence[int], note: str = "") -> BulkResult:
    return _act(session, actor, AlertAction.RESOLVE, alert_ids, note)


def act(session: Session, actor: Actor, action: str, alert_ids: Sequence[int], note: str = "") -> BulkResult:
    """The bulk action named by `action` ('acknowledge', 'dismiss' or 'resolve'), for the CLI and UI."""
    try:
        chosen = AlertAction(action)
    except ValueError:
        raise ValidationError("Action must be acknowledge, dismiss or resolve") from None
    return _act(session, actor, chosen, alert_ids, note)


def get(session: Session, alert_id: int) -> AlertView:
    alert_id = alert_number(alert_id)
    row = session.execute(text(_SELECT + " WHERE a.id = :id"), {"id": alert_id}).first()
    if row is None:
        raise NotFound(f"Alert #{alert_id} does not exist")
    return AlertView(**row._mapping)


def history(session: Session, alert_id: int) -> list[AlertEventView]:
    """Every transition of one alert, oldest first, with who made it (None: the sweep)."""
    alert_id = get(session, alert_id).id
    rows = session.execute(
        text(
            """
            SELECT e.id, e.event, e.from_status, e.to_status, e.alert_type, e.quantity, u.username AS user,
                   e.note, e.created_at, e.judged_on
              FROM alert_events e LEFT JOIN users u ON u.id = e.user_id
             WHERE e.alert_id = :id ORDER BY e.id
            """
        ),
        {"id": alert_id},
    ).all()
    return [AlertEventView(**row._mapping) for row in rows]


def list_alerts(
    session: Session,
    *,
    status: str = "open",
    alert_type: str | None = None,
    location: str | None = None,
    search: str | None = None,
    after: AlertCursor | None = None,
    limit: int = 50,
) -> AlertPage:
    """Alerts, OUT before LOW, newest first, one page at a time (keyset paging, fast at any depth).

    `status`: 'open' (ACTIVE or ACKNOWLEDGED, the default), 'all', or one status.
    """
    where, params = _filters(status, alert_type, location, search)
    limit = validation.quantity(limit, minimum=1, maximum=1000, what="Page size")
    if after is not None:
        where.append("(a.alert_type, a.created_at, a.id) < (:after_type, :after_at, :after_id)")
        params.update(after_type=after.alert_type, after_at=after.created_at, after_id=after.id)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY a.alert_type DESC, a.created_at DESC, a.id DESC LIMIT :limit"
    rows = [AlertView(**r._mapping) for r in session.execute(text(sql), {**params, "limit": limit + 1}).all()]
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = AlertCursor(rows[-1].alert_type, rows[-1].created_at, rows[-1].id) if more and rows else None
    return AlertPage(rows, cursor)


def _filters(
    status: str, alert_type: str | None, location: str | None, search: str | None
) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    wanted = (status or "open").strip()
    if wanted.lower() == "open":
        where.append("a.status IN ('ACTIVE', 'ACKNOWLEDGED')")
    elif wanted.lower() != "all":
        if wanted.upper() not in AlertStatus.__members__:
            raise ValidationError(f"Status must be one of {', '.join(STATUS_CHOICES)}")
        where.append("a.status = :status")
        params["status"] = wanted.upper()
    if alert_type:
        kind = alert_type.strip().upper().replace(" ", "_")
        kind = {"LOW": "LOW_STOCK", "OUT": "OUT_OF_STOCK", "SOON": "LOW_SOON", "RUNS_OUT_SOON": "LOW_SOON"}.get(kind, kind)
        if kind not in AlertType.__members__:
            raise ValidationError("Type must be LOW_STOCK, OUT_OF_STOCK or LOW_SOON (or low / out / soon)")
        where.append("a.alert_type = :alert_type")
        params["alert_type"] = kind
    if location:
        where.append("upper(l.code) = upper(:location)")
        params["location"] = location.strip()
    if search:
        term = validation.text(search, what="Search", max_length=200)
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("(p.sku ILIKE :search OR p.name ILIKE :search OR p.barcode = :exact)")
        params.update(search=f"%{escaped}%", exact=term)
    return where, params


_STILL_SHORT = text(
    """
    SELECT a.id, s.condition, s.available_quantity, s.threshold
      FROM stock_alerts a
      JOIN inventory_status s ON s.product_id = a.product_id AND s.location_id = a.location_id
     WHERE a.id = ANY(:ids) AND s.condition IN ('LOW_STOCK', 'OUT_OF_STOCK')
     ORDER BY a.id
    """
)


def still_short(session: Session, alert_ids: Sequence[int]) -> list[str]:
    """For resolving: why resolving these alerts now hides a shortage that is still there.

    Resolving disarms the item, so no new alert comes until it has been OK again; an operator
    must hear that before confirming. One sentence per alert whose item is still LOW or OUT.
    """
    rows = session.execute(_STILL_SHORT, {"ids": list(alert_ids)}).all()
    words = {"LOW_STOCK": "LOW", "OUT_OF_STOCK": "OUT"}
    return [f"Still {words[condition]}: {available:,} of {threshold:,}. No new alert until it is OK again."
            + (f" (#{alert_id})" if len(alert_ids) > 1 else "")
            for alert_id, condition, available, threshold in rows]
