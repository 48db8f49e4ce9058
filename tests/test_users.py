"""Users: passwords, lockout after five failures, disabled accounts, role-checked management."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from invtui.db.engine import Database
from invtui.db.models import User, UserEvent
from invtui.domain.roles import Actor, Role
from invtui.errors import AuthenticationError, ConflictError, NotFound, PermissionDenied, ValidationError
from invtui.services import users
from sqlmodel import select

from conftest import PASSWORDS


def login(db: Database, name: str, password: str) -> Actor:
    with db.session() as session:
        return users.authenticate(session, name, password, max_failed=5, lockout_minutes=15)


def test_right_password_logs_in_with_the_users_role(db: Database) -> None:
    actor = login(db, "operator", PASSWORDS[Role.OPERATOR])
    assert (actor.username, actor.role) == ("operator", Role.OPERATOR)


def test_unknown_user_gets_the_same_sentence_as_a_wrong_password(db: Database) -> None:
    """Nothing in the answer tells a guesser which names exist (no "attempts left" for real ones)."""
    answers = []
    for name in ("operator", "nobody"):
        with pytest.raises(AuthenticationError) as refused:
            login(db, name, "nope")
        answers.append(refused.value.message)
    assert answers == ["Wrong user name or password"] * 2


def test_five_failures_lock_the_account_even_for_the_right_password(db: Database) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationError, match="Wrong"):
            login(db, "operator", "nope")
    with pytest.raises(AuthenticationError, match="locked for 15 minutes after 5 failed logins"):
        login(db, "operator", "nope")
    with pytest.raises(AuthenticationError, match="is locked until"):
        login(db, "operator", PASSWORDS[Role.OPERATOR])
    with db.session() as session:
        kinds = [e.kind for e in session.exec(select(UserEvent).order_by(UserEvent.id)).all()]
    assert kinds.count("login_failed") == 5 and "locked" in kinds


def test_lock_expires(db: Database) -> None:
    with db.session() as session:
        user = session.exec(select(User).where(User.username == "operator")).one()
        user.failed_logins, user.locked_until = 5, datetime.now(timezone.utc) - timedelta(seconds=1)
        session.commit()
    assert login(db, "operator", PASSWORDS[Role.OPERATOR]).username == "operator"


def test_a_good_login_resets_the_failure_count(db: Database) -> None:
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            login(db, "operator", "nope")
    login(db, "operator", PASSWORDS[Role.OPERATOR])
    for _ in range(4):  # without the reset the second of these would lock the account
        with pytest.raises(AuthenticationError, match="^Wrong user name or password$"):
            login(db, "operator", "nope")
    assert login(db, "operator", PASSWORDS[Role.OPERATOR]).username == "operator"


def test_disabled_user_cannot_log_in_or_act(db: Database, admin: Actor) -> None:
    with db.session() as session:
        users.set_active(session, admin, "operator", False)
    with pytest.raises(AuthenticationError, match="disabled"):
        login(db, "operator", PASSWORDS[Role.OPERATOR])
    with db.session() as session, pytest.raises(PermissionDenied, match="User .operator. is disabled; ask an admin"):
        users.actor_for(session, "operator")


def test_only_admins_manage_users(db: Database, manager: Actor) -> None:
    with db.session() as session, pytest.raises(PermissionDenied, match="Role manager cannot manage users"):
        users.create_user(session, manager, "maria", "operator", "long-enough")


def test_admin_creates_a_user_who_can_log_in(db: Database, admin: Actor) -> None:
    with db.session() as session:
        users.create_user(session, admin, "Maria", "operator", "maria-pass", "Maria Lopez")
    assert login(db, "maria", "maria-pass").role == Role.OPERATOR


@pytest.mark.parametrize(
    ("name", "role", "password", "error", "message"),
    [
        ("operator", "viewer", "long-enough", ConflictError, "already exists"),
        ("bad name", "viewer", "long-enough", ValidationError, "may use only"),
        ("x" * 65, "viewer", "long-enough", ValidationError, "too long"),
        ("", "viewer", "long-enough", ValidationError, "User name is required"),
        ("eve", "superuser", "long-enough", PermissionDenied, "Unknown role 'superuser'"),
        ("eve", "viewer", "short", ValidationError, "at least 8 characters"),
        ("'; DROP TABLE users; --", "viewer", "long-enough", ValidationError, "may use only"),
    ],
)
def test_bad_new_users_are_refused_and_nothing_is_written(
    db: Database, admin: Actor, name: str, role: str, password: str, error: type, message: str
) -> None:
    with db.session() as session:
        before = len(users.list_users(session))
        with pytest.raises(error, match=message):
            users.create_user(session, admin, name, role, password)
        assert len(users.list_users(session)) == before


def test_the_last_admin_cannot_be_disabled_or_demoted(db: Database, admin: Actor) -> None:
    with db.session() as session:
        with pytest.raises(ConflictError, match="your own account"):
            users.set_active(session, admin, "admin", False)
        with pytest.raises(ConflictError, match="last active admin"):
            users.set_role(session, admin, "admin", "operator")


def test_users_change_their_own_password_but_not_others(db: Database, operator: Actor) -> None:
    with db.session() as session:
        users.set_password(session, operator, "operator", "brand-new-pass")
        with pytest.raises(PermissionDenied):
            users.set_password(session, operator, "viewer", "brand-new-pass")
    assert login(db, "operator", "brand-new-pass").username == "operator"


def test_unknown_user_for_the_cli_is_named(db: Database) -> None:
    with db.session() as session, pytest.raises(NotFound, match="Unknown user 'ghost'"):
        users.actor_for(session, "ghost")


def test_first_admin_is_created_once_on_an_empty_database(empty_db: Database) -> None:
    from invtui.services.setup import prepare_database

    first = prepare_database(empty_db)
    assert first.admin_password and first.applied
    assert login(empty_db, "admin", first.admin_password).role == Role.ADMIN
    again = prepare_database(empty_db)
    assert again.admin_password is None and again.applied == []


def test_listed_and_created_users_carry_no_password_hash(db: Database, admin: Actor) -> None:
    """Issue 18: services handed ORM rows upward, and `list_users` gave every caller the hashes."""
    with db.session() as session:
        created = users.create_user(session, admin, "hashless", "viewer", "long-enough-pw")
        listed = users.list_users(session)
    assert created.username == "hashless" and created.role == "viewer"
    assert "hashless" in [u.username for u in listed]
    for user in [created, *listed]:
        assert not hasattr(user, "password_hash")
        assert all(not str(value).startswith("$2") for value in vars(user).values())  # no bcrypt text either
