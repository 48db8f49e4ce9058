"""The one-transaction rule for service functions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit what the block did, or roll all of it back if anything raised.

    Every public service function runs its whole body inside one of these, so a refusal
    (a domain error) or a crash leaves nothing half-written.
    """
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
