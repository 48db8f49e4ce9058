"""The one place that decides whether the caller holds the secret and who acts (DESIGN.md section 7).

The rules are pure (`invtui.domain.identity`); this module feeds them what only the OS knows:
the effective uid, its account name (from the password database, never from $USER, $LOGNAME or
getpass, which read the environment) and the owner of the config file that supplied the URL.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping

from invtui.config import Settings
from invtui.domain.identity import Acting, NamedBy, UrlSource, choose_acting, holds_secret

# Set by `invtui serve` for the app processes it starts: never trust the OS user there (it is the
# server's account, not the person in the browser); every tab shows the login form.
SERVED_ENV = "INVTUI_SERVED"


def os_user() -> str:
    """The account the process runs as, as the kernel knows it."""
    euid = os.geteuid()
    try:
        return pwd.getpwuid(euid).pw_name
    except KeyError:  # a uid with no passwd entry (containers): the number is still the truth
        return str(euid)


def url_source(settings: Settings) -> UrlSource:
    if not settings.database_url:
        return UrlSource.EMBEDDED
    return UrlSource.ENVIRONMENT if settings.url_from_env else UrlSource.CONFIG_FILE


def caller_holds_secret(settings: Settings) -> bool:
    """Root, the embedded server, a URL from the environment, or a config file the caller owns."""
    owner: int | None = None
    if settings.source is not None:
        try:
            owner = settings.source.stat().st_uid
        except OSError:
            owner = None
    return holds_secret(os.geteuid(), url_source(settings), owner)


def served(env: Mapping[str, str] | None = None) -> bool:
    return (os.environ if env is None else env).get(SERVED_ENV) == "1"


def acting_for(settings: Settings, *, user_option: str | None, ssh_user: str | None,
               env: Mapping[str, str] | None = None) -> Acting:
    """Who this process acts as; PermissionDenied when a name is given by someone who may not."""
    env = os.environ if env is None else env
    return choose_acting(os_user=os_user(), holds=caller_holds_secret(settings), user_option=user_option,
                         user_env=env.get("INVTUI_USER") or None, ssh_user=ssh_user)


def trusts_named_user(settings: Settings, acting: Acting, env: Mapping[str, str] | None = None) -> bool:
    """Whether the app signs `acting` in without a password: an SSH key named them, or the config
    file's `trust_os_user` for a caller who holds the secret; never in a served browser tab."""
    if served(env):
        return False
    if acting.named_by is NamedBy.SSH_KEY:
        return True
    return settings.trust_os_user and caller_holds_secret(settings)
