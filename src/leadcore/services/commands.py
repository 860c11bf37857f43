"""What every service command shares: one log record per call, only LeadCoreError escapes."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from leadcore.domain import errors
from leadcore.domain.errors import LeadCoreError

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


def command(
    logger: logging.Logger,
) -> Callable[[Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R]]:
    """Wrap a service method: log command, actor, target, outcome and duration.

    Anything but LeadCoreError that escapes a command is a bug; it leaves as
    UNKNOWN_ERROR with the cause chained, so callers only ever handle one type.
    """

    def decorate(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
        name = method.__name__

        @functools.wraps(method)
        def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            outcome = "OK"
            try:
                return method(self, *args, **kwargs)
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
