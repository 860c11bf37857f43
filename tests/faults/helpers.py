"""Fault injection on PostgreSQL: a side door into the database, and the invariant check.

The side door is psycopg on the same database, outside leadcore: it holds locks, finds
the session a fault should hit (pg_stat_activity, pg_blocking_pids) and terminates it.
The invariant check reads the stored leads, counter and audit trail with plain SQL, so
it never trusts the code under test to report on itself.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import attrs
import psycopg
import pytest
from sqlalchemy.engine import make_url

import leadcore
from leadcore import LeadCore, LeadCoreError
from leadcore.domain.lead_ids import LeadIdFormat
from tests.conftest import FakeClock

YEAR = 2026  # the year of FakeClock: every lead of these tests is numbered in it
COUNTER = LeadIdFormat().counter_name(YEAR)  # "lead-2026"
WAIT = 30.0  # seconds any wait for a fault (or for a worker) may take before the test fails
# Audit actions that record a change of an existing lead (each bumps its version by one).
CHANGES = ("LEAD_UPDATED", "LEAD_ASSIGNED", "LEAD_STATUS_UPDATED")

Connection = psycopg.Connection[tuple[Any, ...]]


def open_core(url: str, **settings: Any) -> LeadCore:
    """Connect to ``url`` in 2026 (FakeClock), without rate limits (not under test here);
    document contents stay in memory, never in the working directory."""
    settings.setdefault("rate_limits_enabled", False)
    settings.setdefault("blob_store", "memory")
    return leadcore.connect(url, clock=FakeClock(), **settings)


def lead_id(number: int) -> str:
    """Return the id of lead ``number`` of 2026."""
    return LeadIdFormat().format(YEAR, number)


def refusal(call: Callable[..., object], *args: object, **kwargs: object) -> LeadCoreError:
    """Return the LeadCoreError that ``call(*args, **kwargs)`` raises."""
    with pytest.raises(LeadCoreError) as caught:
        call(*args, **kwargs)
    return caught.value


def side_door(url: str, *, autocommit: bool = True) -> Connection:
    """Return a psycopg connection to the database of the leadcore URL ``url``."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(dsn, autocommit=autocommit)


