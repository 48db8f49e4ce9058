"""Stock alerts as people handle them: acknowledge, dismiss, resolve; the list; one alert's history.

The sweep (sql/0002_alert_engine.sql, `invtui.services.sweep`) raises, escalates and closes
alerts; the functions here are what an operator does to them. Each action is one compare-and-set
UPDATE (`... WHERE status IN (allowed) RETURNING`), never read-then-write: when two operators
act on one alert at once, one wins and the other is told who did what and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from invtui.db.light import raw_connection
from invtui.domain import validation
from invtui.domain.alerts import AlertAction, AlertState, AlertStatus, disarms, refusal
from invtui.domain.roles import Actor, Permission
from invtui.errors import InvalidTransition, NotFound, ValidationError
from invtui.services import alert_list, events
from invtui.services.alert_list import (  # noqa: F401 (re-exported: the app and tests name them here)
    STATUS_CHOICES,
    AlertCursor,
    AlertEventView,
    AlertPage,
    AlertView,
    alert_number,
)
from invtui.services.acting import require_current
from invtui.services.tx import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

MAX_BULK = 10_000
MAX_NOTE = 1000
# One event per alert up to this many; above it one "alerts.bulk" summary (NOTIFY payload limit).
MAX_SINGLE_EVENTS = 50


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
                  a.threshold_quantity, a.judged_on
    ), logged AS (
        -- a person's event keeps what the alert stood judged on when they acted (issue 17: every event)
        INSERT INTO alert_events (alert_id, event, from_status, to_status, alert_type, quantity, user_id, note,
                                  judged_on)
        SELECT c.id, CAST(:event AS varchar), c.from_status, c.status, c.alert_type, c.current_quantity, CAST(:user_id AS bigint), CAST(:note AS text),
               c.judged_on
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
    return alert_list.get(raw_connection(session), alert_id)


def open_alerts_for(session: Session, sku: str) -> list[AlertView]:
    """A product's open alerts at every location, OUT before LOW (the stock detail's list).

    `sku` is the stored SKU (as `inventory.stock_for` returns it), matched exactly: a search
    matches names and other SKUs too, and a page of them filtered afterwards can drop this
    product's alerts.
    """
    return alert_list.open_for(raw_connection(session), sku)


def history(session: Session, alert_id: int) -> list[AlertEventView]:
    """Every transition of one alert, oldest first, with who made it (None: the sweep)."""
    return alert_list.history(raw_connection(session), alert_id)


def list_alerts(session: Session, **filters: Any) -> AlertPage:
    """The alert list of `alert_list.list_alerts` (same filters), in the session's transaction."""
    return alert_list.list_alerts(raw_connection(session), **filters)


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
