"""Every refusal of the assessment commands, and that a refused command changes nothing."""

from __future__ import annotations

import pytest

from leadcore import (
    Assessment,
    AssessmentStatus,
    ErrorCode,
    Lead,
    LeadCore,
    LeadStatus,
    Questionnaire,
    User,
)
from tests.assessments.helpers import COMPLETE, lead_history, refused, submitted_assessment
from tests.conftest import People, lead_data

# --- start ---------------------------------------------------------------------------


def test_start_by_an_unknown_user_is_unauthorized(core: LeadCore, lead: Lead) -> None:
    """An id that names no user is UNAUTHORIZED."""
    refused(ErrorCode.UNAUTHORIZED, lambda: core.assessments.start("ghost", lead.id))


def test_start_by_a_deactivated_assessor_is_user_inactive(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """The assigned assessor, once deactivated, is USER_INACTIVE."""
    core.users.deactivate(people.admin.id, people.assessor.id)
    refused(ErrorCode.USER_INACTIVE, lambda: core.assessments.start(people.assessor.id, lead.id))


@pytest.mark.parametrize("role", ["admin", "reviewer"])
def test_staff_may_not_start_an_assessment(
    core: LeadCore, people: People, lead: Lead, role: str
) -> None:
    """ADMIN and REVIEWER are INSUFFICIENT_PERMISSIONS: only assessors do the work."""
    actor = getattr(people, role)
    refused(ErrorCode.INSUFFICIENT_PERMISSIONS, lambda: core.assessments.start(actor.id, lead.id))


def test_start_by_another_assessor_is_assessor_not_assigned(
    core: LeadCore, lead: Lead, assessor2: User
) -> None:
    """An assessor not assigned to the lead is ASSESSOR_NOT_ASSIGNED, naming lead and user."""
    error = refused(
        ErrorCode.ASSESSOR_NOT_ASSIGNED, lambda: core.assessments.start(assessor2.id, lead.id)
    )
    assert error.context == {"lead_id": lead.id, "user_id": assessor2.id}


def test_start_on_an_unassigned_lead_is_assessor_not_assigned(
    core: LeadCore, people: People, questionnaire: Questionnaire
) -> None:
    """A NEW lead has no assessor, so nobody may start it."""
    lead = core.leads.create(people.reviewer.id, lead_data(5))
    refused(
        ErrorCode.ASSESSOR_NOT_ASSIGNED,
        lambda: core.assessments.start(people.assessor.id, lead.id),
    )


@pytest.mark.parametrize("lead_id", ["LEAD-2026-9999", "", None, 7, "x" * 500])
def test_start_on_a_lead_that_does_not_exist_is_lead_not_found(
    core: LeadCore, people: People, questionnaire: Questionnaire, lead_id: object
) -> None:
    """Unknown or impossible lead ids are LEAD_NOT_FOUND."""
    refused(ErrorCode.LEAD_NOT_FOUND, lambda: core.assessments.start(people.assessor.id, lead_id))


def test_start_without_a_questionnaire_is_invalid_input(core: LeadCore, people: People) -> None:
    """Before any publication, start names ``questionnaire`` and the lead stays ASSIGNED."""
    lead = core.leads.create(people.reviewer.id, lead_data(1))
    lead = core.leads.assign_assessor(people.reviewer.id, lead.id, people.assessor.id, 1)
    error = refused(
        ErrorCode.INVALID_INPUT, lambda: core.assessments.start(people.assessor.id, lead.id)
    )
    assert list(error.context["fields"]) == ["questionnaire"]
    assert core.leads.get(people.reviewer.id, lead.id) == lead


def test_start_on_a_submitted_lead_is_an_invalid_transition(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """While the assessment awaits review, start is INVALID_STATUS_TRANSITION."""
    submitted_assessment(core, people.assessor, lead)
    error = refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.assessments.start(people.assessor.id, lead.id),
    )
    assert error.context == {"from": "SUBMITTED", "to": "IN_PROGRESS"}


def test_start_on_a_cancelled_lead_is_an_invalid_transition(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """A cancelled lead cannot be assessed."""
    core.leads.change_status(people.reviewer.id, lead.id, LeadStatus.CANCELLED, lead.version)
    refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.assessments.start(people.assessor.id, lead.id),
    )


def test_start_on_a_completed_lead_is_an_invalid_transition(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """After approval there is nothing left to start."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.approve(people.reviewer.id, submitted.id, 3)
    refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.assessments.start(people.assessor.id, lead.id),
    )


# --- save_answers ----------------------------------------------------------------------


def test_answers_by_another_assessor_are_assessor_not_assigned(
    core: LeadCore, draft: Assessment, assessor2: User
) -> None:
    """Someone other than the assigned assessor may not answer."""
    refused(
        ErrorCode.ASSESSOR_NOT_ASSIGNED,
        lambda: core.assessments.save_answers(assessor2.id, draft.id, {"employees": 1}, 1),
    )


@pytest.mark.parametrize("role", ["admin", "reviewer"])
def test_staff_may_not_answer(core: LeadCore, people: People, draft: Assessment, role: str) -> None:
    """ADMIN and REVIEWER are INSUFFICIENT_PERMISSIONS for save_answers."""
    actor = getattr(people, role)
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: core.assessments.save_answers(actor.id, draft.id, {"employees": 1}, 1),
    )


def test_answers_to_unknown_questions_are_refused(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """An id the pinned questionnaire does not have is INVALID_INPUT naming it; nothing saved."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.save_answers(
            people.assessor.id, draft.id, {"employees": 3, "turnover": 10}, 1
        ),
    )
    assert list(error.context["fields"]) == ["turnover"]
    assert core.assessments.get(people.assessor.id, draft.id) == draft


