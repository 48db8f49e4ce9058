"""`invtui doctor`: a fresh database, and the audit of a shared box's setup (issue 13 item 8, issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from invtui.db.engine import Database
from invtui.services import doctor
from tests.conftest import run_invtui

TRACEBACK = "Traceback"


def test_doctor_on_a_database_without_schema_says_to_upgrade_and_fails(empty_db: Database,
                                                                        cli_env: dict[str, str]) -> None:
    env = {**cli_env, "INVTUI_DATABASE_URL": empty_db.url.render_as_string(hide_password=False)}
    result = run_invtui(["doctor"], env)
    assert result.code == 1
    assert TRACEBACK not in result.stdout + result.stderr and "UndefinedTable" not in result.stdout + result.stderr
    assert "database has no schema" in result.stdout and "invtui db upgrade" in result.stdout
    [fail] = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]  # one cause, one line
    assert "migrations" in fail and "database has no schema" in fail
    assert "OK   database reachable" in result.stdout
    # after the advice is followed, doctor is clean
    assert run_invtui(["db", "upgrade"], env).code == 0
    again = run_invtui(["doctor"], env)
    assert again.code == 0 and "FAIL" not in again.stdout, again.stdout


def _secret_file(path: Path, mode: int, text: str = '[database]\nurl = "postgresql://invtui:S3cret@db/invtui"\n') -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_config_with_a_password_that_others_can_read_is_a_warning(tmp_path: Path, mode: int) -> None:
    check = doctor.secret_file_check("config file", _secret_file(tmp_path / "config.toml", mode))
    assert check is not None and check.warning
    assert "readable by others" in check.detail and f"mode {mode:o}" in check.detail
    assert "S3cret" not in check.detail + check.hint


@pytest.mark.parametrize("text", [
    '[database]\nurl = "postgresql://invtui:S3cret@db/invtui"\n',
    "INVTUI_DATABASE_URL=postgresql://invtui@db/invtui?password=S3cret\n",
    "DATABASE_URL='host=db password=S3cret dbname=invtui'\n",
])
def test_every_password_form_in_a_readable_environment_file_is_found(tmp_path: Path, text: str) -> None:
    check = doctor.secret_file_check("environment file", _secret_file(tmp_path / "invtui.env", 0o644, text))
    assert check is not None and check.warning


def test_a_private_config_or_one_without_a_password_is_fine(tmp_path: Path) -> None:
    private = doctor.secret_file_check("config file", _secret_file(tmp_path / "a.toml", 0o600))
    no_secret = doctor.secret_file_check("config file", _secret_file(tmp_path / "b.toml", 0o644,
                                                                     '[database]\nurl = "postgresql://invtui@db/x"\n'))
    sample = doctor.secret_file_check("config file", _secret_file(
        tmp_path / "c.toml", 0o644, '[database]\n# url = "postgresql://invtui:secret@db/invtui"\nurl = ""\n'))
    assert private is not None and not private.warning and "owner only" in private.detail
    assert no_secret is not None and not no_secret.warning
    assert sample is not None and not sample.warning  # a commented-out example is no secret


def test_an_account_that_can_write_its_own_code_is_warned(tmp_path: Path) -> None:
    service, group = 4242, 4343  # a service account that owns nothing here (the files are this test's)
    code = tmp_path / "opt" / "invtui"
    code.mkdir(parents=True)
    exe = code / "invtui"
    exe.write_text("#!/bin/sh\n")
    code.chmod(0o755)
    exe.chmod(0o755)
    installed_by_root = doctor.code_check([code, exe], on_box=True, uid=service, gids={group})
    assert not installed_by_root.warning and "cannot write" in installed_by_root.detail
    exe.chmod(0o757)  # anyone may write the executable
    world = doctor.code_check([code, exe], on_box=True, uid=service, gids={group})
    assert world.warning and str(exe) in world.detail and str(code) not in world.detail.replace(str(exe), "")
    exe.chmod(0o755)
    group_of_code = code.stat().st_gid
    code.chmod(0o775)  # the service account's group may write the package folder
    by_group = doctor.code_check([code, exe], on_box=True, uid=service, gids={group_of_code})
    assert by_group.warning and str(code) in by_group.detail
    code.chmod(0o755)
    owner = code.stat().st_uid  # the account owning the code may write it, mode 755 or not
    owned = doctor.code_check([code, exe], on_box=True, uid=owner if owner else service, gids=set()) \
        if owner else None
    if owner == 0:  # run as root here: give the code to the pretend service account, as a careless install would
        os.chown(code, service, -1)
        owned = doctor.code_check([code, exe], on_box=True, uid=service, gids=set())
    assert owned is not None and owned.warning and str(code) in owned.detail
    assert not doctor.code_check([code, exe], on_box=False, uid=service, gids={group}).warning
    root = doctor.code_check([code, exe], on_box=True, uid=0, gids=set())
    assert not root.warning and "run doctor as the service account" in root.detail


def test_logs_or_dumps_readable_by_others_are_warned(tmp_path: Path) -> None:
    logs = tmp_path / "log"
    logs.mkdir(mode=0o700)
    logs.chmod(0o700)
    (logs / "invtui.log").write_text("x")
    (logs / "invtui.log").chmod(0o600)
    (logs / "invtui.log.1").write_text("x")
    (logs / "invtui.log.1").chmod(0o600)
    assert not doctor.private_files_check("log files", logs, "invtui.log*").warning
    (logs / "invtui.log.1").chmod(0o644)
    check = doctor.private_files_check("log files", logs, "invtui.log*")
    assert check.warning and "invtui.log.1 (mode 644)" in check.detail and "chmod 600" in check.hint
    (logs / "invtui.log.1").chmod(0o600)
    logs.chmod(0o755)
    check = doctor.private_files_check("log files", logs, "invtui.log*")
    assert check.warning and "mode 755" in check.detail and "chmod 700" in check.hint
    dumps = tmp_path / "backups"
    dumps.mkdir()
    dumps.chmod(0o700)
    (dumps / "invtui-Mon.dump").write_text("x")
    (dumps / "invtui-Mon.dump").chmod(0o640)
    assert doctor.private_files_check("backups", dumps, "*.dump*").warning


def test_doctor_on_a_box_prints_the_warnings_one_line_each(invtui, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = invtui("db", "url").stdout.strip()
    assert "***" not in url  # the test server needs no password; put one in the config as a box would
    config = _secret_file(tmp_path / "config.toml", 0o644,
                          f'[database]\nurl = "{url.replace("postgres@", "postgres:S3cret@")}"\n'
                          f'[backup]\ndir = "{tmp_path / "backups"}"\n')
    (tmp_path / "backups").mkdir(mode=0o755)
    (tmp_path / "backups").chmod(0o755)
    result = invtui("--config", str(config), "doctor", env={"INVTUI_DATABASE_URL": ""})
    assert result.code == 0, result.stdout  # warnings do not fail doctor
    warnings = [line for line in result.stdout.splitlines() if line.startswith("WARN")]
    assert any("config file" in w and "readable by others" in w for w in warnings), result.stdout
    assert any("backups" in w and "mode 755" in w for w in warnings), result.stdout
    assert "S3cret" not in result.stdout + result.stderr
