"""One registry of every key (`registry`), its remaps from the config file (`keymap`), and the
README's key table (`markdown`). Pure: the CLI reads it without loading Textual."""

from invtui.keys.keymap import Keymap, resolve
from invtui.keys.registry import ACTIONS, SCREENS, Action, actions_for

__all__ = ["ACTIONS", "SCREENS", "Action", "Keymap", "actions_for", "resolve"]
