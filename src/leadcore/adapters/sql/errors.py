"""Driver errors become LeadCoreError here, and only here.

Nothing from ``sqlalchemy.exc``, ``psycopg`` or ``sqlite3`` leaves the SQL adapter: the
unit of work catches the driver's errors, asks ``classify`` what kind of failure it was
(to decide whether the statement may be re-run) and raises what ``translate`` returns,
with the driver's exception chained for the logs. psycopg is optional, so its errors
are recognised by their SQLSTATE, never by importing it.
"""

from __future__ import annotations

import enum
import re
import sqlite3
from collections.abc import Mapping

from sqlalchemy import exc as sa_exc

from leadcore.domain import errors
from leadcore.domain.errors import LeadCoreError


class Failure(enum.Enum):
    """What kind of failure a driver error is, as far as leadcore cares."""

    DUPLICATE = "duplicate"  # a unique or primary key constraint refused the row
    INTEGRITY = "integrity"  # a foreign key, check or not-null constraint refused it
    CONFLICT = "conflict"  # serialization failure or deadlock: a re-run may succeed
    BUSY = "busy"  # a lock or statement timeout, SQLite busy, no free pooled connection
    DISCONNECT = "disconnect"  # the connection is gone
    SCHEMA = "schema"  # a table or column is missing: create_schema() was not run
    OTHER = "other"


# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_SQLSTATES: Mapping[str, Failure] = {
    "23505": Failure.DUPLICATE,
    "23503": Failure.INTEGRITY,
    "23514": Failure.INTEGRITY,
    "23502": Failure.INTEGRITY,
    "40001": Failure.CONFLICT,
    "40P01": Failure.CONFLICT,
    "55P03": Failure.BUSY,
    "57014": Failure.BUSY,
    "57P01": Failure.DISCONNECT,
    "57P02": Failure.DISCONNECT,
    "57P03": Failure.DISCONNECT,
    "42P01": Failure.SCHEMA,
    "42703": Failure.SCHEMA,
}
_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")  # with their extended codes
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (\w+\.\w+)")
_PG_KEY_DETAIL = re.compile(r"Key \((\w+)\)=\((.*)\) already exists")

# Which unique constraint protects what, under its PostgreSQL name and SQLite's table.column.
_CIN = frozenset({"uq_leads_cin", "leads.cin"})
_EMAIL = frozenset({"uq_users_email", "users.email"})
_USER_ID = frozenset({"pk_users", "users.id"})
# constraint -> (context key, statement parameter) of the DUPLICATE_RESOURCE it means.
_RESOURCES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "pk_leads": (("lead_id", "id"),),
    "leads.id": (("lead_id", "id"),),
    "pk_questionnaires": (("questionnaire_version", "version"),),
    "questionnaires.version": (("questionnaire_version", "version"),),
    "pk_assessments": (("assessment_id", "id"),),
    "assessments.id": (("assessment_id", "id"),),
    "uq_assessments_lead_id_revision": (("lead_id", "lead_id"), ("revision", "revision")),
    "assessments.lead_id": (("lead_id", "lead_id"), ("revision", "revision")),
    "pk_documents": (("document_id", "id"),),
    "documents.id": (("document_id", "id"),),
}

_MESSAGES: Mapping[Failure, str] = {
    Failure.INTEGRITY: "the database refused the change (a constraint failed)",
    Failure.CONFLICT: "the change conflicted with a concurrent one; try again",
    Failure.BUSY: "the database is busy; try again",
    Failure.DISCONNECT: "the connection to the database was lost",
    Failure.SCHEMA: "the database schema is missing or out of date: run create_schema()",
    Failure.OTHER: "the database failed",
}
_RETRYABLE = frozenset({Failure.CONFLICT, Failure.BUSY, Failure.DISCONNECT})


