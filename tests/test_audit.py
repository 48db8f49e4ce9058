"""The audit trail: an admin asks who did what, and gets one time-ordered answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from invtui.db.engine import Database
from invtui.errors import AuthenticationError, NotFound, ValidationError
from invtui.services import alerts, audit, inventory, purchasing, users
from tests import po_world
from tests.conftest import run_invtui


@pytest.fixture(scope="module")
def day(pg_server, template_db: str) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """One warehouse day, shared by every test here (they only read it)."""
    with po_world.shared_database(pg_server, template_db, "audit") as db:
        with db.session() as s:
            operator, manager, admin = (users.actor_for(s, n) for n in ("operator", "manager", "admin"))
        with db.session() as s:
            inventory.receive(s, operator, po_world.BOLT, po_world.DOCK, 5, reference="DN-1")
        with db.session() as s:
            inventory.issue(s, operator, po_world.BOLT, po_world.DOCK, 5)  # out of stock: the trigger alerts
        with db.session() as s:
            alert_id = alerts.list_alerts(s).rows[0].id
        with db.session() as s:
            alerts.acknowledge(s, operator, alert_id, note="reordering")
        po_world.approved(db, operator, manager, {po_world.BOLT: 10})
        with db.session() as s:
            users.set_role(s, admin, "viewer", "operator")
        with db.session() as s, pytest.raises(AuthenticationError):
            users.authenticate(s, "manager", "wrong")
        yield db


def trail(db: Database, **filters: object) -> list[audit.AuditEntry]:
    with db.session() as s:
        return audit.trail(s, **filters)  # type: ignore[arg-type]


def test_the_trail_is_newest_first_across_stock_alerts_pos_and_users(day: Database) -> None:
    entries = trail(day)
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert {e.kind for e in entries} == {"stock", "alert", "po", "user"}
    assert entries[0].action == "login_failed"


def test_stock_entries_say_who_moved_how_many_of_what_where(day: Database) -> None:
    entries = trail(day, kinds=["stock"])
    assert [(e.who, e.action, e.subject) for e in entries] == [
        ("operator", "issue", "BOLT-M6 at WH1-A-03"), ("operator", "receive", "BOLT-M6 at WH1-A-03")]
    assert entries[1].detail == "+5 DN-1" and entries[0].detail == "-5"


def test_alert_entries_show_the_sweep_as_system_and_people_by_name(day: Database) -> None:
    entries = trail(day, kinds=["alert"])
    assert [(e.who, e.action) for e in entries] == [("operator", "acknowledged"), ("system", "created")]
    assert "ACTIVE -> ACKNOWLEDGED" in entries[0].detail and "reordering" in entries[0].detail


def test_po_entries_follow_the_order_through_its_states(day: Database) -> None:
    entries = trail(day, kinds=["po"])
    assert [(e.who, e.action) for e in entries] == [("manager", "approved"), ("operator", "submitted"),
                                                    ("operator", "draft")]
    assert {e.subject for e in entries} == {"PO-000001"}


def test_user_entries_show_role_changes_and_failed_logins(day: Database) -> None:
    entries = trail(day, kinds=["user"])
    assert [(e.who, e.action, e.subject) for e in entries] == [
        ("manager", "login_failed", "user manager"), ("admin", "role_changed", "user viewer")]
    assert entries[1].detail == "viewer -> operator"


def test_filter_by_user_shows_only_what_that_person_did(day: Database) -> None:
    assert {e.who for e in trail(day, user="Manager")} == {"manager"}
    assert {(e.kind, e.action) for e in trail(day, user="operator", kinds=["po", "alert"])} == {
        ("po", "draft"), ("po", "submitted"), ("alert", "acknowledged")}


def test_since_and_limit_cut_the_trail(day: Database) -> None:
    assert trail(day, since="2h")
    assert trail(day, since=datetime.now(timezone.utc) + timedelta(minutes=1)) == []
    assert trail(day, since="2999-01-01") == []
    assert len(trail(day, limit=3)) == 3


@pytest.mark.parametrize("since", ["yesterday", "2h ago", "-2h", "2026-13-45", "'; DROP TABLE products; --", ""])
def test_a_bad_since_is_one_clear_sentence(day: Database, since: str) -> None:
    with pytest.raises(ValidationError, match="Since must be a time back from now like 2h"):
        trail(day, since=since)


def test_since_understands_durations_and_local_dates() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    assert audit.parse_since("2h", now) == now - timedelta(hours=2)
    assert audit.parse_since("30m", now) == now - timedelta(minutes=30)
    assert audit.parse_since("7d", now) == now - timedelta(days=7)
    assert audit.parse_since("2026-11-24", now) == datetime(2026, 11, 24).astimezone()


@pytest.mark.parametrize(("filters", "message"), [
    ({"kinds": ["stocks"]}, "Unknown audit kind 'stocks'; choose one of stock, alert, po, user, count"),
    ({"user": "nobody"}, "Unknown user 'nobody'"),
    ({"limit": 0}, "Limit must be a whole number from 1 to 10,000"),
    ({"limit": "ten"}, "Limit must be a whole number from 1 to 10,000"),
])
def test_bad_filters_are_refused_by_name(day: Database, filters: dict, message: str) -> None:
    with pytest.raises((ValidationError, NotFound), match=message):
        trail(day, **filters)


def test_the_audit_command_prints_json_and_one_line_errors(day: Database, cli_env: dict[str, str]) -> None:
    env = {**cli_env, "INVTUI_DATABASE_URL": day.url.render_as_string(hide_password=False)}
    shown = run_invtui(["audit", "--user", "operator", "--kind", "alert", "--json"], env)
    assert shown.code == 0, shown.stderr
    assert [(e["who"], e["action"]) for e in json.loads(shown.stdout)] == [("operator", "acknowledged")]
    table = run_invtui(["audit", "--kind", "po", "--since", "1d"], env)
    assert table.code == 0 and "PO-000001" in table.stdout and "approved" in table.stdout
    bad = run_invtui(["audit", "--since", "last tuesday"], env)
    assert bad.code != 0 and bad.stderr.startswith("invtui: Since must be") and bad.stderr.count("\n") == 1
