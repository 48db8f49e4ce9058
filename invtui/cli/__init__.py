"""The `invtui` command line. Every command calls the same services as the app.

Errors print one line on stderr and exit non-zero; a traceback goes to the log file only.
"""

from __future__ import annotations

import logging
import sys

import typer
from typer.exceptions import TyperException

from invtui import __version__
from invtui.cli import alerts as alerts_commands
from invtui.cli import audit as audit_commands
from invtui.cli import catalog as catalog_commands
from invtui.cli import csv_files as csv_commands
from invtui.cli import count as count_commands
from invtui.cli import db as db_commands
from invtui.cli import demo as demo_commands
from invtui.cli import doctor as doctor_commands
from invtui.cli import keys as keys_commands
from invtui.cli import po as po_commands
from invtui.cli import realtime as realtime_commands
from invtui.cli import rules as rule_commands
from invtui.cli import serve as serve_commands
from invtui.cli import stock as stock_commands
from invtui.cli import sweep as sweep_commands
from invtui.cli import user as user_commands
from invtui.cli.state import CliState, state
from invtui.config import load_settings, redact_url
from invtui.log import setup_logging

log = logging.getLogger("invtui.cli")

app = typer.Typer(
    name="invtui",
    help="Keyboard-driven inventory for warehouse operators, on PostgreSQL.",
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db_commands.app, name="db")
app.add_typer(user_commands.app, name="user")
app.command()(demo_commands.seed)
app.command()(demo_commands.demo)
app.command()(doctor_commands.doctor)
# Each command module adds its own commands; this list is the only place that names them.
for _module in (stock_commands, catalog_commands, rule_commands, po_commands, alerts_commands, sweep_commands,
                realtime_commands, audit_commands, csv_commands, serve_commands, count_commands, keys_commands):
    _module.register(app)


def _version(value: bool) -> None:
    if value:
        print(f"invtui {__version__}")
        raise typer.Exit()


# Commands for the box itself, run by root or the service account: no invtui user acts in them.
MACHINE_COMMANDS = frozenset({"db", "doctor", "demo", "seed", "worker", "serve"})


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    config: str | None = typer.Option(None, "--config", help="Config file (else $INVTUI_CONFIG, XDG, ./config.toml)."),
    user: str | None = typer.Option(None, "--user", "-u", help="Act as this invtui user (else $INVTUI_USER, else your login); only root or the account owning the database URL."),
    ssh_user: str | None = typer.Option(None, "--ssh-user", help="Signed in by an SSH key: the forced command of one authorized_keys line (invtui user add-key)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    demo: bool = typer.Option(False, "--demo", help="Use `invtui demo`'s database (as its admin unless --user)."),
) -> None:
    """Run the app with no command; see the commands below for everything else."""
    settings = load_settings(config)
    setup_logging(settings.log_level, settings.log_path)
    ctx.obj = CliState(settings=settings, user_override=user or ("admin" if demo and not ssh_user else None),
                       ssh_user=ssh_user, check_person=ctx.invoked_subcommand not in MACHINE_COMMANDS, demo=demo)
    ctx.call_on_close(ctx.obj.close)
    st = state(ctx)
    st.acting()  # a name given by someone who may not: refused before anything opens
    if ctx.invoked_subcommand is None:
        from invtui.cli.run_app import require_terminal, run_app
        from invtui.services.identity import trusts_named_user

        require_terminal()
        trusted = trusts_named_user(settings, st.acting())
        st.check_person = trusted  # signed in without a password: unknown or disabled is one line, no form
        run_app(settings, st.database(), username=st.username() if trusted else None, trusted=trusted)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning every error into one line on stderr and an exit code."""
    try:
        result = app(args=argv, prog_name="invtui", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            print(f"invtui: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("invtui: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from invtui.db.errors import friendly_error

        error = friendly_error(exc)
        if error is not None:
            log.info("command failed: %s", error.message)
            print(f"invtui: {error.message}", file=sys.stderr)
            return error.exit_code
        log.exception("unexpected error")
        print(f"invtui: unexpected error ({type(exc).__name__}: {redact_url(str(exc))}); details are in the log file",
              file=sys.stderr)
        return 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
