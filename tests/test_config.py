"""Config: search order, environment overrides (ours and the seed's names), validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from invtui.config import find_config_file, load_settings
from invtui.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return {
        "explicit": write(tmp_path / "explicit.toml", "[sweep]\ncheck_interval_seconds = 11\n"),
        "env": write(tmp_path / "env.toml", "[sweep]\ncheck_interval_seconds = 22\n"),
        "xdg": write(tmp_path / "xdg" / "invtui" / "config.toml", "[sweep]\ncheck_interval_seconds = 33\n"),
        "cwd": write(cwd / "config.toml", "[sweep]\ncheck_interval_seconds = 44\n"),
    }


def test_search_order_is_flag_then_env_then_xdg_then_cwd(places: dict[str, Path], tmp_path: Path) -> None:
    env = {"INVTUI_CONFIG": str(places["env"]), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert load_settings(places["explicit"], env).check_interval_seconds == 11
    assert load_settings(None, env).check_interval_seconds == 22
    del env["INVTUI_CONFIG"]
    assert load_settings(None, env).check_interval_seconds == 33
    env["XDG_CONFIG_HOME"] = str(tmp_path / "nowhere")
    assert load_settings(None, env).check_interval_seconds == 44
    places["cwd"].unlink()
    settings = load_settings(None, env)
    assert settings.check_interval_seconds == 60 and settings.source is None


def test_named_config_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        find_config_file(tmp_path / "missing.toml", {})
    with pytest.raises(ConfigError, match="INVTUI_CONFIG"):
        find_config_file(None, {"INVTUI_CONFIG": str(tmp_path / "missing.toml")})


def test_environment_overrides_the_file_and_invtui_names_beat_the_seed_names(places: dict[str, Path]) -> None:
    env = {"CHECK_INTERVAL_SECONDS": "90", "DATABASE_URL": "postgresql://seed@h/db", "LOG_LEVEL": "debug"}
    settings = load_settings(places["explicit"], env)
    assert (settings.check_interval_seconds, settings.database_url, settings.log_level) == (
        90, "postgresql://seed@h/db", "DEBUG")
    env |= {"INVTUI_CHECK_INTERVAL_SECONDS": "120", "INVTUI_DATABASE_URL": "postgresql://ours@h/db"}
    settings = load_settings(places["explicit"], env)
    assert (settings.check_interval_seconds, settings.database_url) == (120, "postgresql://ours@h/db")


def test_seed_access_token_expiry_is_an_alias_for_the_idle_lock(places: dict[str, Path]) -> None:
    assert load_settings(places["explicit"], {"ACCESS_TOKEN_EXPIRE_MINUTES": "30"}).idle_lock_minutes == 30


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CHECK_INTERVAL_SECONDS": "abc"}, "CHECK_INTERVAL_SECONDS: must be a whole number from 1 to 86400 (got 'abc')"),
        ({"CHECK_INTERVAL_SECONDS": "0"}, "CHECK_INTERVAL_SECONDS: must be a whole number from 1 to 86400 (got '0')"),
        ({"INVTUI_IDLE_LOCK_MINUTES": "-1"}, "INVTUI_IDLE_LOCK_MINUTES: must be a whole number from 0 to 1440"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ({"INVTUI_MAX_FAILED_LOGINS": "0"}, "INVTUI_MAX_FAILED_LOGINS: must be a whole number from 1 to 100"),
    ],
)
def test_bad_values_name_the_key_and_the_allowed_range(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env)
    assert expected in caught.value.message


def test_trust_os_user_is_read_from_the_config_file_only(tmp_path: Path) -> None:
    """The environment is what an untrusted caller controls: it can neither switch trust on nor off."""
    env = {"INVTUI_TRUST_OS_USER": "true"}
    assert load_settings(write(tmp_path / "plain.toml", "[auth]\nmax_failed_logins = 3\n"), env).trust_os_user is False
    trusting = write(tmp_path / "trust.toml", "[auth]\ntrust_os_user = true\n")
    assert load_settings(trusting, {"INVTUI_TRUST_OS_USER": "false"}).trust_os_user is True


def test_the_url_remembers_whether_it_came_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[database]\nurl = \"postgresql://u@h/db\"\n")
    assert load_settings(path, {}).url_from_env is False
    assert load_settings(path, {"INVTUI_DATABASE_URL": "postgresql://u@h/other"}).url_from_env is True
    assert load_settings(None, {"DATABASE_URL": "postgresql://u@h/db"}).url_from_env is True


def test_bad_value_in_the_file_names_the_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[sweep]\ncheck_interval_seconds = "often"\n')
    with pytest.raises(ConfigError, match=r"sweep.check_interval_seconds in .*c.toml: must be a whole number"):
        load_settings(path, {})


def test_invalid_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.toml", "[sweep\n")
    with pytest.raises(ConfigError, match="broken.toml is not valid TOML"):
        load_settings(path, {})


def test_the_sample_config_at_the_repo_root_loads_with_the_defaults() -> None:
    sample = Path(__file__).resolve().parent.parent / "config.toml"
    settings = load_settings(sample, {})
    assert settings.check_interval_seconds == 60
    assert settings.database_url == ""
    assert settings.max_failed_logins == 5
