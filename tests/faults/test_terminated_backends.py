"""A backend terminated in the middle of a command: the call fails with a retryable
DATABASE_ERROR, the store keeps only what committed (whole), and the same LeadCore goes on.

Each scenario stops one command where its transaction (or its one statement) is open,
terminates that command's backend with pg_terminate_backend from a side door, and lets
the command run into the loss. The three tests below run on every scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import attrs
import pytest

from leadcore import ErrorCode, LeadCore, LeadCoreError
from tests.conftest import lead_data
from tests.faults.conftest import Stage
from tests.faults.helpers import (
    COUNTER,
    WAIT,
    blocked_by,
    idle_in_transaction,
    lead_id,
    query,
    read_ledger,
    refusal,
    side_door,
    terminate,
    terminator,
)

pytestmark = pytest.mark.postgres


@attrs.frozen
class Aftermath:
    """What a scenario's interrupted call raised, and what the store must hold afterwards."""

    error: LeadCoreError
    versions: Mapping[str, int]  # lead id -> version of every lead that committed
    in_doubt: bool  # whether the write may have committed (a statement on its own)


def create_waiting_for_the_counter(core: LeadCore, stage: Stage) -> Aftermath:
    """A create blocked on the counter row (held FOR UPDATE elsewhere) loses its backend."""
    core.leads.create(stage.reviewer.id, lead_data(1))
    with side_door(stage.url, autocommit=False) as holder:
        holder.execute(
            b"SELECT value FROM counters WHERE name = %(name)s FOR UPDATE", {"name": COUNTER}
        )
        with terminator(stage.url, holder.info.backend_pid) as killed:
            error = refusal(core.leads.create, stage.reviewer.id, lead_data(2))
        killed.result(timeout=WAIT)
        holder.rollback()
    return Aftermath(error, {lead_id(1): 1}, in_doubt=True)


def update_waiting_for_the_lead_row(core: LeadCore, stage: Stage) -> Aftermath:
    """An update blocked on its lead's row (held FOR UPDATE elsewhere) loses its backend."""
    lead = core.leads.create(stage.reviewer.id, lead_data(1))
    with side_door(stage.url, autocommit=False) as holder:
        holder.execute(b"SELECT 1 FROM leads WHERE id = %(id)s FOR UPDATE", {"id": lead.id})
        with terminator(stage.url, holder.info.backend_pid) as killed:
            error = refusal(
                core.leads.update, stage.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1
            )
        killed.result(timeout=WAIT)
        holder.rollback()
    return Aftermath(error, {lead.id: 1}, in_doubt=True)


class Tripwire(Mapping[str, object]):
    """An import row that runs ``trip`` the first time its fields are read."""

    def __init__(self, fields: Mapping[str, object], trip: Callable[[], object]) -> None:
        self._fields = dict(fields)
        self._trip: Callable[[], object] | None = trip

    def __getitem__(self, key: str) -> object:
        return self._fields[key]

    def __len__(self) -> int:
        return len(self._fields)

    def __iter__(self) -> Iterator[str]:
        trip, self._trip = self._trip, None
        if trip is not None:
            trip()
        return iter(self._fields)


def import_batch_between_statements(core: LeadCore, stage: Stage) -> Aftermath:
    """The second batch of an import loses its backend while it reads its rows, in a transaction."""

    def kill_the_open_transaction() -> int:
        return terminate(stage.url, idle_in_transaction(stage.url))

    rows = [
        lead_data(1),
        lead_data(2),
        Tripwire(lead_data(3), kill_the_open_transaction),
        lead_data(4),
    ]
    error = refusal(core.leads.import_rows, stage.reviewer.id, rows, batch_size=2)
    return Aftermath(error, {lead_id(1): 1, lead_id(2): 1}, in_doubt=False)


def import_batch_after_taking_numbers(core: LeadCore, stage: Stage) -> Aftermath:
    """The second batch of an import, its numbers taken, blocks on a CIN another
    transaction is inserting, and loses its backend."""
    held_cin = lead_data(4)["cin"]

    def kill_the_writer(holder: int) -> bool:
        pid = blocked_by(stage.url, holder)
        # The batch holds the counter row it advanced: the kill lands after the numbering.
        took_numbers = query(
            stage.url,
            "SELECT count(*) FROM pg_locks AS l JOIN pg_class AS c ON c.oid = l.relation "
            "WHERE l.pid = %(pid)s AND c.relname = 'counters' AND l.mode = 'RowExclusiveLock'",
            {"pid": pid},
        ) == [(1,)]
        terminate(stage.url, pid)
        return took_numbers

    with side_door(stage.url, autocommit=False) as holder:
        holder.execute(
            b"INSERT INTO leads (id, cin, company_name, status, created_by, created_at, "
            b"updated_at, version) VALUES ('HELD-1', %(cin)s, 'Held', 'NEW', %(admin)s, "
            b"now(), now(), 1)",
            {"cin": held_cin, "admin": stage.admin.id},
        )
        with ThreadPoolExecutor(max_workers=1) as pool:
            killed = pool.submit(kill_the_writer, holder.info.backend_pid)
            rows = [lead_data(n) for n in range(1, 5)]
            error = refusal(core.leads.import_rows, stage.reviewer.id, rows, batch_size=2)
            assert killed.result(timeout=WAIT), "the batch had not taken its numbers"
        holder.rollback()
    return Aftermath(error, {lead_id(1): 1, lead_id(2): 1}, in_doubt=False)


SCENARIOS = {
    "create": create_waiting_for_the_counter,
    "update": update_waiting_for_the_lead_row,
    "import-reading": import_batch_between_statements,
    "import-writing": import_batch_after_taking_numbers,
}


@pytest.fixture(params=sorted(SCENARIOS))
def aftermath(request: pytest.FixtureRequest, core: LeadCore, stage: Stage) -> Aftermath:
    """The outcome of one scenario, run on the test's core."""
    return SCENARIOS[request.param](core, stage)


def test_the_call_fails_with_a_retryable_database_error(aftermath: Aftermath) -> None:
    """The interrupted call raises DATABASE_ERROR whose context says it may be retried."""
    error = aftermath.error
    assert (error.code, error.context["retryable"]) == (ErrorCode.DATABASE_ERROR, True)


def test_the_error_says_in_doubt_only_when_the_write_may_have_committed(
    aftermath: Aftermath,
) -> None:
    """A lost statement-on-its-own is in doubt; a lost open transaction certainly rolled back."""
    assert aftermath.error.context.get("in_doubt", False) is aftermath.in_doubt


def test_the_store_keeps_only_what_committed_and_stays_whole(
    stage: Stage, aftermath: Aftermath
) -> None:
    """Only committed leads remain, each with its entries; no number was consumed."""
    ledger = read_ledger(stage.url)
    assert (ledger.breaks(), dict(ledger.versions)) == ([], dict(aftermath.versions))


def test_the_same_core_creates_the_next_lead(
    stage: Stage, core: LeadCore, aftermath: Aftermath
) -> None:
    """The pool recovers: the same LeadCore numbers the next lead right after the committed."""
    created = core.leads.create(stage.reviewer.id, lead_data(99))
    assert created.id == lead_id(len(aftermath.versions) + 1)
