"""Random sequences of stock operations against a tiny in-memory model of the warehouse.

After every step the database must agree with the model: the same operations accepted or
refused, the same quantity and reservation at every location. One database serves every
example; each example works on products of its own, so it starts from empty shelves.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError, ValidationError
from invtui.services import catalog, integrity, inventory

LOCATIONS = ("M-A", "M-B")
_examples = itertools.count()


@dataclass
class Model:
    """What the shelves should hold: (item, location) -> [quantity, reserved]."""

    rows: dict[tuple[int, str], list[int]] = field(default_factory=dict)

    def row(self, item: int, location: str) -> list[int]:
        return self.rows.setdefault((item, location), [0, 0])

    def apply(self, op: tuple) -> bool:
        """Apply `op` if the rules allow it; False when the service must refuse it."""
        kind, item, location, qty = op[:4]
        q, r = self.row(item, location)
        if kind == "receive":
            self.row(item, location)[0] += qty
        elif kind in ("issue", "transfer") and q - r < qty:
            return False
        elif kind == "issue":
            self.row(item, location)[0] -= qty
        elif kind == "reserve":
            if q - r < qty:
                return False
            self.row(item, location)[1] += qty
        elif kind == "release":
            if r < qty:
                return False
            self.row(item, location)[1] -= qty
        elif kind == "adjust":
            if qty == q or qty < r:
                return False
            self.row(item, location)[0] = qty
        elif kind == "transfer":
            self.row(item, location)[0] -= qty
            self.row(item, op[4])[0] += qty
        return True


quantities = st.integers(min_value=1, max_value=15)
items = st.sampled_from((0, 1))
places = st.sampled_from(LOCATIONS)
operations = st.one_of(
    st.tuples(st.sampled_from(("receive", "issue", "reserve", "release")), items, places, quantities),
    st.tuples(st.just("adjust"), items, places, st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("transfer"), items, places, quantities, places),
    # bad input mixed in: always refused, never changes anything
    st.tuples(st.sampled_from(("receive", "issue", "reserve", "release")), items, places,
              st.sampled_from((0, -2, "x", "1.5", 1_000_001))),
)


@pytest.fixture
def shelves(db: Database, manager: Actor) -> Database:
    with db.session() as s:
        for code in LOCATIONS:
            catalog.create_location(s, manager, code)
    return db


def _run(db: Database, actor: Actor, skus: tuple[str, str], op: tuple) -> bool:
    kind, item, location, qty = op[:4]
    with db.session() as s:
        try:
            if kind == "transfer":
                inventory.transfer(s, actor, skus[item], location, op[4], qty)
            elif kind == "adjust":
                inventory.adjust(s, actor, skus[item], location, qty, "model count")
            else:
                getattr(inventory, kind)(s, actor, skus[item], location, qty)
        except (ConflictError, ValidationError):
            return False
    return True


def _expected_acceptance(model: Model, op: tuple) -> bool:
    kind, _, location, qty = op[:4]
    if not isinstance(qty, int) or qty > 1_000_000 or (qty < 1 and kind != "adjust"):
        return False
    if kind == "transfer" and op[4] == location:
        return False
    return model.apply(op)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operations, max_size=12))
def test_the_database_agrees_with_the_model_after_every_step(shelves: Database, manager: Actor,
                                                              operator: Actor, ops: list[tuple]) -> None:
    example = next(_examples)
    skus = (f"MODEL-{example}-0", f"MODEL-{example}-1")
    with shelves.session() as s:
        for sku in skus:
            catalog.create_product(s, manager, sku, f"Model item {sku}")
    model = Model()
    for step, op in enumerate(ops):
        accepted = _run(shelves, operator, skus, op)
        assert accepted == _expected_acceptance(model, op), f"step {step}: {op}"
        for item, sku in enumerate(skus):
            with shelves.session() as s:
                actual = {line.location: [line.quantity, line.reserved] for line in inventory.stock_for(s, sku).lines}
            for location in LOCATIONS:
                assert actual.get(location, [0, 0]) == model.row(item, location), f"after step {step}: {op}"
    assert integrity.check(shelves).clean
