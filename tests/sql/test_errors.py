"""Driver errors leave the SQL stores only as LeadCoreError, with the right code and context."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

import leadcore
from leadcore import ErrorCode, LeadCore, LeadCoreError
from leadcore.adapters.sql.errors import Failure, classify, translate
from tests.conftest import People, lead_data
from tests.sql.conftest import OpenCore


def refusal(call: object, *args: object, **kwargs: object) -> LeadCoreError:
    """Return the LeadCoreError that ``call(*args, **kwargs)`` raises."""
    with pytest.raises(LeadCoreError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]  # any service method
    return caught.value


def cast(open_sql: OpenCore, **settings: object) -> tuple[LeadCore, People]:
    """Return a core on the SQL store under test and its admin, reviewer and assessor."""
    core = open_sql(**settings)
    admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
    reviewer = core.users.create(
        admin.id, {"email": "reviewer@example.in", "name": "Ravi", "role": "REVIEWER"}
    )
    assessor = core.users.create(
        admin.id, {"email": "assessor@example.in", "name": "Sita", "role": "ASSESSOR"}
    )
    return core, People(admin, reviewer, assessor)


def test_a_duplicate_email_in_another_case_is_duplicate_resource(open_sql: OpenCore) -> None:
    """The unique constraint on the lower-cased e-mail answers DUPLICATE_RESOURCE with it."""
    core, people = cast(open_sql)
    error = refusal(
        core.users.create,
        people.admin.id,
        {"email": "Reviewer@Example.IN", "name": "Other", "role": "REVIEWER"},
    )
    assert (error.code, error.context) == (
        ErrorCode.DUPLICATE_RESOURCE,
        {"email": "reviewer@example.in"},
    )


def test_changing_a_cin_to_a_taken_one_is_duplicate_cin(open_sql: OpenCore) -> None:
    """A compare-and-set that hits the CIN constraint is DUPLICATE_CIN with that CIN."""
    core, people = cast(open_sql)
    core.leads.create(people.reviewer.id, lead_data(1))
    second = core.leads.create(people.reviewer.id, lead_data(2))
    error = refusal(
        core.leads.update,
        people.reviewer.id,
        second.id,
        {"cin": "u72900ka2015ptc000001"},
        expected_version=1,
    )
    assert (error.code, error.context) == (
        ErrorCode.DUPLICATE_CIN,
        {"cin": "U72900KA2015PTC000001"},
    )
    assert core.leads.get(people.reviewer.id, second.id) == second


def test_a_real_deadlock_is_classified_as_a_conflict(pg_url: str) -> None:
    """PostgreSQL's deadlock error is a CONFLICT, then DATABASE_ERROR with retryable true."""
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    first, second = (psycopg.connect(dsn, autocommit=True) for _ in range(2))
    for name in ("a", "b"):
        first.execute("INSERT INTO counters (name, value) VALUES (%s, 0)", (name,))
    caught: list[BaseException] = []
    lock_b = threading.Event()

    def take(conn: psycopg.Connection[tuple[object, ...]], one: str, other: str) -> None:
        try:
            with conn.transaction():
                conn.execute("UPDATE counters SET value = 1 WHERE name = %s", (one,))
                if one == "b":
                    lock_b.set()  # the other thread holds "a"; now both hold one row
                else:
                    lock_b.wait(5)
                conn.execute("SELECT pg_sleep(0.2)")
                conn.execute("UPDATE counters SET value = 1 WHERE name = %s", (other,))
        except psycopg.Error as exc:
            caught.append(exc)

    threads = [
        threading.Thread(target=take, args=(first, "a", "b")),
        threading.Thread(target=take, args=(second, "b", "a")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    first.close()
    second.close()
    assert len(caught) == 1
    failure = classify(caught[0])
    error = translate(caught[0], failure)
    assert failure is Failure.CONFLICT
    assert (error.code, error.context["retryable"], error.context["sqlstate"]) == (
        ErrorCode.DATABASE_ERROR,
        True,
        "40P01",
    )


def test_a_server_that_is_not_there_is_a_retryable_database_error(tmp_path: Path) -> None:
    """Connecting to a socket nobody listens on is DATABASE_ERROR, retryable."""
    url = f"postgresql+psycopg://nobody@/leadcore?host={tmp_path}"
    with leadcore.connect(url, connect_timeout_seconds=1) as core:
        error = refusal(core.users.bootstrap_admin, email="a@example.in", name="Asha")
    assert (error.code, error.context["retryable"]) == (ErrorCode.DATABASE_ERROR, True)


def test_a_sqlite_file_that_cannot_be_opened_is_a_database_error(tmp_path: Path) -> None:
    """A SQLite path in a missing directory is DATABASE_ERROR, not retryable."""
    with leadcore.connect(f"sqlite:///{tmp_path / 'missing' / 'x.db'}") as core:
        error = refusal(core.create_schema)
    assert (error.code, error.context["retryable"]) == (ErrorCode.DATABASE_ERROR, False)


def test_a_locked_sqlite_database_is_a_retryable_database_error(tmp_path: Path) -> None:
    """A writer that waits past the busy timeout gets DATABASE_ERROR (busy), reads still work."""
    path = tmp_path / "locked.db"
    with leadcore.connect(f"sqlite:///{path}", sqlite_busy_timeout_seconds=0.2) as core:
        core.create_schema()
        admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            error = refusal(core.leads.create, admin.id, lead_data())
            assert core.users.get(admin.id, admin.id) == admin
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert (error.code, error.context["retryable"], error.context["reason"]) == (
        ErrorCode.DATABASE_ERROR,
        True,
        "busy",
    )


@pytest.mark.parametrize(
    "url",
    ["postgresql+asyncpg://x@/db", "sqlite://", "sqlite:///:memory:", "mysql://x@/db"],
)
def test_urls_the_sql_stores_cannot_serve_are_invalid_input(url: str) -> None:
    """Another driver, another database or an in-memory SQLite is INVALID_INPUT on connect."""
    error = refusal(leadcore.connect, url)
    assert error.code is ErrorCode.INVALID_INPUT
    assert "url" in error.context["fields"]
