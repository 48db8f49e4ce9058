"""The app's files: one private folder per invtui user, bare file names, no way out of it.

Inside the app (a terminal under ForceCommand, or a browser tab) an operator must not reach any
file the service account can: not a shell start-up file to write, not an environment file to
read back through an import's error message. So the app's import and export name a file, never
a path: it lives in `[files] dir`/USERNAME/ (created 0700), the name is refused if it could mean
anything else, no symbolic link is ever followed (a link planted in the folder is refused, never
written through), and a file is replaced only when the caller says so (the app asks first).
The CLI, run by someone who already has a shell, keeps full paths and does not use this module.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from invtui import paths
from invtui.domain import validation
from invtui.errors import ConflictError, NotFound, ValidationError

MAX_NAME_LENGTH = 100
NAME_RULE = ("Give a plain file name such as stock.csv: no folder, no '..', no leading dot, "
             f"no control characters, at most {MAX_NAME_LENGTH} characters.")
FILE_MODE = 0o600


class FileExists(ConflictError):
    """The name is taken in the folder; the caller may ask and then replace it."""


def name_problem(name: str) -> str | None:
    """Why `name` is not a bare file name (the one sentence), or None when it is fine."""
    if (not name or name != name.strip() or len(name) > MAX_NAME_LENGTH or name.startswith(".")
            or "/" in name or "\\" in name or ".." in name
            or any(unicodedata.category(ch).startswith("C") for ch in name)):  # NUL, controls, bidi overrides
        return NAME_RULE
    return None


def check_name(name: str) -> str:
    """`name` without surrounding blanks if it is a bare file name; ValidationError (one sentence) otherwise."""
    clean = (name or "").strip()
    problem = name_problem(clean)
    if problem:
        raise ValidationError(problem)
    return clean


@dataclass(frozen=True)
class UserFolder:
    """The folder of one invtui user under `[files] dir`; every access goes through its file descriptor."""

    root: Path
    username: str

    @property
    def path(self) -> Path:
        return self.root / validation.username(self.username)

    def _open_dir(self) -> int:
        """The folder (created 0700 with its parent) opened without following a link in its place."""
        paths.private_dir(self.root)
        folder = self.path
        try:
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700, follow_symlinks=False)
        except FileExistsError:
            pass
        try:
            return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            raise ValidationError(f"Your file folder {folder} cannot be opened ({exc.strerror})") from None

    def names(self) -> list[str]:
        """The plain files in the folder that an import could read, by name."""
        fd = self._open_dir()
        try:
            return sorted(n for n in os.listdir(fd) if name_problem(n) is None
                          and stat.S_ISREG(os.stat(n, dir_fd=fd, follow_symlinks=False).st_mode))
        finally:
            os.close(fd)

    def exists(self, name: str) -> bool:
        """Whether `name` is taken (by anything: a file, a folder, a link)."""
        name = check_name(name)
        fd = self._open_dir()
        try:
            os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        finally:
            os.close(fd)
        return True

    def open_read(self, name: str) -> BinaryIO:
        """The plain file `name` of the folder, opened for reading; a link or anything else is refused."""
        name = check_name(name)
        fd = self._open_dir()
        try:
            try:
                file_fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=fd)
            except FileNotFoundError:
                raise NotFound(f"No file {name!r} in your folder") from None
            except OSError as exc:
                raise ValidationError(f"{name} in your folder is not a plain file; it cannot be read"
                                      if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EISDIR) else f"Cannot read {name}: {exc.strerror}") from None
        finally:
            os.close(fd)
        if not stat.S_ISREG(os.fstat(file_fd).st_mode):
            os.close(file_fd)
            raise ValidationError(f"{name} in your folder is not a plain file; it cannot be read")
        os.set_blocking(file_fd, True)
        return os.fdopen(file_fd, "rb")

    @contextmanager
    def open_write(self, name: str, *, replace: bool = False) -> Iterator[BinaryIO]:
        """A 0600 file that appears as `name` complete or not at all when the block ends without error.

        Written under a hidden temporary name, then linked in (refused with FileExists when the
        name is taken) or, with `replace`, renamed over an existing plain file. A link or a
        folder in the name's place is never replaced and never written through.
        """
        name = check_name(name)
        fd = self._open_dir()
        partial = f".{name}.{os.getpid()}.partial"
        try:
            out_fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                             FILE_MODE, dir_fd=fd)
            os.fchmod(out_fd, FILE_MODE)
            with os.fdopen(out_fd, "wb") as out:
                yield out
            self._publish(fd, partial, name, replace)
        finally:
            try:
                os.unlink(partial, dir_fd=fd)
            except FileNotFoundError:
                pass
            os.close(fd)

    @staticmethod
    def _publish(fd: int, partial: str, name: str, replace: bool) -> None:
        try:
            current = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            current = None
        if current is not None and not stat.S_ISREG(current.st_mode):
            raise ValidationError(f"{name} in your folder is not a plain file; it was left as it is")
        if current is not None and not replace:
            raise FileExists(f"{name} already exists in your folder")
        if replace:
            os.replace(partial, name, src_dir_fd=fd, dst_dir_fd=fd)  # renames over the name itself, never a link's target
            return
        try:
            os.link(partial, name, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)  # fails if taken meanwhile
        except FileExistsError:
            raise FileExists(f"{name} already exists in your folder") from None

