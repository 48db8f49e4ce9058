"""How long-running commands (`worker`, `events --follow`) stop: Ctrl-C or SIGTERM, cleanly."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

log = logging.getLogger(__name__)


def stop_on_signals() -> threading.Event:
    """An event set by the first SIGINT or SIGTERM; the command's loop polls it and winds down.

    The handlers are installed explicitly: a process started in the background by a script
    inherits SIGINT ignored, and Python then leaves Ctrl-C ignored too; SIGTERM (systemd, kill)
    would otherwise end the process without its clean-up."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stop
