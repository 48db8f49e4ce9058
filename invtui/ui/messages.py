"""Messages the app posts to its screens (attributes down, messages up)."""

from __future__ import annotations

from textual.message import Message


class EventArrived(Message):
    """A committed change somebody made (from the LISTEN connection), for screens to refresh."""

    bubble = False  # the app re-posts it to the screen; it must not come back up

    def __init__(self, event: object) -> None:
        super().__init__()
        self.event = event


class Resynced(Message):
    """The database connection came back: reload everything, events may have been missed."""

    bubble = False


class LoggedIn(Message):
    """The operator is signed in; screens may load their data."""
