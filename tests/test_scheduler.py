"""The scheduler: in the app's process, and as the headless `invtui worker`."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.services.scheduler import Scheduler
from tests.alert_world import World, build


@pytest.fixture
def world(db: Database) -> World:
    return build(db)


def _until(check, timeout: float) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - started


def test_the_scheduler_sweeps_at_once_then_every_interval_and_says_when_next(world: World, db: Database) -> None:
    world.set_stock("BOLT-M6", "WH1-A-01", 3, quietly=True)
    scheduler = Scheduler(db, Settings(check_interval_seconds=1), trigger="scheduled")
    scheduler.start()
    try:
        _until(lambda: scheduler.last_run is not None, timeout=5)
        assert scheduler.last_run.created_count == 1  # type: ignore[union-attr]
        assert scheduler.next_run_time is not None
        world.set_stock("BOLT-M6", "WH1-A-02", 3, quietly=True)
        _until(lambda: world.open_alert("BOLT-M6", "WH1-A-02") is not None, timeout=3)
    finally:
        started = time.monotonic()
        scheduler.shutdown()
        assert time.monotonic() - started < 3
    assert not scheduler.running
    assert world.count("SELECT count(*) FROM sweep_runs WHERE trigger = 'scheduled' AND NOT skipped") >= 2


def test_a_failing_sweep_is_remembered_and_the_schedule_goes_on(world: World, db: Database) -> None:
    world.sql("ALTER FUNCTION evaluate_stock_alert_items(bigint[], bigint[]) RENAME TO evaluate_renamed")
    scheduler = Scheduler(db, Settings(check_interval_seconds=1))
    scheduler.start()
    try:
        _until(lambda: scheduler.last_error is not None, timeout=5)
        assert scheduler.running
    finally:
        scheduler.shutdown()


def test_an_app_skips_its_turn_when_another_process_just_swept(world: World, db: Database) -> None:
    # A hundred open apps each schedule a sweep a minute; one sweep a minute is what they need.
    world.set_stock("BOLT-M6", "WH1-A-01", 3, quietly=True)
    runs = "SELECT count(*) FROM sweep_runs"
    first, second = (Scheduler(db, Settings(check_interval_seconds=60), defer_to_others=True) for _ in range(2))
    first._sweep()  # the jobs as APScheduler calls them, in turn
    assert first.last_run is not None and first.last_run.created_count == 1
    second._sweep()
    assert second.last_run is None and world.count(runs) == 1  # no sweep, not even a recorded skip
    worker = Scheduler(db, Settings(check_interval_seconds=60), trigger="worker")
    worker._sweep()  # `invtui worker` keeps its own schedule
    assert worker.last_run is not None and world.count(runs) == 2


def test_other_jobs_can_be_added_beside_the_sweep(db: Database) -> None:
    ticks: list[int] = []
    scheduler = Scheduler(db, Settings(check_interval_seconds=3600), run_at_start=False)
    scheduler.add_job(lambda: ticks.append(1), seconds=1, job_id="retention")
    scheduler.start()
    try:
        _until(lambda: len(ticks) >= 1, timeout=4)
    finally:
        scheduler.shutdown()


def test_a_worker_process_raises_the_alert_of_an_item_made_low_elsewhere_and_stops_on_sigterm(
    world: World, cli_env: dict[str, str], tmp_path: Path
) -> None:
    exe = Path(sys.executable).with_name("invtui")
    env = {**cli_env, "CHECK_INTERVAL_SECONDS": "1"}
    worker = subprocess.Popen([str(exe), "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        _until(lambda: world.count("SELECT count(*) FROM sweep_runs") > 0 or worker.poll() is not None, timeout=30)
        assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
        # another process empties a bin behind the trigger's back (as a bulk loader might)
        world.set_stock("BOLT-M6", "WH1-A-03", 0, quietly=True)
        waited = _until(lambda: world.open_alert("BOLT-M6", "WH1-A-03") is not None, timeout=5)
        assert waited < 2.5
        assert world.sql("SELECT trigger FROM sweep_runs ORDER BY id DESC LIMIT 1")[0][0] == "worker"
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=15)
    assert worker.returncode == 0, err
    assert "worker stopped" in out
