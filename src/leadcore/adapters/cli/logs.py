"""Logging for the command line: structlog on stderr, the library's stdlib records included.

The library logs through stdlib ``logging`` and configures nothing; the command routes
those records through structlog's ProcessorFormatter, so that one stream on stderr holds
the command's own events and (with ``--verbose``) the library's, as readable lines or as
JSON lines.
"""

from __future__ import annotations

import enum
import logging
import sys
from typing import Any

import structlog
from structlog.typing import EventDict, Processor

# The command's own events; the library's loggers live under "leadcore.services".
CLI_LOGGER = "leadcore.cli"


class LogFormat(enum.StrEnum):
    """How log lines look on stderr."""

    CONSOLE = "console"
    JSON = "json"


class LogLevel(enum.StrEnum):
    """The lowest level of the command's own events that is written."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


def configure_logging(log_format: LogFormat, level: LogLevel, *, verbose: bool) -> None:
    """Send structlog events and stdlib records to stderr, rendered as ``log_format``.

    The command's events are written from ``level`` up; the library's per-call records
    and tracebacks of unexpected failures only with ``verbose``.
    """
    renderer: Processor
    if log_format is LogFormat.JSON:
        renderer = structlog.processors.JSONRenderer(sort_keys=False)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=_is_terminal())
    shared: list[Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    final: list[Processor] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if not verbose:
        final.append(_summarise_exception)
    elif log_format is LogFormat.JSON:
        final.append(structlog.processors.format_exc_info)
    final.append(renderer)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, _library_fields], processors=final
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("leadcore").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger(CLI_LOGGER).setLevel(level.value)


def command_logger() -> Any:
    """Return the logger of the command's own events."""
    return structlog.stdlib.get_logger(CLI_LOGGER)


def _library_fields(_logger: Any, _method: str, event: EventDict) -> EventDict:
    """Lift the fields a leadcore service puts in ``record.leadcore`` into the event."""
    record = event.get("_record")
    fields = getattr(record, "leadcore", None)
    if isinstance(fields, dict):
        for key, value in fields.items():
            event.setdefault(key, value)
    return event


def _summarise_exception(_logger: Any, _method: str, event: EventDict) -> EventDict:
    """Replace a traceback by one line naming the exception (tracebacks need --verbose)."""
    info = event.pop("exc_info", None)
    exc: BaseException | None = None
    if isinstance(info, BaseException):
        exc = info
    elif isinstance(info, tuple) and len(info) == 3 and isinstance(info[1], BaseException):
        exc = info[1]
    if exc is not None:
        event.setdefault("error", f"{type(exc).__name__}: {exc}")
    return event


def _is_terminal() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())
