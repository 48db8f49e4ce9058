"""The `invtui` executable (and `python -m invtui`): `--version` answers before anything loads.

`invtui --version` is what scripts and package managers call to see what is installed; it
prints in ~0.05 s instead of loading the command line (typer, rich) first. Everything else
goes to `invtui.cli`.
"""

from __future__ import annotations

import sys

from invtui import __version__


def run() -> None:
    """Console-script entry point."""
    if sys.argv[1:] == ["--version"]:
        print(f"invtui {__version__}")
        sys.exit(0)
    from invtui.cli import run as run_cli

    run_cli()


if __name__ == "__main__":
    run()
