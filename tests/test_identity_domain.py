"""Who may name the acting user (issue 13 item 2): the pure rules, every combination."""

from __future__ import annotations

import itertools

import pytest

from invtui.domain.identity import Acting, NamedBy, UrlSource, choose_acting, holds_secret
from invtui.errors import PermissionDenied

SERVICE, OPERATOR = 990, 1001


@pytest.mark.parametrize(("euid", "source", "owner"), list(itertools.product(
    (0, SERVICE, OPERATOR), tuple(UrlSource), (None, 0, SERVICE, OPERATOR))))
def test_holds_secret_for_root_embedded_env_or_the_owner_of_the_config_file(
        euid: int, source: UrlSource, owner: int | None) -> None:
    expected = euid == 0 or source is not UrlSource.CONFIG_FILE or owner == euid
    assert holds_secret(euid, source, owner) is expected


def test_an_operator_reading_someone_elses_config_file_does_not_hold_the_secret() -> None:
    assert not holds_secret(OPERATOR, UrlSource.CONFIG_FILE, SERVICE)
    assert not holds_secret(OPERATOR, UrlSource.CONFIG_FILE, None)  # the file vanished: not theirs
    assert holds_secret(SERVICE, UrlSource.CONFIG_FILE, SERVICE)


def choose(holds: bool, option: str | None = None, env: str | None = None, ssh: str | None = None) -> Acting:
    return choose_acting(os_user="bob", holds=holds, user_option=option, user_env=env, ssh_user=ssh)


def test_without_a_name_everyone_is_their_os_account() -> None:
    for holds in (True, False):
        assert choose(holds) == Acting("bob", NamedBy.OS_ACCOUNT, "bob")


def test_a_holder_may_name_the_user_option_first_then_the_environment() -> None:
    assert choose(True, option="Admin", env="viewer") == Acting("admin", NamedBy.USER_OPTION, "bob")
    assert choose(True, env="viewer") == Acting("viewer", NamedBy.USER_ENV, "bob")
    assert choose(True, ssh="Maria") == Acting("maria", NamedBy.SSH_KEY, "bob")


@pytest.mark.parametrize(("option", "env", "ssh", "words"), [
    ("admin", None, None, "--user is refused: only root, or the account that owns the config file"),
    (None, "admin", None, "INVTUI_USER is refused: only root"),
    (None, None, "admin", "--ssh-user is refused: only root"),
])
def test_a_non_holder_naming_anyone_is_refused_with_the_rule(option, env, ssh, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied, match=words):
        choose(False, option=option, env=env, ssh=ssh)


@pytest.mark.parametrize(("option", "env"), [("admin", None), (None, "admin"), ("admin", "admin")])
def test_ssh_user_cannot_be_combined_with_a_typed_name(option, env) -> None:  # type: ignore[no-untyped-def]
    for holds in (True, False):
        with pytest.raises(PermissionDenied, match="--ssh-user cannot be combined with --user or INVTUI_USER"):
            choose(holds, option=option, env=env, ssh="maria")
