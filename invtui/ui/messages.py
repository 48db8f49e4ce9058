"""Messages the app posts to its screens (attributes down, messages up)."""

from __future__ import annotations

from textual.message import Message


# bubble=False as a class argument: Message.__init_subclass__ sets `bubble` from it and would
# overwrite an attribute set in the class body.
class EventArrived(Message, bubble=False):
    """A committed change somebody made (from the LISTEN connection), for screens to refresh.

    The app re-posts it to the screen; it must not come back up, or the app would toast it again
    and re-post it for ever."""

    def __init__(self, event: object) -> None:
        super().__init__()
        self.event = event


class EventsQueued(Message, bubble=False):
    """The listener queued events in the app's inbox (ui/inbox.py): take them all."""


class Resynced(Message, bubble=False):
    """The database connection came back: reload everything, events may have been missed."""


class LoggedIn(Message):
    """The operator is signed in; screens may load their data."""
