"""`invtui events --follow` and `invtui notifications ...` as an operator runs them."""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from invtui.db.engine import Database
from invtui.domain.roles import Actor
from invtui.services import events, notifications

from conftest import ROOT


class Follower:
    """A running `invtui events --follow` process whose output lines the test can wait for."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.selector = selectors.DefaultSelector()
        self.selector.register(proc.stdout, selectors.EVENT_READ, "stdout")  # type: ignore[arg-type]
        self.selector.register(proc.stderr, selectors.EVENT_READ, "stderr")  # type: ignore[arg-type]

    def line(self, stream: str, timeout: float = 20.0) -> str:
        """The next line on `stream` ("stdout" or "stderr"); lines on the other stream are skipped."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            for key, _ in self.selector.select(left):
                text = key.fileobj.readline()  # type: ignore[union-attr]
                if not text:
                    self.selector.unregister(key.fileobj)
                elif key.data == stream:
                    return text.rstrip("\n")
        raise AssertionError(f"no line on {stream} within {timeout} s")

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C: send SIGINT, return the exit code and what was left on stderr.

        A follower that does not stop is made to print where each of its threads stands
        (faulthandler, on SIGABRT) so the failure says why."""
        self.proc.send_signal(signal.SIGINT)
        try:
            _, rest = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            running = self.proc.poll() is None
            if running:
                self.proc.send_signal(signal.SIGABRT)
            _, rest = self.proc.communicate(timeout=10)
            raise AssertionError(f"the follower did not stop on Ctrl-C within 20 s (still running: {running});"
                                 f" its stderr:\n{rest[-4000:]}") from None
        return self.proc.returncode, rest


@pytest.fixture
def follow(cli_env: dict[str, str]) -> Iterator:  # type: ignore[type-arg]
    started: list[subprocess.Popen[str]] = []

    def start(*args: str, user: str = "admin", sigint_ignored: bool = False) -> Follower:
        """`sigint_ignored`: started as a script's background job is (SIGINT inherited ignored)."""
        exe = Path(sys.executable).with_name("invtui")
        ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None
        proc = subprocess.Popen([str(exe), "--user", user, "events", "--follow", *args], cwd=ROOT,
                                env={**cli_env, "PYTHONFAULTHANDLER": "1"}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, bufsize=1, preexec_fn=ignore)
        started.append(proc)
        follower = Follower(proc)
        assert "listening for events" in follower.line("stderr")
        return follower

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def emit(db: Database, kind: str, **fields: object) -> None:
    with db.transaction() as session:
        events.emit(session, kind, **fields)


def test_events_follow_json_prints_an_event_as_it_happens_and_stops_on_ctrl_c(db: Database, follow, operator: Actor) -> None:  # type: ignore[no-untyped-def]
    follower = follow("--json")
    emit(db, "stock.changed", id=9, product_id=1, location_id=2, user_id=operator.id, sku="BOLT-M6",
         location="WH1-A-03", quantity=12)
    event = json.loads(follower.line("stdout"))
    assert (event["kind"], event["sku"], event["quantity"], event["user_id"]) == ("stock.changed", "BOLT-M6", 12, operator.id)
    code, stderr = follower.interrupt()
    assert code in (0, 130) and "Traceback" not in stderr


def test_events_follow_stops_on_ctrl_c_even_when_started_with_sigint_ignored(db: Database, follow) -> None:  # type: ignore[no-untyped-def]
    follower = follow(sigint_ignored=True)
    emit(db, "alert.created", id=4, product_id=1, location_id=2, sku="NUT-M6", location="WH1-B-01", alert_type="LOW_STOCK")
    assert "NUT-M6" in follower.line("stdout")
    code, stderr = follower.interrupt()
    assert code == 0 and "Traceback" not in stderr


