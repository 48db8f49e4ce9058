"""Who acts, from the command line (issue 13 items 2, 5 and 6), with the real `invtui` executable.

The rules about who may name a user are tested exhaustively in test_identity_domain.py; here a
caller who holds the secret (the URL comes from the environment) meets every refusal a person
would, and the app itself is started in a real pseudo-terminal.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import pwd
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from invtui.db.engine import Database
from tests.conftest import ROOT, CliResult

EXE = str(Path(sys.executable).with_name("invtui"))


def one_line(result: CliResult, code: int, text: str) -> None:
    assert result.code == code, result
    assert result.stderr == f"invtui: {text}\n"
    assert result.stdout == ""


def test_an_unknown_acting_user_is_refused_even_for_reads(invtui) -> None:  # type: ignore[no-untyped-def]
    one_line(invtui("--user", "nosuchuser", "alerts", "list"), 1,
             "Unknown user 'nosuchuser'; ask an admin to `invtui user add nosuchuser`")
    one_line(invtui("user", "list", env={"INVTUI_USER": "ghost"}), 1,
             "Unknown user 'ghost'; ask an admin to `invtui user add ghost`")


def test_without_a_name_the_os_account_acts_and_the_hint_says_how_to_fix_it(invtui, cli_env) -> None:  # type: ignore[no-untyped-def]
    me = pwd.getpwuid(os.geteuid()).pw_name
    env = {k: v for k, v in cli_env.items() if k != "INVTUI_USER"}
    env.update(USER="admin", LOGNAME="admin")  # the environment names nobody
    result = subprocess.run([EXE, "alerts", "list"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert result.stderr == (f"invtui: Unknown user {me!r} (your OS login); the service account or root may name one "
                             f"with --user NAME, or ask an admin to `invtui user add {me}`\n")


def test_a_disabled_acting_user_is_refused_even_for_reads(invtui) -> None:  # type: ignore[no-untyped-def]
    assert invtui("user", "disable", "viewer").code == 0
    one_line(invtui("--user", "viewer", "alerts", "list"), 1, "User 'viewer' is disabled; ask an admin")
    one_line(invtui("--ssh-user", "viewer", "po", "list", env={"INVTUI_USER": ""}), 1,
             "User 'viewer' is disabled; ask an admin")


def test_ssh_user_cannot_be_combined_with_a_typed_name(invtui) -> None:  # type: ignore[no-untyped-def]
    refusal = "--ssh-user cannot be combined with --user or INVTUI_USER"
    one_line(invtui("--ssh-user", "viewer", "--user", "admin", "alerts", "list"), 1, refusal)
    one_line(invtui("--ssh-user", "viewer", "alerts", "list"), 1, refusal)  # INVTUI_USER=admin from cli_env


def test_ssh_user_acts_as_that_user(invtui, cli_env) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in cli_env.items() if k != "INVTUI_USER"}
    result = subprocess.run([EXE, "--ssh-user", "viewer", "user", "add", "x", "--role", "viewer",
                             "--password-stdin"], env=env, input="long-enough-1\n", capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 1 and result.stderr == "invtui: Role viewer cannot manage users\n"


def test_the_audit_names_the_os_account_behind_a_named_user(invtui) -> None:  # type: ignore[no-untyped-def]
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert invtui("--user", "admin", "user", "disable", "viewer").code == 0
    shown = json.loads(invtui("audit", "--kind", "user", "--limit", "1", "--json").stdout)
    assert [(e["who"], e["action"], e["os_user"]) for e in shown] == [("admin", "disabled", me)]
    table = invtui("audit", "--kind", "user", "--limit", "1").stdout
    assert (f"admin (os: {me})" in table) is (me != "admin")


# -- the app: no terminal, a disabled SSH user, hangup --------------------------------------------

def _app_env(cli_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in cli_env.items() if k not in ("INVTUI_USER", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color")
    return env


def test_no_terminal_no_app_one_line_at_once(cli_env) -> None:  # type: ignore[no-untyped-def]
    # A database that never answers (connect timeout 5 s): the refusal must come before any connection.
    env = {**_app_env(cli_env), "INVTUI_DATABASE_URL": "postgresql://invtui@10.255.255.1:5432/nowhere"}
    floor = time.monotonic()
    subprocess.run([EXE, "--version"], env=env, capture_output=True, timeout=120, check=True)
    floor = time.monotonic() - floor  # what starting Python and importing invtui costs on this box now
    for argv in ([EXE], [EXE, "--ssh-user", "operator"]):
        started = time.monotonic()
        result = subprocess.run(argv, stdin=subprocess.DEVNULL, env=env, capture_output=True, text=True,
                                timeout=60, cwd=ROOT)
        elapsed = time.monotonic() - started
        assert result.returncode == 2
        assert result.stderr == "invtui: needs a terminal (ssh -t); for scripts use the commands, see invtui --help\n"
        assert elapsed < max(2.0, 1.5 * floor + 1.0), (elapsed, floor)  # the box is shared: noise, not waiting


class PtyApp:
    """`invtui ARGS` on a real pseudo-terminal of 80x24; everything it draws is kept in `seen`."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.master = master
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.seen = ""
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:  # a full pty would block the app's writes
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.seen += data.decode("utf-8", "replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        os.close(self.master)


def _backends(db: Database) -> int:
    """Connections to the test's database but the box's event relay's (shared; it outlives an app by 10 s)."""
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND application_name <> 'invtui-relay'").fetchone()
    return int(row[0]) if row else 0


def _wait(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def test_a_disabled_ssh_user_gets_one_line_and_no_login_form(invtui, cli_env) -> None:  # type: ignore[no-untyped-def]
    assert invtui("user", "disable", "operator").code == 0
    app = PtyApp([EXE, "--ssh-user", "operator"], _app_env(cli_env))
    try:
        assert app.proc.wait(60) == 1
        assert _wait(lambda: "disabled" in app.seen, 2.0)
    finally:
        app.close()
    assert app.seen.strip() == "invtui: User 'operator' is disabled; ask an admin"
    assert "Password" not in app.seen


def test_hangup_ends_the_app_within_2_s_and_frees_its_connections(db: Database, cli_env) -> None:  # type: ignore[no-untyped-def]
    app = PtyApp([EXE, "--ssh-user", "operator"], _app_env(cli_env))
    try:
        # Signed in and live: the dashboard is drawn, the pool holds connections (the listener too, without the relay).
        assert _wait(lambda: "In stock" in app.seen and _backends(db) >= 2, 90.0), (_backends(db), app.seen[-500:])
        assert app.proc.poll() is None
        started = time.monotonic()
        os.kill(app.proc.pid, signal.SIGHUP)
        code = app.proc.wait(10)
        took = time.monotonic() - started
        assert took < 2.0, took
        assert code == 129
        assert _wait(lambda: _backends(db) == 0, 1.0)
    finally:
        app.close()
