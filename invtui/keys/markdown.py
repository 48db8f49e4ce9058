"""The README's key table, made from the registry (`invtui keys --markdown`; a test compares)."""

from __future__ import annotations

from invtui.keys.keymap import key_character
from invtui.keys.registry import ACTIONS, SCREENS, Action

ARROWS = {"up": "↑", "down": "↓", "left": "←", "right": "→"}
BEGIN = "<!-- keys:begin (made by `invtui keys --markdown` from invtui/keys/registry.py; a test compares) -->"
END = "<!-- keys:end -->"


def key_label(key: str) -> str:
    """How the README writes a Textual key name: "question_mark" → "?", "f2" → "F2", "escape" → "Escape"."""
    if key in ARROWS:
        return ARROWS[key]
    char = key_character(key)
    if char is not None and key != "space":
        return char
    if "+" in key:
        return key
    return key.upper() if key.startswith("f") and key[1:].isdigit() else key.capitalize()


def what(action: Action) -> str:
    text = action.doc or action.full_name
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def who(action: Action) -> str:
    """The least role an action needs ("manager+"), empty when everyone may."""
    return f"{action.permission.least_role.value}+" if action.permission else ""


def markdown_table(actions: tuple[Action, ...] = ACTIONS) -> str:
    """Every key, one row per action, in registry order, between the README's markers."""
    lines = [BEGIN, "| key | where | what | who |", "|---|---|---|---|"]
    for action in actions:
        keys = " ".join(f"`{key_label(k)}`" for k in action.key_list)
        lines.append(f"| {keys} | {SCREENS[action.screen].title} | {what(action)} | {who(action)} |")
    lines.append(END)
    return "\n".join(lines)


def readme_table(readme: str) -> str:
    """The generated block of a README text (markers included), or "" when it has none."""
    start, end = readme.find(BEGIN), readme.find(END)
    return readme[start:end + len(END)] if start >= 0 and end > start else ""
