"""PostgreSQL connections: lost ones are replaced, idle ones pinged, forks never share."""

from __future__ import annotations

import multiprocessing as mp
import os

import pytest
from sqlalchemy.pool import QueuePool

from leadcore import ErrorCode, LeadCore
from leadcore.adapters.sql import SqlUnitOfWork
from leadcore.ports.unit_of_work import Intent
from tests.conftest import lead_data
from tests.sql.conftest import OpenCore, admin_sql, cut_connections, database_of
from tests.sql.test_errors import cast, refusal


@pytest.fixture
def sql_store() -> str:
    """These tests cut PostgreSQL sessions: PostgreSQL only."""
    if os.environ.get("LEADCORE_SKIP_POSTGRES") == "1":
        pytest.skip("LEADCORE_SKIP_POSTGRES=1")
    return "postgres"


def test_reads_survive_a_lost_connection(sql_url: str, open_sql: OpenCore) -> None:
    """A read whose pooled connection was cut is run again on a new one."""
    core, people = cast(open_sql)
    lead = core.leads.create(people.reviewer.id, lead_data())
    assert cut_connections(sql_url) >= 1
    assert core.leads.get(people.reviewer.id, lead.id) == lead


def test_a_write_on_a_lost_connection_is_a_retryable_database_error(
    sql_url: str, open_sql: OpenCore
) -> None:
    """A write whose connection was cut is DATABASE_ERROR, retryable, in doubt; the next works."""
    core, people = cast(open_sql)
    core.leads.create(people.reviewer.id, lead_data(1))
    cut_connections(sql_url)
    error = refusal(core.leads.create, people.reviewer.id, lead_data(2))
    assert error.code is ErrorCode.DATABASE_ERROR
    assert error.context["retryable"] is True
    assert error.context["in_doubt"] is True
    assert core.leads.create(people.reviewer.id, lead_data(3)).id.endswith("-0002")


def test_an_idle_connection_is_pinged_before_use(sql_url: str, open_sql: OpenCore) -> None:
    """With pool_ping_idle_seconds=0 a cut connection is replaced at checkout: writes work."""
    core = open_sql(pool_ping_idle_seconds=0)
    admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
    cut_connections(sql_url)
    assert core.leads.create(admin.id, lead_data()).version == 1


def sessions(url: str) -> list[int]:
    """Return the backend pids of the sessions on ``url`` (other than the asking one)."""
    rows = admin_sql(
        url,
        "SELECT pid FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY pid",
    )
    return [int(row[0]) for row in rows]


def test_a_forked_child_never_uses_the_parents_connections(
    sql_url: str, open_sql: OpenCore
) -> None:
    """A child forked after the parent used its core works on new sessions; the parent's live on."""
    core, people = cast(open_sql)
    lead = core.leads.create(people.reviewer.id, lead_data(1))
    parents = sessions(sql_url)
    ctx = mp.get_context("fork")
    queue = ctx.Queue()

    def child() -> None:
        created = core.leads.create(people.reviewer.id, lead_data(2))
        queue.put((created.id, sessions(sql_url)))

    proc = ctx.Process(target=child)
    proc.start()
    created_id, during = queue.get(timeout=60)
    proc.join(timeout=60)
    assert proc.exitcode == 0
    assert created_id.endswith("-0002")
    assert set(parents) < set(during)  # the child opened a session of its own
    assert core.leads.get(people.reviewer.id, lead.id) == lead
    assert set(parents) <= set(sessions(sql_url))  # the parent's sessions survived


def test_close_returns_every_connection(sql_url: str, open_sql: OpenCore) -> None:
    """After close() the core holds no session on the server."""
    core, _people = cast(open_sql)
    assert sessions(sql_url)
    core.close()
    assert sessions(sql_url) == []
    pool = database_of(core).engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedout() == 0


def test_a_statement_over_the_timeout_is_a_retryable_database_error(open_sql: OpenCore) -> None:
    """statement_timeout_seconds bounds each statement: DATABASE_ERROR, retryable."""
    database = database_of(open_sql(statement_timeout_seconds=0.05))
    with SqlUnitOfWork(database, Intent.READ) as uow:
        error = refusal(uow.execute, "SELECT pg_sleep(1)", {})
    assert (error.code, error.context["retryable"], error.context["reason"]) == (
        ErrorCode.DATABASE_ERROR,
        True,
        "busy",
    )


def test_a_connection_left_inside_a_transaction_is_never_reused(open_sql: OpenCore) -> None:
    """A unit that leaves a transaction open (a bug) hands back a connection nobody reuses."""
    database = database_of(open_sql())

    def backend() -> int:
        with SqlUnitOfWork(database, Intent.READ) as uow:
            return int(uow.one("SELECT pg_backend_pid()", {})[0])

    first = backend()
    assert backend() == first  # the free list hands the same connection back
    with SqlUnitOfWork(database, Intent.READ) as uow:
        uow.execute("BEGIN", {})  # behind the unit's back
    assert backend() != first


def _libpq_parameters(core: LeadCore) -> dict[str, str]:
    """Return the non-default libpq parameters of one of ``core``'s pooled connections."""
    database = database_of(core)
    connection, cursor = database.checkout()
    try:
        return dict(connection.driver_connection.info.get_parameters())  # type: ignore[union-attr]  # psycopg's
    finally:
        database.release(connection, cursor)


def test_connections_give_up_on_a_silent_server_after_the_dead_peer_time(
    open_sql: OpenCore,
) -> None:
    """tcp_dead_peer_seconds=45: keepalives after 15 s idle, every 5 s, 3 probes; 45 s
    of unacknowledged data ends the connection."""
    parameters = _libpq_parameters(open_sql(tcp_dead_peer_seconds=45))

    assert {k: parameters.get(k) for k in DEAD_PEER_KEYS} == {
        "keepalives": "1",
        "keepalives_idle": "15",
        "keepalives_interval": "5",
        "keepalives_count": "3",
        "tcp_user_timeout": "45000",
    }


def test_a_dead_peer_time_of_0_leaves_the_os_defaults(open_sql: OpenCore) -> None:
    """tcp_dead_peer_seconds=0 sets none of the keepalive parameters."""
    parameters = _libpq_parameters(open_sql(tcp_dead_peer_seconds=0))

    assert set(parameters).isdisjoint(DEAD_PEER_KEYS)


DEAD_PEER_KEYS = (
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
)
