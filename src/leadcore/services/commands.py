"""What every service command shares: a rate limit, one log record, only LeadCoreError out,
and a re-run from the start when the store rolled its transaction back for a conflict."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from leadcore.domain import errors
from leadcore.domain.errors import LeadCoreError
from leadcore.domain.validation import plausible_id
from leadcore.ports.rate_limits import ActionClass, RateLimiter
from leadcore.ports.unit_of_work import UnitOfWorkFactory

P = ParamSpec("P")
R = TypeVar("R")


class Service(Protocol):
    """A service whose commands count against its rate limiter and run in its units."""

    @property
    def limiter(self) -> RateLimiter:
        """The limiter every command of this service passes first."""
        ...

    @property
    def units(self) -> UnitOfWorkFactory:
        """The units of work its commands run in."""
        ...


S = TypeVar("S", bound=Service)


def rerun_on_conflict(units: UnitOfWorkFactory, work: Callable[[], R]) -> R:
    """Return ``work()``, run again from its start while the store says a conflict that
    rolled its transaction back may be retried (``units.may_rerun``)."""
    reruns = 0
    while True:
        try:
            return work()
        except LeadCoreError as exc:
            if not units.may_rerun(exc, reruns):
                raise
            reruns += 1


def command(
    logger: logging.Logger, action: ActionClass | None, *, rerun: bool = True
) -> Callable[[Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R]]:
    """Wrap a service method: rate limit, then log command, actor, target, outcome, duration.

    The limit is checked before anything else, so a refused call (RATE_LIMITED) changes
    nothing. A command whose transaction a conflict rolled back runs again from its start
    (``rerun``; off for one whose work is not one transaction). Anything but LeadCoreError
    that escapes a command is a bug; it leaves as UNKNOWN_ERROR with the cause chained, so
    callers only ever handle one type.
    """

    def decorate(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
        name = method.__name__

        @functools.wraps(method)
        def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            outcome = "OK"
            try:
                if action is not None and args and (actor := plausible_id(args[0])):
                    self.limiter.acquire(actor, action)
                if not rerun:
                    return method(self, *args, **kwargs)
                return rerun_on_conflict(self.units, lambda: method(self, *args, **kwargs))
            except LeadCoreError as exc:
                outcome = exc.code.value
                raise
            except Exception as exc:
                outcome = errors.ErrorCode.UNKNOWN_ERROR.value
                logger.exception("unexpected failure in %s", name)
                raise errors.unknown_error(f"{name} failed unexpectedly") from exc
            finally:
                if logger.isEnabledFor(logging.INFO):
                    fields = {
                        "command": name,
                        "actor": _short(args[0] if args else None),
                        "target": _short(args[1] if len(args) > 1 else None),
                        "outcome": outcome,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    }
                    logger.info("%(command)s %(outcome)s", fields, extra={"leadcore": fields})

        return run

    return decorate


def _short(value: object) -> str | None:
    """Return a loggable form of an id argument (never a whole payload)."""
    if value is None or not isinstance(value, str):
        return None
    return value[:64]
