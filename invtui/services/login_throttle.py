"""Failed browser logins slow down per client address (sql/0008_login_throttle.sql).

In browser mode anyone who can reach the page can try passwords. Their failures must not lock
the account (that would hand them a way to lock any operator out), so instead the address they
come from waits 1 s after its first failure, 2 s after the second, then 4, 8 ... up to 60 s.
A success, or ten minutes without a failure, starts the address afresh. Every browser tab is a
process of its own; the table is what they share.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from invtui.db.models import LoginThrottle

MAX_DELAY_SECONDS = 60
QUIET = timedelta(minutes=10)


def delay_after(failures: int) -> int:
    """Seconds an address waits after this many failures in a row: 0, 1, 2, 4 ... 60."""
    return 0 if failures <= 0 else min(2 ** min(failures - 1, 16), MAX_DELAY_SECONDS)


def wait_sentence(seconds: int) -> str:
    return f"Too many failed sign-ins from this address; try again in {seconds} s"


def hold(session: Session, client: str, now: datetime) -> tuple[LoginThrottle, int]:
    """Lock this address's row for one attempt; the row and the seconds it must still wait.

    The row stays locked until the caller's transaction ends, so tabs of one address that try at
    the same moment take turns instead of all slipping through before the first failure counts.
    """
    session.exec(insert(LoginThrottle).values(client=client, failures=0, last_failure_at=now, blocked_until=now)
                 .on_conflict_do_nothing())  # type: ignore[call-overload]
    row = session.exec(select(LoginThrottle).where(LoginThrottle.client == client).with_for_update()).one()
    if row.failures and row.last_failure_at < now - QUIET:
        row.failures = 0
    return row, max(0, math.ceil((row.blocked_until - now).total_seconds()))


def record_failure(session: Session, row: LoginThrottle, now: datetime) -> int:
    """Count a failure of the held address; returns the seconds it must now wait."""
    row.failures += 1
    row.last_failure_at = now
    wait = delay_after(row.failures)
    row.blocked_until = now + timedelta(seconds=wait)
    session.add(row)
    session.flush()
    # Addresses that went quiet have nothing left to say; keep the table as small as the attack.
    # Rows another attempt holds are left for later (SKIP LOCKED): two of these never deadlock.
    quiet = (select(LoginThrottle.client).where(LoginThrottle.last_failure_at < now - QUIET)
             .with_for_update(skip_locked=True))
    session.exec(delete(LoginThrottle).where(LoginThrottle.client.in_(quiet.scalar_subquery())))  # type: ignore[call-overload, attr-defined]
    return wait


def clear(session: Session, row: LoginThrottle) -> None:
    """A success: the address starts afresh."""
    session.delete(row)
