"""Disabling a user or changing their role takes effect on their very next action (issue 13 item 5).

The actor an app or a CLI holds was read at sign-in; every service re-reads the user's row in the
action's own transaction, so nothing depends on the app having heard the `user.changed` event.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import PermissionDenied
from invtui.services import alerts, inventory, users
from tests.alert_world import World, build


@pytest.fixture
def world(db: Database) -> World:
    built = build(db)
    built.set_stock("BOLT-M6", "WH1-A-01", 7)  # LOW: one open alert
    return built


def _alerts(world: World) -> list[tuple]:
    return world.sql("SELECT id, status, acknowledged_by FROM stock_alerts ORDER BY id")


def test_a_disabled_operators_acknowledge_is_refused_and_changes_nothing(world: World, db: Database,
                                                                         operator: Actor, admin: Actor) -> None:
    alert_id = world.open_alert("BOLT-M6", "WH1-A-01")["id"]  # type: ignore[index]
    before = _alerts(world)
    with db.session() as session:
        users.set_active(session, admin, "operator", False)
    with db.session() as session, pytest.raises(PermissionDenied, match="User 'operator' is disabled; ask an admin"):
        alerts.acknowledge(session, operator, alert_id, note="still here")  # the actor read before the disable
    assert _alerts(world) == before


def test_a_demoted_operator_is_judged_by_the_new_role(world: World, db: Database, operator: Actor,
                                                      admin: Actor) -> None:
    with db.session() as session:
        users.set_role(session, admin, "operator", "viewer")
    with db.session() as session, pytest.raises(PermissionDenied, match="Role viewer cannot move stock"):
        inventory.receive(session, operator, "BOLT-M6", "WH1-A-01", 5, reference="", reason="")
    assert world.sql("SELECT quantity FROM inventory i JOIN products p ON p.id = i.product_id "
                     "JOIN locations l ON l.id = i.location_id WHERE p.sku = 'BOLT-M6' AND l.code = 'WH1-A-01'") == [(7,)]


def test_a_disabled_user_cannot_even_change_their_own_password(db: Database, viewer: Actor, admin: Actor) -> None:
    with db.session() as session:
        users.set_active(session, admin, "viewer", False)
    with db.session() as session, pytest.raises(PermissionDenied, match="disabled"):
        users.set_password(session, viewer, "viewer", "a-new-password-1")


@pytest.mark.parametrize(("change", "expected"), [
    (lambda s, admin: users.set_active(s, admin, "operator", False), {"active": False, "role": "operator"}),
    (lambda s, admin: users.set_role(s, admin, "operator", "manager"), {"active": True, "role": "manager"}),
])
def test_disabling_or_a_new_role_is_an_event_naming_the_user(db: Database, operator: Actor, admin: Actor,
                                                             change, expected) -> None:  # type: ignore[no-untyped-def]
    listener = psycopg.connect(db.conninfo, autocommit=True)
    listener.execute("LISTEN invtui_events")
    try:
        with db.session() as session:
            change(session, admin)
        heard = [json.loads(n.payload) for n in listener.notifies(timeout=1.0, stop_after=1)]
    finally:
        listener.close()
    assert heard and heard[0]["kind"] == "user.changed" and heard[0]["id"] == operator.id
    assert {k: heard[0][k] for k in ("active", "role")} == expected


def test_a_disabled_operator_can_neither_start_nor_scan_a_count(world: World, db: Database, operator: Actor,
                                                                admin: Actor) -> None:
    """The count services checked the role the actor had at sign-in (issue 16's services, this session)."""
    from invtui.services import counts

    with db.session() as session:
        started = counts.start(session, operator, "WH1-A-01")
    with db.session() as session:
        users.set_active(session, admin, "operator", False)
    with db.session() as session, pytest.raises(PermissionDenied, match="User 'operator' is disabled; ask an admin"):
        counts.scan(session, operator, started.reference, "BOLT-M6")
    with db.session() as session, pytest.raises(PermissionDenied, match="User 'operator' is disabled; ask an admin"):
        counts.start(session, operator, "WH1-A-02")
    assert world.sql("SELECT count(*) FROM count_lines") == [(0,)]
    assert world.sql("SELECT count(*) FROM count_sessions") == [(1,)]
