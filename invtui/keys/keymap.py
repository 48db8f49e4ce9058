"""The config file's `[keys]` table: each remap checked against the registry, kept or refused alone.

`[keys]` maps an action id to one key or several (`"k"`, `"k,ctrl+k"` or `["k", "ctrl+k"]`);
dotted ids may be written as TOML tables (`[keys.alerts]` then `acknowledge = "k"`). A remap
naming no action, a key that is not a key, a printable key on a screen where a text field
always has the focus, or a key that would clash with another action on any screen is refused;
the app still starts, with the default keys for the refused ones, and says so in one message.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from invtui.keys.registry import ACTIONS, SCREENS, Action

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
NAMED_KEYS = frozenset({"escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end",
                        "pageup", "pagedown", "up", "down", "left", "right", *(f"f{n}" for n in range(1, 25))})
# Textual's own names for some characters (textual.keys.KEY_NAME_REPLACEMENTS).
CHARACTER_NAMES = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
                   "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}
# Keys Textual itself needs on every screen: a remap onto them would take them away.
RESERVED = {"tab": "moves the focus", "shift+tab": "moves the focus", "ctrl+p": "opens the command palette"}


def character_key(char: str) -> str:
    """The Textual key name of one typed character: "a" → "a", "?" → "question_mark", "/" → "slash"."""
    if char.isalnum():
        return char
    try:
        name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return char
    return CHARACTER_NAMES.get(name, name)


def key_character(key: str) -> str | None:
    """The character a key name types ("question_mark" → "?"), or None for keys like "f2", "ctrl+a"."""
    if "+" in key:
        return None
    if len(key) == 1:
        return key
    if key in NAMED_KEYS and key != "space":
        return None
    original = {v: k for k, v in CHARACTER_NAMES.items()}.get(key, key)
    try:
        char = unicodedata.lookup(original.replace("_", " ").upper())
    except KeyError:
        return None
    return char if char.isascii() else None  # "fish" names a character, but no keyboard has it


def normalize_key(text: str) -> str:
    """One key as Textual names it ("?" → "question_mark", "Ctrl+K" → "ctrl+k"); ValueError if not a key."""
    raw = text.strip()
    if len(raw) == 1:
        return character_key(raw)
    *modifiers, base = raw.split("+") if not raw.endswith("++") else [*raw[:-2].split("+"), "+"]
    modifiers = [m.lower() for m in modifiers]
    if not base or any(m not in MODIFIERS for m in modifiers):
        raise ValueError(f"{text!r} is not a key")
    if len(base) == 1:
        base = character_key(base.lower() if modifiers else base)
    else:
        base = base.lower()
        if base not in NAMED_KEYS and key_character(base) is None:
            raise ValueError(f"{text!r} is not a key (names like a, A, ?, f2, ctrl+k, escape, delete)")
    return "+".join([*modifiers, base])


@dataclass(frozen=True)
class Keymap:
    """The remaps accepted (action id → Textual key list) and a sentence for each one refused."""

    remaps: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def keys_of(self, action: Action) -> tuple[str, ...]:
        return tuple(self.remaps.get(action.id, action.keys).split(","))

    @property
    def message(self) -> str:
        """One message for the operator: every refused remap, and what happens instead."""
        if not self.problems:
            return ""
        return f"Config [keys]: {'; '.join(self.problems)}. Those actions keep their default keys."


def resolve(entries: Iterable[tuple[str, object]]) -> Keymap:
    """Check the `[keys]` entries (id, value) of the config file against the registry."""
    known = {a.id: a for a in ACTIONS}
    wanted: dict[str, str] = {}
    problems: list[str] = []
    for name, value in entries:
        try:
            keys = _check_remap(name, value, known)
        except ValueError as refusal:
            problems.append(str(refusal))
            continue
        if keys != known[name].keys:
            wanted[name] = keys
    while (clash := first_clash(wanted)) is not None:
        key, screen, ids = clash
        remapped = sorted(i for i in ids if i in wanted)
        others = sorted(i for i in ids if i not in wanted)
        for name in remapped:
            del wanted[name]
        where = SCREENS[screen].title
        if others:
            problems.append(f"{' and '.join(remapped)} = {key!r} clashes with {', '.join(others)} ({where})")
        else:
            problems.append(f"{' and '.join(remapped)} {'both' if len(remapped) == 2 else 'all'} want {key!r} ({where})")
    return Keymap(wanted, tuple(problems))


def _check_remap(name: str, value: object, known: dict[str, Action]) -> str:
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else " (`invtui keys` lists them)"
        raise ValueError(f"unknown action {name!r}{hint}")
    if not known[name].bound:
        raise ValueError(f"{name} is a key of a Textual widget and cannot be remapped")
    parts = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else None
    if not parts or not all(isinstance(p, str) and p.strip() for p in parts):
        raise ValueError(f"{name}: give a key as text, like \"k\" or \"ctrl+k\" (got {value!r})")
    try:
        keys = [normalize_key(p) for p in parts]
    except ValueError as bad:
        raise ValueError(f"{name}: {bad}") from None
    default = known[name].key_list
    for key in keys:
        if key in RESERVED and key not in default:
            raise ValueError(f"{name}: {key} {RESERVED[key]} and cannot be taken")
        typed_on = [SCREENS[a.screen].title for a in ACTIONS if a.id == name and SCREENS[a.screen].typing]
        if typed_on and key_character(key) is not None:
            raise ValueError(f"{name}: {key!r} would be typed into the field ({typed_on[0]}); use a key like f3 or ctrl+k")
    return ",".join(dict.fromkeys(keys))


def first_clash(remaps: dict[str, str]) -> tuple[str, str, set[str]] | None:
    """(key, screen, action ids) of the first key that two different actions would share on a screen."""
    for screen in SCREENS:
        taken: dict[str, set[str]] = {}
        for action in reachable(screen):
            for key in remaps.get(action.id, action.keys).split(","):
                taken.setdefault(key.strip(), set()).add(action.id)
        for key, ids in taken.items():
            if len(ids) > 1:
                return key, screen, ids
    return None


def reachable(screen: str) -> list[Action]:
    """Every action a key pressed on `screen` may run: its own, those of the screens it reaches,
    and the app's priority keys, which reach every screen."""
    places = (screen, *SCREENS[screen].reaches)
    own = [a for a in ACTIONS if a.screen in places]
    return own + [a for a in ACTIONS if a.screen == "app" and a.priority and "app" not in places]
