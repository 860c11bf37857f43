"""Reassigning a lead whose assessment is a DRAFT hands the draft to the new assessor."""

from __future__ import annotations

from leadcore import (
    Assessment,
    AssessmentStatus,
    AuditAction,
    EntityType,
    ErrorCode,
    Lead,
    LeadCore,
    LeadStatus,
    User,
)
from tests.assessments.doubles import make_commits_fail
from tests.assessments.helpers import (
    COMPLETE,
    lead_history,
    refused,
    submitted_assessment,
)
from tests.conftest import People


def reassign(core: LeadCore, people: People, lead: Lead, to: User) -> Lead:
    """Reassign the lead's current version to ``to``, as the reviewer."""
    current = core.leads.get(people.reviewer.id, lead.id)
    return core.leads.assign_assessor(people.reviewer.id, lead.id, to.id, current.version)


def test_the_draft_goes_to_the_new_assessor(
    core: LeadCore, people: People, lead: Lead, draft: Assessment, assessor2: User
) -> None:
    """The DRAFT keeps its answers, changes assessor, one version later; the lead stays put."""
    saved = core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 4}, 1)
    moved = reassign(core, people, lead, assessor2)
    handed = core.assessments.get(people.reviewer.id, draft.id)
    assert (moved.status, moved.assessor_id) == (LeadStatus.IN_PROGRESS, assessor2.id)
    assert (handed.assessor_id, handed.version, handed.answers) == (
        assessor2.id,
        saved.version + 1,
        saved.answers,
    )


def test_the_handover_is_audited_with_old_and_new_assessor(
    core: LeadCore, people: People, lead: Lead, draft: Assessment, assessor2: User
) -> None:
    """LEAD_ASSIGNED is followed by ASSESSMENT_UPDATED naming both assessors."""
    reassign(core, people, lead, assessor2)
    last_two = lead_history(core, people, lead.id)[-2:]
    assert [(e.action, e.entity_type) for e in last_two] == [
        (AuditAction.LEAD_ASSIGNED, EntityType.LEAD),
        (AuditAction.ASSESSMENT_UPDATED, EntityType.ASSESSMENT),
    ]
    assert (dict(last_two[1].old), dict(last_two[1].new), last_two[1].actor_id) == (
        {"assessor_id": people.assessor.id},
        {"assessor_id": assessor2.id},
        people.reviewer.id,
    )
    assert dict(last_two[0].new) == {"assessor_id": assessor2.id}


def test_the_old_assessor_may_no_longer_work_on_it(
    core: LeadCore, people: People, lead: Lead, draft: Assessment, assessor2: User
) -> None:
    """After the handover the previous assessor is ASSESSOR_NOT_ASSIGNED."""
    reassign(core, people, lead, assessor2)
    refused(
        ErrorCode.ASSESSOR_NOT_ASSIGNED,
        lambda: core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 1}, 2),
    )


def test_the_new_assessor_finishes_the_draft(
    core: LeadCore, people: People, lead: Lead, draft: Assessment, assessor2: User
) -> None:
    """The new assessor answers and submits the handed-over draft; the lead is SUBMITTED."""
    reassign(core, people, lead, assessor2)
    answered = core.assessments.save_answers(assessor2.id, draft.id, COMPLETE, 2)
    submitted = core.assessments.submit(assessor2.id, draft.id, answered.version)
    assert submitted.status is AssessmentStatus.SUBMITTED
    assert core.leads.get(assessor2.id, lead.id).status is LeadStatus.SUBMITTED


def test_after_a_rejection_the_new_assessor_starts_the_next_revision(
    core: LeadCore, people: People, lead: Lead, assessor2: User
) -> None:
    """With no DRAFT there is nothing to hand over; the new assessor's start opens revision 2."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="Redo")
    reassign(core, people, lead, assessor2)
    rework = core.assessments.start(assessor2.id, lead.id)
    assert (rework.revision, rework.assessor_id) == (2, assessor2.id)
    assert core.assessments.get(people.admin.id, submitted.id).assessor_id == people.assessor.id


def test_a_submitted_lead_cannot_be_reassigned(
    core: LeadCore, people: People, lead: Lead, assessor2: User
) -> None:
    """While under review, reassigning is INVALID_STATUS_TRANSITION and nothing changes."""
    submitted = submitted_assessment(core, people.assessor, lead)
    refused(ErrorCode.INVALID_STATUS_TRANSITION, lambda: reassign(core, people, lead, assessor2))
    assert core.assessments.get(people.admin.id, submitted.id) == submitted


def test_assigning_before_any_assessment_touches_no_assessment(
    core: LeadCore, people: People, lead: Lead, assessor2: User
) -> None:
    """An ASSIGNED lead is reassigned with one LEAD_ASSIGNED entry and no assessment entry."""
    reassign(core, people, lead, assessor2)
    actions = [e.action for e in lead_history(core, people, lead.id)]
    assert actions == [
        AuditAction.LEAD_CREATED,
        AuditAction.LEAD_ASSIGNED,
        AuditAction.LEAD_ASSIGNED,
    ]


def test_a_failed_commit_keeps_lead_and_draft_with_the_old_assessor(
    core: LeadCore, people: People, lead: Lead, draft: Assessment, assessor2: User
) -> None:
    """The reassignment and the handover commit together or not at all."""
    before = (core.leads.get(people.admin.id, lead.id), lead_history(core, people, lead.id))
    make_commits_fail(core)
    failing = core.container.leads()
    refused(
        ErrorCode.DATABASE_ERROR,
        lambda: failing.assign_assessor(
            people.reviewer.id, lead.id, assessor2.id, before[0].version
        ),
    )
    assert core.assessments.get(people.admin.id, draft.id) == draft
    assert (core.leads.get(people.admin.id, lead.id), lead_history(core, people, lead.id)) == before