def test_ill_typed_answers_are_each_named(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """A number as text, a choice not listed and a bool as 1 are named in one error."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.save_answers(
            people.assessor.id,
            draft.id,
            {"employees": "120", "sector": "Retail", "exporter": 1, "remarks": "fine"},
            1,
        ),
    )
    assert set(error.context["fields"]) == {"employees", "sector", "exporter"}


@pytest.mark.parametrize("answers", [None, [("employees", 1)], "employees=1", 12])
def test_answers_that_are_not_a_mapping_are_invalid_input(
    core: LeadCore, people: People, draft: Assessment, answers: object
) -> None:
    """save_answers takes a mapping of question ids to values, nothing else."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.save_answers(people.assessor.id, draft.id, answers, 1),
    )
    assert list(error.context["fields"]) == ["answers"]


def test_answers_after_submit_are_already_submitted(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """A submitted assessment refuses new answers with ASSESSMENT_ALREADY_SUBMITTED."""
    submitted = submitted_assessment(core, people.assessor, lead)
    error = refused(
        ErrorCode.ASSESSMENT_ALREADY_SUBMITTED,
        lambda: core.assessments.save_answers(
            people.assessor.id, submitted.id, {"employees": 1}, 3
        ),
    )
    assert error.context == {"assessment_id": submitted.id, "status": "SUBMITTED"}


def test_answers_with_a_stale_version_are_a_concurrent_modification(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """An out-of-date expected_version names the assessment and both versions."""
    core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 1}, 1)
    error = refused(
        ErrorCode.CONCURRENT_MODIFICATION,
        lambda: core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 2}, 1),
    )
    assert error.context == {"assessment_id": draft.id, "expected_version": 1, "actual_version": 2}


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, True, None])
def test_a_bad_expected_version_is_invalid_input(
    core: LeadCore, people: People, draft: Assessment, version: object
) -> None:
    """expected_version must be an integer of at least 1."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.save_answers(people.assessor.id, draft.id, {}, version),
    )
    assert list(error.context["fields"]) == ["expected_version"]


@pytest.mark.parametrize("assessment_id", ["no-such-id", "", None, 3, "\x00"])
def test_answers_to_an_unknown_assessment_are_not_found(
    core: LeadCore, people: People, draft: Assessment, assessment_id: object
) -> None:
    """Unknown or impossible ids are ASSESSMENT_NOT_FOUND."""
    refused(
        ErrorCode.ASSESSMENT_NOT_FOUND,
        lambda: core.assessments.save_answers(people.assessor.id, assessment_id, {}, 1),
    )


# --- submit ------------------------------------------------------------------------------


def test_submit_with_required_answers_missing_names_each(
    core: LeadCore, people: People, lead: Lead, draft: Assessment
) -> None:
    """INVALID_INPUT names every unanswered required question; nothing moves."""
    core.assessments.save_answers(people.assessor.id, draft.id, {"remarks": "partial"}, 1)
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.submit(people.assessor.id, draft.id, 2),
    )
    assert error.context["fields"] == {"employees": "is required", "sector": "is required"}
    assert core.assessments.get(people.assessor.id, draft.id).status is AssessmentStatus.DRAFT
    assert core.leads.get(people.reviewer.id, lead.id).status is LeadStatus.IN_PROGRESS


def test_submitting_twice_is_already_submitted(core: LeadCore, people: People, lead: Lead) -> None:
    """A second submit of the current version is ASSESSMENT_ALREADY_SUBMITTED."""
    submitted = submitted_assessment(core, people.assessor, lead)
    refused(
        ErrorCode.ASSESSMENT_ALREADY_SUBMITTED,
        lambda: core.assessments.submit(people.assessor.id, submitted.id, 3),
    )


def test_submit_by_another_assessor_is_assessor_not_assigned(
    core: LeadCore, people: People, draft: Assessment, assessor2: User
) -> None:
    """Only the assigned assessor submits."""
    core.assessments.save_answers(people.assessor.id, draft.id, COMPLETE, 1)
    refused(
        ErrorCode.ASSESSOR_NOT_ASSIGNED,
        lambda: core.assessments.submit(assessor2.id, draft.id, 2),
    )


def test_submit_with_a_stale_version_is_a_concurrent_modification(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """Submitting version 1 after a save made version 2 is refused."""
    core.assessments.save_answers(people.assessor.id, draft.id, COMPLETE, 1)
    refused(
        ErrorCode.CONCURRENT_MODIFICATION,
        lambda: core.assessments.submit(people.assessor.id, draft.id, 1),
    )


# --- approve / reject ----------------------------------------------------------------------


def test_an_assessor_may_not_approve(core: LeadCore, people: People, lead: Lead) -> None:
    """Deciding is for ADMIN and REVIEWER: an assessor is INSUFFICIENT_PERMISSIONS."""
    submitted = submitted_assessment(core, people.assessor, lead)
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: core.assessments.approve(people.assessor.id, submitted.id, 3),
    )


def test_an_assessor_may_not_reject(core: LeadCore, people: People, lead: Lead) -> None:
    """Rejecting is for ADMIN and REVIEWER too."""
    submitted = submitted_assessment(core, people.assessor, lead)
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: core.assessments.reject(people.assessor.id, submitted.id, 3, reason="no"),
    )


def test_approving_a_draft_is_an_invalid_transition(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """Only a submitted assessment can be approved."""
    error = refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.assessments.approve(people.reviewer.id, draft.id, 1),
    )
    assert error.context == {"from": "DRAFT", "to": "APPROVED"}


def test_deciding_twice_is_an_invalid_transition(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Rejecting an approved assessment at its current version is refused."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.approve(people.reviewer.id, submitted.id, 3)
    error = refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.assessments.reject(people.reviewer.id, submitted.id, 4, reason="late"),
    )
    assert error.context == {"from": "APPROVED", "to": "REJECTED"}


@pytest.mark.parametrize("reason", [None, "", "   ", 12, "x" * 2001, "bell\x07"])
def test_reject_needs_a_reason(core: LeadCore, people: People, lead: Lead, reason: object) -> None:
    """A missing, blank or unacceptable reason is INVALID_INPUT naming ``reason``."""
    submitted = submitted_assessment(core, people.assessor, lead)
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.reject(people.reviewer.id, submitted.id, 3, reason=reason),
    )
    assert list(error.context["fields"]) == ["reason"]
    assert core.assessments.get(people.reviewer.id, submitted.id) == submitted


def test_a_bad_note_is_invalid_input(core: LeadCore, people: People, lead: Lead) -> None:
    """An approval note must be text."""
    submitted = submitted_assessment(core, people.assessor, lead)
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.approve(people.reviewer.id, submitted.id, 3, note=["x"]),
    )
    assert list(error.context["fields"]) == ["note"]


def test_approve_with_a_stale_version_is_a_concurrent_modification(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Approving version 2 of a version-3 assessment names both versions."""
    submitted = submitted_assessment(core, people.assessor, lead)
    error = refused(
        ErrorCode.CONCURRENT_MODIFICATION,
        lambda: core.assessments.approve(people.reviewer.id, submitted.id, 2),
    )
    assert (error.context["expected_version"], error.context["actual_version"]) == (2, 3)


