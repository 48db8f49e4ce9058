"""`invtui stock ...`: receive, issue, adjust, transfer, reserve, release, show, movements."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
