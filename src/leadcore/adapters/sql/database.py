"""One SQL database: the engine and its pool, the compiled statements, the schema.

Connections run in autocommit at the DBAPI level (psycopg ``autocommit``, sqlite3
``isolation_level=None``); the unit of work sends BEGIN / BEGIN IMMEDIATE / COMMIT itself
where its intent needs a transaction, so a single-statement command costs one round trip.

Pool: SQLAlchemy's QueuePool opens, recycles and disposes connections; between two units
of work a connection waits in this module's LIFO free list (cheaper than a pool checkout
on the hot paths). No ping on every checkout (it would double the round trips of a
read): a connection idle longer than ``pool_ping_idle_seconds`` is pinged before use, and
a connection that breaks in use is invalidated by the unit of work, so the next command
opens a new one. Connections are stamped with the pid that opened them, and after a fork
the child drops its inherited connections without closing them (the parent keeps using
those sockets).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
import weakref
from importlib import resources
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from leadcore.adapters.sql.errors import Failure, classify, translate
from leadcore.adapters.sql.rows import PostgresRows, SqliteRows
from leadcore.adapters.sql.statements import Statements
from leadcore.domain import errors
from leadcore.settings import Settings

DRIVERS: Final = {
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "sqlite": "sqlite+pysqlite",
    "sqlite+pysqlite": "sqlite+pysqlite",
}
# pg_advisory_xact_lock key that serialises schema upgrades ("leadcore" in ASCII).
SCHEMA_LOCK_KEY: Final = 0x6C65616463_6F7265
_PID: Final = "leadcore_pid"
_CURSOR: Final = "leadcore_cursor"
_LAST_USED: Final = "leadcore_last_used"
_OPENED: Final = "leadcore_opened"


def engine_url(url: str) -> URL:
    """Return the SQLAlchemy URL for a leadcore SQL URL; INVALID_INPUT if it is not one."""
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError as exc:
        raise errors.invalid_field("url", "is not a database URL") from exc
    driver = DRIVERS.get(parsed.drivername)
    if driver is None:
        raise errors.invalid_field(
            "url", "SQL stores are postgresql+psycopg://... and sqlite:///path"
        )
    if driver.startswith("sqlite") and parsed.database in (None, "", ":memory:"):
        raise errors.invalid_field(
            "url", "an in-memory SQLite database is private to one connection; use memory://"
        )
    return parsed.set(drivername=driver)


class Database:
    """An engine on one SQL database, with the statements compiled for its dialect."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = engine_url(url)
        self.settings = settings
        self.is_postgres = self.url.drivername.startswith("postgresql")
        try:
            self.engine = _create_engine(self.url, settings)
        except ImportError as exc:
            raise errors.invalid_field(
                "url", "PostgreSQL needs psycopg: pip install 'leadcore[postgres]'"
            ) from exc
        dbapi = self.engine.dialect.loaded_dbapi
        #: The root of the driver's exception hierarchy.
        self.dbapi_error: type[Exception] = dbapi.Error
        self.statements = Statements(self.engine.dialect)
        self.rows = PostgresRows() if self.is_postgres else SqliteRows()
        # Connections between two units of work, newest last (LIFO): see checkout().
        self._idle: list[tuple[PoolProxiedConnection, DBAPICursor]] = []
        self._ping_after = settings.pool_ping_idle_seconds if self.is_postgres else None
        # When a connection was last found lost: those idle since before are suspect too
        # (a restart or a failover cuts them all), so they are pinged before use.
        self._lost_at = float("-inf")
        self._closed = False
        _forget_after_fork(self)

    def checkout(self) -> tuple[PoolProxiedConnection, DBAPICursor]:
        """Return a connection and its cursor for one unit of work; DATABASE_ERROR if none.

        Connections a unit released wait in a LIFO free list, so the next unit takes one
        with a list pop (~1 us) instead of a SQLAlchemy pool checkout (~10-20 us of CPU,
        measured on the get path); the pool behind it opens, recycles and disposes them.
        Taken from the list, a connection idle for ``pool_ping_idle_seconds`` (or since
        before another connection was found lost) is pinged, and one older than
        ``pool_recycle_seconds`` goes back to be replaced.
        """
        idle = self._idle
        while idle:
            try:
                connection, cursor = idle.pop()
            except IndexError:  # another thread took the last one
                break
            info = connection.info
            now = time.monotonic()
            recycle = self.settings.pool_recycle_seconds
            if recycle and now - info[_OPENED] >= recycle:
                connection.close()  # the pool replaces it at its next checkout
                continue
            ping_after = self._ping_after
            last_used = info[_LAST_USED]
            stale = last_used < self._lost_at or (
                ping_after is not None and now - last_used >= ping_after
            )
            if stale and not _ping(cursor):
                connection.invalidate()
                continue
            return connection, cursor
        try:
            connection = self.engine.raw_connection()
        except (sa_exc.SQLAlchemyError, self.dbapi_error) as exc:
            raise translate(exc, classify(exc)) from exc
        return connection, connection.info[_CURSOR]

    def release(self, connection: PoolProxiedConnection, cursor: DBAPICursor) -> None:
        """Take back a connection whose unit of work ended with no transaction open."""
        if not self._is_idle(connection):
            # Interrupted mid-statement, or a transaction left open: never reuse it.
            connection.invalidate()
            return
        connection.info[_LAST_USED] = time.monotonic()
        if not self._closed and len(self._idle) < self.settings.pool_size:
            self._idle.append((connection, cursor))
        else:
            connection.close()  # back to the pool, which closes overflow connections

    def _is_idle(self, connection: PoolProxiedConnection) -> bool:
        """Say whether the driver reports no transaction and no statement in progress."""
        driver: Any = connection.driver_connection
        if self.is_postgres:
            return bool(driver.info.transaction_status == 0)  # psycopg's IDLE
        return not driver.in_transaction

    def classify(self, exc: BaseException, connection: PoolProxiedConnection | None) -> Failure:
        """Return what kind of failure ``exc`` is, asking the dialect about disconnects."""
        driver = None if connection is None else connection.driver_connection
        disconnected = self.engine.dialect.is_disconnect(exc, driver, None)  # type: ignore[arg-type]  # the dialect accepts a driver connection or None
        failure = classify(exc, disconnected=disconnected)
        if failure is Failure.DISCONNECT:
            self._lost_at = time.monotonic()
        return failure

    def upgrade_schema(self) -> None:
        """Upgrade the schema to the newest migration; idempotent, safe from two processes.

        The whole upgrade is one transaction that first takes a lock: on PostgreSQL a
        transaction-level advisory lock, on SQLite the write lock (BEGIN IMMEDIATE). A
        second process waits, then finds the schema at head and does nothing.
        """
        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("leadcore.adapters.sql") / "migrations")
        )
        try:
            with self.engine.connect() as connection:
                if self.is_postgres:
                    connection = connection.execution_options(isolation_level="READ COMMITTED")
                with connection.begin():
                    if self.is_postgres:
                        connection.execute(
                            text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY}
                        )
                    else:
                        connection.exec_driver_sql("BEGIN IMMEDIATE")
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
        except CommandError as exc:
            raise errors.database_error(
                "the database schema is of a newer leadcore than this one", retryable=False
            ) from exc
        except (sa_exc.SQLAlchemyError, self.dbapi_error) as exc:
            raise translate(exc, classify(exc)) from exc

    def dispose(self) -> None:
        """Close every pooled connection; connections in use close when returned."""
        self._closed = True
        while self._idle:
            connection, _cursor = self._idle.pop()
            connection.close()
        self.engine.dispose()

    def forget_inherited_connections(self) -> None:
        """In a forked child: drop the parent's connections without closing its sockets."""
        self._idle.clear()
        self.engine.dispose(close=False)

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"


