"""Writing operators' keys into the service account's authorized_keys (`invtui user add-key`).

Only admins, and only for active invtui users. The file is rewritten whole (a temporary file in
the same folder, then a rename), 0600 in a 0700 `.ssh`, so sshd never reads half a file and
never refuses it for loose permissions. Lines invtui did not write are kept as they are.
"""

from __future__ import annotations

import os
import pwd
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session

from invtui.domain.roles import Actor, Permission
from invtui.domain.ssh_keys import KeyLine, PublicKey, key_line, parse_key_line
from invtui.errors import ConfigError, ConflictError
from invtui.services import users
from invtui.services.acting import require_current


def default_authorized_keys() -> Path:
    """`~/.ssh/authorized_keys` of the account running this (from the password database, not $HOME)."""
    return Path(pwd.getpwuid(os.geteuid()).pw_dir) / ".ssh" / "authorized_keys"


def invtui_executable() -> str:
    """This install's `invtui` program, absolute (what sshd will run)."""
    script = Path(sys.executable).with_name("invtui")
    if not script.is_file():
        raise ConfigError(f"Cannot find this install's invtui program next to {sys.executable}")
    return str(script.absolute())


def check_admin(session: Session, actor: Actor) -> None:
    require_current(session, actor, Permission.MANAGE_USERS)


def check_target(session: Session, actor: Actor, username: str) -> str:
    """Admins only; the user must exist and be active. Returns the user's canonical name."""
    require_current(session, actor, Permission.MANAGE_USERS)
    target = users.actor_for(session, username)  # NotFound / PermissionDenied (disabled) in one sentence
    return target.username


def read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def our_keys(path: Path) -> list[KeyLine]:
    return [parsed for line in read_lines(path) if (parsed := parse_key_line(line)) is not None]


def add_key(path: Path, username: str, key: PublicKey, *, config: Path | None) -> bool:
    """Append the line for `username`; False if that key is already theirs. Refused if it is someone else's."""
    if config is None:
        raise ConfigError("add-key writes the config file into the line: run it with --config FILE (the box's config)")
    line = key_line(invtui_executable(), str(config.absolute()), username, key)
    lines = read_lines(path)
    for existing in lines:
        parsed = parse_key_line(existing)
        same_key = parsed.key.blob == key.blob if parsed else key.blob in existing.split()
        if not same_key:
            continue
        if parsed is not None and parsed.username == username:
            return False
        owner = parsed.username if parsed else "another line of that file"
        raise ConflictError(f"That key already signs in as {owner}; one key is one person")
    _write(path, [*lines, line])
    return True


def remove_keys(path: Path, username: str) -> int:
    """Drop every line of ours for `username`; how many went."""
    lines = read_lines(path)
    kept = [line for line in lines if (parsed := parse_key_line(line)) is None or parsed.username != username]
    removed = len(lines) - len(kept)
    if removed:
        _write(path, kept)
    return removed


def _write(path: Path, lines: list[str]) -> None:
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".authorized_keys.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp creates it 0600
            out.write("".join(f"{line}\n" for line in lines))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

