"""The event shape: what parses, what is refused (and so skipped by the listener), who sees what."""

from __future__ import annotations

import json
from datetime import timezone

import pytest

from invtui.domain.events import KNOWN_KINDS, Event, MalformedEvent, parse_event
from invtui.domain.roles import Actor, Role
from invtui.services.events import MAX_PAYLOAD_BYTES, payload

ALICE = Actor(id=7, username="alice", role=Role.OPERATOR)
BOB = Actor(id=8, username="bob", role=Role.MANAGER)


def test_a_stock_change_parses_into_envelope_and_toast_fields() -> None:
    event = parse_event(json.dumps({
        "kind": "stock.changed", "id": 41, "product_id": 3, "location_id": 9, "user_id": 7,
        "at": "2026-11-30T07:51:02.123+00:00", "sku": "BOLT-M6", "location": "WH1-A-03", "quantity": 12,
    }))
    assert (event.kind, event.id, event.product_id, event.location_id, event.user_id) == ("stock.changed", 41, 3, 9, 7)
    assert dict(event.extra) == {"sku": "BOLT-M6", "location": "WH1-A-03", "quantity": 12}
    assert event.at.tzinfo is not None and event.at.minute == 51


def test_what_services_emit_round_trips_through_the_parser() -> None:
    event = parse_event(payload("po.approved", id=12, user_id=2, for_user=7, number="PO-000012"))
    assert (event.kind, event.for_user, event.get("number")) == ("po.approved", 7, "PO-000012")
    assert parse_event(json.dumps(event.to_payload())) == event


def test_an_event_without_a_time_is_stamped_when_heard() -> None:
    event = parse_event('{"kind": "alerts.bulk", "created": 1200}')
    assert event.at.tzinfo == timezone.utc and event.get("created") == 1200


@pytest.mark.parametrize("text, reason", [
    ("garbage", "not JSON"),
    ("", "not JSON"),
    ('["stock.changed"]', "not a JSON object"),
    ('{"id": 1}', "kind"),
    ('{"kind": "stock.exploded"}', "unknown event kind"),
    ('{"kind": "stock.changed", "product_id": "3; DROP TABLE products; --"}', "product_id"),
    ('{"kind": "stock.changed", "product_id": 3.5}', "product_id"),
    ('{"kind": "stock.changed", "user_id": true}', "user_id"),
    ('{"kind": "po.approved", "for_role": "overlord"}', "for_role"),
    ('{"kind": "stock.changed", "at": "yesterday"}', "at"),
    ('{"kind": "resync"}', "cannot be sent on the wire"),
    ('{"kind": "listener.state", "state": "connected"}', "cannot be sent on the wire"),
])
def test_a_malformed_payload_is_refused_with_one_sentence(text: str, reason: str) -> None:
    with pytest.raises(MalformedEvent, match=reason) as caught:
        parse_event(text)
    assert "\n" not in caught.value.message


def test_the_issue_s_kinds_are_all_known() -> None:
    required = {"stock.changed", "alert.created", "alert.escalated", "alert.acknowledged", "alert.dismissed",
                "alert.resolved", "alerts.bulk", "po.submitted", "po.approved", "po.received", "po.cancelled",
                "notification.created", "sweep.finished", "catalog.changed", "user.created",
                "listener.state", "resync"}
    assert required <= KNOWN_KINDS


def test_a_personal_event_is_seen_only_by_its_user() -> None:
    event = Event(kind="po.approved", for_user=ALICE.id)
    assert event.visible_to(ALICE) and not event.visible_to(BOB)


def test_a_role_event_is_seen_only_by_that_role() -> None:
    event = Event(kind="po.submitted", for_role=Role.MANAGER)
    assert event.visible_to(BOB) and not event.visible_to(ALICE)


def test_an_event_for_everyone_is_seen_by_everyone() -> None:
    event = Event(kind="alert.created", product_id=1, location_id=2)
    assert event.visible_to(ALICE) and event.visible_to(BOB)


def test_emitting_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown event kind 'stock.moved'"):
        payload("stock.moved", id=1)


def test_an_oversized_payload_shrinks_to_its_envelope_and_keeps_its_audience() -> None:
    text = payload("alerts.bulk", user_id=1, for_role="manager", rows=list(range(5000)))
    assert len(text.encode()) <= MAX_PAYLOAD_BYTES
    event = parse_event(text)
    assert event.get("truncated") is True and event.for_role == Role.MANAGER


def test_unicode_and_sql_like_text_travel_unchanged() -> None:
    name = "Schraube M6 — 'Ø'; DROP TABLE products; --"
    assert parse_event(payload("catalog.changed", id=1, name=name)).get("name") == name


def test_a_line_for_people_names_the_item_and_the_place() -> None:
    event = parse_event(payload("stock.changed", id=5, user_id=3, sku="BOLT-M6", location="WH1-A-03", quantity=12))
    line = event.describe()
    assert "stock.changed" in line and "BOLT-M6 @ WH1-A-03" in line and "quantity=12" in line and "\n" not in line


def test_an_event_serialises_to_json_for_logs_and_messages() -> None:
    event = parse_event(payload("stock.changed", id=1, sku="BOLT-M6", changes=[{"sku": "BOLT-M6", "quantity": 3}]))
    assert json.loads(event.model_dump_json())["extra"]["changes"] == [{"sku": "BOLT-M6", "quantity": 3}]
