"""`invtui sweep [--status]` and `invtui worker`: the stock sweep, on demand and headless."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

import typer

from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state
from invtui.log import _FORMAT
from invtui.services import sweep as sweep_service
from invtui.services.scheduler import Scheduler

log = logging.getLogger("invtui.worker")


def _time(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value is not None else ""  # type: ignore[str-format]


def sweep(
    ctx: typer.Context,
    status: bool = typer.Option(False, "--status", help="Show the last runs and whether one is running; sweep nothing."),
    as_json: bool = typer.Option(False, "--json", help="With --status: print JSON."),
    limit: int = typer.Option(20, "--limit", help="With --status: how many runs to show."),
) -> None:
    """Run one full stock sweep now and print what it did (or, with --status, show past runs)."""
    st = state(ctx)
    if status:
        with st.database().session() as session:
            current = sweep_service.sweep_status(session, limit=limit)
        _print_status(current, as_json)
        return
    run = sweep_service.run_full_sweep(st.database(), "cli", actor=st.actor())
    if as_json:
        print_json(run.as_dict())
    elif run.skipped:
        console.print("Skipped: another process is sweeping right now (see `invtui sweep --status`).")
    else:
        console.print(f"Sweep #{run.id}: {run.summary}.")


def _print_status(current: sweep_service.SweepStatus, as_json: bool) -> None:
    if as_json:
        print_json({"running": current.running, "runs": [run.as_dict() for run in current.runs]})
        return
    console.print("A full sweep is running now." if current.running else "No sweep is running now.")
    if not current.runs:
        console.print("No sweep has run yet (the app or `invtui worker` runs it; `invtui sweep` runs one now).")
        return
    print_table(
        ["#", "started", "ms", "trigger", "host", "rows", "created", "escalated", "resolved", "result"],
        [(r.id, _time(r.started_at), r.duration_ms, r.trigger, r.host, r.rows_scanned, r.created_count,
          r.escalated_count, r.resolved_count,
          "skipped" if r.skipped else (f"error: {r.error}" if r.error else "ok")) for r in current.runs],
    )


def worker(ctx: typer.Context) -> None:
    """Run the stock sweep headless every check_interval_seconds until SIGTERM or Ctrl-C."""
    st = state(ctx)
    _log_to_stdout()
    db = st.database()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler = Scheduler(db, st.settings, trigger="worker")
    scheduler.start()
    log.info("worker running against %s (stock sweep every %s s); stop with Ctrl-C or SIGTERM",
             db.display_url, st.settings.check_interval_seconds)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        scheduler.shutdown(wait=True)
        log.info("worker stopped")


def _log_to_stdout() -> None:
    """The worker has no UI: its log goes to stdout as well as to the log file."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._invtui = True  # type: ignore[attr-defined]
    logging.getLogger().addHandler(handler)
    if logging.getLogger().level > logging.INFO:
        handler.setLevel(logging.getLogger().level)


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    app.command()(sweep)
    app.command()(worker)


