"""Operators racing on the same stock: no lost update, nothing below zero, the ledger agrees.

The same workload as tests/benchmarks/stock_concurrency.py, at a size the suite can afford.
"""

from __future__ import annotations

import threading

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError
from invtui.services import inventory

from benchmarks.stock_concurrency import prepare, race
from stock_world import A, B, BOLT, build, level


def test_eight_operators_racing_lose_no_update_and_db_check_stays_clean(
        db: Database, manager: Actor, operator: Actor) -> None:
    prepare(db, manager, operator)
    result = race(db, operator, threads=8, ops=25, seed=7)
    assert result.errors == []
    assert result.actual == result.expected, "a lost update: the database disagrees with the accepted operations"
    assert all(q >= 0 and 0 <= r <= q for q, r in result.actual.values())
    assert result.check_clean


def test_two_operators_issuing_the_last_units_at_once_cannot_both_succeed(
        db: Database, manager: Actor, operator: Actor) -> None:
    build(db, manager)
    with db.session() as s:
        inventory.receive(s, operator, BOLT, A, 5)
    outcomes: list[str] = []
    gate = threading.Barrier(6)

    def issue_four() -> None:
        with db.session() as s:
            gate.wait()
            try:
                inventory.issue(s, operator, BOLT, A, 4)
                outcomes.append("issued")
            except ConflictError as exc:
                outcomes.append(exc.message)

    threads = [threading.Thread(target=issue_four) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("issued") == 1
    assert sorted(set(outcomes) - {"issued"}) == [f"Only 1 available of {BOLT} at {A}"]
    assert level(db, BOLT, A) == (1, 0)


def test_transfers_in_opposite_directions_at_once_do_not_deadlock(
        db: Database, manager: Actor, operator: Actor) -> None:
    build(db, manager)
    with db.session() as s:
        inventory.receive(s, operator, BOLT, A, 50)
        inventory.receive(s, operator, BOLT, B, 50)
    errors: list[BaseException] = []
    gate = threading.Barrier(2)

    def shuttle(source: str, destination: str) -> None:
        with db.session() as s:
            gate.wait()
            for _ in range(30):
                try:
                    inventory.transfer(s, operator, BOLT, source, destination, 1)
                except BaseException as exc:  # a deadlock would land here
                    errors.append(exc)

    threads = [threading.Thread(target=shuttle, args=pair) for pair in ((A, B), (B, A))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert level(db, BOLT, A) == (50, 0) and level(db, BOLT, B) == (50, 0)
