"""Browser logins (`invtui serve`): guessing slows down per address and never locks an operator out.

Time passes in these tests the way the lock-expiry test makes it pass: by moving the stored
times back, so a test does not sleep through real delays.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from conftest import PASSWORDS
from invtui.db.engine import Database
from invtui.db.models import LoginThrottle, User, UserEvent
from invtui.domain.roles import Actor, Role
from invtui.errors import AuthenticationError
from invtui.services import login_throttle, users

HOME, OTHER = "203.0.113.7", "198.51.100.2"


def login(db: Database, name: str, password: str, client: str | None = HOME) -> Actor:
    with db.session() as session:
        return users.authenticate(session, name, password, max_failed=5, lockout_minutes=15, client=client)


def refusal(db: Database, name: str, password: str, client: str | None = HOME) -> str:
    with pytest.raises(AuthenticationError) as refused:
        login(db, name, password, client)
    return refused.value.message


def time_passes(db: Database, *, seconds: int = 0, minutes: int = 0) -> None:
    """Move every stored throttle time back, as if that long went by."""
    with db.connect() as conn:
        conn.execute("UPDATE login_throttle SET blocked_until = blocked_until - make_interval(mins => %s, secs => %s),"
                     " last_failure_at = last_failure_at - make_interval(mins => %s, secs => %s)",
                     (minutes, seconds, minutes, seconds))
        conn.commit()


def test_the_delay_doubles_up_to_a_minute() -> None:
    assert [login_throttle.delay_after(n) for n in range(0, 10)] == [0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert login_throttle.delay_after(10_000) == 60


def test_guessing_from_a_browser_slows_down_but_never_locks_the_account(db: Database) -> None:
    answers = []
    for _ in range(8):
        answers.append(refusal(db, "operator", "guess"))
        time_passes(db, seconds=60)
    assert answers == [f"Wrong user name or password; try again in {s} s" for s in (1, 2, 4, 8, 16, 32, 60, 60)]
    with db.session() as session:
        operator = session.exec(select(User).where(User.username == "operator")).one()
        assert (operator.failed_logins, operator.locked_until) == (0, None)
        failures = session.exec(select(UserEvent).where(UserEvent.kind == "login_failed")).all()
        assert [e.detail for e in failures] == [f"from {HOME}"] * 8
    # The operator still signs in at the terminal, and from another address, at once.
    assert login(db, "operator", PASSWORDS[Role.OPERATOR], client=None).username == "operator"
    assert login(db, "operator", PASSWORDS[Role.OPERATOR], client=OTHER).username == "operator"


def test_an_address_that_must_wait_is_told_how_long_even_with_the_right_password(db: Database) -> None:
    for _ in range(3):
        refusal(db, "operator", "guess")
        time_passes(db, seconds=60)
    assert refusal(db, "operator", "guess") == "Wrong user name or password; try again in 8 s"
    assert refusal(db, "operator", PASSWORDS[Role.OPERATOR]) == (
        "Too many failed sign-ins from this address; try again in 8 s")
    time_passes(db, seconds=5)
    assert refusal(db, "admin", "guess") == "Too many failed sign-ins from this address; try again in 3 s"
    assert login(db, "manager", PASSWORDS[Role.MANAGER], client=OTHER).username == "manager"
    with db.session() as session:  # refusals while waiting were not attempts: nothing counted
        assert session.get(LoginThrottle, HOME).failures == 4  # type: ignore[union-attr]


def test_a_success_or_ten_quiet_minutes_start_the_address_afresh(db: Database) -> None:
    for _ in range(4):
        refusal(db, "operator", "guess")
        time_passes(db, seconds=60)
    assert login(db, "operator", PASSWORDS[Role.OPERATOR]).username == "operator"
    assert refusal(db, "operator", "guess") == "Wrong user name or password; try again in 1 s"
    for _ in range(4):
        time_passes(db, seconds=60)
        refusal(db, "operator", "guess")
    time_passes(db, minutes=11)
    assert refusal(db, "operator", "guess") == "Wrong user name or password; try again in 1 s"


def test_unknown_names_count_for_the_address_and_get_the_same_sentence(db: Database) -> None:
    assert refusal(db, "nobody", "guess") == "Wrong user name or password; try again in 1 s"
    time_passes(db, seconds=60)
    assert refusal(db, "operator", "guess") == "Wrong user name or password; try again in 2 s"


def test_a_disabled_account_is_named_only_to_someone_with_its_password(db: Database, actors: dict) -> None:  # type: ignore[type-arg]
    with db.session() as session:
        users.set_active(session, actors[Role.ADMIN], "viewer", False)
    assert refusal(db, "viewer", "guess", client=None) == "Wrong user name or password"
    assert refusal(db, "viewer", PASSWORDS[Role.VIEWER], client=None) == "User viewer is disabled; ask an admin"


def test_tabs_guessing_at_the_same_moment_take_turns(db: Database) -> None:
    """Four tabs of one address submit at once: one guess is checked, three are told to wait."""
    with ThreadPoolExecutor(4) as pool:
        answers = sorted(pool.map(lambda n: refusal(db, "operator", f"guess-{n}"), range(4)))
    assert answers[-1] == "Wrong user name or password; try again in 1 s"
    # The other three wait (how long is left depends on how quickly the first guess was judged).
    assert all(a.startswith("Too many failed sign-ins from this address; try again in ") for a in answers[:3])


def test_quiet_addresses_are_forgotten(db: Database) -> None:
    refusal(db, "operator", "guess", client=OTHER)
    time_passes(db, minutes=11)
    refusal(db, "operator", "guess")
    with db.session() as session:
        assert [row.client for row in session.exec(select(LoginThrottle)).all()] == [HOME]
