"""The one scheduler of background jobs, used by the app and by `invtui worker` alike.

APScheduler 3's BackgroundScheduler runs each job in its own thread, so an event loop (Textual's)
never waits on PostgreSQL. The stock sweep runs every `check_interval_seconds`, one at a time in
this process (max_instances=1), missed runs collapsed into one (coalesce) and dropped when later
than `misfire_grace_seconds`; across processes the sweep's advisory lock keeps it single-flight.
Other capabilities add their jobs with `add_job` (e.g. notification retention).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.db.errors import friendly_error
from invtui.errors import DatabaseUnavailable
from invtui.services import notifications
from invtui.services.sweep import SweepRun, run_full_sweep
from invtui.services.tx import unit_of_work

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "stock-sweep"
# A sweep that did its work (not a skip, not a failure) started within the last :seconds.
_SWEPT_WITHIN = text(
    """
    SELECT EXISTS (SELECT 1 FROM sweep_runs WHERE NOT skipped AND error IS NULL
                      AND started_at > now() - make_interval(secs => :seconds))
    """
)


class Scheduler:
    """Background jobs of one process: the stock sweep plus whatever is added with `add_job`."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        trigger: str = "scheduled",
        on_sweep: Callable[[SweepRun], None] | None = None,
        run_at_start: bool = True,
        defer_to_others: bool = False,
    ) -> None:
        """`defer_to_others` (the app): skip a turn when any process swept within the interval.

        Every open app schedules a sweep; without this, a hundred apps would run a hundred full
        sweeps a minute and send every app a hundred `sweep.finished` events, where one would do.
        """
        self._db = db
        self._defer = defer_to_others
        self._settings = settings
        self._trigger = trigger
        self._on_sweep = on_sweep
        self._run_at_start = run_at_start
        self._lock = threading.Lock()
        self._last_run: SweepRun | None = None
        self._last_error: str | None = None
        self._scheduler = BackgroundScheduler(
            daemon=True,
            timezone=timezone.utc,
            job_defaults={"max_instances": 1, "coalesce": True,
                          "misfire_grace_time": settings.misfire_grace_seconds},
        )

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the sweep job (first run right away unless run_at_start=False)."""
        first = datetime.now(timezone.utc) if self._run_at_start else None
        self._scheduler.add_job(
            self._sweep, IntervalTrigger(seconds=self._settings.check_interval_seconds), id=SWEEP_JOB_ID,
            name="stock sweep", replace_existing=True, **({"next_run_time": first} if first else {}),
        )
        keep_days = self._settings.notifications_keep_days
        self.add_job(lambda: notifications.apply_retention(self._db, keep_days), notifications.RETENTION_EVERY_SECONDS,
                     notifications.RETENTION_JOB_ID, name=f"notification retention ({keep_days} days)")
        self._scheduler.start()
        log.info("scheduler started: stock sweep every %s s", self._settings.check_interval_seconds)

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling; with `wait`, let a sweep that is running finish (it takes under a second)."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
            log.info("scheduler stopped")

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def add_job(self, func: Callable[[], object], seconds: int, job_id: str, name: str | None = None) -> None:
        """Run `func` every `seconds` with the same guarantees as the sweep (one at a time, coalesced)."""
        self._scheduler.add_job(self._guarded(func, job_id), IntervalTrigger(seconds=seconds), id=job_id,
                                name=name or job_id, replace_existing=True)

    # -- what the status bar shows ----------------------------------------------------------

    @property
    def last_run(self) -> SweepRun | None:
        with self._lock:
            return self._last_run

    @property
    def last_error(self) -> str | None:
        with self._lock:
            return self._last_error

    @property
    def next_run_time(self) -> datetime | None:
        job = self._scheduler.get_job(SWEEP_JOB_ID)
        return job.next_run_time if job is not None else None

    def run_now(self) -> None:
        """Ask for a sweep as soon as possible (the app's "check now" key), in the scheduler's thread."""
        job = self._scheduler.get_job(SWEEP_JOB_ID)
        if job is not None:
            job.modify(next_run_time=datetime.now(timezone.utc))

    # -- jobs -------------------------------------------------------------------------------

    def _swept_recently(self) -> bool:
        seconds = 0.9 * self._settings.check_interval_seconds
        try:
            with self._db.session() as session, unit_of_work(session):
                return bool(session.execute(_SWEPT_WITHIN, {"seconds": seconds}).scalar())
        except Exception:  # the sweep itself reports an outage, in one place
            return False

    def _sweep(self) -> None:
        if self._defer and self._swept_recently():
            log.debug("stock sweep skipped: another process swept within the interval")
            return
        try:
            run = run_full_sweep(self._db, self._trigger, keep_days=self._settings.sweep_keep_days,
                                 settings=self._settings)
        except Exception as exc:  # recorded and logged by run_full_sweep; the schedule goes on
            with self._lock:
                self._last_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return
        with self._lock:
            self._last_run = run
            self._last_error = None
        if self._on_sweep is not None:
            self._on_sweep(run)

    @staticmethod
    def _guarded(func: Callable[[], object], job_id: str) -> Callable[[], None]:
        def job() -> None:
            try:
                func()
            except Exception as exc:
                friendly = friendly_error(exc)
                if isinstance(friendly, DatabaseUnavailable):  # an outage: one line, it runs again later
                    log.warning("background job %s skipped: %s", job_id, friendly)
                else:
                    log.exception("background job %s failed", job_id)

        return job
