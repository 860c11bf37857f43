"""Many threads at once on one core: gapless numbers, one winner per race, every store."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from leadcore import AuditAction, ErrorCode, Lead, LeadCore, LeadCoreError, User
from tests.conftest import People, lead_data
from tests.contract.helpers import all_audit, all_leads

THREADS = 16
T = TypeVar("T")


def race(work: Callable[[int], T], threads: int = THREADS) -> list[T | LeadCoreError]:
    """Run ``work(i)`` in ``threads`` threads released together; return results or refusals."""
    start = threading.Barrier(threads)

    def run(i: int) -> T | LeadCoreError:
        start.wait()
        try:
            return work(i)
        except LeadCoreError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(run, range(threads)))


def test_sixteen_threads_creating_at_once_get_unique_gapless_ids(
    core: LeadCore, people: People
) -> None:
    """16 threads x 4 creates: 64 leads numbered 1..64, each with one LEAD_CREATED entry."""

    def create_four(i: int) -> list[Lead]:
        return [core.leads.create(people.reviewer.id, lead_data(i * 10 + k)) for k in range(1, 5)]

    created: list[Lead] = []
    for result in race(create_four):
        assert not isinstance(result, LeadCoreError), result
        created.extend(result)
    ids = [lead.id for lead in created]
    assert len(set(ids)) == len(ids) == 64
    assert sorted(ids) == [f"LEAD-2026-{n:04d}" for n in range(1, 65)]
    assert {lead.id for lead in all_leads(core, people.admin.id)} == set(ids)
    entries = all_audit(core, people.admin.id, action="LEAD_CREATED")
    assert Counter(e.lead_id for e in entries) == Counter(ids)
    assert {e.actor_id for e in entries} == {people.reviewer.id}


def test_sixteen_threads_saving_the_same_version_leave_one_winner(
    core: LeadCore, people: People
) -> None:
    """Of 16 updates with expected_version 1 exactly one succeeds; the rest are refused."""
    lead = core.leads.create(people.reviewer.id, lead_data())
    outcomes = race(
        lambda i: core.leads.update(
            people.reviewer.id, lead.id, {"notes": f"tab {i}"}, expected_version=1
        )
    )
    winners = [o for o in outcomes if isinstance(o, Lead)]
    losers = [o for o in outcomes if isinstance(o, LeadCoreError)]
    assert len(winners) == 1
    assert {e.code for e in losers} <= {ErrorCode.CONCURRENT_MODIFICATION, ErrorCode.STALE_DATA}
    assert {(e.context["expected_version"], e.context["actual_version"]) for e in losers} <= {
        (1, 2)
    }
    assert core.leads.get(people.reviewer.id, lead.id) == winners[0]
    assert winners[0].version == 2
    actions = [e.action for e in core.audit.for_lead(people.reviewer.id, lead.id)]
    assert actions == [AuditAction.LEAD_CREATED, AuditAction.LEAD_UPDATED]


def test_sixteen_threads_creating_the_same_cin_leave_one_lead(
    core: LeadCore, people: People
) -> None:
    """One create wins, 15 get DUPLICATE_CIN, and the losers consumed no number."""
    outcomes = race(
        lambda i: core.leads.create(people.reviewer.id, lead_data(1, company_name=f"Twin {i}"))
    )
    winners = [o for o in outcomes if isinstance(o, Lead)]
    assert len(winners) == 1
    assert {o.code for o in outcomes if isinstance(o, LeadCoreError)} == {ErrorCode.DUPLICATE_CIN}
    assert all_leads(core, people.admin.id) == winners
    assert core.leads.create(people.reviewer.id, lead_data(2)).id == "LEAD-2026-0002"


def test_sixteen_threads_bootstrapping_at_once_make_one_admin(core: LeadCore) -> None:
    """Exactly one bootstrap_admin succeeds; the others are INSUFFICIENT_PERMISSIONS."""
    outcomes = race(
        lambda i: core.users.bootstrap_admin(email=f"admin{i}@example.in", name=f"Admin {i}")
    )
    admins = [o for o in outcomes if isinstance(o, User)]
    assert len(admins) == 1
    assert {o.code for o in outcomes if isinstance(o, LeadCoreError)} == {
        ErrorCode.INSUFFICIENT_PERMISSIONS
    }
    assert [u.id for u in core.users.list(admins[0].id).items] == [admins[0].id]


def test_sixteen_threads_assigning_at_once_leave_one_assignment(
    core: LeadCore, people: People
) -> None:
    """Racing assignments of one lead to different assessors: one wins, one entry."""
    assessors = [
        core.users.create(
            people.admin.id, {"email": f"s{i}@example.in", "name": f"S{i}", "role": "ASSESSOR"}
        )
        for i in range(THREADS)
    ]
    lead = core.leads.create(people.reviewer.id, lead_data())
    outcomes = race(
        lambda i: core.leads.assign_assessor(
            people.reviewer.id, lead.id, assessors[i].id, expected_version=1
        )
    )
    winners = [o for o in outcomes if isinstance(o, Lead)]
    assert len(winners) == 1
    assert core.leads.get(people.reviewer.id, lead.id) == winners[0]
    assigned = all_audit(core, people.admin.id, action="LEAD_ASSIGNED")
    assert [e.new["assessor_id"] for e in assigned] == [winners[0].assessor_id]
