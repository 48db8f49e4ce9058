"""Stock alert rules (DESIGN.md section 4). Pure, no I/O.

The database is what applies the condition rule and the sweep's transitions (the view
`inventory_status` and the function `evaluate_stock_alert_items` in sql/0002_alert_engine.sql;
the full sweep's fingerprint shortcut in sql/0003_full_sweep_diff.sql),
so every writer and every process agrees. This module states the same rules in Python for three
readers: the alert actions of `invtui.services.alerts` (which statuses an action may start from,
and the sentence that refuses it), the unit tests that pin every row of section 4, and a test
that checks the SQL and this module agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from invtui.errors import InvalidTransition


class AlertType(str, Enum):
    # "RUNS OUT SOON" (issue 17): the code sorts below LOW_STOCK, as the alert lists sort by type
    LOW_SOON = "LOW_SOON"
    LOW_STOCK = "LOW_STOCK"
    OUT_OF_STOCK = "OUT_OF_STOCK"

    @property
    def severity(self) -> int:
        return SEVERITY[self.value]

    @property
    def label(self) -> str:
        return LABELS[self.value]


class Condition(str, Enum):
    OK = "OK"
    LOW_SOON = "LOW_SOON"
    LOW_STOCK = "LOW_STOCK"
    OUT_OF_STOCK = "OUT_OF_STOCK"

    @property
    def severity(self) -> int:
        return SEVERITY[self.value]


# How bad each kind is (SQL: stock_alert_severity): worse escalates, better is a quiet downgrade,
# and an item disarmed at one kind alerts again only at a worse one.
SEVERITY = {"OK": 0, "LOW_SOON": 1, "LOW_STOCK": 2, "OUT_OF_STOCK": 3}
LABELS = {"LOW_SOON": "RUNS OUT SOON", "LOW_STOCK": "LOW STOCK", "OUT_OF_STOCK": "OUT OF STOCK"}
SHORT_LABELS = {"LOW_SOON": "SOON", "LOW_STOCK": "LOW", "OUT_OF_STOCK": "OUT"}


class AlertStatus(str, Enum):
    ACTIVE = "ACTIVE"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"
    DISMISSED = "DISMISSED"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({AlertStatus.ACTIVE, AlertStatus.ACKNOWLEDGED})


def effective_threshold(
    location_rule: int | None, product_rule: int | None, reorder_point: int | None, min_stock_level: int
) -> int:
    """A rule for this location, else a rule for the product, else the reorder point, else min level."""
    for value in (location_rule, product_rule, reorder_point):
        if value is not None:
            return value
    return min_stock_level


def condition(available: int, threshold: int, *, usage: Decimal | float | None = None, on_order: int = 0,
              lead_time_days: int | None = None, safety_days: int = 0) -> Condition:
    """OUT_OF_STOCK at or below zero available, LOW_STOCK at or below the threshold; else LOW_SOON
    when, at `usage` units a day, neither the available nor the projected quantity (available + on
    order) lasts the lead time plus the safety days; else OK. (SQL: stock_alert_condition.)"""
    if available <= 0:
        return Condition.OUT_OF_STOCK
    if available <= threshold:
        return Condition.LOW_STOCK
    if usage and usage > 0 and lead_time_days is not None:
        horizon = usage * (lead_time_days + safety_days)
        if available < horizon and available + on_order < horizon:
            return Condition.LOW_SOON
    return Condition.OK


class SweepAction(str, Enum):
    """What the sweep does to one inventory row (one row of DESIGN.md section 4's list)."""

    NOTHING = "nothing"
    CREATE = "create"  # new ACTIVE alert; the item counts as disarmed while it is open
    ESCALATE = "escalate"  # to a worse kind (SOON -> LOW -> OUT), status back to ACTIVE, notify again
    DOWNGRADE = "downgrade"  # to a better kind, status unchanged, no toast
    RESOLVE = "resolve"  # RESOLVED, resolution 'auto', success toast, item re-armed
    REFRESH = "refresh"  # same type, current_quantity kept current
    REARM = "rearm"  # OK, no open alert, was disarmed: armed again


def sweep_action(
    now: Condition,
    open_alert: AlertType | None,
    *,
    disarmed_at: AlertType | None = None,
    product_active: bool = True,
) -> SweepAction:
    """The sweep's decision for one row, given its condition, its open alert and its arming.

    `disarmed_at` is None for an armed item, else the condition at which a person dismissed or
    resolved its last alert: such an item raises nothing until it is OK again, except that it
    still alerts at a worse kind (disarmed while LOW, it alerts when it runs OUT).
    """
    if not product_active:
        return SweepAction.RESOLVE if open_alert is not None else SweepAction.NOTHING
    if open_alert is not None:
        if now is Condition.OK:
            return SweepAction.RESOLVE
        if now.severity > open_alert.severity:
            return SweepAction.ESCALATE
        if now.severity < open_alert.severity:
            return SweepAction.DOWNGRADE
        return SweepAction.REFRESH
    if now is Condition.OK:
        return SweepAction.REARM if disarmed_at is not None else SweepAction.NOTHING
    if disarmed_at is None or now.severity > disarmed_at.severity:
        return SweepAction.CREATE
    return SweepAction.NOTHING


class AlertAction(str, Enum):
    """What a person may do to an alert, with the statuses it starts from and leads to."""

    ACKNOWLEDGE = "acknowledge"
    DISMISS = "dismiss"
    RESOLVE = "resolve"

    @property
    def allowed_from(self) -> frozenset[AlertStatus]:
        return _ALLOWED_FROM[self]

    @property
    def target(self) -> AlertStatus:
        return _TARGET[self]

    @property
    def past_tense(self) -> str:
        return _PAST[self]


# ACTIVE -> ACKNOWLEDGED -> RESOLVED; ACTIVE or ACKNOWLEDGED -> DISMISSED; RESOLVED, DISMISSED final.
_ALLOWED_FROM = {
    AlertAction.ACKNOWLEDGE: frozenset({AlertStatus.ACTIVE}),
    AlertAction.DISMISS: frozenset({AlertStatus.ACTIVE, AlertStatus.ACKNOWLEDGED}),
    AlertAction.RESOLVE: frozenset({AlertStatus.ACKNOWLEDGED}),
}
_TARGET = {
    AlertAction.ACKNOWLEDGE: AlertStatus.ACKNOWLEDGED,
    AlertAction.DISMISS: AlertStatus.DISMISSED,
    AlertAction.RESOLVE: AlertStatus.RESOLVED,
}
_PAST = {AlertAction.ACKNOWLEDGE: "acknowledged", AlertAction.DISMISS: "dismissed", AlertAction.RESOLVE: "resolved"}


def disarms(action: AlertAction) -> bool:
    """Dismissing or resolving by hand disarms the item until it is OK again."""
    return action in (AlertAction.DISMISS, AlertAction.RESOLVE)


@dataclass(frozen=True)
class AlertState:
    """Who put an alert in its current status, and when: what a refusal names."""

    alert_id: int
    status: AlertStatus
    by: str | None = None  # user name; None = the sweep
    at: datetime | None = None
    resolution: str | None = None  # 'auto', 'manual' or 'dismissed' for closed alerts


def when(at: datetime | None, today: datetime | None = None) -> str:
    """'10:42' today, '2026-11-28 10:42' on another day (local time)."""
    if at is None:
        return "an unknown time"
    local = at.astimezone() if at.tzinfo else at
    reference = (today or datetime.now(local.tzinfo)).date()
    return f"{local:%H:%M}" if local.date() == reference else f"{local:%Y-%m-%d %H:%M}"


def refusal(action: AlertAction, state: AlertState, today: datetime | None = None) -> str:
    """The one sentence that refuses `action` on an alert in `state`, naming who put it there."""
    aid, at = f"Alert #{state.alert_id}", when(state.at, today)
    who = f"by {state.by}" if state.by else "by the stock sweep"
    if state.status is AlertStatus.ACKNOWLEDGED:
        # only "acknowledge" is refused from ACKNOWLEDGED
        return f"{aid} was already acknowledged {who} at {at}"
    if state.status is AlertStatus.DISMISSED:
        return f"{aid} was already dismissed {who} at {at}"
    if state.status is AlertStatus.RESOLVED:
        if state.resolution == "auto" or not state.by:
            return f"{aid} is already resolved (stock recovered, closed automatically at {at})"
        return f"{aid} was already resolved {who} at {at}"
    # ACTIVE: the only refusal is resolving before acknowledging
    return f"{aid} is active; acknowledge it before resolving it (or dismiss it)"


def check(action: AlertAction, state: AlertState, today: datetime | None = None) -> None:
    """Raise InvalidTransition with `refusal`'s sentence unless `action` is allowed from `state`."""
    if state.status not in action.allowed_from:
        raise InvalidTransition(refusal(action, state, today))
