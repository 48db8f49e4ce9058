"""`invtui doctor`: the seed's troubleshooting guide, run as checks."""

from __future__ import annotations

import typer

from invtui.cli.output import console
from invtui.cli.state import state
from invtui.services.doctor import run_checks


def doctor(ctx: typer.Context) -> None:
    """Check config, log directory, the box's file modes, database, migrations and the sweep; exit 1 on any FAIL."""
    st = state(ctx)
    checks = run_checks(st.settings, lambda: st.database(prepare=False))
    width = max(len(c.name) for c in checks)
    for c in checks:
        mark = "[red]FAIL[/]" if not c.ok else "[yellow]WARN[/]" if c.warning else "[green]OK  [/]"
        console.print(f"{mark} {c.name:<{width}}  {c.detail}", soft_wrap=True)
        if c.hint:
            console.print(f"     {'':<{width}}  hint: {c.hint}", soft_wrap=True)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
