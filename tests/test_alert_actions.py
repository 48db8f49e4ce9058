"""What operators do to alerts: acknowledge, dismiss, resolve, one or many; the list; the history."""

from __future__ import annotations

import json
import threading

import psycopg
import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from invtui.services import alerts
from tests.alert_world import World, build


@pytest.fixture
def world(db: Database) -> World:
    built = build(db)
    built.set_stock("BOLT-M6", "WH1-A-01", 7)  # LOW
    built.set_stock("BOLT-M6", "WH1-A-02", 0)  # OUT
    built.set_stock("WASH-M8", "WH1-A-01", 2)  # LOW
    return built


def _id(world: World, sku: str = "BOLT-M6", location: str = "WH1-A-01") -> int:
    return world.open_alert(sku, location)["id"]  # type: ignore[index]


def _snapshot(world: World) -> list[tuple]:
    return world.sql("SELECT id, status, note, acknowledged_by, resolved_by FROM stock_alerts ORDER BY id")


def test_an_operator_acknowledges_an_alert_and_everyone_hears_it(world: World, db: Database, operator: Actor) -> None:
    alert_id = _id(world)
    listener = psycopg.connect(db.conninfo, autocommit=True)
    listener.execute("LISTEN invtui_events")
    try:
        with db.session() as session:
            done = alerts.acknowledge(session, operator, alert_id, note="ordering more")
        heard = [json.loads(n.payload) for n in listener.notifies(timeout=1.0, stop_after=1)]
    finally:
        listener.close()
    assert done.status == "ACKNOWLEDGED" and done.acknowledged_by == "operator" and done.note == "ordering more"
    assert heard[0]["kind"] == "alert.acknowledged" and heard[0]["id"] == alert_id
    assert heard[0]["user_id"] == operator.id and heard[0]["sku"] == "BOLT-M6"
    with db.session() as session:
        lines = alerts.history(session, alert_id)
    assert [(e.event, e.from_status, e.to_status, e.user) for e in lines] == [
        ("created", None, "ACTIVE", None), ("acknowledged", "ACTIVE", "ACKNOWLEDGED", "operator")]


