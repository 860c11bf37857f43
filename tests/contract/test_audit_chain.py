"""The tamper-evident audit: per-stream hash chains that ``audit.verify`` re-computes."""

from __future__ import annotations

import multiprocessing as mp
import os
from typing import Any

import attrs
import pytest
from sqlalchemy import text

import leadcore
from leadcore import ChainReport, ErrorCode, LeadCore, LeadCoreError
from leadcore.adapters.memory.store import MemoryStore
from leadcore.adapters.sql.repositories import LINK_PAGE
from tests.conftest import People, lead_data, store_url
from tests.contract.helpers import all_audit, refused
from tests.contract.test_concurrency import race
from tests.sql.conftest import database_of

_COLUMNS = "id, at, actor_id, action, lead_id, entity_type, entity_id, old, new, hash"


class Tamper:
    """Changes audit rows behind leadcore's back: SQL on a database, the dicts of a memory store."""

    def __init__(self, core: LeadCore, store: str) -> None:
        self._core = core
        self._memory: MemoryStore | None = None
        if store == "memory":
            self._memory = core.container.memory_store()

    def positions(self, lead_id: str | None) -> list[int]:
        """Return the stream's positions (1-based, as verify reports them), oldest first."""
        if self._memory is not None:
            audit = self._memory.audit
            return [p + 1 for p, entry in enumerate(audit) if entry.lead_id == lead_id]
        where = "lead_id IS NULL" if lead_id is None else "lead_id = :lead_id"
        rows = self._sql(
            f"SELECT position FROM audit_entries WHERE {where} ORDER BY position",  # noqa: S608  # a fixed choice of two conditions
            lead_id=lead_id,
        )
        return [int(row[0]) for row in rows]

    def edit(self, position: int) -> None:
        """Change the entity_id of the entry at ``position``, leaving its hash."""
        if self._memory is not None:
            entry = self._memory.audit[position - 1]
            self._memory.audit[position - 1] = attrs.evolve(entry, entity_id="tampered")
            return
        self._sql("UPDATE audit_entries SET entity_id = 'tampered' WHERE position = :p", p=position)

    def delete(self, position: int) -> None:
        """Remove the entry at ``position``."""
        if self._memory is not None:
            store = self._memory
            del store.audit[position - 1]
            del store.audit_hashes[position - 1]
            store.audit_positions_by_lead.clear()
            for p, entry in enumerate(store.audit):
                if entry.lead_id is not None:
                    store.audit_positions_by_lead.setdefault(entry.lead_id, []).append(p)
            return
        self._sql("DELETE FROM audit_entries WHERE position = :p", p=position)

    def swap(self, first: int, second: int) -> None:
        """Exchange the entries (with their hashes) at two positions."""
        if self._memory is not None:
            store = self._memory
            for rows in (store.audit, store.audit_hashes):
                a, b = rows[first - 1], rows[second - 1]
                rows[first - 1], rows[second - 1] = b, a  # type: ignore[assignment]  # same list
            return
        engine = database_of(self._core).engine
        with engine.begin() as connection:
            connection.execute(
                text(
                    f"CREATE TEMP TABLE swapped AS SELECT position, {_COLUMNS} "  # noqa: S608  # fixed column names
                    "FROM audit_entries WHERE position IN (:a, :b)"
                ),
                {"a": first, "b": second},
            )
            connection.execute(
                text("UPDATE audit_entries SET id = id || '~' WHERE position IN (:a, :b)"),
                {"a": first, "b": second},
            )
            connection.execute(
                text(
                    f"UPDATE audit_entries SET ({_COLUMNS}) = (SELECT {_COLUMNS} FROM swapped "  # noqa: S608  # fixed column names
                    "WHERE swapped.position = CASE WHEN audit_entries.position = :a "
                    "THEN :b ELSE :a END) WHERE position IN (:a, :b)"
                ),
                {"a": first, "b": second},
            )
            connection.execute(text("DROP TABLE swapped"))

    def _sql(self, sql: str, **params: Any) -> list[Any]:
        engine = database_of(self._core).engine
        with engine.begin() as connection:
            result = connection.execute(text(sql), params)
            return list(result.fetchall()) if result.returns_rows else []


