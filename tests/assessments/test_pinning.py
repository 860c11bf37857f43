"""An assessment is pinned to the questionnaire version it started on."""

from __future__ import annotations

from leadcore import Assessment, AssessmentStatus, ErrorCode, Lead, LeadCore
from tests.assessments.helpers import assigned_lead, refused
from tests.conftest import People

# Version 2: employees becomes text, sector is dropped, a required question is added.
V2 = [
    {"id": "employees", "text": "Describe the workforce", "type": "text", "required": True},
    {"id": "exporter", "text": "Does it export?", "type": "boolean"},
    {"id": "turnover", "text": "Turnover (INR)?", "type": "number", "required": True},
]


def test_answers_keep_validating_against_the_started_version(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """After v2 is published, a v1 draft still takes a number and a v1 choice."""
    core.assessments.set_questionnaire(people.admin.id, V2)
    saved = core.assessments.save_answers(
        people.assessor.id, draft.id, {"employees": 40, "sector": "IT"}, 1
    )
    assert (saved.questionnaire_version, saved.answer_values()) == (
        1,
        {"employees": 40, "sector": "IT"},
    )


def test_questions_only_in_the_new_version_are_unknown_to_the_old_draft(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """A v1 draft refuses an answer to v2's new question, and v2's type for a changed one."""
    core.assessments.set_questionnaire(people.admin.id, V2)
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.save_answers(
            people.assessor.id, draft.id, {"turnover": 5, "employees": "a few"}, 1
        ),
    )
    assert set(error.context["fields"]) == {"turnover", "employees"}


def test_submit_checks_the_required_questions_of_the_started_version(
    core: LeadCore, people: People, lead: Lead, draft: Assessment
) -> None:
    """v2's new required question does not block a v1 draft whose v1 answers are complete."""
    core.assessments.set_questionnaire(people.admin.id, V2)
    core.assessments.save_answers(people.assessor.id, draft.id, {"employees": 4, "sector": "IT"}, 1)
    submitted = core.assessments.submit(people.assessor.id, draft.id, 2)
    assert submitted.status is AssessmentStatus.SUBMITTED


def test_an_assessment_started_later_is_pinned_to_the_newer_version(
    core: LeadCore, people: People, draft: Assessment
) -> None:
    """Another lead started after v2 is published validates against v2."""
    core.assessments.set_questionnaire(people.admin.id, V2)
    other = assigned_lead(core, people, 2)
    newer = core.assessments.start(people.assessor.id, other.id)
    saved = core.assessments.save_answers(
        people.assessor.id, newer.id, {"employees": "forty", "turnover": 10**7}, 1
    )
    assert (newer.questionnaire_version, saved.answer_values()["employees"]) == (2, "forty")
    assert core.assessments.get(people.admin.id, draft.id).questionnaire_version == 1
