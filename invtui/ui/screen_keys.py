"""The keys a screen answers to, each once: what `?` help and the command palette list."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.screen import Screen


class ScreenKeys:
    """Mixin for the app: `screen_keys(screen)`, made from the screen's active bindings."""

    def screen_keys(self, screen: Screen[Any]) -> list[tuple[str, str, Any, str]]:
        """(keys, full name, node, action) of every action a key reaches on `screen`, each once.

        Keys of one action share a row ("← h ↑  Prev bar"). Textual's own widgets bring cursor
        keys everyone knows and are left out, except Enter, which says what it does on this
        screen (`ENTER_HELP`: "Open the PO").
        """
        rows: dict[tuple[int, str], list[Any]] = {}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            action = binding.action.split(".")[-1]
            if key == "enter" and _textual_keys(active.node):
                enter_help = getattr(screen, "ENTER_HELP", "")
                if enter_help:
                    rows[(id(screen), "enter")] = ["⏎", enter_help, screen, ""]
                continue
            generic = action in ("focus_next", "focus_previous", "copy_text")
            if _textual_keys(active.node) or generic or not binding.description:
                continue
            group = (id(active.node), binding.action)
            if group in rows:
                rows[group][0] += " " + self.get_key_display(binding)
            else:
                rows[group] = [self.get_key_display(binding), _full_name(binding), active.node, binding.action]
        return [tuple(row) for row in rows.values()]  # type: ignore[misc]


def _textual_keys(node: object) -> bool:
    """The node's keys are Textual's own: a Textual widget, or one of ours that adds none (PagedTable)."""
    owner = next((cls for cls in type(node).__mro__ if "BINDINGS" in cls.__dict__), type(node))
    return owner.__module__.startswith("textual.")


def _full_name(binding: Binding) -> str:
    """A footer label may be short ("Xfer") to fit 80 columns; help and palette say it in full."""
    return binding.tooltip or binding.description
