"""Secrets never leave: no password in argv, output or logs; dumps and logs private (issue 13, item 4)."""

from __future__ import annotations

import logging
import os
import stat
import threading
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from invtui.config import redact_url
from invtui.db.engine import Database
from invtui.db.errors import friendly_error
from invtui.errors import ConfigError
from invtui.log import setup_logging
from invtui.services import backup

SECRET = "secret-xyz"


@pytest.mark.parametrize("text", [
    f"postgresql://invtui:{SECRET}@db1:5432/invtui",
    f"postgresql+psycopg://invtui:{SECRET}@db1/invtui?sslmode=require",
    f"postgres://u:{SECRET}:more@h/db",  # a colon inside the password
    f"postgresql://u@h/db?password={SECRET}",
    f"postgresql://u@h/db?sslmode=require&password={SECRET}&application_name=x",
    f"postgresql://u@h/db?p%61ssword={SECRET}",  # libpq decodes parameter names too
    f"host=h password={SECRET} dbname=x",
    f"host=h password = {SECRET} dbname=x",
    f"host=h password='{SECRET} with spaces' dbname=x",
    f"host=h password='it\\'s {SECRET}' dbname=x",
    f"Database unreachable: could not connect with \"host=h password={SECRET}\"",
    f"Traceback ...\n  url = 'postgresql://u:{SECRET}@h/db'\n",
])
def test_every_form_libpq_reads_a_password_from_comes_out_hidden(text: str) -> None:
    shown = redact_url(text)
    assert SECRET not in shown
    assert "***" in shown


@pytest.mark.parametrize("text", [
    "postgresql://u@h/db", "postgresql://u@/db?host=/tmp/sock&sslmode=require",
    "host=h user=u dbname=x", 'password authentication failed for user "u"',
])
def test_text_without_a_password_is_left_as_it_is(text: str) -> None:
    assert redact_url(text) == text


def test_a_database_error_quoting_a_url_never_shows_its_password() -> None:
    exc = psycopg.OperationalError(f'could not parse "postgresql://u:{SECRET}@h/db?password={SECRET}"')
    error = friendly_error(exc)
    assert error is not None and SECRET not in error.message and "could not parse" in error.message


def _with_password(db: Database, how: str) -> Database:
    if how == "userinfo":
        return Database(db.url.set(password=SECRET))
    return Database(db.url.update_query_dict({"password": SECRET}))


class ChildWatch:
    """Polls /proc for pg_dump / pg_restore processes of this test and keeps their argv and environment."""

    def __init__(self) -> None:
        self.argv: list[str] = []
        self.environ: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def scan(self) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # only this test's own children: another worker's pg_dump (a backup or `db schema`
                # test running beside this one) must not stand in for ours
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] != str(os.getpid()):
                    continue
                argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if ("pg_dump" in argv or "pg_restore" in argv) and "--version" not in argv:
                    self.environ.append((entry / "environ").read_bytes())
                    self.argv.append(argv)
            except OSError:
                continue

    def _run(self) -> None:
        while not self._stop.is_set():
            self.scan()

    def __enter__(self) -> ChildWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.parametrize("how", ["userinfo", "query"])
def test_backup_and_restore_never_put_the_password_on_a_command_line(
        db: Database, empty_db: Database, tmp_path: Path, how: str) -> None:
    source, target = _with_password(db, how), _with_password(empty_db, how)
    dump = tmp_path / "box.dump"
    with ChildWatch() as watch:
        # the progress lines arrive while the tool runs: look at it then too, so a fast dump is seen
        backup.backup(source, dump, progress=lambda _line: watch.scan())
        backup.restore(target, dump, progress=lambda _line: watch.scan())
    # A tool on a tiny database may finish between two looks; at least one of the two is seen,
    # and never with the secret on its command line (which every local user can read).
    assert watch.argv, "neither pg_dump nor pg_restore of this test was seen running"
    # Nothing of the connection on a command line (which every local user can read): not the
    # password, nor the server, the account or the database; all of it is in the environment
    # (which only the same account can read).
    for database in (source, target):
        url = database.url
        shown = [str(url.host), str(url.database), f"user={url.username}", f"{url.username}@", SECRET]
        assert not [(a, word) for a in watch.argv for word in shown if word in a]
        dbname, env = database.client_args()
        assert dbname == ""
        # (the embedded server is reached by its socket folder, given as ?host=: no port)
        given = conninfo_to_dict(database.conninfo)
        assert (env["PGHOST"], env.get("PGPORT"), env["PGUSER"], env["PGDATABASE"], env["PGPASSWORD"]) == (
            given["host"], given.get("port"), given["user"], given["dbname"], SECRET)
    assert [a for a in watch.argv if "--dbname= " in a or a.endswith("--dbname=")] == watch.argv
    seen = [dict(item.split(b"=", 1) for item in env.split(b"\0") if b"=" in item) for env in watch.environ]
    assert {e[b"PGDATABASE"].decode() for e in seen} <= {source.url.database, target.url.database}
    assert all(e[b"PGPASSWORD"] == SECRET.encode() for e in seen)
    with target.connect() as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 4