@pytest.fixture
def tamper(core: LeadCore, store: str) -> Tamper:
    """Direct access to the audit rows of the core under test."""
    return Tamper(core, store)


def a_history(core: LeadCore, people: People) -> str:
    """Create two leads and change the first twice; return the first lead's id."""
    lead = core.leads.create(people.reviewer.id, lead_data(1, company_name="Société Ñ 株式会社"))
    core.leads.create(people.reviewer.id, lead_data(2))
    lead = core.leads.update(people.reviewer.id, lead.id, {"city": "Pune"}, lead.version)
    core.leads.update(people.reviewer.id, lead.id, {"notes": "called"}, lead.version)
    return lead.id


def test_an_untouched_trail_verifies(core: LeadCore, people: People) -> None:
    """Every entry written through leadcore chains: verify is ok and counts them all."""
    lead_id = a_history(core, people)
    report = core.audit.verify(people.admin.id)
    assert report == ChainReport(ok=True, checked=len(all_audit(core, people.admin.id)))
    assert core.audit.verify(people.admin.id, lead_id) == ChainReport(ok=True, checked=3)


def test_verify_is_for_admins_only(core: LeadCore, people: People) -> None:
    """A reviewer, who may read the whole trail, may not verify it."""
    refused(ErrorCode.INSUFFICIENT_PERMISSIONS, lambda: core.audit.verify(people.reviewer.id))


def test_an_edited_entry_is_the_first_break(core: LeadCore, people: People, tamper: Tamper) -> None:
    """Changing a stored entry breaks the chain at that entry."""
    lead_id = a_history(core, people)
    middle = tamper.positions(lead_id)[1]
    tamper.edit(middle)
    for report in (core.audit.verify(people.admin.id), core.audit.verify(people.admin.id, lead_id)):
        assert (report.ok, report.stream, report.position) == (False, f"lead:{lead_id}", middle)


def test_a_deleted_entry_breaks_the_next_link(
    core: LeadCore, people: People, tamper: Tamper
) -> None:
    """Removing an entry from the middle of a stream breaks the link after it."""
    lead_id = a_history(core, people)
    tamper.delete(tamper.positions(lead_id)[0])
    report = core.audit.verify(people.admin.id, lead_id)
    assert (report.ok, report.stream, report.entry_id) == (
        False,
        f"lead:{lead_id}",
        all_audit(core, people.admin.id, lead_id=lead_id)[0].id,
    )
    assert not core.audit.verify(people.admin.id).ok


def test_a_deleted_last_entry_leaves_the_head_dangling(
    core: LeadCore, people: People, tamper: Tamper
) -> None:
    """Removing a stream's newest entry is found: its head is no entry's hash."""
    lead_id = a_history(core, people)
    tamper.delete(tamper.positions(lead_id)[-1])
    report = core.audit.verify(people.admin.id, lead_id)
    assert (report.ok, report.stream, report.position) == (False, f"lead:{lead_id}", None)


def test_reordered_entries_are_found(core: LeadCore, people: People, tamper: Tamper) -> None:
    """Swapping two entries of a stream breaks the chain at the earlier position."""
    lead_id = a_history(core, people)
    _, second, third = tamper.positions(lead_id)
    tamper.swap(second, third)
    report = core.audit.verify(people.admin.id)
    assert (report.ok, report.stream, report.position) == (False, f"lead:{lead_id}", second)


