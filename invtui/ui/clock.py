"""The app's notion of "now", so ages and times on screen can be pinned in snapshot tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone


class Clock:
    """Wall-clock time; `Clock.fixed(t)` always answers `t`."""

    def __init__(self, source: Callable[[], datetime] | None = None) -> None:
        self._source = source or (lambda: datetime.now(timezone.utc))

    @classmethod
    def fixed(cls, moment: datetime) -> Clock:
        return cls(lambda: moment)

    def now(self) -> datetime:
        return self._source()

    def local(self, moment: datetime | None) -> str:
        """HH:MM in the box's local time zone, or an em dash."""
        if moment is None:
            return "—"
        return moment.astimezone().strftime("%H:%M")

    def age(self, moment: datetime | None) -> str:
        """How long ago, in the largest sensible unit: 45s, 12m, 3h, 2d."""
        if moment is None:
            return "—"
        seconds = max(0, int((self.now() - moment).total_seconds()))
        for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
            if seconds >= size:
                return f"{seconds // size}{unit}"
        return f"{seconds}s"
