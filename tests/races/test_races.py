"""Races between separate PROCESSES on the SQL stores: numbering, CIN uniqueness, versions.

Each test forks its workers (one LeadCore each, opened in the child), lines them up on a
barrier so they start together, and checks the stored result from the parent.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

import leadcore
from leadcore import ErrorCode, Lead, LeadCore, LeadCoreError, Role, User
from tests.conftest import FakeClock, lead_data, store_url

pytestmark = pytest.mark.slow

SQL_STORES = ["sqlite", "postgres"]
WORKER_TIMEOUT = 120  # seconds a worker may take before the test fails


@attrs.frozen
class Stage:
    """A fresh SQL database with an admin and a reviewer, opened by the parent."""

    url: str
    admin: User
    reviewer: User


@pytest.fixture(params=SQL_STORES)
def stage(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Stage:
    """A migrated database on the store under test, with its cast."""
    if request.param == "postgres" and os.environ.get("LEADCORE_SKIP_POSTGRES") == "1":
        pytest.skip("LEADCORE_SKIP_POSTGRES=1")
    url = store_url(str(request.param), tmp_path_factory)
    with open_core(url) as core:
        core.create_schema()
        admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
        reviewer = core.users.create(
            admin.id, {"email": "reviewer@example.in", "name": "Ravi", "role": Role.REVIEWER}
        )
    return Stage(url, admin, reviewer)


def open_core(url: str, clock: FakeClock | None = None) -> LeadCore:
    """Connect without rate limits (they are per-process policy, not under test here)."""
    return leadcore.connect(url, clock=clock, rate_limits_enabled=False)


Work = Callable[[int, Any], Any]


def run_workers(count: int, work: Work) -> list[Any]:
    """Run ``work(worker_number, barrier)`` in ``count`` forked processes; return results.

    A worker that raises fails the test with the worker's error.
    """
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(count)
    queue = ctx.Queue()

    def main(number: int) -> None:
        try:
            queue.put((number, "ok", work(number, barrier)))
        except BaseException as exc:  # noqa: BLE001  # the parent reports it
            queue.put((number, "error", f"{type(exc).__name__}: {exc!r}"))

    procs = [ctx.Process(target=main, args=(n,)) for n in range(count)]
    for proc in procs:
        proc.start()
    try:
        reports = [queue.get(timeout=WORKER_TIMEOUT) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
    errors = [detail for _n, outcome, detail in reports if outcome == "error"]
    assert not errors, errors[0]
    return [result for _n, _outcome, result in sorted(reports, key=lambda r: r[0])]


def test_concurrent_creates_are_unique_gapless_and_audited_once(stage: Stage) -> None:
    """8 processes x 50 creates give ids 1..400 of the year, each with one LEAD_CREATED."""

    def work(number: int, barrier: Any) -> list[str]:
        with open_core(stage.url) as core:
            barrier.wait(timeout=WORKER_TIMEOUT)
            return [
                core.leads.create(stage.reviewer.id, lead_data(number * 1000 + i)).id
                for i in range(50)
            ]

    ids = [lead_id for batch in run_workers(8, work) for lead_id in batch]
    year = datetime.now(UTC).year
    assert sorted(ids) == [f"LEAD-{year}-{n:04d}" for n in range(1, 401)]
    with open_core(stage.url) as core:
        created = core.audit.list(stage.admin.id, action="LEAD_CREATED", limit=1000).items
    assert sorted(entry.lead_id or "" for entry in created) == sorted(ids)


def test_one_cin_created_at_once_by_16_processes_succeeds_once(stage: Stage) -> None:
    """16 processes creating one CIN: one lead, 15 DUPLICATE_CIN, and no number consumed."""

    def work(number: int, barrier: Any) -> Lead | str:
        with open_core(stage.url) as core:
            barrier.wait(timeout=WORKER_TIMEOUT)
            try:
                return core.leads.create(stage.reviewer.id, lead_data(7, company_name=f"{number}"))
            except LeadCoreError as exc:
                return exc.code.value

    outcomes = run_workers(16, work)
    year = datetime.now(UTC).year
    created = [o for o in outcomes if not isinstance(o, str)]
    assert [lead.id for lead in created] == [f"LEAD-{year}-0001"]
    assert sorted(o for o in outcomes if isinstance(o, str)) == [ErrorCode.DUPLICATE_CIN] * 15
    with open_core(stage.url) as core:
        assert core.leads.create(stage.reviewer.id, lead_data(8)).id == f"LEAD-{year}-0002"


def test_read_then_update_from_8_processes_loses_no_update(stage: Stage) -> None:
    """8 processes updating one lead for 2 s: version and audit count every accepted write."""
    with open_core(stage.url) as core:
        lead = core.leads.create(stage.reviewer.id, lead_data(1))

    def work(number: int, barrier: Any) -> tuple[int, list[str]]:
        accepted, refused = 0, []
        with open_core(stage.url) as core:
            barrier.wait(timeout=WORKER_TIMEOUT)
            deadline = time.monotonic() + 2.0
            i = 0
            while time.monotonic() < deadline:
                i += 1
                current = core.leads.get(stage.reviewer.id, lead.id)
                try:
                    core.leads.update(
                        stage.reviewer.id,
                        lead.id,
                        {"city": f"City {number}-{i}"},
                        expected_version=current.version,
                    )
                    accepted += 1
                except LeadCoreError as exc:
                    refused.append(exc.code.value)
        return accepted, refused

    results = run_workers(8, work)
    accepted = sum(count for count, _refused in results)
    refusals = {code for _count, refused in results for code in refused}
    assert refusals <= {ErrorCode.CONCURRENT_MODIFICATION, ErrorCode.STALE_DATA}
    with open_core(stage.url) as core:
        final = core.leads.get(stage.reviewer.id, lead.id)
        updates = [
            e for e in core.audit.for_lead(stage.reviewer.id, lead.id) if e.action == "LEAD_UPDATED"
        ]
    assert accepted > 0
    assert (final.version, len(updates)) == (1 + accepted, accepted)


def test_first_leads_of_a_new_year_from_two_processes_are_0001_and_0002(stage: Stage) -> None:
    """Two processes creating the first leads of 2027 at the same instant get 0001 and 0002."""
    with open_core(stage.url, FakeClock(datetime(2026, 12, 31, 23, 0, tzinfo=UTC))) as core:
        for n in range(3):
            core.leads.create(stage.reviewer.id, lead_data(100 + n))

    def work(number: int, barrier: Any) -> str:
        new_year = FakeClock(datetime(2027, 1, 1, tzinfo=UTC))
        with open_core(stage.url, new_year) as core:
            barrier.wait(timeout=WORKER_TIMEOUT)
            return core.leads.create(stage.reviewer.id, lead_data(number)).id

    assert sorted(run_workers(2, work)) == ["LEAD-2027-0001", "LEAD-2027-0002"]


@pytest.fixture(autouse=True)
def _no_leftover_children() -> Iterator[None]:
    """Each race test reaps every process it forked."""
    yield
    assert mp.active_children() == []
