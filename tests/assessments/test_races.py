"""Concurrent commands: a race between two writers has exactly one winner."""

from __future__ import annotations

from leadcore import (
    Assessment,
    AssessmentStatus,
    AuditAction,
    ErrorCode,
    Lead,
    LeadCore,
    LeadStatus,
)
from tests.assessments.helpers import codes, lead_history, run_together, submitted_assessment
from tests.conftest import People

# The codes a loser may get: refused at the version check, or at the compare-and-set.
LOST = {ErrorCode.CONCURRENT_MODIFICATION, ErrorCode.STALE_DATA}


def test_approve_against_reject_has_exactly_one_winner(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Two reviewers deciding at once: one decision stands, the other is refused as stale."""
    submitted = submitted_assessment(core, people.assessor, lead)
    admin, reviewer = people.admin.id, people.reviewer.id
    outcomes = run_together(
        lambda: core.assessments.approve(admin, submitted.id, 3, note="fine"),
        lambda: core.assessments.reject(reviewer, submitted.id, 3, reason="not fine"),
    )
    winners = [o for o in outcomes if isinstance(o, Assessment)]
    assert len(winners) == 1
    assert set(codes(outcomes)) <= LOST
    assert len(codes(outcomes)) == 1
    stored = core.assessments.get(admin, submitted.id)
    assert stored == winners[0]
    expected_lead = (
        LeadStatus.COMPLETED
        if stored.status is AssessmentStatus.APPROVED
        else LeadStatus.IN_PROGRESS
    )
    assert core.leads.get(admin, lead.id).status is expected_lead


def test_the_losing_decision_leaves_no_audit_entry(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """After the race the history holds exactly one decision and one matching lead move."""
    submitted = submitted_assessment(core, people.assessor, lead)
    run_together(
        lambda: core.assessments.approve(people.admin.id, submitted.id, 3),
        lambda: core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="no"),
    )
    history = lead_history(core, people, lead.id)
    decisions = [
        e
        for e in history
        if e.action in {AuditAction.ASSESSMENT_APPROVED, AuditAction.ASSESSMENT_REJECTED}
    ]
    moves_from_submitted = [
        e
        for e in history
        if e.action is AuditAction.LEAD_STATUS_UPDATED and e.old["status"] == "SUBMITTED"
    ]
    assert len(decisions) == len(moves_from_submitted) == 1


def test_two_saves_of_the_same_version_have_one_winner(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Two tabs saving version 1 at once: one save lands, the other is refused as stale."""
    draft = core.assessments.start(people.assessor.id, lead.id)
    outcomes = run_together(
        lambda: core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 1}, 1),
        lambda: core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 2}, 1),
    )
    winners = [o for o in outcomes if isinstance(o, Assessment)]
    assert len(winners) == 1
    assert set(codes(outcomes)) <= LOST
    assert core.assessments.get(people.assessor.id, draft.id) == winners[0]


def test_two_starts_at_once_open_one_revision(core: LeadCore, people: People, lead: Lead) -> None:
    """Double-clicking start opens one DRAFT; the other call returns it or is refused."""
    outcomes = run_together(
        lambda: core.assessments.start(people.assessor.id, lead.id),
        lambda: core.assessments.start(people.assessor.id, lead.id),
    )
    revisions = core.assessments.for_lead(people.assessor.id, lead.id)
    assert len(revisions) == 1
    assert all(o == revisions[0] for o in outcomes if isinstance(o, Assessment))
    assert set(codes(outcomes)) <= LOST | {ErrorCode.DUPLICATE_RESOURCE}


def test_reassigning_while_the_assessor_saves_keeps_draft_and_lead_in_step(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Whichever wins, the DRAFT ends up with the lead's assessor; a loser is refused only
    for the race."""
    draft = core.assessments.start(people.assessor.id, lead.id)
    other = core.users.create(
        people.admin.id, {"email": "other@example.in", "name": "Om", "role": "ASSESSOR"}
    )
    current = core.leads.get(people.reviewer.id, lead.id)
    outcomes = run_together(
        lambda: core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 5}, 1),
        lambda: core.leads.assign_assessor(people.reviewer.id, lead.id, other.id, current.version),
    )
    assert len(codes(outcomes)) < len(outcomes)
    assert set(codes(outcomes)) <= LOST | {ErrorCode.ASSESSOR_NOT_ASSIGNED}
    final_lead = core.leads.get(people.admin.id, lead.id)
    final_draft = core.assessments.get(people.admin.id, draft.id)
    assert final_draft.assessor_id == final_lead.assessor_id
