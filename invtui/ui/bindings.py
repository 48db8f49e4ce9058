"""Textual bindings made from the key registry (invtui/keys/registry.py): `BINDINGS = bindings_for("alerts")`.

Each binding carries its action id as Textual's binding id, so the config file's `[keys]`
remaps reach it through `App.set_keymap` (the app applies them at start-up).
"""

from __future__ import annotations

from textual.binding import Binding

from invtui.keys.registry import actions_for


def bindings_for(screen: str) -> list[Binding]:
    """The bindings of `screen` in footer order (keys a Textual widget handles are left out)."""
    return [
        Binding(a.keys, a.action, a.label, show=a.show, key_display=a.key_display, priority=a.priority,
                tooltip=a.full_name if a.full_name != a.label else "", id=a.id)
        for a in actions_for(screen) if a.bound
    ]


def enter_help(screen: str) -> str:
    """What Enter does on `screen` when a Textual widget (the list) handles it, for `?`."""
    for action in actions_for(screen):
        if "enter" in action.key_list:
            return action.full_name
    return ""