def test_a_dump_is_private_from_the_moment_it_exists(db: Database, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        modes: list[int] = []
        partial = tmp_path / "box.dump.partial"
        result = backup.backup(db, tmp_path / "box.dump",
                               progress=lambda _l: modes.append(stat.S_IMODE(partial.stat().st_mode)))
    finally:
        os.umask(old)
    assert modes and set(modes) == {0o600}
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600


def test_log_files_are_0600_in_a_0700_folder_rotated_ones_too_and_hold_no_password(tmp_path: Path) -> None:
    old = os.umask(0o022)
    path = tmp_path / "state" / "log" / "invtui.log"
    try:
        setup_logging("INFO", path)
        logging.getLogger("invtui.test").error("cannot reach postgresql://u:%s@h/db?password=%s", SECRET, SECRET)
        handler = next(h for h in logging.getLogger().handlers if getattr(h, "_invtui", False))
        handler.doRollover()  # type: ignore[attr-defined]
        logging.getLogger("invtui.test").error("after rotation: host=h password=%s", SECRET)
    finally:
        os.umask(old)
        for h in [h for h in logging.getLogger().handlers if getattr(h, "_invtui", False)]:
            logging.getLogger().removeHandler(h)
            h.close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    rotated = path.with_name("invtui.log.1")
    for file in (path, rotated):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        assert SECRET not in file.read_text()
    assert "cannot reach postgresql://u:***@h/db?password=***" in rotated.read_text()
    assert "password=***" in path.read_text()


def test_an_old_world_readable_log_file_is_made_private_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "invtui.log"
    path.write_text("old line\n")
    path.chmod(0o644)
    try:
        setup_logging("INFO", path)
    finally:
        for h in [h for h in logging.getLogger().handlers if getattr(h, "_invtui", False)]:
            logging.getLogger().removeHandler(h)
            h.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_log_sent_to_a_device_leaves_the_device_as_it_was() -> None:
    """`[logging] file = /dev/null` (run as root, say) must not make /dev/null private to one account."""
    before = os.stat("/dev/null").st_mode
    try:
        setup_logging("INFO", Path("/dev/null"))
        logging.getLogger("invtui.test").error("into the void")
    finally:
        for h in [h for h in logging.getLogger().handlers if getattr(h, "_invtui", False)]:
            logging.getLogger().removeHandler(h)
            h.close()
        after = os.stat("/dev/null").st_mode
        if after != before and os.geteuid() == 0:
            os.chmod("/dev/null", stat.S_IMODE(before))  # put the machine back before failing
    assert stat.S_IMODE(after) == stat.S_IMODE(before)


@pytest.mark.parametrize("url", [
    f"postgresql://postgres@127.0.0.1:5432/x?password={SECRET}",
    f"postgresql://postgres:{SECRET}@127.0.0.1:5432/x",
])
def test_db_url_doctor_and_the_systemd_unit_print_no_password(invtui, url: str) -> None:  # type: ignore[no-untyped-def]
    env = {"INVTUI_DATABASE_URL": url}
    for args in (["db", "url"], ["doctor"], ["worker", "--print-systemd-unit"]):
        result = invtui(*args, env=env)
        assert SECRET not in result.stdout + result.stderr, args
        assert "***" in result.stdout + result.stderr, args


def test_a_malformed_keyword_url_is_refused_without_echoing_its_password(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("db", "url", env={"INVTUI_DATABASE_URL": f"host=h password={SECRET} dbname=x"})
    assert result.code != 0
    assert SECRET not in result.stdout + result.stderr
    assert "malformed" in result.stderr


def test_a_password_in_the_query_counts_when_the_userinfo_has_an_empty_one() -> None:
    """`postgresql://u:@/db?password=…` (an empty userinfo password, as the embedded server's URL
    has): pg_dump must still get the query's password, in PGPASSWORD, not on its command line."""
    dbname, env = Database(f"postgresql://postgres:@/invtui?host=/tmp&password={SECRET}").client_args()
    assert dbname == "" and env["PGPASSWORD"] == SECRET
    assert (env["PGHOST"], env["PGUSER"], env["PGDATABASE"]) == ("/tmp", "postgres", "invtui")


def test_settings_without_a_variable_stay_on_the_tool_line_and_secret_ones_are_refused() -> None:
    dbname, env = Database("postgresql://u@h:5433/db?sslmode=require&keepalives=1").client_args()
    assert (dbname, env["PGSSLMODE"], env["PGPORT"]) == ("keepalives=1", "require", "5433")
    with pytest.raises(ConfigError, match="sslpassword cannot be handed to pg_dump"):
        Database(f"postgresql://u@h/db?sslpassword={SECRET}").client_args()
