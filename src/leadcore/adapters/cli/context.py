"""One command's session: the store, the acting user, one log event, errors as exit codes.

Every data command runs inside ``session(...)``: it connects to the store named by
``--db``, turns ``--as EMAIL`` into the acting user's id, and on the way out logs one
event (command, actor, target, outcome code, duration) and turns a LeadCoreError into
its code and message on stderr with exit status 1.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import attrs
import typer

import leadcore
from leadcore.adapters.cli.logs import command_logger
from leadcore.adapters.cli.output import print_error
from leadcore.domain import errors
from leadcore.domain.errors import LeadCoreError
from leadcore.domain.users import User
from leadcore.ports.unit_of_work import Intent

DEFAULT_DATABASE_URL = "sqlite:///leadcore.db"

# Options every data command takes; each falls back to the same option given before the
# command name (``leadcore --db URL --as EMAIL leads list`` equals ``leadcore leads list
# --db URL --as EMAIL``), and that one to its environment variable.
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        show_default=False,
        help="Database URL; default: the --db before the command, LEADCORE_DATABASE_URL, "
        f"or {DEFAULT_DATABASE_URL}.",
    ),
]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="EMAIL",
        show_default=False,
        help="E-mail of the acting user; default: the --as before the command or LEADCORE_AS.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")]


@attrs.frozen
class CliState:
    """The options given before the command name."""

    db: str = DEFAULT_DATABASE_URL
    actor: str | None = None


class Session:
    """A connected core and the acting user, for the length of one command."""

    def __init__(self, core: leadcore.LeadCore, actor: User | None, actor_email: str | None):
        self.core = core
        self._actor = actor
        self.actor_email = actor_email
        self.target: str | None = None

    @property
    def actor(self) -> User | None:
        """The acting user as signed in (None for commands that need none)."""
        return self._actor

    @property
    def actor_id(self) -> str:
        """The acting user's id (commands that run without one never ask)."""
        if self._actor is None:  # pragma: no cover  # only commands with needs_actor ask
            raise errors.unauthorized(self.actor_email)
        return self._actor.id

    def user_id(self, email: str) -> str:
        """Return the id of the user with this e-mail.

        An unknown e-mail is passed on as it is: no user has that id, so the service
        answers USER_NOT_FOUND naming it, after checking the acting user first.
        """
        user = find_user(self.core, email)
        return email if user is None else user.id


def find_user(core: leadcore.LeadCore, email: str) -> User | None:
    """Return the user with this e-mail (any case), or None.

    The services take user ids, as a web back end knows its signed-in user's id; the
    command line signs in by e-mail, so it reads the users table through the store's
    unit of work. The services then check that user as for any other call.
    """
    factory = core.container.uow()
    with factory(Intent.READ) as uow:
        return uow.users.get_by_email(email.strip().lower())


def cli_state(ctx: typer.Context) -> CliState:
    """Return the options given before the command name."""
    found = ctx.find_root().obj
    return found if isinstance(found, CliState) else CliState()


@contextmanager
def session(
    ctx: typer.Context,
    command: str,
    *,
    db: str | None = None,
    actor: str | None = None,
    target: str | None = None,
    needs_actor: bool = True,
) -> Iterator[Session]:
    """Run one command on the store: connect, sign in ``--as``, log, map errors to exits."""
    state = cli_state(ctx)
    url = db or state.db
    email = actor or state.actor
    if needs_actor and not email:
        raise typer.BadParameter(
            "name the acting user with --as EMAIL (or LEADCORE_AS)", param_hint="'--as'"
        )
    started = time.perf_counter()
    outcome = "OK"
    failure: BaseException | None = None
    current: Session | None = None
    try:
        with leadcore.connect(url) as core:
            user = None
            if needs_actor and email:
                user = find_user(core, email)
                if user is None:
                    raise errors.unauthorized(email)
            current = Session(core, user, email)
            current.target = target
            yield current
    except LeadCoreError as exc:
        outcome = exc.code.value
        print_error(exc)
        raise typer.Exit(1) from None
    except (typer.BadParameter, typer.Abort):
        outcome = "USAGE_ERROR"
        raise
    except typer.Exit as exc:
        outcome = "OK" if exc.exit_code == 0 else f"EXIT_{exc.exit_code}"
        raise
    except KeyboardInterrupt:
        outcome = "INTERRUPTED"
        raise
    except BrokenPipeError:
        outcome = "BROKEN_PIPE"
        raise
    except Exception as exc:  # noqa: BLE001  # a bug: reported as UNKNOWN_ERROR, never a traceback
        outcome = errors.ErrorCode.UNKNOWN_ERROR.value
        failure = exc
        print_error(errors.unknown_error(f"{command} failed unexpectedly ({type(exc).__name__})"))
        raise typer.Exit(1) from None
    finally:
        _log_command(
            command,
            email,
            None if current is None or current.actor is None else current.actor.id,
            None if current is None else current.target,
            outcome,
            started,
            failure,
        )


def log_command(command: str, outcome: str, started: float, target: str | None = None) -> None:
    """Log the event of a command that runs without a session (``demo``)."""
    _log_command(command, None, None, target, outcome, started, None)


def _log_command(
    command: str,
    actor: str | None,
    actor_id: str | None,
    target: str | None,
    outcome: str,
    started: float,
    failure: BaseException | None,
) -> None:
    fields = {
        "command": command,
        "actor": actor,
        "actor_id": actor_id,
        "target": target,
        "outcome": outcome,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
    }
    log = command_logger()
    if failure is not None:
        log.error("command", exc_info=failure, **fields)
    elif outcome == "OK":
        log.info("command", **fields)
    else:
        log.warning("command", **fields)
