"""Approve against reject from two PROCESSES on the SQL stores: exactly one decision wins.

As in tests/races: the parent prepares a submitted assessment, forks two workers (each
opens its own LeadCore after the fork), lines them up on a barrier, and checks the
stored result.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from leadcore import (
    AssessmentStatus,
    AuditAction,
    ErrorCode,
    LeadCoreError,
    LeadStatus,
    Role,
)
from tests.assessments.helpers import QUESTIONS, submitted_assessment
from tests.conftest import lead_data, store_url
from tests.races.test_races import WORKER_TIMEOUT, open_core, run_workers

pytestmark = pytest.mark.slow

# The codes a loser may get: refused at the version check, or at the compare-and-set.
LOST = {ErrorCode.CONCURRENT_MODIFICATION.value, ErrorCode.STALE_DATA.value}
DECISIONS = {AuditAction.ASSESSMENT_APPROVED, AuditAction.ASSESSMENT_REJECTED}


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
@pytest.mark.parametrize("attempt", range(3))
def test_approve_against_reject_from_two_processes_has_one_winner(
    store: str, attempt: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One decision stands, the other is refused as stale; lead and audit match the winner."""
    if store == "postgres" and os.environ.get("LEADCORE_SKIP_POSTGRES") == "1":
        pytest.skip("LEADCORE_SKIP_POSTGRES=1")
    url = store_url(store, tmp_path_factory)
    with open_core(url) as core:
        core.create_schema()
        admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
        reviewer = core.users.create(
            admin.id, {"email": "reviewer@example.in", "name": "Ravi", "role": Role.REVIEWER}
        )
        assessor = core.users.create(
            admin.id, {"email": "assessor@example.in", "name": "Sita", "role": Role.ASSESSOR}
        )
        core.assessments.set_questionnaire(admin.id, QUESTIONS)
        lead = core.leads.create(reviewer.id, lead_data(attempt + 1))
        lead = core.leads.assign_assessor(reviewer.id, lead.id, assessor.id, expected_version=1)
        submitted = submitted_assessment(core, assessor, lead)

    def work(number: int, barrier: Any) -> str:
        with open_core(url) as worker_core:
            barrier.wait(timeout=WORKER_TIMEOUT)
            try:
                if number == 0:
                    worker_core.assessments.approve(admin.id, submitted.id, submitted.version)
                    return "approved"
                worker_core.assessments.reject(
                    reviewer.id, submitted.id, submitted.version, reason="not fine"
                )
            except LeadCoreError as exc:
                return exc.code.value
            return "rejected"

    outcomes = run_workers(2, work)
    winners = [o for o in outcomes if o in {"approved", "rejected"}]
    assert len(winners) == 1, outcomes
    assert next(o for o in outcomes if o not in winners) in LOST, outcomes
    with open_core(url) as core:
        stored = core.assessments.get(admin.id, submitted.id)
        final_lead = core.leads.get(admin.id, lead.id)
        history = core.audit.for_lead(admin.id, lead.id)
    if winners == ["approved"]:
        expected = (AssessmentStatus.APPROVED, LeadStatus.COMPLETED)
        action = AuditAction.ASSESSMENT_APPROVED
    else:
        expected = (AssessmentStatus.REJECTED, LeadStatus.IN_PROGRESS)
        action = AuditAction.ASSESSMENT_REJECTED
    assert (stored.status, final_lead.status) == expected
    assert [e.action for e in history if e.action in DECISIONS] == [action]
    assert stored.version == submitted.version + 1