def _create_engine(url: URL, settings: Settings) -> Engine:
    pool: dict[str, Any] = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.pool_max_overflow,
        "pool_timeout": settings.pool_timeout_seconds,
        "pool_recycle": settings.pool_recycle_seconds or -1,
    }
    if url.drivername.startswith("postgresql"):
        engine = create_engine(
            url,
            isolation_level="AUTOCOMMIT",
            connect_args=_postgres_connect_args(settings),
            **pool,
        )
        event.listen(engine, "connect", _postgres_setup(settings))
        event.listen(engine, "checkout", _checkout_check(settings.pool_ping_idle_seconds))
    else:
        engine = create_engine(
            url,
            paramstyle="named",
            connect_args={
                "isolation_level": None,  # autocommit: the unit of work sends BEGIN itself
                "timeout": settings.sqlite_busy_timeout_seconds,
                "check_same_thread": False,
            },
            **pool,
        )
        event.listen(engine, "connect", _sqlite_setup(settings))
        # A local file needs no ping; the pid check still applies.
        event.listen(engine, "checkout", _checkout_check(None))
    event.listen(engine, "checkin", _stamp_last_use)
    return engine


def _postgres_connect_args(settings: Settings) -> dict[str, Any]:
    """Return libpq connection parameters: the connect timeout and dead-peer detection."""
    args: dict[str, Any] = {"connect_timeout": max(1, round(settings.connect_timeout_seconds))}
    dead_after = settings.tcp_dead_peer_seconds
    if dead_after > 0:
        # Idle: probe after a third, then every ninth, three probes: gone after about
        # dead_after. Sending: unacknowledged data for dead_after ends the connection.
        args |= {
            "keepalives": 1,
            "keepalives_idle": max(1, round(dead_after / 3)),
            "keepalives_interval": max(1, round(dead_after / 9)),
            "keepalives_count": 3,
            "tcp_user_timeout": max(1, round(dead_after * 1000)),
        }
    return args