def driver_error(exc: BaseException) -> BaseException:
    """Return the DBAPI error inside a SQLAlchemy wrapper, or ``exc`` itself."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None:
        return exc.orig
    return exc


def classify(exc: BaseException, *, disconnected: bool = False) -> Failure:
    """Return what kind of failure ``exc`` is; ``disconnected`` is the dialect's verdict."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return Failure.DISCONNECT
    if isinstance(exc, sa_exc.TimeoutError):  # the pool had no free connection in time
        return Failure.BUSY
    if isinstance(exc, sa_exc.DisconnectionError):
        return Failure.DISCONNECT
    cause = driver_error(exc)
    if disconnected:
        return Failure.DISCONNECT
    if isinstance(cause, sqlite3.Error):
        return _classify_sqlite(cause)
    sqlstate = getattr(cause, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate.startswith("08"):
            return Failure.DISCONNECT
        return _SQLSTATES.get(sqlstate, Failure.OTHER)
    if type(cause).__name__ == "OperationalError":
        # psycopg's errors without a SQLSTATE come from the client: refused, timed out, closed.
        return Failure.DISCONNECT
    return Failure.OTHER


def _classify_sqlite(exc: sqlite3.Error) -> Failure:
    name = getattr(exc, "sqlite_errorname", "")
    message = str(exc)
    if isinstance(exc, sqlite3.IntegrityError):
        if _SQLITE_UNIQUE.search(message):
            return Failure.DUPLICATE
        return Failure.INTEGRITY
    if name.startswith(_SQLITE_BUSY) or "database is locked" in message:
        return Failure.BUSY
    if message.startswith(("no such table", "no such column")):
        return Failure.SCHEMA
    return Failure.OTHER


def translate(
    exc: BaseException,
    failure: Failure,
    params: Mapping[str, object] | None = None,
    *,
    in_doubt: bool = False,
) -> LeadCoreError:
    """Return the LeadCoreError a caller sees for ``exc``.

    ``params`` are the failing statement's parameters: a duplicate names the value it
    clashed on from them. ``in_doubt`` says the connection broke while a write or a
    COMMIT was on its way, so the change may or may not have been made.
    """
    if failure is Failure.DUPLICATE:
        return _duplicate(driver_error(exc), params or {})
    context: dict[str, object] = {"reason": failure.value}
    sqlstate = getattr(driver_error(exc), "sqlstate", None)
    if isinstance(sqlstate, str):
        context["sqlstate"] = sqlstate
    if in_doubt:
        context["in_doubt"] = True
    return errors.database_error(_MESSAGES[failure], retryable=failure in _RETRYABLE, **context)


def _duplicate(cause: BaseException, params: Mapping[str, object]) -> LeadCoreError:
    constraint, column, value = _clash(cause)
    if constraint in _CIN:
        return errors.duplicate_cin(_text(params.get("cin", value)))
    if constraint in _EMAIL or constraint in _USER_ID:
        # A clash on a user's id is reported like the memory store does: by e-mail.
        return errors.duplicate_resource(email=_text(params.get("email", value)))
    resource = _RESOURCES.get(constraint or "")
    if resource is not None:
        # The clashing value from the statement, else from PostgreSQL's detail (a COPY).
        return errors.duplicate_resource(
            **{key: params.get(param, value) for key, param in resource}
        )
    return errors.duplicate_resource(constraint=constraint or column or "unknown")


def _clash(cause: BaseException) -> tuple[str | None, str | None, str | None]:
    """Return (constraint, column, value) of a unique violation, as far as the driver says."""
    if isinstance(cause, sqlite3.Error):
        found = _SQLITE_UNIQUE.search(str(cause))
        return (found[1], None, None) if found else (None, None, None)
    diag = getattr(cause, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    found = _PG_KEY_DETAIL.fullmatch(getattr(diag, "message_detail", None) or "")
    return constraint, found[1] if found else None, found[2] if found else None


def _text(value: object) -> str:
    return "" if value is None else str(value)
