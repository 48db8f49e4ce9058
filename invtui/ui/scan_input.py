"""What scan mode and a count share: entries typed or scanned, worked through one at a time, in order.

A USB scanner types a code and Enter in a few milliseconds, often several codes in one read of the
terminal, while each entry is looked up or saved in a worker. `TypedEntries` queues every entry as
it is submitted and hands them to the screen one by one; while the screen `hold()`s (a lookup, a
save, a commit or a review on its way) the ones behind it wait, and `release()` goes on with the
next. So a quantity typed right after a code applies to that code's line, however fast it came.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from textual.widgets import Input

# A scanner types 8 to 14 digits for an EAN/UPC; a person typing a quantity types a few.
QUANTITY = re.compile(r"^\d{1,7}$")

E = TypeVar("E")  # an entry: the text typed, or a screen's own marker (a count's "leave")


def is_quantity(entry: str) -> bool:
    """A number a person typed (a quantity for the selected line), not a scanned code."""
    return bool(QUANTITY.match(entry))


class TypedEntries(Generic[E]):
    """A queue of entries, handed to `handle` in the order they came, one at a time.

    `handle` runs an entry; if it starts work that ends later (a worker), it calls `hold()` first
    and `release()` when the work is done, failed or not.
    """

    def __init__(self, handle: Callable[[E], None]) -> None:
        self._handle = handle
        self._waiting: deque[E] = deque()
        self._held = False

    @property
    def busy(self) -> bool:
        """An entry's work (or the screen's own, such as a reload) is on its way."""
        return self._held

    @property
    def settled(self) -> bool:
        """Nothing waiting and nothing on its way."""
        return not self._held and not self._waiting

    def submitted(self, event: Input.Submitted) -> None:
        """An Enter in the field: its text (stripped) joins the queue and the field is emptied."""
        event.stop()
        text = event.value.strip()
        event.input.value = ""
        self.put(text)  # type: ignore[arg-type]

    def put(self, entry: E) -> None:
        self._waiting.append(entry)
        self._work()

    def hold(self) -> None:
        """Entries wait until `release()`."""
        self._held = True

    def release(self) -> None:
        """The work in hand is over: go on with the next entry."""
        self._held = False
        self._work()

    def _work(self) -> None:
        while self._waiting and not self._held:
            self._handle(self._waiting.popleft())
