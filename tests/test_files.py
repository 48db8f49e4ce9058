"""The user's file folder: bare names only, nothing outside it, no link followed (issue 13, item 3)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from invtui.config import load_settings
from invtui.domain.roles import Actor
from invtui.errors import NotFound, ValidationError
from invtui.services import csv_export, csv_import
from invtui.services.files import NAME_RULE, FileExists, UserFolder, check_name
from sqlmodel import Session

from invtui.db.engine import Database


@pytest.mark.parametrize("name", ["../x.csv", "..", "/etc/passwd", ".bashrc", ".profile", "a/b.csv", "a\\b.csv",
                                  "x\0.csv", "x\n.csv", "x\x1b.csv", "x\u202e.csv", "a..b.csv", "", "   ",
                                  "y" * 101])
def test_anything_but_a_bare_file_name_is_refused_in_one_sentence(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_name(name)
    assert refused.value.message == NAME_RULE


@pytest.mark.parametrize("name", ["stock.csv", "Counts 2026-12-01.csv", "é-export.csv", "y" * 100])
def test_a_bare_file_name_is_accepted(name: str) -> None:
    assert check_name(f" {name} ") == name


def test_files_dir_comes_from_the_config_file_only(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[files]\ndir = "{tmp_path / "box-files"}"\n')
    assert load_settings(config, env={}).files_path == tmp_path / "box-files"
    # an operator's environment cannot point the app's files at their home
    assert load_settings(config, env={"INVTUI_FILES_DIR": "/home/maria"}).files_path == tmp_path / "box-files"
    default = load_settings(None, env={"XDG_CONFIG_HOME": str(tmp_path / "none"), "XDG_DATA_HOME": str(tmp_path)})
    assert default.files_path.name == "files"


def test_each_user_has_a_private_folder_and_files_are_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = UserFolder(tmp_path / "files", "maria")
        with folder.open_write("a.csv") as out:
            out.write(b"x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "files").stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder.path / "a.csv").stat().st_mode) == 0o600
    assert UserFolder(tmp_path / "files", "joe").names() == []  # another user sees nothing of maria's


def test_a_taken_name_is_kept_unless_replacing_is_asked_for(tmp_path: Path) -> None:
    folder = UserFolder(tmp_path, "maria")
    with folder.open_write("a.csv") as out:
        out.write(b"first\n")
    with pytest.raises(FileExists):
        with folder.open_write("a.csv") as out:
            out.write(b"second\n")
    assert (folder.path / "a.csv").read_bytes() == b"first\n"
    with folder.open_write("a.csv", replace=True) as out:
        out.write(b"second\n")
    assert (folder.path / "a.csv").read_bytes() == b"second\n"
    assert sorted(os.listdir(folder.path)) == ["a.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    folder = UserFolder(tmp_path, "maria")
    with folder.open_write("a.csv") as out:
        out.write(b"first\n")
    with pytest.raises(RuntimeError):
        with folder.open_write("a.csv", replace=True) as out:
            out.write(b"half")
            raise RuntimeError("the database went away")
    assert os.listdir(folder.path) == ["a.csv"] and (folder.path / "a.csv").read_bytes() == b"first\n"


def test_links_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret line\n")
    folder = UserFolder(tmp_path / "files", "maria")
    folder.path.parent.mkdir()
    folder.path.mkdir()
    (folder.path / "out.csv").symlink_to(outside)
    (folder.path / "dangling.csv").symlink_to(tmp_path / "not-yet.txt")
    for name in ("out.csv", "dangling.csv"):
        with pytest.raises(ValidationError, match="not a plain file"):
            with folder.open_write(name, replace=True) as out:
                out.write(b"owned\n")
        with pytest.raises(ValidationError, match="not a plain file") as refused:
            folder.open_read(name)
        assert "secret" not in refused.value.message
    assert outside.read_text() == "secret line\n" and not (tmp_path / "not-yet.txt").exists()
    assert folder.names() == []  # links are not offered for import


def test_a_users_folder_replaced_by_a_link_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "home-of-maria"
    elsewhere.mkdir()
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "maria").symlink_to(elsewhere)
    with pytest.raises(ValidationError, match="cannot be opened"):
        with UserFolder(tmp_path / "files", "maria").open_write("x.csv") as out:
            out.write(b"x")
    assert os.listdir(elsewhere) == []


def test_a_fifo_is_refused_at_once_instead_of_hanging(tmp_path: Path) -> None:
    folder = UserFolder(tmp_path, "maria")
    folder.names()  # creates the folder
    os.mkfifo(folder.path / "pipe.csv")
    with pytest.raises(ValidationError, match="not a plain file"):
        folder.open_read("pipe.csv")


def test_reading_a_missing_name_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="No file 'x.csv' in your folder"):
        UserFolder(tmp_path, "maria").open_read("x.csv")


def test_export_and_import_through_the_folder(db: Database, manager: Actor, tmp_path: Path) -> None:
    folder = UserFolder(tmp_path, manager.username)
    with Session(db.engine) as session:
        rows = csv_export.export_to_folder(session, manager, "products", folder, "p.csv")
    with Session(db.engine) as session:
        report = csv_import.import_from_folder(session, manager, "products", folder, "p.csv", dry_run=True)
    assert report.source == "p.csv" and report.dry_run
    assert (folder.path / "p.csv").read_text().count("\n") == rows + 1
    with Session(db.engine) as session, pytest.raises(ValidationError):
        csv_import.import_from_folder(session, manager, "products", folder, "../p.csv")
