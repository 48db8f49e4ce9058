"""`invtui keys`: every key of the app, with the config file's `[keys]` remaps applied and checked."""

from __future__ import annotations

import typer

from invtui.cli.output import err_console, print_json, print_table
from invtui.cli.state import state


def keys(
    ctx: typer.Context,
    markdown: bool = typer.Option(False, "--markdown", help="The README's key table (default keys, no remaps)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List every key: action id (the name for [keys] in the config file), keys, where, what; exit 1 if a remap is refused."""
    from invtui.keys import ACTIONS, SCREENS, resolve
    from invtui.keys.markdown import key_label, markdown_table, what, who

    if markdown:
        print(markdown_table())
        return
    keymap = resolve(state(ctx).settings.keys)
    rows = [(a.id, " ".join(key_label(k) for k in keymap.keys_of(a)), SCREENS[a.screen].title, a.full_name, who(a),
             what(a), a.bound) for a in ACTIONS]
    if as_json:
        names = ("id", "keys", "where", "name", "who", "what", "remappable")
        print_json([dict(zip(names, row, strict=True)) for row in rows])
    else:
        print_table(["action", "keys", "where", "name", "who"], [row[:5] for row in rows])
    if keymap.message:
        err_console.print(f"invtui: {keymap.message}", soft_wrap=True, markup=False)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root `invtui` app."""
    app.command()(keys)
