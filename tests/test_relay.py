"""The box's event relay: one LISTEN for every app of the account, real processes, real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from invtui.config import load_settings
from invtui.db.engine import Database
from invtui.db.listener import CONNECTED, RECONNECTING, EventListener
from invtui.db import relay_listener
from invtui.db.relay_listener import RelayListener, open_listener, relay_pid, socket_path
from invtui.domain.events import LISTENER_STATE, RESYNC
from invtui.domain.roles import Actor
from invtui.services import events
from tests.test_listener import Inbox


@pytest.fixture
def relay_dir() -> Iterator[Path]:
    """A short private folder (socket paths are limited to ~100 bytes); relays left in it are stopped."""
    base = Path(tempfile.mkdtemp(prefix="rly", dir="/tmp"))
    yield base / "relay"
    for lock in (base / "relay").glob("*.lock"):
        pid = relay_pid(lock.with_suffix(""))
        if pid:
            os.kill(pid, signal.SIGTERM)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def client(db: Database, relay_dir: Path) -> Callable[[Inbox], RelayListener]:
    started: list[RelayListener] = []

    def start(inbox: Inbox) -> RelayListener:
        listener = open_listener(db, inbox, directory=relay_dir, linger=1.0)
        assert isinstance(listener, RelayListener)
        started.append(listener.start())
        assert listener.wait_connected(20)
        assert inbox.next(LISTENER_STATE).get("state") == CONNECTED
        return listener

    yield start
    for listener in started:
        listener.stop()


def wait_for(check: Callable[[], object], seconds: float = 10.0) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"not true within {seconds} s: {check}")


def change(db: Database, actor: Actor, sku: str) -> None:
    with db.transaction() as session:
        events.emit(session, "stock.changed", id=1, product_id=2, location_id=3, user_id=actor.id, sku=sku, quantity=5)


def listening_sessions(db: Database) -> list[str]:
    with db.connect(autocommit=True) as conn:
        rows = conn.execute("SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name LIKE 'invtui-%' ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def test_a_committed_change_reaches_an_app_through_the_relay(db: Database, client, operator: Actor) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    client(inbox)
    change(db, operator, "BOLT-M6")
    event = inbox.next()
    assert (event.kind, event.user_id, event.get("sku")) == ("stock.changed", operator.id, "BOLT-M6")


def test_two_apps_both_hear_a_change_over_one_listening_connection(db: Database, client, operator: Actor) -> None:  # type: ignore[no-untyped-def]
    first, second = Inbox(), Inbox()
    client(first)
    client(second)
    change(db, operator, "NUT-M6")
    assert first.next().get("sku") == "NUT-M6"
    assert second.next().get("sku") == "NUT-M6"
    assert listening_sessions(db) == ["invtui-relay"]  # the server signals one session, not one per app


def test_when_the_relay_dies_a_client_starts_another_resyncs_and_hears_the_next_change(
        db: Database, client, relay_dir: Path, operator: Actor) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    listener = client(inbox)
    first = wait_for(lambda: relay_pid(listener.path))
    os.kill(first, signal.SIGKILL)
    assert inbox.next(LISTENER_STATE).get("state") == RECONNECTING
    while inbox.next(LISTENER_STATE, timeout=30).get("state") != CONNECTED:
        pass  # the new relay may itself wait for the database on a loaded machine: it says so, then connects
    assert inbox.next().kind == RESYNC  # changes made while nobody relayed are lost: views reload
    assert wait_for(lambda: relay_pid(listener.path)) != first
    change(db, operator, "AFTER")
    # (a late state message of the restart may come first on a loaded machine: skip to the change)
    assert inbox.next("stock.changed", timeout=10).get("sku") == "AFTER"


def test_an_unexpected_error_in_the_reader_shows_as_reconnecting_is_logged_and_the_link_recovers(
        db: Database, client, operator: Actor, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    listener = client(inbox)
    relay = wait_for(lambda: relay_pid(listener.path))
    real, failures = relay_listener.event_from_fields, []

    def fails_once(body):  # type: ignore[no-untyped-def]
        if not failures:
            failures.append(body)
            raise RuntimeError("a bug in reading the relay's messages")
        return real(body)

    monkeypatch.setattr(relay_listener, "event_from_fields", fails_once)
    # The relay's own LISTEN drops: the relay tells its clients so, and that message hits the bug.
    with db.connect(autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND application_name = 'invtui-relay'")
    state = inbox.next(LISTENER_STATE)
    assert state.get("state") == RECONNECTING  # what the status bar shows: unreachable, retrying
    assert "unexpected error (RuntimeError: a bug in reading the relay's messages)" in str(state.get("error"))
    assert "relay listener hit an unexpected error" in caplog.text and "RuntimeError" in caplog.text
    while inbox.next(LISTENER_STATE, timeout=30).get("state") != CONNECTED:
        pass  # back on the same relay, once the relay's own LISTEN is back too
    assert inbox.next().kind == RESYNC  # what came meanwhile may be lost: views reload
    assert listener.state == CONNECTED and relay_pid(listener.path) == relay
    change(db, operator, "AFTER-BUG")
    assert inbox.next("stock.changed", timeout=10).get("sku") == "AFTER-BUG"


def test_the_socket_is_private_and_the_relay_has_no_database_url_in_its_command_line(
        db: Database, client, relay_dir: Path) -> None:  # type: ignore[no-untyped-def]
    listener = client(Inbox())
    assert stat.S_IMODE(relay_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(listener.path.stat().st_mode) & 0o077 == 0
    pid = wait_for(lambda: relay_pid(listener.path))
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert b"invtui.db.relay" in argv
    assert not any(b"postgres" in part or str(db.url.database).encode() in part for part in argv)


def test_the_relay_exits_once_no_app_is_left(db: Database, client) -> None:  # type: ignore[no-untyped-def]
    listener = client(Inbox())
    pid = wait_for(lambda: relay_pid(listener.path))
    listener.stop()
    wait_for(lambda: not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2])
    assert not listener.path.exists()
    assert listening_sessions(db) == []


def test_a_folder_others_can_reach_is_not_used_the_app_listens_itself(db: Database, relay_dir: Path) -> None:
    relay_dir.mkdir(mode=0o755)
    os.chmod(relay_dir, 0o755)
    listener = open_listener(db, Inbox(), directory=relay_dir)
    assert isinstance(listener, EventListener)
    assert not socket_path(relay_dir, db.conninfo).exists()


def test_events_relay_is_on_unless_the_config_file_or_the_environment_turns_it_off(
        db: Database, tmp_path: Path, relay_dir: Path) -> None:
    settings = load_settings(None, {})
    assert settings.events_relay is True  # the default: the apps of a box share the relay's one LISTEN
    assert isinstance(open_listener(db, Inbox(), relay=settings.events_relay, directory=relay_dir), RelayListener)
    assert load_settings(None, {"INVTUI_EVENTS_RELAY": "off"}).events_relay is False
    config = tmp_path / "config.toml"
    config.write_text("[events]\nrelay = false\n")
    settings = load_settings(config, {})
    assert settings.events_relay is False
    assert load_settings(config, {"INVTUI_EVENTS_RELAY": "true"}).events_relay is True
    assert type(open_listener(db, Inbox(), relay=settings.events_relay, directory=tmp_path / "nope")) is EventListener
    assert not (tmp_path / "nope").exists()
