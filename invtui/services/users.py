"""Users: creation, passwords (bcrypt), login with lockout, role changes, the CLI's acting user."""

from __future__ import annotations

import functools
import os
import secrets
from datetime import datetime, timedelta, timezone

from typing import TYPE_CHECKING, Any

import bcrypt
from sqlalchemy import Row, text

from invtui.db.light import raw_connection
from invtui.domain import validation
from invtui.domain.roles import SYSTEM, Actor, Permission, Role, parse_role
from invtui.errors import AuthenticationError, ConflictError, NotFound
from invtui.services import events, user_list
from invtui.services.acting import current, require_current
from invtui.services.tx import unit_of_work
from invtui.services.user_list import UserView

if TYPE_CHECKING:
    from sqlmodel import Session

    from invtui.db.models import User

# The ORM and the models are imported by the functions that write (below), not by this module:
# the app imports it to sign in, and an idle app must not carry them (issue 15).

# bcrypt's cost. 12 is the usual production choice (~0.25 s a hash); tests lower it via the env.
BCRYPT_ROUNDS = int(os.environ.get("INVTUI_BCRYPT_ROUNDS", "12"))
DEFAULT_ADMIN = "admin"


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    except ValueError:  # a malformed stored hash never matches
        return False


def to_actor(user: User | Row[Any]) -> Actor:
    return Actor(id=user.id, username=user.username, role=Role(user.role))


def _get(session: Session, username: str) -> User:
    from sqlmodel import select

    from invtui.db.models import User

    name = username.strip().lower()
    user = session.exec(select(User).where(User.username == name)).first()
    if user is None:
        raise NotFound(f"Unknown user {name!r}")
    return user


def _record(session: Session, kind: str, user: User | Row[Any] | None, actor: Actor, detail: str = "") -> None:
    session.execute(_USER_EVENT, {"user_id": user.id if user else None, "actor_id": actor.id, "kind": kind,
                                  "detail": detail, "at": datetime.now(timezone.utc)})


_USER_EVENT = text("INSERT INTO user_events (user_id, actor_id, kind, detail, created_at)"
                   " VALUES (:user_id, :actor_id, :kind, :detail, :at)")


def actor_for(session: Session, username: str) -> Actor:
    """The acting user named by a caller who holds the secret, an SSH key or the OS account."""
    return user_list.actor_for(raw_connection(session), username)


def _view(user: User) -> UserView:
    return UserView(user.username, user.full_name, user.role, user.is_active, user.locked_until, user.last_login_at)


def create_user(
    session: Session, actor: Actor, username: str, role: str, password: str, full_name: str = ""
) -> UserView:
    require_current(session, actor, Permission.MANAGE_USERS)
    name = validation.username(username)
    parsed_role = parse_role(role)
    secret = validation.password(password)
    full = validation.text(full_name, what="Full name", max_length=200, required=False)
    from sqlmodel import select

    from invtui.db.models import User

    with unit_of_work(session):
        if session.exec(select(User.id).where(User.username == name)).first():
            raise ConflictError(f"User {name} already exists")
        user = User(username=name, role=parsed_role.value, full_name=full, password_hash=hash_password(secret))
        session.add(user)
        session.flush()
        _record(session, "created", user, actor, f"role {parsed_role.value}")
        events.emit(session, "user.created", id=user.id, user_id=actor.id, username=name, role=parsed_role.value)
        return _view(user)


def list_users(session: Session) -> list[UserView]:
    return user_list.list_users(raw_connection(session))


def set_password(session: Session, actor: Actor, username: str, password: str) -> None:
    """Admins set anyone's password; everyone may set their own."""
    secret = validation.password(password)
    with unit_of_work(session):
        current(session, actor)  # a disabled user changes no password, not even their own
        user = _get(session, username)
        if user.id != actor.id:
            require_current(session, actor, Permission.MANAGE_USERS)
        user.password_hash = hash_password(secret)
        user.failed_logins = 0
        user.locked_until = None
        user.updated_at = datetime.now(timezone.utc)
        _record(session, "password_changed", user, actor)


def set_active(session: Session, actor: Actor, username: str, active: bool) -> None:
    require_current(session, actor, Permission.MANAGE_USERS)
    with unit_of_work(session):
        user = _get(session, username)
        if user.id == actor.id and not active:
            raise ConflictError("You cannot disable your own account")
        if not active and user.role == Role.ADMIN.value and _active_admins(session) <= 1:
            raise ConflictError(f"{user.username} is the last active admin; make another admin first")
        user.is_active = active
        user.updated_at = datetime.now(timezone.utc)
        _record(session, "enabled" if active else "disabled", user, actor)
        _changed(session, user, actor)


def set_role(session: Session, actor: Actor, username: str, role: str) -> None:
    require_current(session, actor, Permission.MANAGE_USERS)
    new_role = parse_role(role)
    with unit_of_work(session):
        user = _get(session, username)
        if user.role == Role.ADMIN.value and new_role != Role.ADMIN and _active_admins(session) <= 1:
            raise ConflictError(f"{user.username} is the last active admin; make another admin first")
        old = user.role
        user.role = new_role.value
        user.updated_at = datetime.now(timezone.utc)
        _record(session, "role_changed", user, actor, f"{old} -> {new_role.value}")
        _changed(session, user, actor)


