"""The one shape of every event on channel `invtui_events` (DESIGN.md section 5). Pure, no I/O.

Services emit events with `invtui.services.events.emit`; the alert engine's SQL sends them with
`pg_notify` directly. Both write a JSON object: `kind`, `at`, the ids a screen needs to know
which rows changed (`id`, `product_id`, `location_id`), who did it (`user_id`), whom it is for
(`for_user` for personal events, `for_role` for role-wide ones) and whatever a toast shows (SKU,
name, location code, quantities), which lands in `Event.extra`.

`parse_event` is the one gate between the wire and the app: anything that is not a JSON object
of a known kind with well-typed fields raises `MalformedEvent`, which the listener logs and
skips, so a stray `NOTIFY invtui_events, 'garbage'` from psql never crashes an operator's app.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from invtui.domain.roles import Actor, Role
from invtui.errors import ValidationError

CHANNEL = "invtui_events"
# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
MAX_PAYLOAD_BYTES = 8000

# Kinds the services and the alert engine send. A bulk change sends one summary event
# ("alerts.bulk"), never one per row, so payloads stay far below the limit.
WIRE_KINDS: frozenset[str] = frozenset({
    "stock.changed",
    "alert.created", "alert.escalated", "alert.acknowledged", "alert.dismissed", "alert.resolved",
    "alerts.bulk",
    "po.created", "po.changed", "po.submitted", "po.approved", "po.received", "po.cancelled",
    "notification.created", "notifications.read",
    "sweep.finished",
    "catalog.changed",
    "user.created", "user.changed",
    # A count session, its lines or the count schedule changed (issue 16): `id` is the session
    # (absent for a schedule change), `action` says what happened, `reference` names the count.
    "count.changed",
})
# Made up by the listener itself, never sent on the wire: its connection state, and "reload
# everything" after a reconnect (NOTIFYs sent while disconnected are lost by design).
LISTENER_STATE = "listener.state"
RESYNC = "resync"
SYNTHETIC_KINDS: frozenset[str] = frozenset({LISTENER_STATE, RESYNC})
KNOWN_KINDS: frozenset[str] = WIRE_KINDS | SYNTHETIC_KINDS

# Fields of the envelope; every other key of the JSON object goes to `extra`.
_ENVELOPE = ("kind", "id", "product_id", "location_id", "user_id", "for_user", "for_role", "at")
_ID_FIELDS = ("id", "product_id", "location_id", "user_id", "for_user")


class MalformedEvent(ValidationError):
    """A payload on the events channel that is not a well-formed event of a known kind."""

    title = "Malformed event"


@dataclass(frozen=True)
class Event:
    """One committed change (or a listener notice), as every consumer sees it.

    A plain frozen dataclass checked in `__post_init__`, not a pydantic model: every signed-in
    app parses events, and pydantic alone was ~5 MB of an idle app's memory (issue 15).
    """

    kind: str
    id: int | None = None
    product_id: int | None = None
    location_id: int | None = None
    user_id: int | None = None  # the actor who made the change
    for_user: int | None = None  # personal event: only this user sees it
    for_role: Role | None = None  # role-wide event: only this role sees it
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    extra: dict[str, Any] = field(default_factory=dict)  # the toast part: sku, name, location, quantities

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str):
            raise _BadField("kind", "must be a string")
        if self.kind not in KNOWN_KINDS:
            raise _BadField("kind", f"unknown event kind {self.kind!r}")
        for name in _ID_FIELDS:
            value = getattr(self, name)
            # an id on the wire is a JSON integer: "12", 12.0 or true are refused, not converted
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise _BadField(name, "must be an integer id")
        if self.for_role is not None and not isinstance(self.for_role, Role):
            object.__setattr__(self, "for_role", _role(self.for_role))
        object.__setattr__(self, "at", _aware(self.at))
        if not isinstance(self.extra, dict):
            raise _BadField("extra", "must be an object")

    def visible_to(self, actor: Actor) -> bool:
        """Whether this event is for `actor`: personal events only for their user, role events only that role."""
        if self.for_user is not None and self.for_user != actor.id:
            return False
        return self.for_role is None or self.for_role == actor.role

    def get(self, key: str, default: Any = None) -> Any:
        """A field of the toast part (`sku`, `location`, `quantity`, ...)."""
        return self.extra.get(key, default)

    def to_payload(self) -> dict[str, Any]:
        """The flat JSON object of this event, as it travels on the wire."""
        body: dict[str, Any] = {"kind": self.kind, "at": self.at.isoformat()}
        for name in ("id", "product_id", "location_id", "user_id", "for_user"):
            if getattr(self, name) is not None:
                body[name] = getattr(self, name)
        if self.for_role is not None:
            body["for_role"] = self.for_role.value
        body.update(self.extra)
        return body

    def model_dump_json(self) -> str:
        """Every field as one JSON object (logs, messages); the name is the one pydantic gave it before."""
        fields = {**asdict(self), "at": self.at.isoformat(),
                  "for_role": self.for_role.value if self.for_role is not None else None}
        return json.dumps(fields, default=str)

    def describe(self) -> str:
        """One line for people (`invtui events --follow`): time, kind, then what changed."""
        parts = [self.at.astimezone(timezone.utc).strftime("%H:%M:%S"), f"{self.kind:<20}"]
        if self.id is not None:
            parts.append(f"#{self.id}")
        sku, location = self.extra.get("sku"), self.extra.get("location")
        if sku and location:
            parts.append(f"{sku} @ {location}")
        elif sku or location:
            parts.append(str(sku or location))
        for key, value in self.extra.items():
            if key not in ("sku", "location") and value is not None and not isinstance(value, dict | list):
                parts.append(f"{key}={value}")
        if self.user_id is not None:
            parts.append(f"by user {self.user_id}")
        return " ".join(parts)


def parse_event(text: str | bytes) -> Event:
    """The event in a NOTIFY payload; MalformedEvent (one sentence) if it is not one."""
    try:
        body = json.loads(text)
    except (ValueError, TypeError):
        raise MalformedEvent(f"Event payload is not JSON: {_clip(text)}") from None
    if not isinstance(body, dict):
        raise MalformedEvent(f"Event payload is not a JSON object: {_clip(text)}")
    if body.get("kind") in SYNTHETIC_KINDS:
        # Only the listener makes these; one arriving on the wire would fake a state change.
        raise MalformedEvent(f"Event kind {body['kind']!r} cannot be sent on the wire")
    return event_from_fields(body)


def event_from_fields(body: Mapping[str, Any]) -> Event:
    """An Event from a flat mapping (wire payload or keyword fields): envelope keys, rest in extra."""
    envelope = {key: body[key] for key in _ENVELOPE if key in body and body[key] is not None}
    extra = {key: value for key, value in body.items() if key not in _ENVELOPE}
    if "kind" not in envelope:
        raise MalformedEvent(f"Event {body.get('kind')!r} has a bad kind: field required")
    try:
        return Event(**envelope, extra=extra)
    except _BadField as exc:
        raise MalformedEvent(f"Event {body.get('kind')!r} has a bad {exc.field}: {exc.problem}") from None


def listener_state(state: str, *, since: datetime | None = None, retry_in: float | None = None,
                   error: str | None = None) -> Event:
    """The listener's own notice: `connected`, or `reconnecting` since T with the next retry in N s."""
    extra: dict[str, Any] = {"state": state}
    if since is not None:
        extra["since"] = since.isoformat()
    if retry_in is not None:
        extra["retry_in"] = round(retry_in, 3)
    if error:
        extra["error"] = error
    return Event(kind=LISTENER_STATE, extra=extra)


def resync(disconnected_since: datetime) -> Event:
    """Sent after a reconnect: events of the gap are lost, so every view reloads what it shows."""
    return Event(kind=RESYNC, extra={"disconnected_since": disconnected_since.isoformat()})


class _BadField(ValueError):
    """A field of an event that is missing or of the wrong type (`field`: which, `problem`: why)."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.field, self.problem = name, problem


def _role(value: Any) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise _BadField("for_role", f"must be one of {', '.join(repr(r.value) for r in Role)}") from None


def _aware(value: Any) -> datetime:
    """A time as the wire may carry it (ISO 8601 text, Unix seconds, a datetime), in UTC if naive."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _BadField("at", f"not an ISO 8601 time: {_clip(value)}") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = datetime.fromtimestamp(value, timezone.utc)
    elif not isinstance(value, datetime):
        raise _BadField("at", "must be a time")
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _clip(text: str | bytes, limit: int = 60) -> str:
    shown = text if isinstance(text, str) else repr(text)
    return repr(shown if len(shown) <= limit else shown[:limit] + "...")
