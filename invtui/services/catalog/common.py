"""What the catalog's entities share: pages by keyset, the update marker, flush-and-announce.

Lists page by KEYSET: each page is ordered by a unique key and the next page starts "after" the
last key of this one (the returned `next_cursor`), so page 5,000 costs what page 1 costs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from sqlalchemy import or_
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, select

from invtui.db.errors import friendly_error
from invtui.domain import validation
from invtui.domain.roles import Actor
from invtui.errors import ConflictError
from invtui.services import events
from invtui.services.tx import unit_of_work


T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)  # a catalog table
V = TypeVar("V")  # what the caller gets for one of its rows: a frozen dataclass
PAGE_MAX = 1000
DEFAULT_PAGE = 50


class _Unset:
    """Marks an update argument the caller did not pass (None means "clear it")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; pass `next_cursor` as `after` for the next page (None: this is the last)."""

    items: list[T]
    next_cursor: str | None



def view_of(view: type[V], row: SQLModel) -> V:
    """A stored row as the caller sees it: the frozen dataclass `view`, its fields read from `row`."""
    return view(**{f.name: getattr(row, f.name) for f in fields(view)})  # type: ignore[call-arg]


def page_size(limit: object) -> int:
    return validation.quantity(limit, maximum=PAGE_MAX, what="Limit")


def like(search: str) -> str:
    """A LIKE pattern matching `search` anywhere, with its own % and _ taken literally."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def flush(session: Session) -> None:
    """Flush, turning a constraint the database enforced (a race we lost) into its sentence."""
    try:
        session.flush()
    except DBAPIError as exc:
        error = friendly_error(exc)
        if error is None:
            raise
        raise error from None


def touch(record: SQLModel) -> None:
    record.updated_at = datetime.now(timezone.utc)  # type: ignore[attr-defined]


def announce(session: Session, actor: Actor, entity: str, action: str, record_id: int | None, **fields: Any) -> None:
    events.emit(session, "catalog.changed", id=record_id, user_id=actor.id, entity=entity, action=action, **fields)


def paged(rows: list[T], limit: int, key: Callable[[T], object]) -> Page[T]:
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, str(key(rows[-1])))
    return Page(rows, None)


def list_by(session: Session, model: type[M], key: Any, searched: tuple[Any, ...], view: type[V], *,
            search: str | None, active: bool | None, limit: object, after: str | None) -> Page[V]:
    """A page of a simple catalog table in `key` order (keyset: `after` is the last key seen), each
    row as a `view` (`view_of`); `search` matches any of the `searched` columns, in any case."""
    size = page_size(limit)
    query = select(model)
    if search:
        pattern = like(search.strip())
        query = query.where(or_(*(column.ilike(pattern) for column in searched)))
    if active is not None:
        query = query.where(model.is_active == active)  # type: ignore[attr-defined]
    if after:
        query = query.where(key > after)
    with unit_of_work(session):
        rows = [view_of(view, row) for row in session.exec(query.order_by(key).limit(size + 1)).all()]
    return paged(rows, size, lambda row: getattr(row, key.key))


def retire(session: Session, actor: Actor, record: M, entity: str, label: str, **fields: Any) -> None:
    """Deactivate `record` inside the caller's unit of work; refused if it already is."""
    refuse_if_inactive(record.is_active, label)  # type: ignore[attr-defined]
    record.is_active = False  # type: ignore[attr-defined]
    touch(record)
    announce(session, actor, entity, "deactivated", record.id, **fields)  # type: ignore[attr-defined]



def refuse_if_inactive(active: bool, what: str) -> None:
    if not active:
        raise ConflictError(f"{what} is already inactive")