def _changed(session: Session, user: User, actor: Actor) -> None:
    """`user.changed` with the user's id: their open apps re-read who they are (exit if disabled)."""
    events.emit(session, "user.changed", id=user.id, user_id=actor.id, username=user.username, role=user.role,
                active=user.is_active)


def _active_admins(session: Session) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    from invtui.db.models import User

    query = select(func.count()).select_from(User).where(User.role == "admin", User.is_active.is_(True))  # type: ignore[attr-defined]
    return int(session.exec(query).one())


WRONG = "Wrong user name or password"  # unknown user or wrong password: one sentence, no names given away


@functools.cache
def _equaliser_hash() -> str:
    """A hash to check unknown names against, so they cost what a real check costs."""
    return hash_password("timing-equaliser")


def authenticate(
    session: Session, username: str, password: str, *, max_failed: int = 5, lockout_minutes: int = 15,
    client: str | None = None,
) -> Actor:
    """Check a password; count failures and lock the account after `max_failed` of them.

    `client` is the browser's address in browser mode (`invtui serve`). There anyone who can reach
    the page can guess, so failures do not count toward the lockout (else guessing would lock an
    operator out); the address waits longer after each failure instead (login_throttle).
    An unknown user and a wrong password get the same sentence. Everything happens in one
    transaction, so logins racing on two terminals (or tabs) all count.
    """
    now = datetime.now(timezone.utc)
    with unit_of_work(session):
        outcome = _attempt(session, username, password, now, client=client, max_failed=max_failed,
                           lockout_minutes=lockout_minutes)
    if isinstance(outcome, str):
        raise AuthenticationError(outcome)
    return outcome


def _attempt(session: Session, username: str, password: str, now: datetime, *, client: str | None,
             max_failed: int, lockout_minutes: int) -> Actor | str:
    """One sign-in attempt: the actor, or the sentence that refuses it (after recording the failure)."""
    throttle = None
    if client is not None:  # browser mode only: the throttle's table is written by the ORM
        from invtui.services import login_throttle

        throttle, wait = login_throttle.hold(session, client, now)
        if wait:
            return login_throttle.wait_sentence(wait)
    name = (username or "").strip().lower()
    user = session.execute(_LOGIN_USER, {"name": name}).first()
    if user is not None and user.locked_until and user.locked_until > now:
        return (f"User {user.username} is locked until {user.locked_until.astimezone():%H:%M} after "
                f"{user.failed_logins} failed logins")
    if user is None:
        check_password(password or "", _equaliser_hash())  # same cost as a real check
    elif check_password(password or "", user.password_hash):
        if not user.is_active:  # said only to someone who knows the password
            return f"User {user.username} is disabled; ask an admin"
        session.execute(_LOGGED_IN, {"id": user.id, "now": now})
        _record(session, "login", user, to_actor(user), f"from {client}" if client else "")
        if throttle is not None:
            login_throttle.clear(session, throttle)
        return to_actor(user)
    if user is not None:
        _record(session, "login_failed", user, SYSTEM, f"from {client}" if client else "")
    if throttle is not None:
        return f"{WRONG}; try again in {login_throttle.record_failure(session, throttle, now)} s"
    if user is None:
        return WRONG
    failed = session.execute(_FAILED_LOGIN, {"id": user.id}).scalar_one()
    if failed < max_failed:
        return WRONG
    session.execute(_LOCK, {"id": user.id, "until": now + timedelta(minutes=lockout_minutes)})
    _record(session, "locked", user, SYSTEM, f"{failed} failed logins")
    return f"User {user.username} is locked for {lockout_minutes} minutes after {failed} failed logins"


# Signing in is raw SQL (as the app's other reads), so an app signed in by password carries no ORM.
_LOGIN_USER = text("SELECT id, username, role, password_hash, is_active, failed_logins, locked_until"
                   " FROM users WHERE username = :name FOR UPDATE")
_LOGGED_IN = text("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = :now WHERE id = :id")
_FAILED_LOGIN = text("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = :id RETURNING failed_logins")
_LOCK = text("UPDATE users SET locked_until = :until WHERE id = :id")


def ensure_admin(session: Session) -> str | None:
    """On a database with no users, create `admin` with a random password and return it (shown once)."""
    from sqlalchemy import func
    from sqlmodel import select

    from invtui.db.models import User

    with unit_of_work(session):
        session.exec(select(func.pg_advisory_xact_lock(0x1A7_0002))).first()  # two first upgrades racing
        if session.exec(select(func.count()).select_from(User)).one():
            return None
        password = secrets.token_urlsafe(9)
        admin = User(username=DEFAULT_ADMIN, role=Role.ADMIN.value, full_name="Administrator",
                     password_hash=hash_password(password))
        session.add(admin)
        session.flush()
        _record(session, "created", admin, SYSTEM, "first admin, created by db upgrade")
    return password