def test_events_follow_prints_one_readable_line_per_event(db: Database, follow) -> None:  # type: ignore[no-untyped-def]
    follower = follow()
    emit(db, "alert.created", id=4, product_id=1, location_id=2, sku="NUT-M6", location="WH1-B-01", alert_type="LOW_STOCK")
    line = follower.line("stdout")
    assert "alert.created" in line and "NUT-M6 @ WH1-B-01" in line and "alert_type=LOW_STOCK" in line
    code, stderr = follower.interrupt()
    assert code in (0, 130) and "Traceback" not in stderr


def test_events_follow_shows_a_user_only_their_own_personal_events(db: Database, follow, operator: Actor,  # type: ignore[no-untyped-def]
                                                                    manager: Actor) -> None:
    follower = follow("--json", user="operator")
    emit(db, "po.approved", id=1, for_user=manager.id, number="PO-000001")
    emit(db, "po.submitted", id=2, for_role="manager", number="PO-000002")
    emit(db, "po.approved", id=3, for_user=operator.id, number="PO-000003")
    assert json.loads(follower.line("stdout"))["number"] == "PO-000003"
    follower.interrupt()


def test_events_without_follow_explains_itself(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("events")
    assert result.code != 0 and "use --follow" in result.stderr and "Traceback" not in result.stderr


def post(db: Database, title: str, **target: object) -> int:
    with db.transaction() as session:
        return notifications.notify(session, kind="test", title=title, **target).id  # type: ignore[arg-type, return-value]


def test_notifications_list_shows_what_the_user_may_see_as_json(db: Database, invtui, operator: Actor,  # type: ignore[no-untyped-def]
                                                                 manager: Actor) -> None:
    post(db, "Out of stock: BOLT-M6")
    post(db, "PO-000002 waits for approval", target_role="manager")
    post(db, "Your PO-000001 was approved", target_user_id=operator.id)
    result = invtui("--user", "operator", "notifications", "list", "--json")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["title"], r["for"], r["read"]) for r in rows] == [
        ("Your PO-000001 was approved", "you", False), ("Out of stock: BOLT-M6", "everyone", False)]


def test_notifications_list_as_a_table_counts_unread(db: Database, invtui) -> None:  # type: ignore[no-untyped-def]
    post(db, "Low stock: NUT-M6 ✓")
    result = invtui("notifications", "list")
    assert result.code == 0 and "Low stock: NUT-M6 ✓" in result.stdout and "1 unread" in result.stdout


def unread_titles(db: Database, actor: Actor) -> list[str]:
    with db.session() as session:
        return [n.title for n in notifications.list_for(session, actor, unread_only=True)]


def test_notifications_read_marks_only_for_the_acting_user(db: Database, invtui, operator: Actor,  # type: ignore[no-untyped-def]
                                                           manager: Actor) -> None:
    first = post(db, "one")
    post(db, "two")
    result = invtui("--user", "operator", "notifications", "read", str(first))
    assert result.code == 0 and "Marked 1 notification read" in result.stdout
    assert unread_titles(db, operator) == ["two"]
    assert unread_titles(db, manager) == ["two", "one"]


def test_notifications_read_all(db: Database, invtui, admin: Actor) -> None:  # type: ignore[no-untyped-def]
    post(db, "one"), post(db, "two")
    assert "Marked 2 notifications read" in invtui("notifications", "read", "--all").stdout
    assert unread_titles(db, admin) == []


@pytest.mark.parametrize("args, message", [
    ((), "or --all"),
    (("--all", "1"), "or --all"),
    (("abc",), "Notification id must be a whole number"),
    (("424242",), "No notification #424242"),
])
def test_notifications_read_refuses_bad_input_in_one_line_and_marks_nothing(db: Database, invtui, admin: Actor,  # type: ignore[no-untyped-def]
                                                                            args: tuple, message: str) -> None:
    post(db, "one")
    result = invtui("notifications", "read", *args)
    assert result.code != 0 and message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert unread_titles(db, admin) == ["one"]
