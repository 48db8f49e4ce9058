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
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError as PydanticValidationError, field_validator

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


class MalformedEvent(ValidationError):
    """A payload on the events channel that is not a well-formed event of a known kind."""

    title = "Malformed event"


class Event(BaseModel):
    """One committed change (or a listener notice), as every consumer sees it."""

    model_config = ConfigDict(frozen=True, strict=False, extra="forbid")

    kind: str
    id: int | None = None
    product_id: int | None = None
    location_id: int | None = None
    user_id: int | None = None  # the actor who made the change
    for_user: int | None = None  # personal event: only this user sees it
    for_role: Role | None = None  # role-wide event: only this role sees it
    at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    extra: dict[str, Any] = Field(default_factory=dict)  # the toast part: sku, name, location, quantities

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in KNOWN_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        return kind

    @field_validator("id", "product_id", "location_id", "user_id", "for_user", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        # pydantic's lax mode would turn "12" or 12.0 into 12; an id on the wire is a JSON integer.
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError("must be an integer id")
        return value

    @field_validator("at")
    @classmethod
    def _aware(cls, at: datetime) -> datetime:
        return at if at.tzinfo else at.replace(tzinfo=timezone.utc)

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
    try:
        return Event(**envelope, extra=extra)
    except PydanticValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "payload"
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise MalformedEvent(f"Event {body.get('kind')!r} has a bad {where}: {message}") from None


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


def _clip(text: str | bytes, limit: int = 60) -> str:
    shown = text if isinstance(text, str) else repr(text)
    return repr(shown if len(shown) <= limit else shown[:limit] + "...")
