"""A once-a-second poll that sleeps while there is nothing to poll for (issue 15: idle < 0.2 % CPU).

`set_interval(1.0, check)` wakes the event loop every second for every list, screen and badge
that might have gone stale, which is most of what an idle signed-in app spends. A `StaleTick`
runs its check at the same moments (whole seconds from its start) but only once poked: the
first change is seen as soon as before, changes are still taken at most once a second, however
many arrive, and an idle app does not wake at all.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer


class StaleTick:
    """Calls `check` on the next whole second after `poke`; again while `check` returns True."""

    def __init__(self, owner: MessagePump, check: Callable[[], bool | None], interval: float = 1.0) -> None:
        self._owner = owner
        self._check = check
        self._interval = interval
        self._start = time.monotonic()
        self._timer: Timer | None = None

    def poke(self) -> None:
        """Something may need doing: check at the next tick (once, however many pokes)."""
        if self._timer is not None or not self._owner.is_running:
            return
        now = time.monotonic()
        ticks = math.floor((now - self._start) / self._interval) + 1
        self._timer = self._owner.set_timer(self._start + ticks * self._interval - now, self._fire)

    def _fire(self) -> None:
        self._timer = None
        if self._check():  # not done yet (a load on its way): look again next second
            self.poke()