def test_the_users_stream_is_chained_too(core: LeadCore, people: People, tamper: Tamper) -> None:
    """Editing a USER_CREATED entry (lead_id NULL) breaks the users stream."""
    users = tamper.positions(None)
    assert len(users) == 3  # the three people
    tamper.edit(users[1])
    report = core.audit.verify(people.admin.id)
    assert (report.ok, report.stream, report.position) == (False, "users", users[1])


def test_a_trail_longer_than_a_page_is_verified_to_its_end(
    core: LeadCore, people: People, tamper: Tamper
) -> None:
    """verify reads a trail of more than LINK_PAGE entries whole; a break past the first
    page is found."""
    rows = [lead_data(n) for n in range(1, LINK_PAGE + 101)]
    assert core.leads.import_rows(people.admin.id, rows).imported == len(rows)
    entries = len(all_audit(core, people.admin.id))
    assert core.audit.verify(people.admin.id) == ChainReport(ok=True, checked=entries)

    last = tamper.positions(core.leads.get(people.admin.id, f"LEAD-2026-{len(rows):04d}").id)[-1]
    tamper.edit(last)

    report = core.audit.verify(people.admin.id)
    assert (report.ok, report.position, report.checked) == (False, last, entries - 1)


def test_concurrent_writers_never_fork_a_chain(core: LeadCore, people: People) -> None:
    """Threads updating one lead, creating leads and users at once leave linear chains."""
    shared = core.leads.create(people.reviewer.id, lead_data(0))

    def work(i: int) -> None:
        core.leads.create(people.reviewer.id, lead_data(100 + i))
        core.users.create(
            people.admin.id, {"email": f"u{i}@example.in", "name": f"U{i}", "role": "ASSESSOR"}
        )
        for k in range(3):
            _update_until_saved(core, people.reviewer.id, shared.id, {"notes": f"{i}-{k}"})

    for outcome in race(work, threads=8):
        assert not isinstance(outcome, LeadCoreError), outcome
    report = core.audit.verify(people.admin.id)
    assert report == ChainReport(ok=True, checked=len(all_audit(core, people.admin.id)))
    assert core.audit.verify(people.admin.id, shared.id) == ChainReport(ok=True, checked=25)


def _update_until_saved(core: LeadCore, actor_id: str, lead_id: str, data: object) -> None:
    """Update a lead, re-reading its version after each refusal for a moved version."""
    while True:
        lead = core.leads.get(actor_id, lead_id)
        try:
            core.leads.update(actor_id, lead_id, data, lead.version)
        except LeadCoreError as exc:
            if exc.code not in (ErrorCode.STALE_DATA, ErrorCode.CONCURRENT_MODIFICATION):
                raise
        else:
            return


def _process_work(url: str, actor_id: str, lead_id: str, n: int, barrier: Any) -> None:
    with leadcore.connect(url, rate_limits_enabled=False) as core:
        barrier.wait(timeout=60)
        for k in range(5):
            core.leads.create(actor_id, lead_data(1000 * (n + 1) + k))
            _update_until_saved(core, actor_id, lead_id, {"notes": f"{n}-{k}"})


@pytest.mark.skipif(os.environ.get("LEADCORE_SKIP_POSTGRES") == "1", reason="no PostgreSQL")
def test_processes_writing_at_once_on_postgres_keep_the_chains_linear(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """4 processes creating leads and updating one shared lead leave chains that verify."""
    url = store_url("postgres", tmp_path_factory)
    with leadcore.connect(url, rate_limits_enabled=False) as core:
        admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
        shared = core.leads.create(admin.id, lead_data(0))
        ctx = mp.get_context("fork")
        barrier = ctx.Barrier(4)
        procs = [
            ctx.Process(target=_process_work, args=(url, admin.id, shared.id, n, barrier))
            for n in range(4)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=180)
        assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]
        assert core.audit.verify(admin.id) == ChainReport(ok=True, checked=1 + 1 + 20 + 20)
        assert core.audit.verify(admin.id, shared.id) == ChainReport(ok=True, checked=21)
