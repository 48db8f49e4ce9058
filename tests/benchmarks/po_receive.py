"""Many operators receiving the same purchase orders at once: throughput and over-receipts.

First drafts, submits and approves P purchase orders of L lines each through the service
(timing the whole lifecycle per PO), then N threads, each with its own session, receive random
quantities of random lines of random POs into random locations. Afterwards every line's
received quantity must equal the sum of the accepted receipts and never exceed what was ordered,
each PO's status must match its lines, and `db check` must be clean.

    uv run python tests/benchmarks/po_receive.py [--database-url URL] [--threads 20] [--receipts 50]

The suite runs the same race small (tests/test_purchasing.py::test_concurrent_receipts_...).
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import text

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.errors import ConflictError
from invtui.services import catalog, integrity, purchasing, users
from scratch import scratch_database  # tests/benchmarks/scratch.py (scripts run from here)

LOCATIONS = ("DOCK-1", "DOCK-2", "DOCK-3")
ORDERED = 60  # units per line


@dataclass
class RaceResult:
    threads: int
    receipts_per_thread: int
    seconds: float = 0.0
    lifecycle_ms: float = 0.0
    client_cpu_seconds: float = 0.0
    outcomes: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    check_clean: bool = False

    @property
    def attempts(self) -> int:
        return self.threads * self.receipts_per_thread


def prepare(db: Database, manager: Actor, operator: Actor, *, pos: int, lines: int) -> tuple[list[str], list[str]]:
    """Products, locations and `pos` approved POs of `lines` lines; returns (PO numbers, SKUs)."""
    skus = [f"PO-BENCH-{i:03d}" for i in range(lines * 3)]
    with db.session() as s:
        catalog.create_supplier(s, manager, "BENCH", "Bench Supplies")
        for code in LOCATIONS:
            catalog.create_location(s, manager, code)
        for sku in skus:
            catalog.create_product(s, manager, sku, f"Bench item {sku}", supplier="BENCH", cost_price="1.50")
    rng = random.Random(7)
    numbers = []
    with db.session() as s:
        for _ in range(pos):
            number = purchasing.create(s, operator, "BENCH").number or ""
            for sku in rng.sample(skus, lines):
                purchasing.add_line(s, operator, number, sku, ORDERED)
            purchasing.submit(s, operator, number)
            purchasing.approve(s, manager, number)
            numbers.append(number)
    return numbers, skus


def race(db: Database, operators: list[Actor], numbers: list[str], *, threads: int, receipts: int) -> RaceResult:
    result = RaceResult(threads, receipts)
    accepted: list[dict[tuple[str, str], int]] = [defaultdict(int) for _ in range(threads)]
    with db.session() as s:
        lines_of = {n: [line.sku for line in purchasing.get(s, n).lines] for n in numbers}
    lock = threading.Lock()
    gate = threading.Barrier(threads)

    def worker(index: int) -> None:
        rng = random.Random(index)
        mine = accepted[index]
        who = operators[index % len(operators)]
        with db.session() as session:
            gate.wait()
            for _ in range(receipts):
                number = rng.choice(numbers)
                sku, qty = rng.choice(lines_of[number]), rng.randint(1, 20)
                try:
                    purchasing.receive(session, who, number, rng.choice(LOCATIONS), {sku: qty})
                    mine[(number, sku)] += qty
                    outcome = "accepted"
                except ConflictError as exc:  # over-receipt, or the PO was completed meanwhile
                    outcome = "refused: PO complete" if "already received" in exc.message else "refused: too many"
                except Exception as exc:  # a deadlock or a crash: the race is broken
                    outcome = "error"
                    with lock:
                        result.errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
                with lock:
                    result.outcomes[outcome] += 1

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started, cpu = time.perf_counter(), time.process_time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    result.seconds = time.perf_counter() - started
    result.client_cpu_seconds = time.process_time() - cpu

    expected: dict[tuple[str, str], int] = defaultdict(int)
    for mine in accepted:
        for key, qty in mine.items():
            expected[key] += qty
    with db.session() as s:
        for number in numbers:
            view = purchasing.get(s, number)
            for line in view.lines:
                if line.received != expected[(number, line.sku)] or line.received > line.ordered:
                    result.mismatches.append(f"{number} {line.sku}: received {line.received}, "
                                             f"accepted {expected[(number, line.sku)]}, ordered {line.ordered}")
            complete = all(line.outstanding == 0 for line in view.lines)
            started_receiving = any(line.received for line in view.lines)
            want = "received" if complete else "partially_received" if started_receiving else "approved"
            if view.status != want:
                result.mismatches.append(f"{number} is {view.status}, its lines say {want}")
        ledger = s.execute(text("SELECT coalesce(sum(quantity_delta), 0) FROM stock_movements "
                                "WHERE kind = 'po_receipt'")).scalar_one()
        if ledger != sum(expected.values()):
            result.mismatches.append(f"ledger has {ledger} units received, accepted receipts {sum(expected.values())}")
    result.check_clean = integrity.check(db).clean
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="A server to create the scratch database bench_po_receive on.")
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--receipts", type=int, default=50, help="Receipt attempts per thread.")
    parser.add_argument("--pos", type=int, default=40, help="Approved POs to receive against.")
    parser.add_argument("--lines", type=int, default=5, help="Lines per PO.")
    args = parser.parse_args()

    with scratch_database(args.database_url, "bench_po_receive") as db:
        with db.connect() as conn:
            for role in ("manager", "operator"):
                conn.execute("INSERT INTO users (username, role, password_hash) VALUES (%s, %s, 'x')", (role, role))
            conn.commit()
        with db.session() as s:
            manager, operator = users.actor_for(s, "manager"), users.actor_for(s, "operator")
        started = time.perf_counter()
        numbers, _ = prepare(db, manager, operator, pos=args.pos, lines=args.lines)
        lifecycle = (time.perf_counter() - started) / args.pos
        result = race(db, [operator, manager], numbers, threads=args.threads, receipts=args.receipts)
        result.lifecycle_ms = 1000 * lifecycle

    print(f"PO lifecycle (create + {args.lines} lines + submit + approve): {result.lifecycle_ms:.1f} ms per PO")
    print(f"{result.threads} threads x {result.receipts_per_thread} receipts on {args.pos} POs = "
          f"{result.attempts} attempts in {result.seconds:.2f} s: {result.attempts / result.seconds:.0f} receipts/s")
    print(f"client (this Python process) CPU {1000 * result.client_cpu_seconds / result.attempts:.2f} ms per receipt")
    print(f"outcomes {dict(result.outcomes)}")
    print(f"errors {len(result.errors)}{': ' + result.errors[0] if result.errors else ''}")
    print(f"over-receipts or mismatches {len(result.mismatches)}"
          f"{': ' + result.mismatches[0] if result.mismatches else ''}; db check "
          f"{'clean' if result.check_clean else 'NOT CLEAN'}")
    return 0 if not result.errors and not result.mismatches and result.check_clean else 1


if __name__ == "__main__":
    sys.exit(main())
