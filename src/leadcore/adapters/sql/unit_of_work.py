"""The SQL unit of work: one pooled connection, transactions sent by hand, per intent.

=============  =====================================  =====================================
intent         PostgreSQL                             SQLite
=============  =====================================  =====================================
READ           every statement on its own             every statement on its own
SNAPSHOT       BEGIN ISOLATION LEVEL REPEATABLE READ  BEGIN (deferred: WAL gives it one
               READ ONLY at the first statement       snapshot from its first read)
WRITE_ONCE     reads on their own; the one compound   BEGIN IMMEDIATE at the first
               write is ONE statement on its own      statement, COMMIT on commit()
WRITE          BEGIN at the first statement,          BEGIN IMMEDIATE at the first
               COMMIT on commit()                     statement, COMMIT on commit()
=============  =====================================  =====================================

Leaving without ``commit()`` sends ROLLBACK. A read that finds its connection dead is
re-run once on a new one; anything else becomes a LeadCoreError through
``errors.translate``. A serialization failure or a deadlock rolls the whole transaction
back, so no statement is re-run for it here: the command is, from its start, when the
factory's ``may_rerun`` says so.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.pool import PoolProxiedConnection

from leadcore.adapters.sql.assessments import SqlAssessments, SqlDocuments, SqlQuestionnaires
from leadcore.adapters.sql.database import Database
from leadcore.adapters.sql.errors import Failure, translate
from leadcore.adapters.sql.repositories import SqlAudit, SqlLeads, SqlSequences, SqlUsers
from leadcore.domain import errors
from leadcore.domain.errors import LeadCoreError
from leadcore.ports.unit_of_work import Intent

log = logging.getLogger("leadcore.adapters.sql")


class UnitOfWorkMisuseError(RuntimeError):
    """A service broke its declared intent (a write in a READ unit, two in WRITE_ONCE)."""


_PG_SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
# How many write calls each intent allows (None: any number).
_WRITES: Mapping[Intent, int | None] = {
    Intent.READ: 0,
    Intent.SNAPSHOT: 0,
    Intent.WRITE_ONCE: 1,
    Intent.WRITE: None,
}


class SqlUnitOfWork:
    """One command on one pooled connection, checked out at the first statement."""

    def __init__(self, database: Database, intent: Intent) -> None:
        self._db = database
        self._intent = intent
        self._writes_left = _WRITES[intent]
        if intent is Intent.READ:
            self._begin: str | None = None
        elif intent is Intent.SNAPSHOT:
            # SQLite in WAL mode: a deferred transaction reads one snapshot from its first read.
            self._begin = _PG_SNAPSHOT if database.is_postgres else "BEGIN"
        elif database.is_postgres:
            self._begin = "BEGIN" if intent is Intent.WRITE else None
        else:
            self._begin = "BEGIN IMMEDIATE"
        self._connection: PoolProxiedConnection | None = None
        self._cursor: DBAPICursor | None = None
        self._in_transaction = False
        self.sql = database.statements
        self.rows = database.rows
        self.users = SqlUsers(self)
        self.audit = SqlAudit(self)
        self.sequences = SqlSequences(self)
        self.leads = SqlLeads(self)
        self.questionnaires = SqlQuestionnaires(self)
        self.assessments = SqlAssessments(self)
        self.documents = SqlDocuments(self)

    @property
    def is_postgres(self) -> bool:
        """Whether this unit runs on PostgreSQL (else SQLite)."""
        return self._db.is_postgres

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._release()

    def commit(self) -> None:
        """Make every write of this unit durable, all together."""
        if not self._in_transaction:
            return  # nothing open: every statement has committed on its own
        self._in_transaction = False
        try:
            self._cursor.execute("COMMIT")  # type: ignore[union-attr]  # a transaction has a cursor
        except self._db.dbapi_error as exc:
            failure = self._failed(exc)
            raise translate(exc, failure, in_doubt=failure is Failure.DISCONNECT) from exc

    def rollback(self) -> None:
        """Discard every write of this unit not yet committed."""
        if not self._in_transaction:
            return
        self._in_transaction = False
        try:
            self._cursor.execute("ROLLBACK")  # type: ignore[union-attr]  # a transaction has a cursor
        except self._db.dbapi_error:
            # The transaction is gone with its connection; nothing was committed.
            log.debug("ROLLBACK failed; discarding the connection", exc_info=True)
            self._discard()

    def claim_write(self) -> None:
        """Count one write call; a write the intent does not allow is a programming error."""
        left = self._writes_left
        if left is None:
            return
        if left == 0:
            raise UnitOfWorkMisuseError(
                f"a unit of work with intent {self._intent.name} may not write "
                + ("again" if self._intent is Intent.WRITE_ONCE else "at all")
            )
        self._writes_left = left - 1

    def execute(self, sql: str, params: Mapping[str, Any], *, write: bool = False) -> DBAPICursor:
        """Run one statement and return the cursor holding its result.

        ``write`` marks a statement that changes data: one that breaks its connection
        is never re-run (it may have committed), and its error says so.
        """
        attempt = 0
        while True:
            cursor = self._cursor
            if cursor is None or not self._ready():
                cursor = self._open()
            try:
                cursor.execute(sql, params)
            except self._db.dbapi_error as exc:
                in_transaction = self._in_transaction
                failure = self._failed(exc)
                if in_transaction or not self._may_rerun(failure, write=write, attempt=attempt):
                    # Lost inside an open transaction, the write rolled back with it.
                    in_doubt = write and failure is Failure.DISCONNECT and not in_transaction
                    raise translate(exc, failure, params, in_doubt=in_doubt) from exc
                attempt += 1
                log.debug("re-running a read on a new connection (attempt %d)", attempt)
            else:
                return cursor

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """Make a write of several statements all-or-nothing.

        In a unit with a transaction (WRITE; every SQLite writer) this is part of it. In a
        PostgreSQL WRITE_ONCE unit, whose statements otherwise commit one by one, it is a
        transaction of its own, committed at the end of the block: that write is the
        unit's last, as its intent promises.
        """
        if self._begin is not None or self._in_transaction:
            yield
            return
        self._begin = "BEGIN"
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        else:
            self.commit()
        finally:
            self._begin = None

    def one(self, sql: str, params: Mapping[str, Any], *, write: bool = False) -> Sequence[Any]:
        """Run a statement that returns exactly one row, and return that row."""
        row: Sequence[Any] | None = self.execute(sql, params, write=write).fetchone()
        if row is None:  # pragma: no cover  # the statements passed here always return one
            raise errors.database_error("a statement returned no row", retryable=False)
        return row

    def copy(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Send ``rows`` through PostgreSQL's ``COPY ... FROM STDIN`` (a write, never re-run)."""
        cursor: Any = self._cursor
        if cursor is None or not self._ready():
            cursor = self._open()
        try:
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        except self._db.dbapi_error as exc:
            in_transaction = self._in_transaction
            failure = self._failed(exc)
            in_doubt = failure is Failure.DISCONNECT and not in_transaction
            raise translate(exc, failure, in_doubt=in_doubt) from exc

    def _ready(self) -> bool:
        return self._cursor is not None and (self._begin is None or self._in_transaction)

    def _open(self) -> DBAPICursor:
        """Check out a connection if there is none, and send BEGIN if the intent wants one."""
        for attempt in range(2):
            if self._connection is None:
                self._connection, self._cursor = self._db.checkout()
            cursor = self._cursor
            assert cursor is not None  # set together with the connection
            if self._begin is None or self._in_transaction:
                return cursor
            try:
                cursor.execute(self._begin)
            except self._db.dbapi_error as exc:
                failure = self._failed(exc)
                if failure is not Failure.DISCONNECT or attempt == 1:
                    raise translate(exc, failure) from exc
            else:
                self._in_transaction = True
                return cursor
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _may_rerun(failure: Failure, *, write: bool, attempt: int) -> bool:
        """Say whether a statement that was its own transaction may run again: a read, once,
        on a new connection (a write on a broken one may have committed)."""
        return failure is Failure.DISCONNECT and not write and attempt == 0

    def _failed(self, exc: BaseException) -> Failure:
        """Classify ``exc``; a connection that broke is discarded from the pool."""
        failure = self._db.classify(exc, self._connection)
        if failure is Failure.DISCONNECT:
            self._discard()
        return failure

    def _discard(self) -> None:
        connection = self._connection
        self._connection = self._cursor = None
        self._in_transaction = False
        if connection is not None:
            connection.invalidate()

    def _release(self) -> None:
        connection, cursor = self._connection, self._cursor
        self._connection = self._cursor = None
        if connection is not None and cursor is not None:
            self._db.release(connection, cursor)


class SqlUnitOfWorkFactory:
    """Makes units of work on one SQL database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def __call__(self, intent: Intent = Intent.WRITE) -> SqlUnitOfWork:
        """Return a new unit of work for a command of this ``intent``."""
        return SqlUnitOfWork(self.database, intent)

    def may_rerun(self, failure: LeadCoreError, reruns: int) -> bool:
        """Say whether work that a conflict rolled back may run again; back off first.

        The back-off starts at ``retry_backoff_seconds`` and doubles, with full jitter,
        so the transactions that collided do not collide again in step.
        """
        settings = self.database.settings
        conflict = failure.context.get("reason") == Failure.CONFLICT.value
        if not conflict or reruns >= settings.retry_attempts:
            return False
        ceiling = settings.retry_backoff_seconds * 2**reruns
        time.sleep(random.uniform(0, ceiling))
        log.debug("re-running work after a conflict (re-run %d)", reruns + 1)
        return True
