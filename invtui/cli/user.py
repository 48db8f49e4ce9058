"""`invtui user ...`: managing who may log in."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state
from invtui.errors import ValidationError

if TYPE_CHECKING:
    from invtui.services import users
else:
    users = lazy_module("invtui.services.users")

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
    with state(ctx).database().session() as session:
        rows = users.list_users(session)
    data = [
        {"username": u.username, "full_name": u.full_name, "role": u.role, "active": u.is_active,
         "locked_until": u.locked_until, "last_login_at": u.last_login_at}
        for u in rows
    ]
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
