"""The ``leadcore`` command (typer): global options, the command groups, the exit codes.

Exit status: 0 done, 1 refused (the code and message are on stderr), 2 usage error,
130 interrupted. Logs go to stderr; stdout holds only the command's output.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from leadcore.adapters.cli.commands import audit, batch, leads, setup, users
from leadcore.adapters.cli.context import DEFAULT_DATABASE_URL, CliState
from leadcore.adapters.cli.logs import LogFormat, LogLevel, configure_logging

app = typer.Typer(
    name="leadcore",
    help="leadcore: leads with gapless ids, versioned and audited changes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str,
        typer.Option("--db", metavar="URL", envvar="LEADCORE_DATABASE_URL", help="Database URL."),
    ] = DEFAULT_DATABASE_URL,
    actor: Annotated[
        str | None,
        typer.Option("--as", metavar="EMAIL", envvar="LEADCORE_AS", help="The acting user."),
    ] = None,
    log_format: Annotated[
        LogFormat,
        typer.Option(
            "--log-format",
            envvar="LEADCORE_LOG_FORMAT",
            case_sensitive=False,
            help="Log lines on stderr: readable (console) or JSON lines.",
        ),
    ] = LogFormat.CONSOLE,
    log_level: Annotated[
        LogLevel,
        typer.Option(
            "--log-level",
            envvar="LEADCORE_LOG_LEVEL",
            case_sensitive=False,
            help="Lowest level of the command's own log events.",
        ),
    ] = LogLevel.INFO,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Also log the library's records, and tracebacks of bugs."
        ),
    ] = False,
) -> None:
    """Operate a leadcore store from the shell; logs go to stderr."""
    configure_logging(log_format, log_level, verbose=verbose)
    ctx.obj = CliState(db=db, actor=actor)


setup.register(app)
app.add_typer(users.app, name="users")
app.add_typer(leads.app, name="leads")
batch.register(app)
app.add_typer(batch.counters, name="counters")
app.add_typer(audit.app, name="audit")


def run(argv: list[str] | None = None) -> None:
    """Run the command; whatever escapes it ends as a one-line message, never a traceback."""
    try:
        app(args=argv, prog_name="leadcore")
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # The reader of stdout went away (``| head``): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001  # the last line of defence: no traceback
        sys.stderr.write(f"UNKNOWN_ERROR: Something went wrong. Please try again.\n  {exc!r}\n")
        sys.exit(1)
