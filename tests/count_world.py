"""The warehouse every cycle-count test starts from: stock_world's catalog with some stock."""

from __future__ import annotations

import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import inventory

from stock_world import A, B, BOLT, NUT, build


@pytest.fixture
def world(db: Database, manager: Actor, operator: Actor) -> Database:
    """BOLT (0.25 each): 20 at A, 5 at B; NUT (no price): 8 at A."""
    build(db, manager)
    with db.session() as s:
        inventory.receive(s, operator, BOLT, A, 20)
        inventory.receive(s, operator, BOLT, B, 5)
        inventory.receive(s, operator, NUT, A, 8)
    return db
