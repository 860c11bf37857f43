"""Migrations: shipped in the package, idempotent, safe from two processes, matching tables.py."""

from __future__ import annotations

import multiprocessing as mp
import os
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import leadcore
from leadcore import ErrorCode, LeadCoreError
from leadcore.adapters.sql.tables import VERSION_TABLE, metadata
from tests.conftest import lead_data, store_url
from tests.sql.conftest import OpenCore, admin_sql, database_of


def test_create_schema_twice_changes_nothing(open_sql: OpenCore) -> None:
    """A second create_schema() on a migrated database is harmless and keeps the data."""
    core = open_sql()
    admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
    core.create_schema()
    assert core.users.get(admin.id, admin.id) == admin


def test_the_migrated_schema_matches_the_table_definitions(open_sql: OpenCore) -> None:
    """Alembic finds no difference between the migrated database and tables.py."""
    engine = database_of(open_sql()).engine
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        differences = compare_metadata(context, metadata)
    assert differences == []


def empty_database(store: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of a database without leadcore's schema."""
    if store == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('empty') / 'leadcore.db'}"
    url = store_url(store, tmp_path_factory)  # fresh PostgreSQL databases come migrated
    admin_sql(url, "DROP SCHEMA public CASCADE")
    admin_sql(url, "CREATE SCHEMA public")
    return url


def test_a_database_without_schema_is_a_database_error(
    sql_store: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Using a store before create_schema() is DATABASE_ERROR (schema), not a driver error."""
    url = empty_database(sql_store, tmp_path_factory)
    with leadcore.connect(url) as core, pytest.raises(LeadCoreError) as caught:
        core.users.bootstrap_admin(email="admin@example.in", name="Asha")
    assert caught.value.code is ErrorCode.DATABASE_ERROR
    assert (caught.value.context["retryable"], caught.value.context["reason"]) == (False, "schema")


def _upgrade(url: str, barrier: Any) -> None:
    with leadcore.connect(url) as core:
        barrier.wait(timeout=60)
        core.create_schema()


def test_two_processes_creating_the_schema_at_once_both_succeed(
    sql_store: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two processes running create_schema() on an empty database at once leave one schema."""
    url = empty_database(sql_store, tmp_path_factory)
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_upgrade, args=(url, barrier)) for _ in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [proc.exitcode for proc in procs] == [0, 0]
    with leadcore.connect(url) as core:
        admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
        reviewer = core.users.create(
            admin.id, {"email": "r@example.in", "name": "Ravi", "role": "REVIEWER"}
        )
        assert core.leads.create(reviewer.id, lead_data()).version == 1


def test_migrations_ship_inside_the_package() -> None:
    """The migration scripts are package data next to the adapter, with no alembic.ini."""
    from importlib import resources

    migrations = resources.files("leadcore.adapters.sql") / "migrations"
    names = {entry.name for entry in (migrations / "versions").iterdir()}
    assert (migrations / "env.py").is_file()
    assert "r0001_initial_schema.py" in names
    assert not os.path.exists(os.path.join(str(migrations), "alembic.ini"))
