"""`invtui user ...`: managing who may log in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state
from invtui.errors import ValidationError

if TYPE_CHECKING:
    from invtui.services import user_list, users
else:
    users = lazy_module("invtui.services.users")
    user_list = lazy_module("invtui.services.user_list")  # reads: no ORM loaded

app = typer.Typer(help="Users and passwords (admins).", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValidationError("No terminal to ask for a password; use --password-stdin")
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Repeat password", hide_input=True)
    if first != second:
        raise ValidationError("The two passwords differ")
    return first


@app.command()
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Login name (a-z, 0-9, . _ -)."),
    role: str = typer.Option(..., "--role", help="viewer, operator, manager or admin."),
    full_name: str = typer.Option("", "--full-name", help="Shown in the status bar and the audit trail."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create a user."""
    st = state(ctx)
    actor = st.actor()
    password = _read_password(password_stdin)
    with st.database().session() as session:
        user = users.create_user(session, actor, name, role, password, full_name)
    console.print(f"Created user {user.username} ({user.role}).")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List users."""
    data = [u.as_dict() for u in state(ctx).read(user_list.list_users)]
    if as_json:
        print_json(data)
        return
    print_table(["user", "name", "role", "active", "locked until", "last login"],
                [(d["username"], d["full_name"], d["role"], "yes" if d["active"] else "no",
                  d["locked_until"] or "", d["last_login_at"] or "") for d in data])


@app.command()
def passwd(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Set a user's password (admins: anyone's; others: their own). Also clears a lockout."""
    st = state(ctx)
    actor = st.actor()
    password = _read_password(password_stdin)
    with st.database().session() as session:
        users.set_password(session, actor, name, password)
    console.print(f"Password of {name} changed.")


@app.command()
def disable(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Disable a user: they can no longer log in or act."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        users.set_active(session, actor, name, False)
    console.print(f"User {name} disabled.")


@app.command()
def enable(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Enable a disabled user again."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        users.set_active(session, actor, name, True)
    console.print(f"User {name} enabled.")


@app.command()
def role(ctx: typer.Context, name: str = typer.Argument(...), new_role: str = typer.Argument(..., metavar="ROLE")) -> None:
    """Change a user's role."""
    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        users.set_role(session, actor, name, new_role)
    console.print(f"User {name} is now {new_role.lower()}.")


_AUTHORIZED_KEYS = typer.Option(None, "--authorized-keys", help="File to change (default: ~/.ssh/authorized_keys of the account running this).")


def _keys_file(given: Path | None) -> Path:
    from invtui.services.ssh_keys import default_authorized_keys

    return given if given is not None else default_authorized_keys()


@app.command("add-key")
def add_key(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The invtui user this key signs in."),
    key_file: str = typer.Argument(..., metavar="KEYFILE", help="Their public key (.pub), or - for standard input."),
    authorized_keys: Path | None = _AUTHORIZED_KEYS,
) -> None:
    """Let an operator in by SSH key: one authorized_keys line that runs only invtui, as them."""
    from invtui.domain.ssh_keys import parse_public_key
    from invtui.services import ssh_keys

    st = state(ctx)
    actor = st.actor()
    text = sys.stdin.read(16_384) if key_file == "-" else _read_key_file(Path(key_file))
    key = parse_public_key(text)
    with st.database().session() as session:
        username = ssh_keys.check_target(session, actor, name)
    path = _keys_file(authorized_keys)
    if ssh_keys.add_key(path, username, key, config=st.settings.source):
        console.print(f"{username} can now sign in with key {key.fingerprint} (line added to {path}).")
    else:
        console.print(f"Key {key.fingerprint} already signs in {username}; {path} unchanged.")


def _read_key_file(path: Path) -> str:
    try:
        if path.stat().st_size > 16_384:
            raise ValidationError(f"{path} is too big to be a public key")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"Cannot read key file {path}: {getattr(exc, 'strerror', None) or exc}") from None


@app.command("remove-key")
def remove_key(ctx: typer.Context, name: str = typer.Argument(...),
               authorized_keys: Path | None = _AUTHORIZED_KEYS) -> None:
    """Remove every SSH key of a user (their open sessions end when you disable them)."""
    from invtui.services import ssh_keys

    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        ssh_keys.check_admin(session, actor)
    path = _keys_file(authorized_keys)
    removed = ssh_keys.remove_keys(path, name.strip().lower())
    console.print(f"Removed {removed} key line{'s' if removed != 1 else ''} of {name.strip().lower()} from {path}.")


@app.command("keys")
def keys(ctx: typer.Context, authorized_keys: Path | None = _AUTHORIZED_KEYS,
         as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List who can sign in by SSH key: user, key fingerprint, comment."""
    from invtui.services import ssh_keys

    st = state(ctx)
    actor = st.actor()
    with st.database().session() as session:
        ssh_keys.check_admin(session, actor)
    data = [{"username": k.username, "type": k.key.type, "fingerprint": k.key.fingerprint, "comment": k.key.comment}
            for k in ssh_keys.our_keys(_keys_file(authorized_keys))]
    if as_json:
        print_json(data)
        return
    print_table(["user", "type", "fingerprint", "comment"],
                [(d["username"], d["type"], d["fingerprint"], d["comment"]) for d in data])
