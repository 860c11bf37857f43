"""Every session of a pool cut at once (a failover, a restart, an operator's purge): the
pool notices at the first lost connection and the next call works."""

from __future__ import annotations

import contextlib

import pytest

from leadcore import ErrorCode, LeadCore
from leadcore.adapters.sql import Database, SqlUnitOfWork
from leadcore.ports.unit_of_work import Intent
from tests.conftest import lead_data
from tests.faults.conftest import Stage
from tests.faults.helpers import query, refusal

pytestmark = pytest.mark.postgres

POOLED = 4  # connections the core holds when its sessions are cut


def fill_the_pool(core: LeadCore) -> None:
    """Leave POOLED connections in the core's pool, as a multi-threaded application does."""
    database = core.container.sql_database()
    assert isinstance(database, Database)
    with contextlib.ExitStack() as stack:
        for _ in range(POOLED):
            uow = stack.enter_context(SqlUnitOfWork(database, Intent.READ))
            uow.execute("SELECT 1", {})


def cut_every_session(url: str) -> int:
    """Terminate every other session on the database; return how many."""
    rows = query(
        url,
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 30000)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    return int(rows[0][0])


def test_after_every_session_is_cut_one_write_fails_and_the_next_works(
    stage: Stage, core: LeadCore
) -> None:
    """Only the write that finds the first dead connection fails; the pool drops the rest."""
    fill_the_pool(core)
    assert cut_every_session(stage.url) == POOLED
    error = refusal(core.leads.create, stage.reviewer.id, lead_data(1))
    assert (error.code, error.context["retryable"]) == (ErrorCode.DATABASE_ERROR, True)
    assert core.leads.create(stage.reviewer.id, lead_data(2)).version == 1
