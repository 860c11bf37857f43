"""The assessment workflow: start, answer, submit, approve or reject, rework, history."""

from __future__ import annotations

import json

import leadcore
from leadcore import (
    Assessment,
    AssessmentStatus,
    AuditAction,
    EntityType,
    Lead,
    LeadCore,
    LeadStatus,
    Questionnaire,
    User,
)
from tests.assessments.helpers import (
    COMPLETE,
    QUESTIONS,
    assigned_lead,
    lead_history,
    submitted_assessment,
)
from tests.conftest import People


def test_start_opens_revision_1_as_a_draft_pinned_to_the_current_version(
    core: LeadCore, people: People, lead: Lead, questionnaire: Questionnaire
) -> None:
    """A started assessment is DRAFT, version 1, revision 1, of the assessor, with no answers."""
    started = core.assessments.start(people.assessor.id, lead.id)
    assert (started.status, started.version, started.revision) == (AssessmentStatus.DRAFT, 1, 1)
    assert (started.lead_id, started.assessor_id) == (lead.id, people.assessor.id)
    assert (started.questionnaire_version, started.answers) == (questionnaire.version, ())


def test_start_moves_the_lead_to_in_progress(
    core: LeadCore, people: People, lead: Lead, draft: Assessment
) -> None:
    """The lead goes from ASSIGNED to IN_PROGRESS, one version later."""
    current = core.leads.get(people.reviewer.id, lead.id)
    assert (current.status, current.version) == (LeadStatus.IN_PROGRESS, lead.version + 1)


def test_starting_again_returns_the_open_draft_unchanged(
    core: LeadCore, people: People, lead: Lead, draft: Assessment
) -> None:
    """A second start gives back the same DRAFT and writes nothing."""
    before = lead_history(core, people, lead.id)
    assert core.assessments.start(people.assessor.id, lead.id) == draft
    assert lead_history(core, people, lead.id) == before


def test_partial_saves_merge_into_the_draft(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """Two saves of different answers keep both; each save is one version more."""
    first = core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 12}, 1)
    second = core.assessments.save_answers(people.assessor.id, draft.id, {"exporter": True}, 2)
    assert second.answer_values() == {"employees": 12, "exporter": True}
    assert (first.version, second.version) == (2, 3)


def test_none_clears_an_answer(core: LeadCore, people: People, draft: Assessment) -> None:
    """Saving None for a question removes its answer and keeps the others."""
    saved = core.assessments.save_answers(
        people.assessor.id, draft.id, {"employees": 12, "remarks": "fine"}, 1
    )
    cleared = core.assessments.save_answers(people.assessor.id, draft.id, {"remarks": None}, 2)
    assert (saved.answer_values(), cleared.answer_values()) == (
        {"employees": 12, "remarks": "fine"},
        {"employees": 12},
    )


def test_saving_the_answers_already_there_writes_nothing(
    core: LeadCore, people: People, lead: Lead, draft: Assessment
) -> None:
    """A save that changes no answer returns the draft as it was: no version, no entry."""
    saved = core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 12}, 1)
    before = lead_history(core, people, lead.id)
    again = core.assessments.save_answers(
        people.assessor.id, draft.id, {"employees": 12, "remarks": None}, 2
    )
    assert again == saved
    assert lead_history(core, people, lead.id) == before


def test_answers_keep_their_types(core: LeadCore, people: People, draft: Assessment) -> None:
    """A float, an int, a bool and text come back as the same types."""
    saved = core.assessments.save_answers(
        people.assessor.id,
        draft.id,
        {"employees": 12.5, "sector": "IT", "exporter": False, "remarks": "ok"},
        1,
    )
    values = core.assessments.get(people.reviewer.id, draft.id).answer_values()
    assert values == saved.answer_values()
    assert [type(values[k]) for k in ("employees", "sector", "exporter", "remarks")] == [
        float,
        str,
        bool,
        str,
    ]


