"""Many operators moving the same stock at once: throughput and lost updates.

N threads, each with its own session (its own connection), do random receive / issue /
transfer / reserve / release on the same two products at the same two locations. Every accepted
operation is recorded; afterwards each row must equal its starting level plus the accepted
deltas (a difference is a lost update), no row may be negative, and `db check` must be clean.

    uv run python tests/benchmarks/stock_concurrency.py [--database-url URL] [--threads 20] [--ops 200]

The suite runs the same workload small (tests/test_inventory_concurrency.py).
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import text

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError
from invtui.services import catalog, integrity, inventory

SKUS = ("RACE-1", "RACE-2")
LOCATIONS = ("RACE-A", "RACE-B")
START = 100  # units of each product at each location before the race


@dataclass
class RaceResult:
    threads: int
    ops_per_thread: int
    seconds: float
    accepted: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    expected: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    actual: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    check_clean: bool = False
    client_cpu_seconds: float = 0.0

    @property
    def operations(self) -> int:
        return self.threads * self.ops_per_thread

    @property
    def ops_per_second(self) -> float:
        return self.operations / self.seconds

    @property
    def lost_updates(self) -> int:
        """Units by which the database differs from the accepted operations (0 = none lost)."""
        return sum(abs(self.actual[k][0] - q) + abs(self.actual[k][1] - r) for k, (q, r) in self.expected.items())


def prepare(db: Database, manager: Actor, operator: Actor) -> None:
    """Two products, two locations, START units of each everywhere."""
    with db.session() as s:
        for code in LOCATIONS:
            catalog.create_location(s, manager, code)
        for sku in SKUS:
            catalog.create_product(s, manager, sku, f"Race item {sku}")
            for code in LOCATIONS:
                inventory.receive(s, operator, sku, code, START)


def race(db: Database, operator: Actor, *, threads: int, ops: int, seed: int = 1) -> RaceResult:
    """Run the workload and compare the database with the accepted operations."""
    result = RaceResult(threads, ops, 0.0)
    deltas: list[dict[tuple[str, str], list[int]]] = [{} for _ in range(threads)]
    lock = threading.Lock()
    gate = threading.Barrier(threads)

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        mine = deltas[index]
        with db.session() as session:
            gate.wait()
            for _ in range(ops):
                kind = rng.choice(("receive", "issue", "transfer", "reserve", "release"))
                sku, here = rng.choice(SKUS), rng.choice(LOCATIONS)
                there = LOCATIONS[1 - LOCATIONS.index(here)]
                qty = rng.randint(1, 12)
                try:
                    if kind == "transfer":
                        inventory.transfer(session, operator, sku, here, there, qty)
                        _add(mine, (sku, here), -qty, 0)
                        _add(mine, (sku, there), qty, 0)
                    else:
                        getattr(inventory, kind)(session, operator, sku, here, qty)
                        dq, dr = {"receive": (qty, 0), "issue": (-qty, 0), "reserve": (0, qty),
                                  "release": (0, -qty)}[kind]
                        _add(mine, (sku, here), dq, dr)
                    with lock:
                        result.accepted[kind] += 1
                except ConflictError:
                    with lock:
                        result.refused[kind] += 1
                except Exception as exc:  # a deadlock or a crash: the race is broken
                    with lock:
                        result.errors.append(f"{kind}: {type(exc).__name__}: {exc}".splitlines()[0])

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started, cpu = time.perf_counter(), time.process_time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    result.seconds = time.perf_counter() - started
    result.client_cpu_seconds = time.process_time() - cpu

    for sku in SKUS:
        for code in LOCATIONS:
            q = START + sum(d.get((sku, code), [0, 0])[0] for d in deltas)
            r = sum(d.get((sku, code), [0, 0])[1] for d in deltas)
            result.expected[(sku, code)] = (q, r)
    with db.session() as s:
        for sku, code, q, r in s.execute(text(
                "SELECT p.sku, l.code, i.quantity, i.reserved_quantity FROM inventory i "
                "JOIN products p ON p.id = i.product_id JOIN locations l ON l.id = i.location_id "
                "WHERE p.sku = ANY(:skus)"), {"skus": list(SKUS)}):
            result.actual[(sku, code)] = (q, r)
    result.check_clean = integrity.check(db).clean
    return result


def _add(deltas: dict[tuple[str, str], list[int]], key: tuple[str, str], dq: int, dr: int) -> None:
    entry = deltas.setdefault(key, [0, 0])
    entry[0] += dq
    entry[1] += dr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="A server to create the scratch database bench_stock_concurrency on.")
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--ops", type=int, default=200, help="Operations per thread.")
    args = parser.parse_args()

    import psycopg
    from psycopg import sql

    from invtui.db import migrations
    from invtui.domain.roles import Role
    from invtui.services import users

    base = Database(args.database_url)
    name = "bench_stock_concurrency"
    admin_url = base.conninfo
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = Database(base.url.set(database=name))
    try:
        migrations.upgrade(db)
        with db.connect() as conn:
            for role in ("manager", "operator"):
                conn.execute("INSERT INTO users (username, role, password_hash) VALUES (%s, %s, 'x')", (role, role))
            conn.commit()
        with db.session() as s:
            manager, operator = users.actor_for(s, "manager"), users.actor_for(s, "operator")
        assert manager.role is Role.MANAGER
        prepare(db, manager, operator)
        result = race(db, operator, threads=args.threads, ops=args.ops)
    finally:
        db.dispose()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    print(f"{result.threads} threads x {result.ops_per_thread} ops = {result.operations} operations "
          f"in {result.seconds:.2f} s: {result.ops_per_second:.0f} ops/s")
    print(f"client (this Python process) CPU {1000 * result.client_cpu_seconds / result.operations:.2f} ms per operation")
    print(f"accepted {sum(result.accepted.values())} {dict(result.accepted)}")
    print(f"refused (not enough stock) {sum(result.refused.values())} {dict(result.refused)}")
    print(f"errors {len(result.errors)}{': ' + result.errors[0] if result.errors else ''}")
    print(f"lost updates {result.lost_updates} units; db check {'clean' if result.check_clean else 'NOT CLEAN'}")
    return 0 if not result.errors and result.lost_updates == 0 and result.check_clean else 1


if __name__ == "__main__":
    sys.exit(main())