def test_approving_for_a_cancelled_lead_is_an_invalid_transition(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """A lead cancelled while under review cannot be completed; the assessment stays."""
    submitted = submitted_assessment(core, people.assessor, lead)
    current = core.leads.get(people.reviewer.id, lead.id)
    core.leads.change_status(people.reviewer.id, lead.id, "CANCELLED", current.version)
    error = refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.assessments.approve(people.reviewer.id, submitted.id, 3),
    )
    assert error.context == {"from": "CANCELLED", "to": "COMPLETED"}
    assert core.assessments.get(people.reviewer.id, submitted.id) == submitted


# --- reads ---------------------------------------------------------------------------------


def test_another_assessor_cannot_read_the_assessment(
    core: LeadCore, draft: Assessment, assessor2: User
) -> None:
    """get by an assessor of other leads is ASSESSMENT_NOT_FOUND (no hint it exists)."""
    refused(ErrorCode.ASSESSMENT_NOT_FOUND, lambda: core.assessments.get(assessor2.id, draft.id))


def test_another_assessor_cannot_list_the_leads_assessments(
    core: LeadCore, lead: Lead, draft: Assessment, assessor2: User
) -> None:
    """for_lead by an assessor of other leads is LEAD_NOT_FOUND."""
    refused(ErrorCode.LEAD_NOT_FOUND, lambda: core.assessments.for_lead(assessor2.id, lead.id))


