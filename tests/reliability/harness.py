"""The load harness: many operator PROCESSES working one database while a sweeper runs every second.

Used small by tests/reliability/test_load.py and full size by tests/benchmarks/load.py. Each
operator process has its own connections (forked from a clean forkserver process, so nothing
is shared with the caller), like operators on separate SSH sessions. It does a random mix of receive, issue, transfer, reserve, release,
acknowledge and PO receipts for a fixed time and reports, per kind, how many were done, how
many the services refused (InvtuiError: not enough stock, alert already acknowledged, ...),
how many failed any other way (a bug), its latencies, and the units it moved. Afterwards the
caller proves nothing was lost: total on hand and reserved equal the start plus what the
operators say they moved, every row equals its ledger, no item has two open alerts.
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from invtui.db.engine import Database
from invtui.domain.roles import SYSTEM, Actor
from invtui.errors import InvtuiError
from invtui.services import alerts, integrity, inventory, purchasing, seed, sweep, users

KINDS = ("receive", "issue", "transfer", "reserve", "release", "acknowledge", "po_receipt")
WEIGHTS = (20, 20, 15, 10, 10, 10, 15)
OPERATOR = "loadop"
PO_LINE_QUANTITY = 10_000_000  # ordered per PO line: receipts never run out during a run


@dataclass
class WorkerReport:
    done: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    units: int = 0  # net change of on-hand units this worker made
    reserved: int = 0  # net change of reserved units
    failures: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    processes: int
    seconds: float
    workers: list[WorkerReport]
    sweeps: int
    sweep_errors: list[str]
    units_expected: int
    units_found: int
    reserved_expected: int
    reserved_found: int
    check: integrity.CheckReport

    def total(self, counter: str) -> Counter:
        out: Counter = Counter()
        for worker in self.workers:
            out.update(getattr(worker, counter))
        return out

    @property
    def lost_updates(self) -> int:
        return abs(self.units_found - self.units_expected) + abs(self.reserved_found - self.reserved_expected)

    @property
    def duplicate_open_alerts(self) -> int:
        return len(self.check.duplicate_open_alerts)

    def latencies(self, kind: str) -> list[float]:
        return sorted(x for w in self.workers for x in w.latencies.get(kind, []))

    def lines(self) -> list[str]:
        """The figures, one line each, as the benchmark prints them."""
        done, refused, failed = self.total("done"), self.total("refused"), self.total("failed")
        ops = sum(done.values()) + sum(refused.values())
        out = [f"{self.processes} operator processes x {self.seconds:.0f} s, sweeper every 1 s "
               f"({self.sweeps} sweeps, {len(self.sweep_errors)} failed)",
               f"{ops:,} operations, {ops / self.seconds:,.0f} ops/s "
               f"({sum(done.values()):,} done, {sum(refused.values()):,} refused by the rules, "
               f"{sum(failed.values())} failed otherwise)"]
        for kind in KINDS:
            lat = self.latencies(kind)
            if lat:
                out.append(f"  {kind:<12} {done[kind] + refused[kind]:>7,} ops {len(lat) / self.seconds:>7.1f}/s  "
                           f"p50 {percentile(lat, 50):6.1f} ms  p95 {percentile(lat, 95):6.1f} ms  "
                           f"refused {refused[kind]:,}")
        out.append(f"lost updates: {self.lost_updates} (on hand {self.units_found:,} = start + moved "
                   f"{self.units_expected:,}; reserved {self.reserved_found:,} vs {self.reserved_expected:,})")
        out.append(f"duplicate open alerts: {self.duplicate_open_alerts}; db check "
                   f"{'clean' if self.check.clean else 'NOT clean: ' + '; '.join(self.check.problems()[:5])}")
        return out


def percentile(sorted_ms: list[float], pct: float) -> float:
    if not sorted_ms:
        return 0.0
    if len(sorted_ms) == 1:
        return sorted_ms[0]
    return statistics.quantiles(sorted_ms, n=100, method="inclusive")[int(pct) - 1]


# -- the world --------------------------------------------------------------------------------


def build_world(db: Database, *, products: int, locations: int, purchase_orders: int) -> None:
    """Seeded stock (some of it low, so alerts come and go), an operator, approved POs to receive."""
    seed.seed(db, products=products, locations=locations, low_fraction=0.3)
    with db.session() as session:
        existing = {u.username for u in users.list_users(session)}
    if OPERATOR not in existing:
        with db.session() as session:
            users.create_user(session, SYSTEM, OPERATOR, "operator", "load-test-password")
    with db.connect() as conn:
        for _ in range(purchase_orders):
            po_id = conn.execute(
                "INSERT INTO purchase_orders (supplier_id, status, submitted_at, approved_at) "
                "SELECT id, 'approved', now(), now() FROM suppliers ORDER BY random() LIMIT 1 RETURNING id"
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered, unit_cost) "
                "SELECT %s, id, %s, cost_price FROM products ORDER BY random() LIMIT 5",
                (po_id, PO_LINE_QUANTITY),
            )
        conn.commit()
    sweep.run_full_sweep(db, "cli")


def totals(db: Database) -> tuple[int, int]:
    with db.connect() as conn:
        row = conn.execute("SELECT coalesce(sum(quantity), 0), coalesce(sum(reserved_quantity), 0) FROM inventory").fetchone()
        conn.rollback()
    return int(row[0]), int(row[1])


# -- the operator processes -------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    skus: list[str]
    locations: list[str]
    pos: dict[str, list[str]]  # PO number -> SKUs on it


def _catalog(db: Database) -> Catalog:
    with db.connect() as conn:
        skus = [r[0] for r in conn.execute("SELECT sku FROM products WHERE is_active ORDER BY id")]
        codes = [r[0] for r in conn.execute("SELECT code FROM locations WHERE is_active ORDER BY id")]
        pos: dict[str, list[str]] = defaultdict(list)
        for number, sku in conn.execute(
                "SELECT po.number, p.sku FROM purchase_orders po JOIN purchase_order_lines l ON l.purchase_order_id = po.id "
                "JOIN products p ON p.id = l.product_id WHERE po.status IN ('approved', 'partially_received') "
                "AND l.quantity_ordered = %s", (PO_LINE_QUANTITY,)):
            pos[number].append(sku)
        conn.rollback()
    return Catalog(skus, codes, dict(pos))


def _one(db: Database, actor: Actor, kind: str, world: Catalog, rng: random.Random, report: WorkerReport) -> None:
    sku, here = rng.choice(world.skus), rng.choice(world.locations)
    qty = rng.randint(1, 5)
    with db.session() as s:
        if kind == "receive":
            inventory.receive(s, actor, sku, here, qty, reference="LOAD")
            report.units += qty
        elif kind == "issue":
            inventory.issue(s, actor, sku, here, qty, reference="LOAD")
            report.units -= qty
        elif kind == "transfer":
            there = rng.choice([c for c in world.locations if c != here])
            inventory.transfer(s, actor, sku, here, there, qty)
        elif kind == "reserve":
            inventory.reserve(s, actor, sku, here, qty)
            report.reserved += qty
        elif kind == "release":
            inventory.release(s, actor, sku, here, qty)
            report.reserved -= qty
        elif kind == "acknowledge":
            page = alerts.list_alerts(s, status="ACTIVE", limit=20)
            if not page.rows:
                raise _Nothing
            alerts.acknowledge(s, actor, rng.choice(page.rows).id, note="load")
        elif kind == "po_receipt":
            number = rng.choice(sorted(world.pos))
            line = rng.choice(world.pos[number])
            purchasing.receive(s, actor, number, here, {line: qty})
            report.units += qty


class _Nothing(Exception):
    """No open alert to acknowledge right now: not an operation."""


def operator_loop(url: str, seconds: float, seed_value: int, ready: Any, go: Any, results: Any) -> None:
    """One operator process: random work until `seconds` after `go`, then its report on `results`."""
    report = WorkerReport()
    try:
        db = Database(url)
        rng = random.Random(seed_value)
        world = _catalog(db)
        with db.session() as s:
            actor = users.actor_for(s, OPERATOR)
        ready.release()
        go.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            kind = rng.choices(KINDS, WEIGHTS)[0]
            started = time.perf_counter()
            try:
                _one(db, actor, kind, world, rng, report)
            except _Nothing:
                continue
            except InvtuiError as exc:
                assert exc.message, f"{type(exc).__name__} without a message"
                report.refused[kind] += 1
            except Exception as exc:  # a bug or a deadlock: the test fails on any of these
                report.failed[kind] += 1
                if len(report.failures) < 5:
                    report.failures.append(f"{kind}: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
                continue
            else:
                report.done[kind] += 1
            report.latencies[kind].append((time.perf_counter() - started) * 1000)
        db.dispose()
    except Exception as exc:
        report.failed["setup"] += 1
        report.failures.append(f"setup: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        ready.release()
    results.put(report)


def sweeper_loop(url: str, ready: Any, go: Any, stop: Any, results: Any) -> None:
    """A full sweep every second, like `invtui worker` with check_interval_seconds = 1."""
    db = Database(url)
    runs, errors = 0, []
    ready.release()
    go.wait()
    while not stop.wait(1.0):
        try:
            sweep.run_full_sweep(db, "worker")
            runs += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    db.dispose()
    results.put((runs, errors))


def run_load(db: Database, *, processes: int, seconds: float, seed_value: int = 1) -> LoadReport:
    """Run `processes` operators for `seconds` beside a sweeper; collect and check everything."""
    # forkserver: one clean process imports invtui once and forks each operator from it (no
    # parent connections are inherited, and 20 processes do not each pay the import).
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    url = db.url.render_as_string(hide_password=False)
    units_before, reserved_before = totals(db)
    ready, go, stop = ctx.Semaphore(0), ctx.Event(), ctx.Event()
    results, sweeps = ctx.Queue(), ctx.Queue()
    workers = [ctx.Process(target=operator_loop, args=(url, seconds, seed_value * 1000 + i, ready, go, results))
               for i in range(processes)]
    sweeper = ctx.Process(target=sweeper_loop, args=(url, ready, go, stop, sweeps))
    for process in [*workers, sweeper]:
        process.start()
    for _ in range(processes + 1):
        ready.acquire(timeout=120)
    go.set()
    reports = [results.get(timeout=seconds + 120) for _ in workers]
    stop.set()
    runs, sweep_errors = sweeps.get(timeout=60)
    for process in [*workers, sweeper]:
        process.join(timeout=30)
    units_after, reserved_after = totals(db)
    return LoadReport(
        processes=processes, seconds=seconds, workers=reports,
        sweeps=runs, sweep_errors=sweep_errors,
        units_expected=units_before + sum(r.units for r in reports), units_found=units_after,
        reserved_expected=reserved_before + sum(r.reserved for r in reports), reserved_found=reserved_after,
        check=integrity.check(db),
    )
