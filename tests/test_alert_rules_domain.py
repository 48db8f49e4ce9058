"""The alert rules of DESIGN.md section 4, row by row, without a database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from invtui.domain.alerts import (
    AlertAction,
    AlertState,
    AlertStatus,
    AlertType,
    Condition,
    SweepAction,
    check,
    condition,
    disarms,
    effective_threshold,
    refusal,
    sweep_action,
)
from invtui.errors import InvalidTransition

LOW, OUT = AlertType.LOW_STOCK, AlertType.OUT_OF_STOCK
NOW = datetime(2026, 11, 30, 10, 42).astimezone()


@pytest.mark.parametrize(
    ("available", "threshold", "expected"),
    [(0, 10, Condition.OUT_OF_STOCK), (-2, 10, Condition.OUT_OF_STOCK), (1, 10, Condition.LOW_STOCK),
     (10, 10, Condition.LOW_STOCK), (11, 10, Condition.OK), (1, 0, Condition.OK), (0, 0, Condition.OUT_OF_STOCK)],
)
def test_condition_is_out_at_zero_low_at_or_below_threshold_else_ok(available: int, threshold: int,
                                                                      expected: Condition) -> None:
    assert condition(available, threshold) is expected


def test_rule_for_location_beats_rule_for_product_beats_reorder_point_beats_min_level() -> None:
    assert effective_threshold(7, 20, 30, 5) == 7
    assert effective_threshold(None, 20, 30, 5) == 20
    assert effective_threshold(None, None, 30, 5) == 30
    assert effective_threshold(None, None, None, 5) == 5
    assert effective_threshold(0, 20, 30, 5) == 0  # a rule of zero is a rule, not "no rule"


def test_a_low_row_without_an_open_alert_gets_one() -> None:
    assert sweep_action(Condition.LOW_STOCK, None) is SweepAction.CREATE
    assert sweep_action(Condition.OUT_OF_STOCK, None) is SweepAction.CREATE


def test_a_row_with_an_open_alert_of_its_condition_gets_no_duplicate_only_a_fresh_quantity() -> None:
    assert sweep_action(Condition.LOW_STOCK, LOW) is SweepAction.REFRESH
    assert sweep_action(Condition.OUT_OF_STOCK, OUT) is SweepAction.REFRESH


def test_an_open_low_alert_of_a_row_now_out_escalates() -> None:
    assert sweep_action(Condition.OUT_OF_STOCK, LOW) is SweepAction.ESCALATE


def test_an_open_out_alert_of_a_row_now_low_downgrades_quietly() -> None:
    assert sweep_action(Condition.LOW_STOCK, OUT) is SweepAction.DOWNGRADE


def test_an_open_alert_of_a_row_now_ok_resolves() -> None:
    assert sweep_action(Condition.OK, LOW) is SweepAction.RESOLVE
    assert sweep_action(Condition.OK, OUT, disarmed_at=LOW) is SweepAction.RESOLVE


def test_a_disarmed_row_is_rearmed_when_ok_again() -> None:
    assert sweep_action(Condition.OK, None, disarmed_at=LOW) is SweepAction.REARM
    assert sweep_action(Condition.OK, None) is SweepAction.NOTHING


def test_a_row_dismissed_while_low_stays_quiet_while_low_but_alerts_when_it_runs_out() -> None:
    assert sweep_action(Condition.LOW_STOCK, None, disarmed_at=LOW) is SweepAction.NOTHING
    assert sweep_action(Condition.OUT_OF_STOCK, None, disarmed_at=LOW) is SweepAction.CREATE


def test_a_row_dismissed_while_out_stays_quiet_until_ok() -> None:
    assert sweep_action(Condition.OUT_OF_STOCK, None, disarmed_at=OUT) is SweepAction.NOTHING
    assert sweep_action(Condition.LOW_STOCK, None, disarmed_at=OUT) is SweepAction.NOTHING


def test_inactive_products_never_alert_and_their_open_alerts_close() -> None:
    assert sweep_action(Condition.OUT_OF_STOCK, None, product_active=False) is SweepAction.NOTHING
    assert sweep_action(Condition.OUT_OF_STOCK, LOW, product_active=False) is SweepAction.RESOLVE


@pytest.mark.parametrize(
    ("action", "start", "target"),
    [(AlertAction.ACKNOWLEDGE, AlertStatus.ACTIVE, AlertStatus.ACKNOWLEDGED),
     (AlertAction.RESOLVE, AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED),
     (AlertAction.DISMISS, AlertStatus.ACTIVE, AlertStatus.DISMISSED),
     (AlertAction.DISMISS, AlertStatus.ACKNOWLEDGED, AlertStatus.DISMISSED)],
)
def test_the_allowed_flow(action: AlertAction, start: AlertStatus, target: AlertStatus) -> None:
    check(action, AlertState(12, start, "maria", NOW))
    assert action.target is target


REFUSED = [
    (AlertAction.ACKNOWLEDGE, AlertStatus.ACKNOWLEDGED, "manual", "Alert #12 was already acknowledged by maria at 10:42"),
    (AlertAction.ACKNOWLEDGE, AlertStatus.RESOLVED, "manual", "Alert #12 was already resolved by maria at 10:42"),
    (AlertAction.ACKNOWLEDGE, AlertStatus.DISMISSED, "dismissed", "Alert #12 was already dismissed by maria at 10:42"),
    (AlertAction.RESOLVE, AlertStatus.ACTIVE, None, "Alert #12 is active; acknowledge it before resolving it (or dismiss it)"),
    (AlertAction.RESOLVE, AlertStatus.RESOLVED, "manual", "Alert #12 was already resolved by maria at 10:42"),
    (AlertAction.RESOLVE, AlertStatus.DISMISSED, "dismissed", "Alert #12 was already dismissed by maria at 10:42"),
    (AlertAction.DISMISS, AlertStatus.RESOLVED, "manual", "Alert #12 was already resolved by maria at 10:42"),
    (AlertAction.DISMISS, AlertStatus.DISMISSED, "dismissed", "Alert #12 was already dismissed by maria at 10:42"),
]


@pytest.mark.parametrize(("action", "status", "resolution", "message"), REFUSED)
def test_every_other_transition_is_refused_naming_who_and_when(action: AlertAction, status: AlertStatus,
                                                                resolution: str | None, message: str) -> None:
    state = AlertState(12, status, "maria", NOW, resolution)
    with pytest.raises(InvalidTransition) as refused:
        check(action, state, today=NOW)
    assert refused.value.message == message


def test_an_alert_the_sweep_resolved_says_so() -> None:
    state = AlertState(12, AlertStatus.RESOLVED, None, NOW, "auto")
    assert refusal(AlertAction.ACKNOWLEDGE, state, today=NOW) == (
        "Alert #12 is already resolved (stock recovered, closed automatically at 10:42)")


def test_a_refusal_from_another_day_shows_the_date() -> None:
    state = AlertState(12, AlertStatus.ACKNOWLEDGED, "maria", NOW - timedelta(days=2))
    assert refusal(AlertAction.ACKNOWLEDGE, state, today=NOW).endswith(
        f"at {(NOW - timedelta(days=2)):%Y-%m-%d} 10:42")


def test_dismissing_and_resolving_by_hand_disarm_the_item_acknowledging_does_not() -> None:
    assert disarms(AlertAction.DISMISS) and disarms(AlertAction.RESOLVE)
    assert not disarms(AlertAction.ACKNOWLEDGE)
