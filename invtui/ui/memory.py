"""Keeping the collector off what start-up made (issue 15)."""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> None:
    """Leave what start-up made (modules, classes, styles: ~120,000 objects, as long-lived as the
    process) out of the collector's full passes, each of which cost ~40-80 ms of CPU on the event
    loop, one of them mostly inside the first `3` (issue 15). Once a process: a test run signs in
    many apps, whose leftovers a later freeze would keep for good."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
