"""Fixtures of the SQL-only tests: a fresh database URL on SQLite or PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

import leadcore
from leadcore import LeadCore
from leadcore.adapters.sql import Database
from tests.conftest import FakeClock, store_url

SQL_STORES = ["sqlite", "postgres"]

OpenCore = Callable[..., LeadCore]


@pytest.fixture(params=SQL_STORES)
def sql_store(request: pytest.FixtureRequest) -> str:
    """The SQL store under test."""
    if request.param == "postgres" and os.environ.get("LEADCORE_SKIP_POSTGRES") == "1":
        pytest.skip("LEADCORE_SKIP_POSTGRES=1")
    return str(request.param)


@pytest.fixture
def sql_url(sql_store: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh database of the SQL store under test (PostgreSQL: schema already created)."""
    return store_url(sql_store, tmp_path_factory)


@pytest.fixture
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh PostgreSQL database with leadcore's schema."""
    if os.environ.get("LEADCORE_SKIP_POSTGRES") == "1":
        pytest.skip("LEADCORE_SKIP_POSTGRES=1")
    return store_url("postgres", tmp_path_factory)


@pytest.fixture
def open_sql(sql_url: str, clock: FakeClock) -> Iterator[OpenCore]:
    """Open cores on the test's SQL database (settings as keywords); closed at the end."""
    opened: list[LeadCore] = []

    def open_(**overrides: Any) -> LeadCore:
        overrides.setdefault("rate_limits_enabled", False)
        core = leadcore.connect(sql_url, clock=clock, **overrides)
        opened.append(core)
        core.create_schema()
        return core

    yield open_
    for core in opened:
        core.close()


def database_of(core: LeadCore) -> Database:
    """Return the SQL database behind ``core``."""
    database = core.container.sql_database()
    assert isinstance(database, Database)
    return database


def admin_sql(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Run one statement on the PostgreSQL database ``url`` names, outside leadcore."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        cursor = connection.execute(sql.encode())
        return cursor.fetchall() if cursor.description else []


def cut_connections(url: str) -> int:
    """Terminate every other session on the PostgreSQL database ``url``; return how many."""
    rows = admin_sql(
        url,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    return int(rows[0][0])
