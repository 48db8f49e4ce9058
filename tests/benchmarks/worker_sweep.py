"""The full sweep as `invtui worker` runs it, against a bare count(*) (issue 15).

    uv run python tests/benchmarks/worker_sweep.py --database-url postgresql://postgres@127.0.0.1:5432/sweep1m
        [--products 10000 --locations 100] [--runs 9] [--worker-seconds 12] [--vacuum]

tests/benchmarks/sweep.py times the SQL function on a freshly VACUUMed database; an operator's
worker runs services/sweep.py from the scheduler, through the pool, on a database nobody vacuumed.
This script times that path. It uses the database as it is and seeds it (`invtui seed`'s service)
only when it has no stock, so a 1,000,000-row database is seeded once and reused. It prints
medians over --runs interleaved rounds of:
  - bare `SELECT count(*) FROM inventory` on a warm connection (the yardstick of issue 15),
  - evaluate_stock_alert_items() alone on a warm connection (what sweep.py times),
  - the same on a new connection (its first call plans every statement of the function),
  - run_full_sweep(db, "worker") as the scheduler calls it: wall time and the duration_ms it records,
then runs the real `invtui worker` at a 1 s interval for --worker-seconds and reads the
duration_ms of the runs it recorded. Ratios are against the bare count(*). It also says how the
probe reads inventory (index-only, or visiting the heap because the visibility map is not set).
`--vacuum` runs VACUUM ANALYZE first (what seeding now does at its end).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from invtui.db.engine import Database
from invtui.services import seed as seed_service
from invtui.services.sweep import run_full_sweep

PROBE = "SELECT count(*) FROM stock_alert_probe()"


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def probe_access(conn: psycopg.Connection) -> str:
    """How the steady sweep's probe reads inventory: 'index-only (N heap fetches)' or 'heap (bitmap)'."""
    plan = conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {PROBE}").fetchone()[0]  # type: ignore[index]
    found: list[str] = []

    def walk(node: dict) -> None:  # type: ignore[type-arg]
        if node.get("Relation Name") == "inventory":
            kind = node["Node Type"]
            fetches = node.get("Heap Fetches")
            found.append(f"{kind}" + (f" ({fetches:,} heap fetches)" if fetches is not None else ""))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return ", ".join(found) or "?"


def backends_cpu(conn: psycopg.Connection) -> float:
    """CPU seconds used so far by every backend of this database (the server is on this machine).

    Wall times on a loaded 2-core box say more about the neighbours than about the query; the
    backends' own CPU time does not, so the script also prints CPU per call for a few paths.
    """
    pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")]
    return sum(backends_cpu_of(pid) for pid in pids)


def backends_cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_per_call(conn: psycopg.Connection, n: int, fn: Callable[[], object]) -> float:
    before = backends_cpu(conn)
    for _ in range(n):
        fn()
    return (backends_cpu(conn) - before) / n


def cpu_on_new_connection(db: Database, n: int) -> float:
    """CPU of the function's first call on a new connection (planning included; backend start not)."""
    total = 0.0
    for _ in range(n):
        with db.connect(autocommit=True) as new:
            before = backends_cpu_of(new.info.backend_pid)
            new.execute("SELECT * FROM evaluate_stock_alert_items()").fetchone()
            total += backends_cpu_of(new.info.backend_pid) - before
    return total / n


