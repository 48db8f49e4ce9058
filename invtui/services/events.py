"""Emitting events: `pg_notify` inside the caller's transaction, so only committed changes are heard.

The shape and the list of kinds live in `invtui.domain.events`; the listener that hears them is
`invtui.db.listener.EventListener`.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from invtui.domain.events import CHANNEL, WIRE_KINDS

if TYPE_CHECKING:
    from sqlmodel import Session

__all__ = ["CHANNEL", "MAX_PAYLOAD_BYTES", "emit", "payload"]

# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below.
MAX_PAYLOAD_BYTES = 7000
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


def payload(kind: str, **fields: Any) -> str:
    """The JSON text of one event: kind, time, then the given fields.

    An unknown kind is a programming error (every listener would skip the event), so it raises
    ValueError here, where a test of the emitting service sees it.
    """
    if kind not in WIRE_KINDS:
        raise ValueError(f"Unknown event kind {kind!r}; add it to invtui.domain.events.WIRE_KINDS")
    body = {"kind": kind, "at": datetime.now(timezone.utc).isoformat(), **fields}
    encoded = json.dumps(body, default=str, separators=(",", ":"))
    if len(encoded.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        # Bulk changes must send one summary; this keeps a mistake from failing the transaction.
        keep = {k: body[k] for k in ("kind", "at", "id", "product_id", "location_id", "user_id", "for_user",
                                     "for_role") if k in body}
        keep["truncated"] = True
        encoded = json.dumps(keep, default=str, separators=(",", ":"))
    return encoded


def emit(session: Session, kind: str, **fields: Any) -> None:
    """Queue an event on the session's transaction; it is delivered at commit, dropped at rollback."""
    session.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload(kind, **fields)})
