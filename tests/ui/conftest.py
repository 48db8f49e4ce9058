"""UI fixtures: the real app on the test's own database."""

from __future__ import annotations

from collections.abc import Callable
import pytest

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.ui.app import InvtuiApp
from invtui.ui.clock import Clock

from .world import FIXED_NOW, build


@pytest.fixture(autouse=True)
def utc_box(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots show local times; pin the box's time zone."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture
def make_app(db: Database) -> Callable[..., InvtuiApp]:
    """An app on this test's database; signed in as `username` when given (trusted, like the demo)."""

    def make(username: str | None = None, *, live: bool = True, fixed_clock: bool = False, **settings: object) -> InvtuiApp:
        config = Settings(database_url=db.url.render_as_string(hide_password=False), **settings)  # type: ignore[arg-type]
        return InvtuiApp(settings=config, db=db, username=username, trusted=username is not None,
                         clock=Clock.fixed(FIXED_NOW) if fixed_clock else None, live=live)

    return make


@pytest.fixture
def warehouse(db: Database) -> Database:
    """The test's database with the small fixed-time warehouse of world.py."""
    build(db)
    return db
