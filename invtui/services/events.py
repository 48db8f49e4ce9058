"""Emitting events: `pg_notify` inside the caller's transaction, so only committed changes are heard."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

CHANNEL = "invtui_events"
# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below.
MAX_PAYLOAD_BYTES = 7000


def payload(kind: str, **fields: Any) -> str:
    """The JSON text of one event: kind, time, then the given fields."""
    body = {"kind": kind, "at": datetime.now(timezone.utc).isoformat(), **fields}
    encoded = json.dumps(body, default=str, separators=(",", ":"))
    if len(encoded.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        # Bulk changes must send one summary; this keeps a mistake from failing the transaction.
        keep = {k: body[k] for k in ("kind", "at", "id", "user_id", "for_user") if k in body}
        keep["truncated"] = True
        encoded = json.dumps(keep, default=str, separators=(",", ":"))
    return encoded


def emit(session: Session, kind: str, **fields: Any) -> None:
    """Queue an event on the session's transaction; it is delivered at commit, dropped at rollback."""
    session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload(kind, **fields)})
