"""The one-transaction rule for service functions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy.exc import DBAPIError

from invtui.db.errors import friendly_error
from invtui.errors import ConflictError, ValidationError

if TYPE_CHECKING:
    from sqlmodel import Session

    # What every service function takes first. The UI hands it from `call_service` to the service
    # without touching it, and names its type through this alias, never through the database packages.
    ServiceSession = Session
else:  # what `Database.session()` makes: a Session that loads the ORM only when used (db/session.py)
    from invtui.db.session import LazySession as ServiceSession


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
