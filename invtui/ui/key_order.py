"""Keys are handled one after the other, all the way, even when a scanner sends them in a burst.

A USB scanner types a whole code plus Tab or Enter in a few milliseconds, so the terminal hands
the app every key at once. Textual forwards each key to the focused widget as soon as the app
reads it, but Tab and Enter are bindings that run only when the key has bubbled back up to the
app: by then the next field's characters were already forwarded to the old field
("NEW-0001Test Widget Blue"). The same happens with focus moves done by a handler of the
message a key caused (Enter → Submitted → the form focuses another field or closes).

`OrderedKeys` holds every key that arrives while an earlier one is still travelling. A key is
done when the widget it was sent to consumed it (typing), when the app's bindings moved the
focus (Tab), or else once the messages it caused have been handled along the focused widget's
path up to its screen (Enter). Only then is the next key let through, so a burst lands exactly
as if typed slowly. The printable characters of one code typed into an input go through
together: an input takes every printable key itself, in order.

A key whose widget goes away under it (a screen closed mid-burst) releases the next one, and a
last-resort limit keeps a bug here from ever freezing the keyboard.
"""

from __future__ import annotations

import time
from collections import deque

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

CHECK_EVERY = 0.5  # seconds between checks for a key whose widget went away
GIVE_UP_AFTER = 5.0  # a key still travelling after this long lets the next one go regardless


class OrderedKeys(App[object]):  # type: ignore[misc]
    """Mixin for the app: see the module docstring. Put it before `App` in the bases."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._key_in_flight: events.Key | None = None
        self._key_sent_at = 0.0
        self._key_at: MessagePump | None = None  # where the key in flight is waiting
        self._focus_before: object = None
        self._keys_held: deque[events.Key] = deque()
        self._key_watchdog: Timer | None = None

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
            return
        if not event.is_forwarded:  # straight from the terminal
            if self._key_in_flight is not None or self._keys_held:
                self._keys_held.append(event)
                self._arm_watchdog()
                return
            await self._send_key(event)
            return
        await super().on_event(event)  # bubbled back up: the app's own bindings run now
        if event is self._key_in_flight:
            self._settle(event)

    async def _send_key(self, event: events.Key) -> None:
        while True:
            self._key_in_flight = event
            self._key_sent_at = time.monotonic()
            self._focus_before = self.focused
            target: MessagePump = self.focused or self.screen
            self._key_at = target
            await super().on_event(event)  # priority bindings, else forwarded to `target`
            if event is not self._key_in_flight:
                return
            if not event.is_forwarded:
                self._settle(event)
                return
            if (isinstance(target, Input) and event.is_printable and self._keys_held
                    and self._keys_held[0].is_printable and self.focused is target):
                event = self._keys_held.popleft()
                continue
            if not target.call_later(self._key_step, event, target, True):
                self._settle(event)
            return

    def _key_step(self, event: events.Key, node: MessagePump, at_target: bool) -> None:
        """`node` has handled `event`: follow it up to where it is consumed or reaches the app."""
        if event is not self._key_in_flight:
            return
        parent = node._parent
        if parent is self:
            self._key_at = self  # the app handles the bubbled key in `on_event`, then settles
            return
        bubbled = (parent is not None and not event._stop_propagation
                   and node.is_parent_active and node.is_attached)
        if bubbled and parent is not None and parent.call_later(self._key_step, event, parent, False):
            self._key_at = parent
            return
        if at_target:  # typed into the focused widget: nothing else can have moved the focus
            self.call_later(self._release, event)
        else:
            self._settle(event)

    def _settle(self, event: events.Key) -> None:
        """Let what the key caused be handled along the focused path, then release the next key."""
        if self.focused is not None and self.focused is not self._focus_before:
            self.call_later(self._release, event)  # Tab: the key's whole effect was this focus move
            return
        self._drain_step(event, None)

    def _drain_step(self, event: events.Key, node: MessagePump | None) -> None:
        """Walk the focused widget's path up to its screen, each after its queued messages."""
        if event is not self._key_in_flight:
            return
        if node is None:
            up: MessagePump | None = self.focused or self.screen
        elif isinstance(node, Screen):
            up = None
        else:
            up = node._parent
        if up is None or up is self or not up.call_later(self._drain_step, event, up):
            self.call_later(self._release, event)
        else:
            self._key_at = up

    async def _release(self, event: events.Key | None) -> None:
        """The key in flight is done (or lost): send the next held key."""
        if event is not None and event is not self._key_in_flight:
            return
        self._key_in_flight = None
        self._key_at = None
        if self._keys_held:
            await self._send_key(self._keys_held.popleft())

    def _arm_watchdog(self) -> None:
        if self._key_watchdog is None:
            self._key_watchdog = self.set_timer(CHECK_EVERY, self._watchdog)

    async def _watchdog(self) -> None:
        """Release a key whose widget went away (its journey can never end), or one far too slow."""
        self._key_watchdog = None
        event, node = self._key_in_flight, self._key_at
        if event is not None:
            gone = node is not None and node is not self and (
                node._closing or node._closed or not node.is_attached)
            if gone or time.monotonic() - self._key_sent_at >= GIVE_UP_AFTER:
                await self._release(event)
        elif self._keys_held:
            await self._release(None)
        if self._key_in_flight is not None or self._keys_held:
            self._arm_watchdog()
