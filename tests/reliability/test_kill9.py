"""kill -9 in the middle of a big write leaves the database exactly as it was before.

The kill lands inside the transaction deterministically: the test holds a table lock that the
write needs only late (the PO's history row; the alerts an import's counts raise; the sweep's
sweep_runs row), waits until the child's backend is blocked on it while holding locks that prove
it has already written (ledger rows; alerts), then kills the child and lets go.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import pytest

from invtui.db.engine import Database
from invtui.services import integrity, seed, sweep
from tests.alert_world import World

RECEIVE_PO = """
import sys
from invtui.db.engine import Database
from invtui.services import purchasing, users
db = Database(sys.argv[1])
with db.session() as s:
    actor = users.actor_for(s, "operator")
with db.session() as s:
    purchasing.receive(s, actor, sys.argv[2], sys.argv[3])
"""

CSV_IMPORT = """
import sys
from invtui.db.engine import Database
from invtui.services import csv_import, users
db = Database(sys.argv[1])
with db.session() as s:
    actor = users.actor_for(s, "operator")
with db.session() as s:
    csv_import.import_from_path(s, actor, "inventory", sys.argv[2])
"""

FULL_SWEEP = """
import sys
from invtui.db.engine import Database
from invtui.services import sweep
sweep.run_full_sweep(Database(sys.argv[1]), "worker")
"""


def snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table, as text: 'exactly as before' means this is equal."""
    with db.connect() as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        rows = {t: sorted(r[0] for r in conn.execute(f"SELECT t::text FROM {t} t")) for t in tables}  # noqa: S608
        conn.rollback()
    return rows


def url_of(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def _until(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def table_held(db: Database, table: str) -> Iterator[psycopg.Connection]:
    """Hold an EXCLUSIVE lock on `table`: readers pass, any writer waits until we let go."""
    conn = db.connect()
    try:
        conn.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        yield conn
    finally:
        conn.rollback()
        conn.close()


def blocked_backend(db: Database, holding: str) -> int | None:
    """The pid of a backend waiting for a lock while it holds a write lock on `holding`."""
    with db.connect(autocommit=True) as conn:
        row = conn.execute(
            """SELECT a.pid FROM pg_stat_activity a
               WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'
                 AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted
                             AND l.relation = %s::regclass AND l.mode = 'RowExclusiveLock')""",
            (holding,)).fetchone()
    return row[0] if row else None


def kill_mid_transaction(db: Database, script: str, args: list[str], *, lock: str, holding: str) -> None:
    """Start `script`, wait until it is inside its transaction having written `holding`, kill -9 it."""
    with table_held(db, lock):
        child = subprocess.Popen([sys.executable, "-c", script, url_of(db), *args],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            backend = _until(lambda: blocked_backend(db, holding) or child.poll() is not None, 60,
                             f"the child to block inside its transaction on {lock}")
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == -signal.SIGKILL

    def gone() -> bool:
        with db.connect(autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone()[0] == 0

    _until(gone, 30, "the killed client's backend to roll back and exit")


@pytest.fixture
def big_po(db: Database) -> str:
    """An approved PO of 500 lines, each for a product already stocked at the one location."""
    seed.seed(db, products=500, locations=1)
    with db.connect() as conn:
        po = conn.execute(
            "INSERT INTO purchase_orders (supplier_id, status, submitted_at, approved_at) "
            "SELECT min(id), 'approved', now(), now() FROM suppliers RETURNING number").fetchone()[0]
        conn.execute(
            "INSERT INTO purchase_order_lines (purchase_order_id, product_id, quantity_ordered, unit_cost) "
            "SELECT po.id, p.id, 7, p.cost_price FROM products p, purchase_orders po WHERE po.number = %s", (po,))
        conn.commit()
    return po


def test_a_500_line_po_receipt_killed_midway_leaves_no_partial_receipt(db: Database, big_po: str) -> None:
    with db.connect() as conn:
        location = conn.execute("SELECT code FROM locations").fetchone()[0]
    before = snapshot(db)
    kill_mid_transaction(db, RECEIVE_PO, [big_po, location], lock="purchase_order_events", holding="stock_movements")
    assert snapshot(db) == before
    assert integrity.check(db).clean


def test_a_csv_count_import_killed_midway_leaves_no_half_import(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seed.seed(db, products=100, locations=3, low_fraction=0)
    with db.connect() as conn:
        rows = conn.execute("SELECT p.sku, l.code, i.reserved_quantity FROM inventory i JOIN products p ON p.id = i.product_id "
                            "JOIN locations l ON l.id = i.location_id ORDER BY 1, 2").fetchall()
    counts = tmp_path / "counts.csv"
    counts.write_text("sku,location,quantity\n" + "".join(f"{sku},{code},{reserved}\n" for sku, code, reserved in rows))
    before = snapshot(db)
    # Counting everything down to what is reserved (none available) makes the alert trigger write
    # alerts inside the import's statement.
    kill_mid_transaction(db, CSV_IMPORT, [str(counts)], lock="stock_alerts", holding="stock_movements")
    assert snapshot(db) == before
    assert integrity.check(db).clean


def test_a_full_sweep_killed_midway_changes_no_alert_and_records_no_finished_run(db: Database) -> None:
    world = World(db)
    seed.seed(db, products=40, locations=2, low_fraction=0)
    sweep.run_full_sweep(db, "cli")
    # Raise five products' reorder points behind the triggers' back: only a full sweep sees them low.
    world.sql("UPDATE products SET min_stock_level = 0, reorder_point = max_stock_level WHERE id <= 5", replica=True)
    before = snapshot(db)
    kill_mid_transaction(db, FULL_SWEEP, [], lock="sweep_runs", holding="stock_alerts")
    assert snapshot(db) == before
    assert integrity.check(db).clean
    after = sweep.run_full_sweep(db, "cli")  # the lock died with the killed process
    assert not after.skipped and after.created_count > 0
