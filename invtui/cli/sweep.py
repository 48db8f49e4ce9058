"""`invtui sweep [--status]` and `invtui worker`: the stock sweep, on demand and headless."""

from __future__ import annotations

import dataclasses
import getpass
import logging
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state
from invtui.cli.stopping import stop_on_signals
from invtui.config import SETTINGS, Settings, redact_url
from invtui.log import _FORMAT, RedactingFormatter

if TYPE_CHECKING:
    from invtui.services import scheduler as scheduler_service
    from invtui.services import sweep as sweep_service
    from invtui.services import sweep_runs
else:
    scheduler_service = lazy_module("invtui.services.scheduler")
    sweep_service = lazy_module("invtui.services.sweep")
    sweep_runs = lazy_module("invtui.services.sweep_runs")  # --status reads: no ORM loaded

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
        current = st.read(lambda conn: sweep_runs.sweep_status(conn, limit=limit))
        _print_status(current, as_json)
        return
    run = sweep_service.run_full_sweep(st.database(), "cli", actor=st.actor(), keep_days=st.settings.sweep_keep_days,
                                       settings=st.settings)
    if as_json:
        print_json(run.as_dict())
    elif run.skipped:
        console.print("Skipped: another process is sweeping right now (see `invtui sweep --status`).")
    else:
        console.print(f"Sweep #{run.id}: {run.summary}.")


def _print_status(current: sweep_runs.SweepStatus, as_json: bool) -> None:
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


def worker(
    ctx: typer.Context,
    print_unit: bool = typer.Option(False, "--print-systemd-unit",
                                    help="Print a systemd unit that runs this worker on this install; run nothing."),
    service_account: str | None = typer.Option(
        None, "--service-account", metavar="NAME",
        help="The OS account the unit runs as (default: the owner of the config file in use, else you)."),
) -> None:
    """Run the stock sweep headless every check_interval_seconds until SIGTERM or Ctrl-C."""
    st = state(ctx)
    if print_unit:
        account = service_account or _service_account(st.settings)
        sys.stdout.write(systemd_unit(st.settings, _executable(), account, os.environ))
        return
    _log_to_stdout()
    # One worker per box: it keeps its pooled connection from one sweep to the next, so every
    # sweep is planned on a warm connection (a fresh one adds ~15 ms of planning to a ~50 ms sweep
    # at 1,000,000 rows). Apps, a hundred of them, still close theirs when idle.
    interval = st.settings.check_interval_seconds
    st.settings = dataclasses.replace(
        st.settings, idle_connection_seconds=max(st.settings.idle_connection_seconds, 2 * interval))
    db = st.database()
    stop = stop_on_signals()
    scheduler = scheduler_service.Scheduler(db, st.settings, trigger="worker")
    scheduler.start()
    log.info("worker running against %s (stock sweep every %s s); stop with Ctrl-C or SIGTERM",
             db.display_url, st.settings.check_interval_seconds)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        scheduler.shutdown(wait=True)
        log.info("worker stopped")


def _service_account(settings: Settings) -> str:
    """The account the worker runs as: the owner of the config in use, else whoever prints the unit.

    On a box the config (it holds the database password) belongs to the service account, and
    root usually prints the unit: the worker must still run as the service account, never root.
    """
    if settings.source is not None:
        try:
            owner = settings.source.owner()
        except (OSError, KeyError):
            owner = ""
        if owner and owner != "root":
            return owner
    return getpass.getuser()


def _executable() -> Path:
    """The absolute path of the `invtui` being run (the venv's script, symlinks kept as installed)."""
    named = Path(sys.argv[0])
    if named.name == "invtui":
        found = shutil.which(str(named)) if not named.is_absolute() else str(named)
        if found:
            return Path(os.path.abspath(found))
    return Path(sys.executable).with_name("invtui")


def systemd_unit(settings: Settings, executable: Path, user: str, env: Mapping[str, str]) -> str:
    """A unit file that runs `invtui worker` as `user` with this install's executable and settings.

    systemd starts services with an empty environment, so the invtui variables set now are
    carried over as Environment= lines; a database password is never printed: it belongs in an
    EnvironmentFile readable by that user only.
    """
    command = [str(executable)]
    if settings.source is not None:
        command += ["--config", str(settings.source.resolve())]
    command.append("worker")
    lines = [
        "# invtui worker: the stock sweep on a box where nobody is logged in.",
        "# Install: save as /etc/systemd/system/invtui-worker.service, then",
        "#   systemctl daemon-reload && systemctl enable --now invtui-worker",
        "[Unit]",
        "Description=invtui stock sweep worker",
        "Wants=network-online.target",
        "After=network-online.target postgresql.service",
        "",
        "[Service]",
        "Type=simple",
        f"User={user}",
        f"ExecStart={_unit_escape(' '.join(command))}",
        "Restart=on-failure",
        "RestartSec=5",
        "KillSignal=SIGTERM",
        "TimeoutStopSec=30",
        "# Secrets (a database URL with a password) go here, mode 600:",
        "EnvironmentFile=-/etc/invtui/invtui.env",
    ]
    # Where the embedded database and the log live depends on these too.
    names = [n for s in SETTINGS.values() for n in s.env] + ["XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"]
    for name in sorted(n for n in set(names) if env.get(n)):
        value = env[name]
        if name in ("INVTUI_DATABASE_URL", "DATABASE_URL") and redact_url(value) != value:
            lines.append(f"# {name}={redact_url(value)}  (put it, with its password, in /etc/invtui/invtui.env)")
        else:
            lines.append(f'Environment="{_unit_escape(f"{name}={value}")}"')
    log_path = settings.log_path
    if not settings.log_file and user != getpass.getuser() and log_path.is_relative_to(Path.home()):
        log_path = Path(f"~{user}") / log_path.relative_to(Path.home())  # the printer's home is not theirs
    lines += [
        f"# Log: {log_path} (rotated at 10 MB, 5 kept); stdout also goes to the journal:",
        "#   journalctl -u invtui-worker -f",
        "StandardOutput=journal",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]
    return "\n".join(lines) + "\n"


def _unit_escape(value: str) -> str:
    """systemd expands % specifiers and backslashes; a socket path like %2Ftmp must survive."""
    return value.replace("\\", "\\\\").replace("%", "%%").replace('"', '\\"')


def _log_to_stdout() -> None:
    """The worker has no UI: its log goes to stdout as well as to the log file."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(RedactingFormatter(_FORMAT))
    handler._invtui = True  # type: ignore[attr-defined]
    logging.getLogger().addHandler(handler)
    if logging.getLogger().level > logging.INFO:
        handler.setLevel(logging.getLogger().level)


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    app.command()(sweep)
    app.command()(worker)