def test_get_returns_what_the_last_write_returned(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """The stored assessment equals the object save_answers returned."""
    saved = core.assessments.save_answers(people.assessor.id, draft.id, COMPLETE, 1)
    assert core.assessments.get(people.assessor.id, draft.id) == saved


def test_submit_moves_assessment_and_lead_to_submitted(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """A complete draft becomes SUBMITTED with its time, and so does the lead."""
    submitted = submitted_assessment(core, people.assessor, lead)
    current = core.leads.get(people.reviewer.id, lead.id)
    assert (submitted.status, submitted.version) == (AssessmentStatus.SUBMITTED, 3)
    assert submitted.submitted_at == submitted.updated_at
    assert current.status is LeadStatus.SUBMITTED


def test_approve_completes_assessment_and_lead(core: LeadCore, people: People, lead: Lead) -> None:
    """Approval records who, when and the note; the lead is COMPLETED."""
    submitted = submitted_assessment(core, people.assessor, lead)
    approved = core.assessments.approve(people.reviewer.id, submitted.id, 3, note=" Good work ")
    assert (approved.status, approved.decided_by, approved.note) == (
        AssessmentStatus.APPROVED,
        people.reviewer.id,
        "Good work",
    )
    assert approved.decided_at is not None
    assert core.leads.get(people.reviewer.id, lead.id).status is LeadStatus.COMPLETED


def test_an_admin_may_decide_too(core: LeadCore, people: People, lead: Lead) -> None:
    """ADMIN approves like a reviewer; no note is needed."""
    submitted = submitted_assessment(core, people.assessor, lead)
    approved = core.assessments.approve(people.admin.id, submitted.id, expected_version=3)
    assert (approved.decided_by, approved.note) == (people.admin.id, None)


def test_reject_sends_the_lead_back_to_in_progress(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Rejection records the reason; the assessment is REJECTED, the lead IN_PROGRESS."""
    submitted = submitted_assessment(core, people.assessor, lead)
    rejected = core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="Numbers?")
    assert (rejected.status, rejected.reason, rejected.version) == (
        AssessmentStatus.REJECTED,
        "Numbers?",
        4,
    )
    assert core.leads.get(people.reviewer.id, lead.id).status is LeadStatus.IN_PROGRESS


def test_start_after_a_rejection_opens_the_next_revision_prefilled(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Revision 2 is a DRAFT holding the rejected answers; the lead stays IN_PROGRESS."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="Check numbers")
    lead_before = core.leads.get(people.reviewer.id, lead.id)
    rework = core.assessments.start(people.assessor.id, lead.id)
    assert (rework.revision, rework.status, rework.version) == (2, AssessmentStatus.DRAFT, 1)
    assert rework.answer_values() == COMPLETE
    assert core.leads.get(people.reviewer.id, lead.id) == lead_before


def test_a_rejected_revision_stays_as_history(core: LeadCore, people: People, lead: Lead) -> None:
    """for_lead lists revision 1 (REJECTED) and revision 2 (DRAFT), oldest first."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="Check numbers")
    core.assessments.start(people.assessor.id, lead.id)
    revisions = core.assessments.for_lead(people.reviewer.id, lead.id)
    assert [(a.revision, a.status) for a in revisions] == [
        (1, AssessmentStatus.REJECTED),
        (2, AssessmentStatus.DRAFT),
    ]


def test_a_rework_revision_uses_the_current_questionnaire(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """After a new version, revision 2 is pinned to it and keeps only answers it accepts."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="Redo")
    v2 = [{**q, "type": "text"} if q["id"] == "employees" else q for q in QUESTIONS]
    core.assessments.set_questionnaire(people.admin.id, v2)
    rework = core.assessments.start(people.assessor.id, lead.id)
    assert rework.questionnaire_version == 2
    assert rework.answer_values() == {"sector": "IT"}


def test_the_whole_workflow_is_in_the_lead_history(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Every step is audited once, under the lead's id, with the right entity."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.approve(people.reviewer.id, submitted.id, 3)
    steps = [
        (e.action, e.entity_type, e.actor_id)
        for e in lead_history(core, people, lead.id)
        if e.action not in {AuditAction.LEAD_CREATED, AuditAction.LEAD_ASSIGNED}
    ]
    assessor, reviewer = people.assessor.id, people.reviewer.id
    assert steps == [
        (AuditAction.LEAD_STATUS_UPDATED, EntityType.LEAD, assessor),
        (AuditAction.ASSESSMENT_CREATED, EntityType.ASSESSMENT, assessor),
        (AuditAction.ASSESSMENT_UPDATED, EntityType.ASSESSMENT, assessor),
        (AuditAction.LEAD_STATUS_UPDATED, EntityType.LEAD, assessor),
        (AuditAction.ASSESSMENT_SUBMITTED, EntityType.ASSESSMENT, assessor),
        (AuditAction.LEAD_STATUS_UPDATED, EntityType.LEAD, reviewer),
        (AuditAction.ASSESSMENT_APPROVED, EntityType.ASSESSMENT, reviewer),
    ]


def test_assessment_entries_carry_old_and_new_values(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Created, answered, submitted and rejected entries hold the changed fields only."""
    submitted = submitted_assessment(core, people.assessor, lead)
    rejected = core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="Redo")
    found = {
        e.action: (dict(e.old), dict(e.new))
        for e in lead_history(core, people, lead.id)
        if e.entity_type is EntityType.ASSESSMENT
    }
    assert all(
        e.entity_id == submitted.id
        for e in lead_history(core, people, lead.id)
        if e.entity_type is EntityType.ASSESSMENT
    )
    assert found[AuditAction.ASSESSMENT_CREATED] == (
        {},
        {
            "revision": 1,
            "questionnaire_version": 1,
            "status": "DRAFT",
            "assessor_id": people.assessor.id,
        },
    )
    assert found[AuditAction.ASSESSMENT_UPDATED] == (
        {"answers": {"employees": None, "sector": None}},
        {"answers": COMPLETE},
    )
    assert found[AuditAction.ASSESSMENT_SUBMITTED] == (
        {"status": "DRAFT"},
        {"status": "SUBMITTED", "submitted_at": submitted.updated_at.isoformat()},
    )
    assert found[AuditAction.ASSESSMENT_REJECTED] == (
        {"status": "SUBMITTED"},
        {
            "status": "REJECTED",
            "decided_by": people.reviewer.id,
            "decided_at": rejected.updated_at.isoformat(),
            "reason": "Redo",
        },
    )


def test_the_lead_entries_record_each_status_move(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """LEAD_STATUS_UPDATED entries go ASSIGNED -> IN_PROGRESS -> SUBMITTED -> IN_PROGRESS."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="Redo")
    moves = [
        (e.old["status"], e.new["status"])
        for e in lead_history(core, people, lead.id)
        if e.action is AuditAction.LEAD_STATUS_UPDATED
    ]
    assert moves == [
        ("ASSIGNED", "IN_PROGRESS"),
        ("IN_PROGRESS", "SUBMITTED"),
        ("SUBMITTED", "IN_PROGRESS"),
    ]


def test_the_assigned_assessor_reads_their_assessment(
    core: LeadCore, people: People, lead: Lead, draft: Assessment
) -> None:
    """get and for_lead work for the assessor of the lead as for staff."""
    assert core.assessments.get(people.assessor.id, draft.id) == draft
    assert core.assessments.for_lead(people.assessor.id, lead.id) == [draft]


def test_run_action_wraps_an_assessment_as_json(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """The envelope's data is the assessment's to_dict, JSON-ready."""
    result = leadcore.run_action(
        core.assessments.save_answers, people.assessor.id, draft.id, {"employees": 3}, 1
    )
    assert result["success"] is True
    assert json.loads(json.dumps(result))["data"]["answers"][0]["value"] == 3


def test_answers_for_question_gives_each_leads_latest_answer(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Rework revisions replace earlier answers; another lead's draft answer is included."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="Redo")
    rework = core.assessments.start(people.assessor.id, lead.id)
    core.assessments.save_answers(people.assessor.id, rework.id, {"employees": 99}, 1)
    other = assigned_lead(core, people, 2)
    other_draft = core.assessments.start(people.assessor.id, other.id)
    core.assessments.save_answers(people.assessor.id, other_draft.id, {"employees": 7}, 1)
    found = core.assessments.answers_for_question(people.reviewer.id, "employees")
    assert [(a.lead_id, a.assessment_id, a.value) for a in found] == [
        (lead.id, rework.id, 99),
        (other.id, other_draft.id, 7),
    ]


def test_a_latest_revision_without_the_answer_gives_no_row(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """An answer cleared in the rework revision is not replaced by revision 1's."""
    submitted = submitted_assessment(core, people.assessor, lead)
    core.assessments.reject(people.reviewer.id, submitted.id, 3, reason="Redo")
    rework = core.assessments.start(people.assessor.id, lead.id)
    core.assessments.save_answers(people.assessor.id, rework.id, {"employees": None}, 1)
    assert core.assessments.answers_for_question(people.admin.id, "employees") == []


def test_an_assessor_sees_only_the_answers_of_their_leads(
    core: LeadCore, people: People, lead: Lead, draft: Assessment, assessor2: User
) -> None:
    """Answers of a lead assigned to someone else are left out for an assessor."""
    other = assigned_lead(core, people, 2, assessor=assessor2)
    other_draft = core.assessments.start(assessor2.id, other.id)
    core.assessments.save_answers(assessor2.id, other_draft.id, {"sector": "IT"}, 1)
    core.assessments.save_answers(people.assessor.id, draft.id, {"sector": "Manufacturing"}, 1)
    mine = core.assessments.answers_for_question(people.assessor.id, "sector")
    everyone = core.assessments.answers_for_question(people.reviewer.id, "sector")
    assert [a.lead_id for a in mine] == [lead.id]
    assert [a.lead_id for a in everyone] == [lead.id, other.id]


def test_an_unknown_question_has_no_answers(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """answers_for_question on an id no version has is an empty list, not an error."""
    assert core.assessments.answers_for_question(people.reviewer.id, "no_such_question") == []
