"""A deadlock rolls a whole transaction back; leadcore runs the work again from its start.

Each test makes a real deadlock with a side door (``interleave``): it locks a row the
command needs later, waits until the command queues behind it, then asks for a row the
command already holds. PostgreSQL ends the command's transaction; the side door commits.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import pytest

from leadcore import ErrorCode, LeadCore, LeadCoreError
from leadcore.domain.assessments import AssessmentStatus
from tests.assessments.helpers import COMPLETE
from tests.conftest import lead_data
from tests.faults.conftest import Stage, Worked
from tests.faults.helpers import COUNTER, interleave, open_core, query

pytestmark = pytest.mark.postgres


# Submit takes the lead's row, then waits for the assessment's, which the side door holds.
HOLD_ASSESSMENT = b"SELECT 1 FROM assessments WHERE id = %(assessment)s FOR UPDATE"
TOUCH_LEAD = b"UPDATE leads SET version = version WHERE id = %(lead)s"


def submit_into_a_deadlock(stage: Stage, core: LeadCore, worked: Worked) -> Future[Any]:
    """Answer the draft, then submit it into a deadlock with the side door."""
    assessor = worked.assessor.id
    core.assessments.save_answers(assessor, worked.assessment_id, COMPLETE, expected_version=1)
    return interleave(
        stage.url,
        lambda: core.assessments.submit(assessor, worked.assessment_id, expected_version=2),
        HOLD_ASSESSMENT,
        TOUCH_LEAD,
        {"assessment": worked.assessment_id, "lead": worked.lead_id},
    )


def test_a_command_that_a_deadlock_rolled_back_runs_again_and_succeeds(
    stage: Stage, core: LeadCore, worked: Worked
) -> None:
    """submit, ended by a deadlock, is re-run from its start: submitted once, audited once."""
    submitted = submit_into_a_deadlock(stage, core, worked).result()

    trail = core.audit.for_lead(stage.admin.id, worked.lead_id)
    actions = [entry.action.value for entry in trail]
    assert (submitted.status, submitted.version) == (AssessmentStatus.SUBMITTED, 3)
    assert actions.count("ASSESSMENT_SUBMITTED") == 1
    assert core.audit.verify(stage.admin.id, lead_id=worked.lead_id).ok


def test_with_no_reruns_a_deadlock_is_a_retryable_conflict_that_wrote_nothing(
    stage: Stage, worked: Worked
) -> None:
    """retry_attempts=0: DATABASE_ERROR, retryable, reason conflict; the draft is untouched."""
    with open_core(stage.url, retry_attempts=0) as strict:
        failure = submit_into_a_deadlock(stage, strict, worked).exception()
        draft = strict.assessments.get(worked.assessor.id, worked.assessment_id)

    assert isinstance(failure, LeadCoreError)
    assert failure.code is ErrorCode.DATABASE_ERROR
    assert (failure.context["retryable"], failure.context["reason"]) == (True, "conflict")
    assert (draft.status, draft.version) == (AssessmentStatus.DRAFT, 2)


def test_an_import_batch_that_a_deadlock_rolled_back_runs_again_alone(
    stage: Stage, core: LeadCore
) -> None:
    """A batch ended by a deadlock is screened and written again: the CIN the side door
    committed meanwhile is refused, the other rows take the next numbers without a gap."""
    core.leads.create(stage.reviewer.id, lead_data(1))  # the counter row exists: 1
    rows = [lead_data(n) for n in (10, 11, 12)]
    taken = str(rows[1]["cin"])
    # The side door inserts a lead with row 2's CIN (the import's COPY waits for it), then
    # asks for the counter row, which the import reserved its numbers on.
    insert = (
        b"INSERT INTO leads (id, cin, company_name, status, created_by, created_at,"
        b" updated_at, version) VALUES ('LEAD-2025-0001', %(cin)s, 'Side door', 'NEW',"
        b" %(admin)s, now(), now(), 1)"
    )
    touch_counter = b"UPDATE counters SET value = value WHERE name = %(counter)s"
    params = {"cin": taken, "admin": stage.admin.id, "counter": COUNTER}

    def work() -> Any:
        return core.leads.import_rows(stage.admin.id, rows)

    report = interleave(stage.url, work, insert, touch_counter, params).result()

    assert report.imported == 2
    assert [(r.row_number, r.code) for r in report.rejected] == [(2, ErrorCode.DUPLICATE_CIN)]
    stored = query(stage.url, "SELECT id FROM leads WHERE id LIKE 'LEAD-2026-%' ORDER BY id")
    assert [row[0] for row in stored] == ["LEAD-2026-0001", "LEAD-2026-0002", "LEAD-2026-0003"]
