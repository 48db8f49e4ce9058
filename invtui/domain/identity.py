"""Who is acting, and who may say so (DESIGN.md section 7, "Who is trusted"). Pure, no I/O.

On a shared box the database URL is the secret: whoever can read it can reach PostgreSQL with
psql and step around every role. So a caller may *name* the acting user (`--user`,
`INVTUI_USER`, `[auth] trust_os_user`, `--ssh-user`) only if they already hold that secret;
everyone else acts as their own OS account, which the kernel vouches for.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from invtui.errors import PermissionDenied


class UrlSource(str, Enum):
    """Where the database URL in use came from."""

    EMBEDDED = "embedded"  # none configured: the user's own embedded server in their data directory
    ENVIRONMENT = "environment"  # INVTUI_DATABASE_URL / DATABASE_URL: whoever set it knows it
    CONFIG_FILE = "config file"  # [database] url of the config file that was read


HOLDS_SECRET_RULE = ("only root, or the account that owns the config file holding the database URL, "
                     "may name the acting user")


def holds_secret(euid: int, source: UrlSource, config_owner: int | None) -> bool:
    """Whether the caller already knows the database URL, so naming a user gives them nothing new.

    True for root; for the embedded server (a laptop: the user's own data); for a URL from the
    environment (the caller set it); and for a URL from a config file owned by the caller.
    """
    if euid == 0 or source in (UrlSource.EMBEDDED, UrlSource.ENVIRONMENT):
        return True
    return config_owner is not None and config_owner == euid


class NamedBy(str, Enum):
    """How the acting user was chosen; all but OS_ACCOUNT are a name someone typed or configured."""

    OS_ACCOUNT = "os account"
    USER_OPTION = "--user"
    USER_ENV = "INVTUI_USER"
    SSH_KEY = "--ssh-user"


@dataclass(frozen=True)
class Acting:
    """The invtui user a process acts as and why; `os_user` is the real account behind it."""

    username: str
    named_by: NamedBy
    os_user: str


def choose_acting(*, os_user: str, holds: bool, user_option: str | None, user_env: str | None,
                  ssh_user: str | None) -> Acting:
    """The acting user, or PermissionDenied (one sentence) when a name is given by someone not allowed to."""
    if ssh_user is not None:
        if user_option or user_env:
            raise PermissionDenied("--ssh-user cannot be combined with --user or INVTUI_USER")
        if not holds:
            raise PermissionDenied(f"--ssh-user is refused: {HOLDS_SECRET_RULE}")
        return Acting(ssh_user.strip().lower(), NamedBy.SSH_KEY, os_user)
    for name, by in ((user_option, NamedBy.USER_OPTION), (user_env, NamedBy.USER_ENV)):
        if name:
            if not holds:
                raise PermissionDenied(f"{by.value} is refused: {HOLDS_SECRET_RULE}; you act as {os_user!r}")
            return Acting(name.strip().lower(), by, os_user)
    return Acting(os_user, NamedBy.OS_ACCOUNT, os_user)
