"""Settings: config.toml found by the search order of DESIGN.md section 8, then environment overrides.

Every value is validated at load; a bad one raises ConfigError naming the key and the allowed
range, which the CLI prints as one line with exit code 2.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from invtui import paths
from invtui.errors import ConfigError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Setting:
    """How one value is found and checked: its TOML place, its env names, its kind and range."""

    section: str
    key: str
    env: tuple[str, ...]
    kind: type
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


# Env names: invtui's own first, then the seed's (DATABASE_URL, CHECK_INTERVAL_SECONDS, ...).
SETTINGS: dict[str, Setting] = {
    "database_url": Setting("database", "url", ("INVTUI_DATABASE_URL", "DATABASE_URL"), str),
    "check_interval_seconds": Setting(
        "sweep", "check_interval_seconds", ("INVTUI_CHECK_INTERVAL_SECONDS", "CHECK_INTERVAL_SECONDS"), int, 1, 86400
    ),
    "misfire_grace_seconds": Setting(
        "sweep", "misfire_grace_seconds", ("INVTUI_MISFIRE_GRACE_SECONDS",), int, 1, 86400
    ),
    "sweep_keep_days": Setting("sweep", "keep_days", ("INVTUI_SWEEP_KEEP_DAYS",), int, 1, 3650),
    # From the config file only: the environment is what an untrusted caller controls.
    "trust_os_user": Setting("auth", "trust_os_user", (), bool),
    "max_failed_logins": Setting("auth", "max_failed_logins", ("INVTUI_MAX_FAILED_LOGINS",), int, 1, 100),
    "lockout_minutes": Setting("auth", "lockout_minutes", ("INVTUI_LOCKOUT_MINUTES",), int, 1, 10080),
    "idle_lock_minutes": Setting(
        "auth", "idle_lock_minutes", ("INVTUI_IDLE_LOCK_MINUTES", "ACCESS_TOKEN_EXPIRE_MINUTES"), int, 0, 1440
    ),
    "notifications_keep_days": Setting(
        "notifications", "keep_days", ("INVTUI_NOTIFICATIONS_KEEP_DAYS",), int, 1, 3650
    ),
    "embedded_idle_minutes": Setting(
        "database", "embedded_idle_minutes", ("INVTUI_EMBEDDED_IDLE_MINUTES",), float, 0, 1440
    ),
    "idle_connection_seconds": Setting(
        "database", "idle_connection_seconds", ("INVTUI_IDLE_CONNECTION_SECONDS",), float, 0, 3600
    ),
    # On: the apps of one account and box share the relay's one LISTEN (invtui/db/relay_listener.py);
    # off: every app LISTENs on its own connection.
    "events_relay": Setting("events", "relay", ("INVTUI_EVENTS_RELAY",), bool),
    "counts_every_days": Setting("counts", "every_days", ("INVTUI_COUNTS_EVERY_DAYS",), int, 0, 3650),
    "counts_approve_above_value": Setting(
        "counts", "approve_above_value", ("INVTUI_COUNTS_APPROVE_ABOVE_VALUE",), int, 0, 1_000_000_000
    ),
    "counts_approve_above_percent": Setting(
        "counts", "approve_above_percent", ("INVTUI_COUNTS_APPROVE_ABOVE_PERCENT",), int, 0, 100_000
    ),
    "demand_window_days": Setting("demand", "window_days", ("INVTUI_DEMAND_WINDOW_DAYS",), int, 1, 365),
    "demand_safety_days": Setting("demand", "safety_days", ("INVTUI_DEMAND_SAFETY_DAYS",), int, 0, 365),
    "demand_review_days": Setting("demand", "review_days", ("INVTUI_DEMAND_REVIEW_DAYS",), int, 0, 365),
    "log_level": Setting("log", "level", ("INVTUI_LOG_LEVEL", "LOG_LEVEL"), str, choices=LOG_LEVELS),
    "log_file": Setting("log", "file", ("INVTUI_LOG_FILE",), str),
    # Where the app may read and write files: from the config file only, never the environment,
    # so an operator cannot point the app's import and export at their own home directory.
    "files_dir": Setting("files", "dir", (), str),
    "backup_dir": Setting("backup", "dir", (), str),
}


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Defaults are what a fresh machine gets with no config at all."""

    database_url: str = ""
    embedded_idle_minutes: float = 10.0  # the embedded server outlives its last client this long
    idle_connection_seconds: float = 10.0  # a pooled connection unused this long is closed
    events_relay: bool = True  # one LISTEN per account and box, handed to its apps over a Unix socket
    check_interval_seconds: int = 60
    misfire_grace_seconds: int = 30
    sweep_keep_days: int = 14
    trust_os_user: bool = False
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    idle_lock_minutes: int = 15
    notifications_keep_days: int = 90
    counts_every_days: int = 90
    counts_approve_above_value: int = 500
    counts_approve_above_percent: int = 25
    demand_window_days: int = 28
    demand_safety_days: int = 0
    demand_review_days: int = 7
    log_level: str = "INFO"
    log_file: str = ""
    files_dir: str = ""
    backup_dir: str = ""
    # [keys]: (action id, key or keys) as written; invtui.keys.keymap checks them when the app starts,
    # so a bad remap is one message in the app, never a refusal to start.
    keys: tuple[tuple[str, Any], ...] = ()
    source: Path | None = field(default=None, compare=False)
    url_from_env: bool = field(default=False, compare=False)  # the database URL came from the environment

    @property
    def log_path(self) -> Path:
        return Path(self.log_file).expanduser() if self.log_file else paths.log_file()

    @property
    def files_path(self) -> Path:
        """The folder holding one folder per invtui user for the app's CSV import and export."""
        return Path(self.files_dir).expanduser() if self.files_dir else paths.files_dir()

    @property
    def backup_path(self) -> Path | None:
        """Where `db backup` without a file name writes (None: the current directory)."""
        return Path(self.backup_dir).expanduser() if self.backup_dir else None


