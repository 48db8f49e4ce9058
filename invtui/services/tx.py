"""The one-transaction rule for service functions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from invtui.db.errors import friendly_error
from invtui.errors import ConflictError, ValidationError

# What every service function takes first. The UI hands it from `call_service` to the service
# without touching it, and names its type through this alias, never through the database packages.
ServiceSession = Session


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit what the block did, or roll all of it back if anything raised.

    Every public service function runs its whole body inside one of these, so a refusal
    (a domain error) or a crash leaves nothing half-written. What the database itself refused
    as bad data or a broken rule (a NUL byte in a name, a CHECK constraint) leaves as the
    project's own error with one sentence, like every other refusal, not as a driver exception.
    """
    try:
        yield session
        session.commit()
    except (DBAPIError, psycopg.Error) as exc:
        session.rollback()
        refusal = friendly_error(exc)
        if isinstance(refusal, ValidationError | ConflictError):
            raise refusal from exc
        raise
    except BaseException:
        session.rollback()
        raise
