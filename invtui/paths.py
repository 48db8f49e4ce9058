"""Where invtui keeps its files: one place to look for "where do logs go"."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import platformdirs

APP_NAME = "invtui"


PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) with the last folder 0700, whatever the umask.

    An existing folder is left as it is (an admin may have chosen its mode; doctor reports it).
    """
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        os.chmod(path, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def data_dir() -> Path:
    """The user data directory (XDG_DATA_HOME respected): the embedded database lives here."""
    return platformdirs.user_data_path(APP_NAME)


def state_dir() -> Path:
    """The user state directory (XDG_STATE_HOME respected): logs live here."""
    return platformdirs.user_state_path(APP_NAME)


def log_dir() -> Path:
    return state_dir() / "log"


def log_file() -> Path:
    return log_dir() / "invtui.log"


def files_dir() -> Path:
    """Default `[files] dir`: one folder per invtui user inside it holds their CSV files."""
    return data_dir() / "files"


def embedded_pgdata() -> Path:
    """PGDATA of the embedded PostgreSQL server shared by every invtui process of this user."""
    return data_dir() / "pgdata"


def user_config_file() -> Path:
    """$XDG_CONFIG_HOME/invtui/config.toml (read via the environment so tests can point it)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_NAME / "config.toml"


def sql_dir() -> Path:
    """The numbered migrations: packaged as invtui/sql in a wheel, sql/ at the repo root in a checkout."""
    packaged = Path(__file__).parent / "sql"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "sql"


# platformdirs warns when XDG_RUNTIME_DIR is unset (common over SSH as root); the embedded server
# falls back to /tmp for its lock file, which is what we want, so the warning is only noise.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
