"""The session every service gets: SQLAlchemy core for raw SQL, the ORM only once it is used.

Most services run `text()` SQL; a signed-in app that only reads its dashboard, alerts list and
status bar never needs SQLModel, pydantic, the ORM or the table models, which were ~19 MB of
its ~90 MB (issue 15). `LazySession` runs `text()` statements on a core `Connection` (same
Result API, same transaction rules as `Session.execute`) and turns into a real SQLModel
`Session` on the first thing only the ORM offers (`exec`, `add`, `get`, a `select(Model)`...).
From then on every call goes to that session, in the same transaction, so code that mixes
both (add, flush, then raw SQL) sees what it wrote. Callers see one API, the Session's: the
services are the same for the CLI, the app and the tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import TextualSelect

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlmodel import Session

_CORE_STATEMENTS = (TextClause, TextualSelect)


class LazySession:
    """A `Session` stand-in that loads the ORM only when a caller needs it (see module doc)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._orm: Session | None = None

    # -- what core and the ORM both do --------------------------------------------------------

    def execute(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """Raw SQL on the core connection; anything else (an ORM select, update(Model)) on the ORM."""
        if self._orm is None and isinstance(statement, _CORE_STATEMENTS) and not kw:
            return self._core().execute(statement, params)
        return self.orm.execute(statement, params, **kw)

    def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        return self.execute(statement, params, **kw).scalar()

    def scalars(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        return self.execute(statement, params, **kw).scalars()

    def connection(self) -> Connection:
        """The connection of the current transaction (begun now if none is), as `Session.connection`."""
        if self._orm is not None:
            return self._orm.connection()
        conn = self._core()
        if not conn.in_transaction():
            conn.begin()  # raw driver work through it is then committed by commit()
        return conn

    def commit(self) -> None:
        if self._orm is not None:
            self._orm.commit()
        elif self._conn is not None:
            self._conn.commit()
            self._release()  # like a Session, give the connection back between transactions

    def rollback(self) -> None:
        if self._orm is not None:
            self._orm.rollback()
        elif self._conn is not None:
            self._conn.rollback()
            self._release()

    def close(self) -> None:
        if self._orm is not None:
            self._orm.close()
            self._orm = None
        self._release()

    def __enter__(self) -> LazySession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the ORM, on demand -------------------------------------------------------------------

    @property
    def orm(self) -> Session:
        """The SQLModel session, made on first use; it takes over a transaction begun on core."""
        if self._orm is None:
            from sqlmodel import Session

            if self._conn is None:
                self._orm = Session(self._engine, expire_on_commit=False)
            else:  # same transaction: what raw SQL did so far is committed or rolled back with it
                self._orm = Session(bind=self._conn, join_transaction_mode="control_fully",
                                    expire_on_commit=False)
        return self._orm

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.orm, name)

    # -- the core connection ------------------------------------------------------------------

    def _core(self) -> Connection:
        if self._conn is None:
            self._conn = self._engine.connect()
        return self._conn

    def _release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