def test_get_of_an_unknown_assessment_is_not_found(
    core: LeadCore, people: People, questionnaire: Questionnaire
) -> None:
    """An id that names no assessment is ASSESSMENT_NOT_FOUND."""
    error = refused(
        ErrorCode.ASSESSMENT_NOT_FOUND, lambda: core.assessments.get(people.admin.id, "nope")
    )
    assert error.context == {"assessment_id": "nope"}


@pytest.mark.parametrize("question_id", ["", "has space", None, 3, "x" * 65, "../q"])
def test_answers_for_a_malformed_question_id_are_invalid_input(
    core: LeadCore, people: People, question_id: object
) -> None:
    """answers_for_question names ``question_id`` when it cannot be a question id."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.answers_for_question(people.reviewer.id, question_id),
    )
    assert list(error.context["fields"]) == ["question_id"]


def test_answers_for_question_checks_the_actor_first(core: LeadCore, people: People) -> None:
    """A deactivated user is USER_INACTIVE even with a malformed question id."""
    core.users.deactivate(people.admin.id, people.reviewer.id)
    refused(
        ErrorCode.USER_INACTIVE,
        lambda: core.assessments.answers_for_question(people.reviewer.id, None),
    )


# --- nothing changes ------------------------------------------------------------------------


def test_a_refused_submit_leaves_lead_assessment_and_history_unchanged(
    core: LeadCore, people: People, lead: Lead, draft: Assessment
) -> None:
    """After a refused submit, the lead, the assessment and the audit trail are as before."""
    before = (
        core.leads.get(people.admin.id, lead.id),
        core.assessments.for_lead(people.admin.id, lead.id),
        lead_history(core, people, lead.id),
    )
    refused(
        ErrorCode.INVALID_INPUT, lambda: core.assessments.submit(people.assessor.id, draft.id, 1)
    )
    after = (
        core.leads.get(people.admin.id, lead.id),
        core.assessments.for_lead(people.admin.id, lead.id),
        lead_history(core, people, lead.id),
    )
    assert after == before
