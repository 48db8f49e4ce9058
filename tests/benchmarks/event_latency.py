"""Event latency: from a committed stock change in one process to the listener's callback in another.

Process A (this one) receives one unit at a time, N times, each `inventory.receive` its own
transaction (with everything a real receipt does: ledger row, alert trigger, pg_notify).
Process B runs an `EventListener` and stamps each `stock.changed` event when its callback runs.
Both use time.time() on this one machine. The quantity after the i-th receipt is i, so each
event is matched to its change by its `quantity` field.

Two figures per change:
- commit -> callback: from A sending COMMIT (SQLAlchemy's `commit` engine event, which fires
  just before the driver commits) to B's callback: the commit itself plus delivery;
- call -> callback: from A starting the service call to B's callback (the whole change).

    uv run python tests/benchmarks/event_latency.py [--database-url URL] [--changes 500]

Goal: p95 commit -> callback under 50 ms (the change-to-screen budget is 250 ms).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psycopg  # noqa: E402
import sqlalchemy.event  # noqa: E402
from psycopg import sql  # noqa: E402

from invtui.db import migrations  # noqa: E402
from invtui.db.engine import Database  # noqa: E402
from invtui.db.listener import EventListener  # noqa: E402
from invtui.domain.events import Event  # noqa: E402
from invtui.services import catalog, inventory, users  # noqa: E402

DATABASE = "bench_event_latency"
SKU, LOCATION = "LAT-1", "LAT-A"


def listen(conninfo: str, changes: int, ready: mp.Event, results: mp.Queue) -> None:  # type: ignore[type-arg]
    """Process B: stamp every stock.changed event of the benchmark item, then send the stamps back."""
    heard: dict[int, float] = {}
    done = threading.Event()

    def stamp(event: Event) -> None:
        now = time.time()
        if event.kind == "stock.changed" and event.get("sku") == SKU:
            heard[int(event.get("quantity"))] = now
            if len(heard) >= changes:
                done.set()

    with EventListener(conninfo, stamp) as listener:
        if not listener.wait_connected(10):
            results.put({})
            return
        ready.set()
        done.wait(60 + changes * 0.1)
    results.put(heard)


def change_stock(db: Database, changes: int) -> tuple[dict[int, float], dict[int, float], float]:
    """Process A: N receipts of one unit; returns call-start and commit-sent times by resulting quantity."""
    with db.session() as session:
        operator = users.actor_for(session, "operator")
    started: dict[int, float] = {}
    committed: dict[int, float] = {}
    last_commit = [0.0]
    sqlalchemy.event.listen(db.engine, "commit", lambda _conn: last_commit.__setitem__(0, time.time()))
    begin = time.perf_counter()
    with db.session() as session:
        for n in range(1, changes + 1):
            started[n] = time.time()
            inventory.receive(session, operator, SKU, LOCATION, 1)
            committed[n] = last_commit[0]
    return started, committed, time.perf_counter() - begin


def prepare(base: Database) -> Database:
    with psycopg.connect(base.conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    db = Database(base.url.set(database=DATABASE))
    migrations.upgrade(db)
    with db.connect() as conn:
        for role in ("manager", "operator"):
            conn.execute("INSERT INTO users (username, role, password_hash) VALUES (%s, %s, 'x')", (role, role))
        conn.commit()
    with db.session() as session:
        manager = users.actor_for(session, "manager")
        catalog.create_location(session, manager, LOCATION)
        catalog.create_product(session, manager, SKU, "Latency probe")
    return db


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(label: str, millis: list[float]) -> None:
    print(f"{label:<22} p50 {percentile(millis, 0.50):6.2f} ms   p95 {percentile(millis, 0.95):6.2f} ms   "
          f"max {max(millis):6.2f} ms   mean {statistics.fmean(millis):6.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help=f"A server to create the scratch database {DATABASE} on.")
    parser.add_argument("--changes", type=int, default=500)
    args = parser.parse_args()

    base = Database(args.database_url)
    db = prepare(base)
    context = mp.get_context("spawn")  # a clean process B, as another operator's terminal would be
    ready, results = context.Event(), context.Queue()
    listener = context.Process(target=listen, args=(db.conninfo, args.changes, ready, results))
    try:
        listener.start()
        if not ready.wait(30):
            print("listener process did not connect", file=sys.stderr)
            return 1
        started, committed, seconds = change_stock(db, args.changes)
        heard: dict[int, float] = results.get(timeout=120)
        listener.join(10)
    finally:
        if listener.is_alive():
            listener.terminate()
        db.dispose()
        with psycopg.connect(base.conninfo, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))

    missing = [n for n in committed if n not in heard]
    print(f"{args.changes} stock changes in {seconds:.2f} s ({args.changes / seconds:.0f}/s), "
          f"{len(heard)} events heard, {len(missing)} missing")
    if not heard:
        return 1
    report("commit -> callback", [(heard[n] - committed[n]) * 1000 for n in heard])
    report("call -> callback", [(heard[n] - started[n]) * 1000 for n in heard])
    p95 = percentile([(heard[n] - committed[n]) * 1000 for n in heard], 0.95)
    print(f"goal p95 < 50 ms: {'met' if p95 < 50 else 'MISSED'}")
    return 0 if not missing and p95 < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