def worker_runs(url: str, seconds: float) -> list[int]:
    """duration_ms of the sweeps a real `invtui worker` (1 s interval) recorded in `seconds`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INVTUI_", "DATABASE_URL"))}
    env.update(INVTUI_DATABASE_URL=url, INVTUI_CHECK_INTERVAL_SECONDS="1")
    exe = Path(sys.executable).with_name("invtui")
    proc = subprocess.Popen([str(exe), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(seconds)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT duration_ms FROM sweep_runs WHERE trigger = 'worker' AND pid = %s AND NOT skipped"
                            " AND error IS NULL ORDER BY id", (proc.pid,)).fetchall()
    return [r[0] for r in rows][1:]  # the first run of a process also loads the catalog caches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database to use (seeded if it has no stock)")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--locations", type=int, default=100)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--worker-seconds", type=float, default=12)
    parser.add_argument("--vacuum", action="store_true", help="VACUUM ANALYZE before measuring")
    args = parser.parse_args()
    db = Database(args.database_url)
    from invtui.db import migrations

    migrations.upgrade(db)
    with db.connect(autocommit=True) as conn:
        has_stock = conn.execute("SELECT EXISTS (SELECT 1 FROM inventory)").fetchone()[0]  # type: ignore[index]
    if not has_stock:
        result = seed_service.seed(db, products=args.products, locations=args.locations)
        print(f"seeded {result.inventory_rows:,} rows in {result.seconds:.1f} s")
    if args.vacuum:
        with db.connect(autocommit=True) as conn:
            print(f"VACUUM ANALYZE {timed(lambda: conn.execute('VACUUM ANALYZE')):.1f} s")
    run_full_sweep(db, "worker")  # steady state: alerts match the rows
    count, warm, fresh, sweep_wall, sweep_ms = [], [], [], [], []
    with db.connect(autocommit=True) as conn:
        rows = conn.execute("SELECT count(*) FROM inventory").fetchone()[0]  # type: ignore[index]
        access = probe_access(conn)
        conn.execute("SELECT * FROM evaluate_stock_alert_items()")
        for _ in range(args.runs):
            count.append(timed(lambda: conn.execute("SELECT count(*) FROM inventory").fetchone()))
            warm.append(timed(lambda: conn.execute("SELECT * FROM evaluate_stock_alert_items()").fetchone()))
            with db.connect(autocommit=True) as new:
                fresh.append(timed(lambda: new.execute("SELECT * FROM evaluate_stock_alert_items()").fetchone()))
            started = time.perf_counter()
            run = run_full_sweep(db, "worker")
            sweep_wall.append(time.perf_counter() - started)
            sweep_ms.append(run.duration_ms / 1000)
    cpu_runs = max(args.runs, 20)
    with db.connect(autocommit=True) as conn:
        conn.execute("SET max_parallel_workers_per_gather = 0")
        cpu = {
            "count(*), one process": cpu_per_call(
                conn, cpu_runs, lambda: conn.execute("SELECT count(*) FROM inventory").fetchone()),
            "evaluate_stock_alert_items(), warm connection": cpu_per_call(
                conn, cpu_runs, lambda: conn.execute("SELECT * FROM evaluate_stock_alert_items()").fetchone()),
            "evaluate_stock_alert_items(), new connection": cpu_on_new_connection(db, cpu_runs),
            "run_full_sweep(worker)": cpu_per_call(conn, cpu_runs, lambda: run_full_sweep(db, "worker")),
        }
    samples = {
        "bare count(*)": count,
        "evaluate_stock_alert_items(), warm connection": warm,
        "evaluate_stock_alert_items(), new connection": fresh,
        "run_full_sweep(worker), wall": sweep_wall,
        "run_full_sweep(worker), duration_ms": sweep_ms,
    }
    worker = worker_runs(args.database_url, args.worker_seconds) if args.worker_seconds > 0 else []
    if worker:
        samples[f"invtui worker, duration_ms ({len(worker)} runs)"] = [ms / 1000 for ms in worker]
    db.dispose()
    print(f"{rows:,} inventory rows; probe reads inventory by {access}; load average {os.getloadavg()[0]:.1f}")
    print(f"{args.runs} interleaved rounds; median (ratio to count) and fastest (ratio), which load disturbs least")
    base, fastest = statistics.median(count), min(count)
    for label, values in samples.items():
        med, low = statistics.median(values), min(values)
        print(f"  {label:<52} {med:7.3f} s {med / base:4.1f}x   {low:7.3f} s {low / fastest:4.1f}x")
    print(f"server CPU per call (all backends of the database; count(*) without parallel workers), {cpu_runs} calls:")
    for label, seconds in cpu.items():
        print(f"  {label:<52} {seconds:7.3f} s {seconds / cpu['count(*), one process']:4.1f}x")
    print(json.dumps({k: [round(statistics.median(v), 4), round(min(v), 4)] for k, v in samples.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