def _milliseconds(seconds: float) -> str:
    """Return a PostgreSQL timeout setting: 0 stays off, any other time is at least 1 ms."""
    return str(max(1, round(seconds * 1000)) if seconds > 0 else 0)


def _postgres_setup(settings: Settings) -> Any:
    timeouts = {
        "statement": _milliseconds(settings.statement_timeout_seconds),
        "lock": _milliseconds(settings.lock_timeout_seconds),
    }

    def on_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        # UTC sessions make psycopg return timestamptz with tzinfo=UTC, equal to what
        # was written; the statement timeout bounds every statement of the session, the
        # lock timeout every wait for a lock another session holds.
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute(
            "SELECT set_config('statement_timeout', %(statement)s, false),"
            " set_config('lock_timeout', %(lock)s, false)",
            timeouts,
        )
        cursor.fetchall()
        _stamp_new(record, cursor)

    return on_connect


def _sqlite_setup(settings: Settings) -> Any:
    busy_ms = round(settings.sqlite_busy_timeout_seconds * 1000)

    def on_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
        # Two processes switching a new file to WAL at once can deadlock on its lock, and
        # SQLite then answers "busy" without waiting: try again until the busy timeout.
        deadline = time.monotonic() + settings.sqlite_busy_timeout_seconds
        while True:
            try:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.fetchall()
                break
            except sqlite3.OperationalError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)
        cursor.execute("PRAGMA foreign_keys = ON")
        _stamp_new(record, cursor)

    return on_connect


def _stamp_new(record: ConnectionPoolEntry, cursor: DBAPICursor) -> None:
    record.info[_PID] = os.getpid()
    record.info[_CURSOR] = cursor
    record.info[_LAST_USED] = record.info[_OPENED] = time.monotonic()


def _ping(cursor: DBAPICursor) -> bool:
    """Say whether the connection of ``cursor`` answers a trivial query."""
    try:
        cursor.execute("SELECT 1")
        cursor.fetchall()
    except Exception:  # noqa: BLE001  # whatever the failure, use another connection
        return False
    return True


def _stamp_last_use(dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
    record.info[_LAST_USED] = time.monotonic()


def _checkout_check(ping_idle_seconds: float | None) -> Any:
    """Return a checkout listener: refuse another process's connection, ping idle ones."""

    def on_checkout(
        dbapi_connection: DBAPIConnection,
        record: ConnectionPoolEntry,
        proxy: PoolProxiedConnection,
    ) -> None:
        info = record.info
        if info.get(_PID) != os.getpid():
            # Opened by the parent of a fork: forget it without closing the parent's socket.
            record.dbapi_connection = proxy.dbapi_connection = None  # type: ignore[misc]  # the documented recipe for forked pools
            raise sa_exc.DisconnectionError("connection opened by another process")
        if (
            ping_idle_seconds is not None
            and time.monotonic() - info[_LAST_USED] >= ping_idle_seconds
            and not _ping(info[_CURSOR])
        ):
            raise sa_exc.DisconnectionError("ping failed")

    return on_checkout


_databases: weakref.WeakSet[Database] = weakref.WeakSet()


def _forget_after_fork(database: Database) -> None:
    """Make a forked child drop ``database``'s connections (never close them)."""
    _install_fork_hook()
    _databases.add(database)


@functools.cache
def _install_fork_hook() -> None:
    os.register_at_fork(after_in_child=_drop_inherited_pools)


def _drop_inherited_pools() -> None:
    """In a forked child: give every database a fresh pool, leaving the parent's sockets open."""
    for database in list(_databases):
        database.forget_inherited_connections()