def find_config_file(explicit: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path | None:
    """First of: --config, $INVTUI_CONFIG, $XDG_CONFIG_HOME/invtui/config.toml, ./config.toml.

    A file named explicitly (flag or env) must exist; the other two are optional.
    """
    env = os.environ if env is None else env
    for named, origin in ((explicit, "--config"), (env.get("INVTUI_CONFIG"), "INVTUI_CONFIG")):
        if named:
            path = Path(named).expanduser()
            if not _is_file(path):
                raise ConfigError(f"Config file {path} (from {origin}) does not exist")
            return path
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    for candidate in (Path(base) / "invtui" / "config.toml", Path.cwd() / "config.toml"):
        if _is_file(candidate):
            return candidate
    return None


def _is_file(path: Path) -> bool:
    """is_file() that turns "Permission denied" (a box's config is the service account's alone) into one line."""
    try:
        return path.is_file()
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror or exc}") from exc


def load_settings(explicit: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the config file (if any), apply environment overrides, validate everything."""
    env = os.environ if env is None else env
    path = find_config_file(explicit, env)
    document: dict[str, Any] = {}
    if path is not None:
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read config file {path}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from exc
    values: dict[str, Any] = {}
    from_env: set[str] = set()
    for name, setting in SETTINGS.items():
        section = document.get(setting.section, {})
        if isinstance(section, dict) and setting.key in section:
            values[name] = _coerce(setting, section[setting.key], f"{setting.section}.{setting.key} in {path}")
        for env_name in reversed(setting.env):  # the first name wins, so apply it last
            if env_name in env and env[env_name] != "":
                values[name] = _coerce(setting, env[env_name], env_name)
                from_env.add(name)
    values["keys"] = _key_entries(document.get("keys", {}), f"[keys] in {path}")
    return replace(Settings(**values), source=path, url_from_env="database_url" in from_env)


def _key_entries(table: Any, origin: str, prefix: str = "") -> tuple[tuple[str, Any], ...]:
    """`[keys]` as (action id, value) pairs; `[keys.alerts] acknowledge = "k"` is `alerts.acknowledge`."""
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: must be a table of action = \"key\" (see `invtui keys`)")
    entries: list[tuple[str, Any]] = []
    for name, value in table.items():
        if isinstance(value, dict):
            entries.extend(_key_entries(value, origin, f"{prefix}{name}."))
        else:
            entries.append((f"{prefix}{name}", tuple(value) if isinstance(value, list) else value))
    return tuple(entries)


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    if setting.kind is bool:
        return _coerce_bool(raw, origin)
    if setting.kind is int:
        return _coerce_int(setting, raw, origin)
    if setting.kind is float:
        return _coerce_float(setting, raw, origin)
    if not isinstance(raw, str):
        raise ConfigError(f"{origin}: must be text (got {raw!r})")
    if setting.choices:
        upper = raw.strip().upper()
        if upper not in setting.choices:
            raise ConfigError(f"{origin}: must be one of {', '.join(setting.choices)} (got {raw!r})")
        return upper
    return raw.strip()


def _coerce_bool(raw: Any, origin: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{origin}: must be true or false (got {raw!r})")


def _coerce_int(setting: Setting, raw: Any, origin: str) -> int:
    allowed = f"a whole number from {setting.minimum} to {setting.maximum}"
    if isinstance(raw, bool):
        raise ConfigError(f"{origin}: must be {allowed} (got {raw!r})")
    try:
        value = int(str(raw).strip()) if not isinstance(raw, int) else raw
    except ValueError:
        raise ConfigError(f"{origin}: must be {allowed} (got {raw!r})") from None
    if (setting.minimum is not None and value < setting.minimum) or (
        setting.maximum is not None and value > setting.maximum
    ):
        raise ConfigError(f"{origin}: must be {allowed} (got {raw!r})")
    return value


def _coerce_float(setting: Setting, raw: Any, origin: str) -> float:
    allowed = f"a number from {setting.minimum} to {setting.maximum}"
    try:
        value = float(str(raw).strip()) if not isinstance(raw, bool) else float("nan")
    except ValueError:
        raise ConfigError(f"{origin}: must be {allowed} (got {raw!r})") from None
    low = setting.minimum if setting.minimum is not None else float("-inf")
    high = setting.maximum if setting.maximum is not None else float("inf")
    if not low <= value <= high:  # NaN fails this too
        raise ConfigError(f"{origin}: must be {allowed} (got {raw!r})")
    return value


def describe(settings: Settings) -> list[tuple[str, Any]]:
    """(name, value) pairs for `invtui doctor`, with the database password hidden."""
    out: list[tuple[str, Any]] = []
    for f in fields(settings):
        if f.name == "source":
            continue
        value = getattr(settings, f.name)
        if f.name == "database_url" and value:
            value = redact_url(value)
        out.append((f.name, value))
    return out


# The three places libpq reads a password from (https://www.postgresql.org/docs/current/libpq-connect.html):
# a URI's userinfo, a URI query parameter (its name may be percent-encoded), a keyword=value pair
# (its value may be quoted, with backslash escapes).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:@/?#]*):[^\s/?#]+@")
_QUERY_PARAM = re.compile(r"([?&])([^=&#\s]*)=([^&#\s]*)")
_KEYWORD = re.compile(r"(?i)(?<![\w%?&.-])(password\s*=\s*)('(?:\\.|[^'\\])*'?|(?:\\.|[^\s\\])+)")
HIDDEN = "***"


def redact_url(text: str) -> str:
    """`text` with every database password hidden, in every form libpq accepts.

    postgresql://u:pw@h/db, postgresql://u@h/db?sslmode=require&password=pw and
    "host=h password='a b' dbname=x" all come out with *** for the password. Works on a bare URL
    and on any text that embeds one (an error message, a log line), so it is the one function
    every printed or logged URL goes through.
    """
    text = _USERINFO.sub(lambda m: f"{m.group(1)}:{HIDDEN}@", text)
    text = _QUERY_PARAM.sub(_redact_param, text)
    return _KEYWORD.sub(lambda m: m.group(1) + HIDDEN, text)


def _redact_param(match: re.Match[str]) -> str:
    sep, name, value = match.groups()
    if unquote(name).strip().lower() == "password" and value:
        return f"{sep}{name}={HIDDEN}"
    return match.group(0)