def test_two_operators_acknowledging_one_alert_one_wins_the_other_is_told_who(world: World, db: Database,
                                                                             operator: Actor, manager: Actor) -> None:
    alert_id = _id(world)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def press_a(actor: Actor) -> None:
        barrier.wait()
        try:
            with db.session() as session:
                outcomes[actor.username] = alerts.acknowledge(session, actor, alert_id)
        except InvalidTransition as exc:
            outcomes[actor.username] = exc

    threads = [threading.Thread(target=press_a, args=(a,)) for a in (operator, manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    refused = [(name, o) for name, o in outcomes.items() if isinstance(o, InvalidTransition)]
    assert len(refused) == 1
    loser, error = refused[0]
    winner = "manager" if loser == "operator" else "operator"
    assert error.message.startswith(f"Alert #{alert_id} was already acknowledged by {winner} at ")
    assert world.events_of(alert_id) == ["created", "acknowledged"]


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [("dismiss", "acknowledge", "was already dismissed by operator at"),
     ("dismiss", "dismiss", "was already dismissed by operator at"),
     ("dismiss", "resolve", "was already dismissed by operator at"),
     (None, "resolve", "is active; acknowledge it before resolving it")],
)
def test_refused_transitions_name_the_state_and_change_nothing(world: World, db: Database, operator: Actor,
                                                               first: str | None, then: str, expected: str) -> None:
    alert_id = _id(world)
    with db.session() as session:
        if first:
            alerts.act(session, operator, first, [alert_id])
        before = _snapshot(world)
        with pytest.raises(InvalidTransition, match=expected):
            getattr(alerts, then)(session, operator, alert_id)
    assert _snapshot(world) == before


def test_an_auto_resolved_alert_refuses_with_the_reason(world: World, db: Database, operator: Actor) -> None:
    alert_id = _id(world)
    world.set_stock("BOLT-M6", "WH1-A-01", 80)
    with db.session() as session, pytest.raises(InvalidTransition, match="already resolved \\(stock recovered"):
        alerts.acknowledge(session, operator, alert_id)


def test_bulk_acknowledge_reports_what_succeeded_and_what_was_refused(world: World, db: Database,
                                                                      operator: Actor) -> None:
    a, b, c = _id(world), _id(world, "BOLT-M6", "WH1-A-02"), _id(world, "WASH-M8", "WH1-A-01")
    with db.session() as session:
        alerts.dismiss(session, operator, c)
        result = alerts.acknowledge_many(session, operator, [a, b, c, 999_999], note="on it")
    assert result.done == [a, b]
    assert set(result.refused) == {c, 999_999}
    assert "was already dismissed by operator" in result.refused[c]
    assert result.refused[999_999] == "Alert #999999 does not exist"
    assert result.summary == "2 alerts acknowledged, 2 refused"


def test_a_viewer_cannot_acknowledge_and_nothing_changes(world: World, db: Database, viewer: Actor) -> None:
    before = _snapshot(world)
    with db.session() as session, pytest.raises(PermissionDenied, match="Role viewer cannot acknowledge"):
        alerts.acknowledge(session, viewer, _id(world))
    assert _snapshot(world) == before


@pytest.mark.parametrize("bad", ["abc", "0", "-3", "1.5", "", "'; DROP TABLE products; --"])
def test_a_bad_alert_number_is_refused_in_one_sentence(world: World, db: Database, operator: Actor, bad: str) -> None:
    before = _snapshot(world)
    with db.session() as session, pytest.raises(ValidationError, match="Alert number must be a whole number"):
        alerts.acknowledge_many(session, operator, [bad])
    assert _snapshot(world) == before


def test_an_unknown_alert_is_not_found(world: World, db: Database, operator: Actor) -> None:
    with db.session() as session, pytest.raises(NotFound, match="Alert #424242 does not exist"):
        alerts.dismiss(session, operator, 424242)


def test_notes_are_kept_verbatim_and_an_over_long_note_changes_nothing(world: World, db: Database,
                                                                      operator: Actor) -> None:
    alert_id = _id(world)
    sneaky = "'; DROP TABLE products; -- ünïcødé ✓"
    with db.session() as session:
        assert alerts.acknowledge(session, operator, alert_id, note=sneaky).note == sneaky
        before = _snapshot(world)
        with pytest.raises(ValidationError, match="Note"):
            alerts.dismiss(session, operator, alert_id, note="x" * 1001)
    assert _snapshot(world) == before
    assert world.count("SELECT count(*) FROM products") == 2


def test_the_list_shows_out_before_low_newest_first_and_pages(world: World, db: Database) -> None:
    with db.session() as session:
        page = alerts.list_alerts(session, limit=2)
        rest = alerts.list_alerts(session, limit=2, after=page.next)
    assert [r.alert_type for r in page.rows] == ["OUT_OF_STOCK", "LOW_STOCK"]
    assert [(r.sku, r.location) for r in page.rows + rest.rows] == [
        ("BOLT-M6", "WH1-A-02"), ("WASH-M8", "WH1-A-01"), ("BOLT-M6", "WH1-A-01")]
    assert rest.next is None


def test_the_list_filters_by_status_type_location_and_search(world: World, db: Database, operator: Actor) -> None:
    with db.session() as session:
        alerts.dismiss(session, operator, _id(world, "WASH-M8", "WH1-A-01"))
        assert [r.sku for r in alerts.list_alerts(session, status="DISMISSED").rows] == ["WASH-M8"]
        assert len(alerts.list_alerts(session).rows) == 2
        assert [r.location for r in alerts.list_alerts(session, alert_type="out").rows] == ["WH1-A-02"]
        assert [r.location for r in alerts.list_alerts(session, location="wh1-a-01").rows] == ["WH1-A-01"]
        assert len(alerts.list_alerts(session, search="bolt").rows) == 2
        assert alerts.list_alerts(session, search="%").rows == []
        with pytest.raises(ValidationError, match="Status must be one of"):
            alerts.list_alerts(session, status="nonsense")
