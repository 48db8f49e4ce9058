"""Rich styles by meaning. With NO_COLOR they become bold or reverse, so meaning never rests on colour."""

from __future__ import annotations

from typing import Any

COLOUR = {"danger": "bold red", "warn": "yellow", "ok": "green", "strong": "bold", "quiet": "dim"}
PLAIN = {"danger": "bold reverse", "warn": "bold", "ok": "", "strong": "bold", "quiet": ""}


def style(app: Any, meaning: str) -> str:
    """The style for `meaning` in this app: coloured, or (NO_COLOR) weight and reverse video only."""
    return (PLAIN if getattr(app, "no_color", False) else COLOUR)[meaning]