def query(url: str, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one statement through a side door of its own; return its rows."""
    with side_door(url) as connection:
        cursor = connection.execute(sql.encode(), params)
        return cursor.fetchall() if cursor.description else []


def poll(url: str, sql: str, params: Mapping[str, Any], what: str) -> int:
    """Re-run ``sql`` until it returns a pid; fail the test if none shows up within WAIT."""
    deadline = time.monotonic() + WAIT
    with side_door(url) as connection:
        while time.monotonic() < deadline:
            row = connection.execute(sql.encode(), params).fetchone()
            if row is not None and row[0] is not None:
                return int(row[0])
            time.sleep(0.01)
    raise AssertionError(f"no session {what} within {WAIT} s")


def blocked_by(url: str, holder: int) -> int:
    """Return the pid of a session waiting for a lock that session ``holder`` holds."""
    return poll(
        url,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND %(holder)s = ANY(pg_blocking_pids(pid)) ORDER BY pid LIMIT 1",
        {"holder": holder},
        f"blocked by {holder}",
    )


def idle_in_transaction(url: str) -> int:
    """Return the pid of the (one) session with an open transaction between two statements."""
    return poll(
        url,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'idle in transaction' AND pid <> pg_backend_pid() ORDER BY pid LIMIT 1",
        {},
        "idle in a transaction",
    )


def waiting_for_locks(url: str) -> int:
    """Return how many sessions on the database wait for a lock right now."""
    rows = query(
        url,
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    return int(rows[0][0])


def terminate(url: str, pid: int) -> int:
    """End session ``pid`` with pg_terminate_backend, waiting until it is gone; return pid."""
    ms = int(WAIT * 1000)
    rows = query(url, "SELECT pg_terminate_backend(%(pid)s, %(ms)s)", {"pid": pid, "ms": ms})
    assert rows == [(True,)], f"session {pid} was not terminated"
    return pid


def interleave(
    url: str, work: Callable[[], Any], first: bytes, then: bytes, params: Mapping[str, Any]
) -> Future[Any]:
    """Run ``work`` between two statements of one side-door transaction; return its future.

    The side door runs ``first`` (taking a lock ``work`` needs), starts ``work`` in a
    thread, waits until it queues behind that lock, runs ``then`` (which must change a row,
    under a lock timeout so a wait on ``work`` cannot hang the test) and commits. If
    ``then`` waits for a row ``work`` holds, PostgreSQL's deadlock check ends ``work``'s
    transaction, not the side door's: ``work`` started waiting first, and the side door
    waits longer before it checks (when its role may set that).
    """
    with side_door(url, autocommit=False) as holder:
        holder.execute(first, params)
        _check_deadlocks_late(holder)
        pid = holder.execute(b"SELECT pg_backend_pid()").fetchone()
        assert pid is not None
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(work)
            blocked_by(url, int(pid[0]))
            holder.execute(f"SET LOCAL lock_timeout = '{int(WAIT)}s'".encode())
            touched = holder.execute(then, params)
            assert touched.rowcount >= 1, "the side door's second statement changed no row"
            holder.commit()
            pending.exception(timeout=WAIT)
            return pending


def _check_deadlocks_late(holder: Connection) -> None:
    """Make the side door's session the last to look for a deadlock, so a loaded machine
    that runs its check early cannot make it the victim (superusers only may set this)."""
    holder.execute(b"SAVEPOINT patience")
    try:
        holder.execute(f"SET LOCAL deadlock_timeout = '{int(WAIT)}s'".encode())
    except psycopg.errors.InsufficientPrivilege:
        holder.execute(b"ROLLBACK TO SAVEPOINT patience")
    else:
        holder.execute(b"RELEASE SAVEPOINT patience")


@contextlib.contextmanager
def terminator(url: str, holder: int) -> Iterator[Future[int]]:
    """In a thread: wait for a session blocked by ``holder``, terminate it; yields its pid."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(lambda: terminate(url, blocked_by(url, holder)))


@attrs.frozen
class Ledger:
    """What the database holds, read with plain SQL outside leadcore."""

    versions: Mapping[str, int]  # lead id -> version
    counter: int  # the 2026 counter (0 if it has no row)
    created: Mapping[str, int]  # lead id -> LEAD_CREATED entries
    changes: Mapping[str, int]  # lead id -> change entries (CHANGES)

    @property
    def numbers(self) -> list[int]:
        """Return the numbers of the 2026 lead ids, sorted."""
        parsed = (LeadIdFormat().parse(lead) for lead in self.versions)
        return sorted(found[1] for found in parsed if found is not None and found[0] == YEAR)

    def breaks(self) -> list[str]:
        """Return every broken invariant, in words (empty when the store is whole)."""
        found: list[str] = []
        numbers = self.numbers
        if len(numbers) != len(self.versions):
            found.append(f"ids outside LEAD-{YEAR}-n: {sorted(self.versions)}")
        if numbers != list(range(1, len(numbers) + 1)):
            found.append(f"ids are not 1..{len(numbers)} without gaps: {numbers}")
        if self.counter != len(numbers):
            found.append(f"counter {self.counter} != {len(numbers)} leads (numbers consumed)")
        for lead, version in sorted(self.versions.items()):
            if self.created.get(lead, 0) != 1:
                found.append(f"{lead} has {self.created.get(lead, 0)} LEAD_CREATED entries")
            if self.changes.get(lead, 0) != version - 1:
                found.append(
                    f"{lead} has version {version} but {self.changes.get(lead, 0)} change entries"
                )
        orphans = (set(self.created) | set(self.changes)) - set(self.versions)
        if orphans:
            found.append(f"audit entries of leads that do not exist: {sorted(orphans)}")
        return found


def read_ledger(url: str) -> Ledger:
    """Read leads, the 2026 counter and the lead audit trail of the database ``url``."""
    with side_door(url) as connection:
        rows = connection.execute(b"SELECT id, version FROM leads").fetchall()
        versions: dict[str, int] = {str(lead): int(version) for lead, version in rows}
        counter = connection.execute(
            b"SELECT value FROM counters WHERE name = %(name)s", {"name": COUNTER}
        ).fetchone()
        audit = connection.execute(
            b"SELECT lead_id, action FROM audit_entries WHERE lead_id IS NOT NULL"
        ).fetchall()
    created = Counter(lead for lead, action in audit if action == "LEAD_CREATED")
    changes = Counter(lead for lead, action in audit if action in CHANGES)
    return Ledger(versions, 0 if counter is None else int(counter[0]), created, changes)


Work = Callable[[int], Any]


class Workers:
    """Forked processes running ``work(number)``, each reporting one result (or its error).

    Each worker opens its own LeadCore in the child, as an application process would.
    """

    def __init__(self, count: int, work: Work) -> None:
        ctx = mp.get_context("fork")
        self._queue = ctx.Queue()
        self._procs = [ctx.Process(target=self._main, args=(n, work)) for n in range(count)]
        for proc in self._procs:
            proc.start()

    def _main(self, number: int, work: Work) -> None:
        try:
            self._queue.put((number, "ok", work(number)))
        except BaseException as exc:  # noqa: BLE001  # the parent reports it
            self._queue.put((number, "error", f"{type(exc).__name__}: {exc!r}"))

    def results(self, timeout: float = WAIT) -> list[Any]:
        """Return every worker's result in worker order; fail on an error or a timeout."""
        deadline = time.monotonic() + timeout
        reports = [
            self._queue.get(timeout=max(0.0, deadline - time.monotonic())) for _ in self._procs
        ]
        errors = [detail for _n, outcome, detail in reports if outcome == "error"]
        assert not errors, errors[0]
        return [result for _n, _outcome, result in sorted(reports, key=lambda r: r[0])]

    def reap(self) -> None:
        """Wait a little for every worker to exit, then kill those still running."""
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.reap()
