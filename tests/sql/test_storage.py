"""How the SQL stores keep things: SQLite pragmas, time stamps, refused text, transactions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadcore import ErrorCode
from leadcore.adapters.sql import SqlUnitOfWork, UnitOfWorkMisuseError
from leadcore.domain.pages import encode_cursor
from leadcore.ports.unit_of_work import Intent
from leadcore.services.audit import EXPORT_PAGE
from tests.conftest import FakeClock, lead_data
from tests.sql.conftest import OpenCore, database_of
from tests.sql.test_errors import cast, refusal


@pytest.mark.parametrize("sql_store", ["sqlite"], indirect=True)
def test_sqlite_connections_use_wal_foreign_keys_and_the_busy_timeout(open_sql: OpenCore) -> None:
    """Every pooled SQLite connection runs in WAL mode, with foreign keys and the timeout."""
    database = database_of(open_sql(sqlite_busy_timeout_seconds=2.5))
    with SqlUnitOfWork(database, Intent.READ) as uow:
        found = [
            uow.one(f"PRAGMA {name}", {})[0]
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        ]
    assert found == ["wal", 1, 2500]


def test_time_stamps_read_back_time_zone_aware_and_equal(
    open_sql: OpenCore, clock: FakeClock
) -> None:
    """A lead read back has UTC time stamps equal to the written ones, microseconds included."""
    core, people = cast(open_sql)
    clock.set(datetime(2026, 7, 1, 23, 59, 59, 999_998, tzinfo=UTC))  # the lead gets .999999
    lead = core.leads.create(people.reviewer.id, lead_data())
    stored = core.leads.get(people.reviewer.id, lead.id)
    assert stored.created_at == lead.created_at
    assert stored.created_at.utcoffset() is not None
    assert stored.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert stored.created_at.microsecond == 999_999
    entry = core.audit.for_lead(people.reviewer.id, lead.id)[0]
    assert entry.at == lead.created_at


BAD_TEXT = ["nul \x00 byte", "lone \ud800 surrogate"]


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_text_the_database_cannot_store_is_refused_before_the_driver(
    open_sql: OpenCore, bad: str
) -> None:
    """NUL bytes and lone surrogates get INVALID_INPUT or not-found, never DATABASE_ERROR."""
    core, people = cast(open_sql)
    lead = core.leads.create(people.reviewer.id, lead_data())
    actor = people.reviewer.id
    forged_cursor = encode_cursor("2026-03-14T09:30:00+00:00", bad)
    calls = {
        "create": (core.leads.create, actor, lead_data(2, company_name=bad)),
        "update": (core.leads.update, actor, lead.id, {"notes": bad}, 1),
        "get": (core.leads.get, actor, bad),
        "actor": (core.leads.get, bad, lead.id),
        "user": (core.users.create, people.admin.id, {"email": bad, "name": "X", "role": "ADMIN"}),
        "list": (core.leads.list, actor, None, None, 10, forged_cursor),
        "audit": (core.audit.list, actor, None, bad),
        "assign": (core.leads.assign_assessor, actor, lead.id, bad, 1),
    }
    codes = {name: refusal(call[0], *call[1:]).code for name, call in calls.items()}
    assert ErrorCode.DATABASE_ERROR not in codes.values()
    assert codes["get"] is ErrorCode.LEAD_NOT_FOUND
    assert codes["actor"] is ErrorCode.UNAUTHORIZED
    assert core.leads.get(actor, lead.id) == lead


def test_a_write_unit_left_without_commit_keeps_nothing(open_sql: OpenCore) -> None:
    """Counter steps and audit rows of a WRITE unit that is not committed are rolled back."""
    database = database_of(open_sql())
    with SqlUnitOfWork(database, Intent.WRITE) as uow:
        assert uow.sequences.next("rolled-back") == 1
    with SqlUnitOfWork(database, Intent.WRITE) as uow:
        assert uow.sequences.current("rolled-back") == 0
        assert uow.sequences.reserve("kept", 5) == range(1, 6)
        assert uow.sequences.raise_to("kept", 3) == 5
        uow.commit()
    with SqlUnitOfWork(database, Intent.READ) as uow:
        assert uow.sequences.current("kept") == 5


def test_intents_refuse_the_writes_they_did_not_declare(open_sql: OpenCore) -> None:
    """A READ unit may not write and a WRITE_ONCE unit may write once: misuse is a bug."""
    database = database_of(open_sql())
    with SqlUnitOfWork(database, Intent.READ) as uow, pytest.raises(UnitOfWorkMisuseError):
        uow.sequences.next("x")
    with SqlUnitOfWork(database, Intent.WRITE_ONCE) as uow:
        uow.sequences.next("x")
        with pytest.raises(UnitOfWorkMisuseError):
            uow.sequences.next("x")


def test_waiting_past_the_pool_timeout_is_a_retryable_database_error(open_sql: OpenCore) -> None:
    """With every connection in use, a command gets DATABASE_ERROR (busy) after the timeout."""
    core, people = cast(open_sql, pool_size=1, pool_max_overflow=0, pool_timeout_seconds=0.1)
    with SqlUnitOfWork(database_of(core), Intent.READ) as holder:
        holder.execute("SELECT 1", {})  # the only connection is now in use
        error = refusal(core.users.get, people.admin.id, people.admin.id)
    assert (error.code, error.context["retryable"], error.context["reason"]) == (
        ErrorCode.DATABASE_ERROR,
        True,
        "busy",
    )
    assert core.users.get(people.admin.id, people.admin.id) == people.admin


def test_a_snapshot_unit_does_not_see_a_write_committed_after_its_first_read(
    open_sql: OpenCore,
) -> None:
    """SNAPSHOT: a lead updated by another connection mid-unit reads as it was at the start."""
    core, people = cast(open_sql)
    lead = core.leads.create(people.reviewer.id, lead_data(1))
    with SqlUnitOfWork(database_of(core), Intent.SNAPSHOT) as uow:
        before = uow.leads.get(lead.id)
        core.leads.update(people.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1)
        during = uow.leads.get(lead.id)
    after = core.leads.get(people.reviewer.id, lead.id)

    assert before is not None
    assert during is not None
    assert (before.version, during.version, after.version) == (1, 1, 2)


def test_a_snapshot_unit_may_not_write(open_sql: OpenCore) -> None:
    """A SNAPSHOT unit refuses writes like a READ unit: misuse is a bug."""
    database = database_of(open_sql())
    with SqlUnitOfWork(database, Intent.SNAPSHOT) as uow, pytest.raises(UnitOfWorkMisuseError):
        uow.sequences.next("x")


def test_an_export_reads_the_trail_as_it_was_at_its_first_entry(open_sql: OpenCore) -> None:
    """A lead created (on another connection) while an export runs is not in that export,
    though the export reads the page it would be on afterwards."""
    core, people = cast(open_sql)
    rows = [lead_data(n) for n in range(1, EXPORT_PAGE + 1)]  # the trail is two pages long
    core.leads.import_rows(people.admin.id, rows)
    before = core.leads.create(people.reviewer.id, lead_data(0))
    exported = core.audit.export(people.reviewer.id)
    first = next(exported)
    during = core.leads.create(people.reviewer.id, lead_data(EXPORT_PAGE + 1))
    seen = {entry.lead_id for entry in [first, *exported]}

    assert before.id in seen
    assert during.id not in seen
