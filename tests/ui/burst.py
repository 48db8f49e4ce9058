"""Keys as a USB scanner sends them: a whole burst in the app's queue before the first is handled.

Pilot's `press` waits for the app to go idle after every key, which is how a person types; a
scanner's code, Tab/Enter and the next code reach the app in one read of the terminal. `burst`
posts every key to the app at once, exactly as the terminal driver does, and then waits.
"""

from __future__ import annotations

import unicodedata

from textual import events
from textual.app import App
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key


def key_event(key: str) -> events.Key:
    """The Key event the driver makes for `key` (same rules as Pilot)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def burst(app: App[object], pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Queue every key on the app in one go (no yielding between them), then let it settle."""
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app.post_message(event)
    await pilot.pause(0.3)
    await pilot.pause()
