"""`invtui worker --print-systemd-unit`: a unit an admin can save as is on the warehouse box."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from invtui.cli.sweep import systemd_unit
from invtui.config import Settings


def unit(settings: Settings = Settings(), env: dict[str, str] | None = None) -> dict[str, list[str]]:
    text = systemd_unit(settings, Path("/opt/invtui/.venv/bin/invtui"), "wms", env or {})
    keys: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys.setdefault(key, []).append(value)
    return keys


def test_the_unit_runs_this_installs_worker_as_the_user_and_restarts_on_failure() -> None:
    keys = unit()
    assert keys["ExecStart"] == ["/opt/invtui/.venv/bin/invtui worker"]
    assert keys["User"] == ["wms"] and keys["Restart"] == ["on-failure"]
    assert keys["WantedBy"] == ["multi-user.target"]


def test_the_unit_names_the_config_file_in_use(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    keys = unit(Settings(source=config))
    assert keys["ExecStart"] == [f"/opt/invtui/.venv/bin/invtui --config {config} worker"]


def test_settings_from_the_environment_travel_but_a_password_never_does() -> None:
    text = systemd_unit(Settings(), Path("/x/invtui"), "wms",
                        {"CHECK_INTERVAL_SECONDS": "30", "DATABASE_URL": "postgresql://inv:s3cret@db1/inv",
                         "HOME": "/root"})
    assert 'Environment="CHECK_INTERVAL_SECONDS=30"' in text
    assert "s3cret" not in text and "postgresql://inv:***@db1/inv" in text
    assert "HOME" not in text


def test_a_socket_url_survives_systemds_percent_specifiers() -> None:
    keys = unit(env={"INVTUI_DATABASE_URL": "postgresql://u@/inv?host=%2Ftmp"})
    assert keys["Environment"] == ['"INVTUI_DATABASE_URL=postgresql://u@/inv?host=%%2Ftmp"']


def test_the_unit_says_where_the_log_is(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("worker", "--print-systemd-unit")
    assert result.code == 0, result.stderr
    assert "[Service]" in result.stdout and "invtui.log (rotated at 10 MB, 5 kept)" in result.stdout
    exec_start = next(line for line in result.stdout.splitlines() if line.startswith("ExecStart="))
    assert exec_start.split("=", 1)[1].split()[0].endswith("/invtui") and exec_start.endswith(" worker")
    assert Path(exec_start.split("=", 1)[1].split()[0]).is_absolute()



def test_the_worker_runs_as_the_owner_of_the_config_whoever_prints_the_unit(invtui, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """On a box the config belongs to the service account and root prints the unit: never User=root."""
    config = tmp_path / "config.toml"
    config.write_text("[sweep]\ncheck_interval_seconds = 30\n")
    if os.geteuid() == 0:
        os.chown(config, pwd.getpwnam("nobody").pw_uid, -1)  # stands in for the service account
    result = invtui("--config", str(config), "worker", "--print-systemd-unit")
    assert result.code == 0, result.stderr
    owner = config.owner()
    assert owner != "root" and f"\nUser={owner}\n" in result.stdout


def test_the_service_account_can_be_named(invtui) -> None:  # type: ignore[no-untyped-def]
    result = invtui("worker", "--print-systemd-unit", "--service-account", "invtui")
    assert result.code == 0, result.stderr
    assert "\nUser=invtui\n" in result.stdout and "User=root" not in result.stdout
