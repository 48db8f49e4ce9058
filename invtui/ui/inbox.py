"""Events from the listener thread to the app's event loop, one wake-up per burst, not one per event.

On a busy site a hundred events a second reach every app. Handing each over as its own message
costs a loop wake-up and a dispatch per event, and a 2-core box shared by many apps then runs
seconds behind (measured). The listener thread queues events here and wakes the loop only if it
is not already due to look; the loop takes everything queued at once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from invtui.domain.events import Event


class EventInbox:
    """`put` from any thread; `wake` (posted to the loop) runs at most once per batch; `take` drains."""

    def __init__(self, wake: Callable[[], object]) -> None:
        self._wake = wake
        self._events: deque[Event] = deque()
        self._lock = threading.Lock()
        self._due = False

    def put(self, event: Event) -> None:
        with self._lock:
            self._events.append(event)
            if self._due:
                return
            self._due = True
        self._wake()

    def take(self) -> list[Event]:
        with self._lock:
            events = list(self._events)
            self._events.clear()
            self._due = False
        return events
