"""The pure rules: question definitions, typed answers, the assessment status machine."""

from __future__ import annotations

import itertools
import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest

from leadcore import AssessmentStatus, ErrorCode, LeadCoreError, LeadStatus, Role
from leadcore.domain.assessments import (
    ASSESSMENT_TRANSITIONS,
    LEAD_EVENTS,
    LEAD_STATUS_FOR,
    Answer,
    Assessment,
    AssessmentEvent,
    next_assessment_status,
)
from leadcore.domain.leads import TRANSITIONS, Lead, LeadEvent
from leadcore.domain.questionnaires import Question, Questionnaire, QuestionType, parse_questions
from leadcore.domain.users import Permission, roles_with
from tests.assessments.helpers import QUESTIONS

AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
DRAFT, SUBMITTED, APPROVED, REJECTED = (
    AssessmentStatus.DRAFT,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.APPROVED,
    AssessmentStatus.REJECTED,
)
# The machine of DESIGN.md, written out independently of the code: (from, event, to).
DESIGN_TABLE = {
    (DRAFT, AssessmentEvent.ANSWER, DRAFT),
    (DRAFT, AssessmentEvent.HAND_OVER, DRAFT),
    (DRAFT, AssessmentEvent.SUBMIT, SUBMITTED),
    (SUBMITTED, AssessmentEvent.APPROVE, APPROVED),
    (SUBMITTED, AssessmentEvent.REJECT, REJECTED),
}


# The rows of DESIGN.md's permission table that issue 4 adds: who holds each one.
ISSUE_4_HOLDERS: dict[Permission, set[Role]] = {
    Permission.PUBLISH_QUESTIONNAIRE: {Role.ADMIN},
    Permission.WORK_ASSESSMENTS: {Role.ASSESSOR},
    Permission.DECIDE_ASSESSMENTS: {Role.ADMIN, Role.REVIEWER},
    Permission.WRITE_ALL_DOCUMENTS: {Role.ADMIN, Role.REVIEWER},
    Permission.WRITE_ASSIGNED_DOCUMENTS: {Role.ADMIN, Role.REVIEWER, Role.ASSESSOR},
}


def a_questionnaire() -> Questionnaire:
    """Return QUESTIONS as version 1."""
    return Questionnaire(1, parse_questions(QUESTIONS), "u-admin", AT)


def a_draft(**answers: Any) -> Assessment:
    """Return a new DRAFT of LEAD-2026-0001 with ``answers``."""
    return Assessment.started("a-1", "LEAD-2026-0001", "u-s", 1, 1, AT, answers)


def question(kind: QuestionType) -> Question:
    """Return a question of type ``kind`` (choices IT and Manufacturing for CHOICE)."""
    choices = ("IT", "Manufacturing") if kind is QuestionType.CHOICE else ()
    return Question("q", "Question?", kind, False, choices)


@pytest.mark.parametrize("permission", list(ISSUE_4_HOLDERS))
def test_the_assessment_and_document_permissions_follow_the_table(permission: Permission) -> None:
    """Only assessors work on assessments, staff decide, assessors upload to their leads only."""
    assert roles_with(permission) == ISSUE_4_HOLDERS[permission]


@pytest.mark.parametrize(
    ("status", "event"), list(itertools.product(AssessmentStatus, AssessmentEvent))
)
def test_an_event_is_allowed_exactly_where_the_table_lists_it(
    status: AssessmentStatus, event: AssessmentEvent
) -> None:
    """next_assessment_status reaches the listed target and refuses every other pair."""
    listed = {(s, e): t for s, e, t in DESIGN_TABLE}
    assert dict(ASSESSMENT_TRANSITIONS) == listed
    if (status, event) in listed:
        assert next_assessment_status("a-1", status, event) is listed[(status, event)]
    else:
        with pytest.raises(LeadCoreError):
            next_assessment_status("a-1", status, event)


@pytest.mark.parametrize("status", [SUBMITTED, APPROVED, REJECTED])
@pytest.mark.parametrize("event", [AssessmentEvent.ANSWER, AssessmentEvent.SUBMIT])
def test_assessor_work_after_submission_is_already_submitted(
    status: AssessmentStatus, event: AssessmentEvent
) -> None:
    """Answering or submitting anything but a DRAFT is ASSESSMENT_ALREADY_SUBMITTED."""
    with pytest.raises(LeadCoreError) as caught:
        next_assessment_status("a-1", status, event)
    assert caught.value.code is ErrorCode.ASSESSMENT_ALREADY_SUBMITTED
    assert caught.value.context == {"assessment_id": "a-1", "status": status.value}


@pytest.mark.parametrize("status", [DRAFT, APPROVED, REJECTED])
@pytest.mark.parametrize("event", [AssessmentEvent.APPROVE, AssessmentEvent.REJECT])
def test_a_decision_on_anything_but_submitted_is_an_invalid_transition(
    status: AssessmentStatus, event: AssessmentEvent
) -> None:
    """Approving or rejecting outside SUBMITTED names from and the target it aimed for."""
    with pytest.raises(LeadCoreError) as caught:
        next_assessment_status("a-1", status, event)
    target = APPROVED if event is AssessmentEvent.APPROVE else REJECTED
    assert caught.value.code is ErrorCode.INVALID_STATUS_TRANSITION
    assert caught.value.context == {"from": status.value, "to": target.value}


@pytest.mark.parametrize(("before", "event", "after"), sorted(DESIGN_TABLE))
def test_every_assessment_move_keeps_the_lead_status_in_agreement(
    before: AssessmentStatus, event: AssessmentEvent, after: AssessmentStatus
) -> None:
    """The lead event paired with an assessment event moves the lead to the agreeing status."""
    lead_event = LEAD_EVENTS.get(event)
    if lead_event is None:
        assert LEAD_STATUS_FOR[before] is LEAD_STATUS_FOR[after]
    else:
        assert TRANSITIONS[(LEAD_STATUS_FOR[before], lead_event)] is LEAD_STATUS_FOR[after]


def test_assigning_an_in_progress_lead_keeps_it_in_progress() -> None:
    """Lead.assigned on IN_PROGRESS changes the assessor only (issue 4's reassignment)."""
    lead = Lead(
        id="LEAD-2026-0001",
        cin="U72900KA2015PTC000001",
        company_name="Acme",
        contact_name=None,
        contact_email=None,
        contact_phone=None,
        city=None,
        state=None,
        notes=None,
        status=LeadStatus.IN_PROGRESS,
        assessor_id="u-s",
        created_by="u-r",
        created_at=AT,
        updated_at=AT,
        version=4,
    )
    moved = lead.assigned("u-t", AT)
    assert (moved.status, moved.assessor_id, moved.version) == (LeadStatus.IN_PROGRESS, "u-t", 5)
    assert TRANSITIONS[(LeadStatus.IN_PROGRESS, LeadEvent.ASSIGN)] is LeadStatus.IN_PROGRESS


def test_with_answers_merges_clears_and_returns_a_new_version() -> None:
    """Given keys are set, None removes one, others stay; the original is unchanged."""
    draft = a_draft(employees=10, remarks="ok")
    changed = draft.with_answers({"employees": 12, "remarks": None, "exporter": True}, AT)
    assert changed.answer_values() == {"employees": 12, "exporter": True}
    assert (changed.version, draft.version, draft.answer_values()["employees"]) == (2, 1, 10)


def test_answers_are_kept_in_question_id_order() -> None:
    """Two assessments with the same answers given in different orders are equal."""
    one = a_draft(sector="IT", employees=3)
    other = a_draft(employees=3, sector="IT")
    assert one == other
    assert [a.question_id for a in one.answers] == ["employees", "sector"]


def test_answer_changes_counts_a_type_change_as_a_change() -> None:
    """1 and 1.0 compare equal in Python, but a stored int replaced by a float is a change."""
    draft = a_draft(employees=1)
    assert draft.answer_changes({"employees": 1.0}) == ({"employees": 1}, {"employees": 1.0})
    assert draft.answer_changes({"employees": 1}) == ({}, {})


def test_an_assessment_dict_is_json_ready() -> None:
    """to_dict holds the contract's fields and survives json.dumps."""
    submitted = a_draft(employees=1, exporter=False).submitted(AT)
    data = submitted.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["status"] == "SUBMITTED"
    assert data["answers"][0] == {
        "assessment_id": "a-1",
        "lead_id": "LEAD-2026-0001",
        "question_id": "employees",
        "value": 1,
    }
    assert set(data) >= {
        "id",
        "lead_id",
        "assessor_id",
        "revision",
        "questionnaire_version",
        "status",
        "answers",
        "version",
        "submitted_at",
        "decided_by",
        "decided_at",
        "note",
        "reason",
    }


def test_an_answer_is_a_row_of_assessment_lead_question_and_value() -> None:
    """Answer has exactly the contract's four fields."""
    answer = Answer("a-1", "LEAD-2026-0001", "employees", 3)
    assert answer.to_dict() == {
        "assessment_id": "a-1",
        "lead_id": "LEAD-2026-0001",
        "question_id": "employees",
        "value": 3,
    }


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (QuestionType.NUMBER, 0, 0),
        (QuestionType.NUMBER, -3, -3),
        (QuestionType.NUMBER, 2.5, 2.5),
        (QuestionType.NUMBER, 2**63 - 1, 2**63 - 1),
        (QuestionType.BOOLEAN, True, True),
        (QuestionType.BOOLEAN, False, False),
        (QuestionType.TEXT, "  some words ", "some words"),
        (QuestionType.TEXT, "two\nlines", "two\nlines"),
        (QuestionType.TEXT, "   ", None),
        (QuestionType.CHOICE, "IT", "IT"),
    ],
)
def test_a_well_typed_answer_is_accepted(
    kind: QuestionType, value: object, expected: object
) -> None:
    """Question.check returns the cleaned value (blank text means no answer)."""
    cleaned, reason = question(kind).check(value)
    assert (cleaned, reason) == (expected, None)
    assert type(cleaned) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (QuestionType.NUMBER, True),
        (QuestionType.NUMBER, "12"),
        (QuestionType.NUMBER, math.nan),
        (QuestionType.NUMBER, math.inf),
        (QuestionType.NUMBER, 2**63),
        (QuestionType.NUMBER, [1]),
        (QuestionType.BOOLEAN, 1),
        (QuestionType.BOOLEAN, "true"),
        (QuestionType.TEXT, 12),
        (QuestionType.TEXT, "bell\x07"),
        (QuestionType.TEXT, "x" * 2001),
        (QuestionType.CHOICE, "it"),
        (QuestionType.CHOICE, "Retail"),
        (QuestionType.CHOICE, 1),
    ],
)
def test_an_ill_typed_answer_is_refused_with_a_reason(kind: QuestionType, value: object) -> None:
    """Question.check gives a reason for a value of the wrong type or outside the rules."""
    cleaned, reason = question(kind).check(value)
    assert cleaned is None
    assert reason


def test_check_answers_names_every_bad_and_unknown_question() -> None:
    """One INVALID_INPUT names the unknown id and each ill-typed answer."""
    with pytest.raises(LeadCoreError) as caught:
        a_questionnaire().check_answers({"employees": "many", "sector": "Retail", "ghost": 1})
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert set(caught.value.context["fields"]) == {"employees", "sector", "ghost"}


def test_still_valid_keeps_only_what_a_version_accepts_unchanged() -> None:
    """Answers to removed questions or of a changed type are dropped; the rest are kept."""
    v2 = Questionnaire(
        2,
        parse_questions(
            [
                {"id": "employees", "text": "Headcount?", "type": "text"},
                {"id": "sector", "text": "Sector?", "type": "choice", "choices": ["IT"]},
            ]
        ),
        "u-admin",
        AT,
    )
    kept = v2.still_valid({"employees": 12, "sector": "IT", "exporter": True})
    assert kept == {"sector": "IT"}


def test_missing_lists_unanswered_required_questions_in_order() -> None:
    """missing() names the required questions without an answer, in question order."""
    assert a_questionnaire().missing(["remarks"]) == ["employees", "sector"]
    assert a_questionnaire().missing(["sector", "employees"]) == []


@pytest.mark.parametrize(
    ("definitions", "field"),
    [
        (
            [
                {"id": "q1", "text": "A?", "type": "text"},
                {"id": "q1", "text": "B?", "type": "number"},
            ],
            "q1",
        ),
        ([{"id": "q1", "text": "A?", "type": "choice"}], "q1"),
        ([{"id": "q1", "text": "A?", "type": "choice", "choices": []}], "q1"),
        ([{"id": "q1", "text": "A?", "type": "date"}], "q1"),
        ([{"id": "q1", "text": "A?", "type": "text", "choices": ["x"]}], "q1"),
        ([{"id": "q1", "text": "A?", "type": "choice", "choices": ["x", "x"]}], "q1"),
        ([{"id": "q1", "text": "A?", "type": "text", "colour": "red"}], "q1"),
        ([{"id": "q1", "text": "A?", "type": "text", "required": "yes"}], "q1"),
        ([{"id": "q1", "text": "  ", "type": "text"}], "q1"),
        ([{"id": "has space", "text": "A?", "type": "text"}], "questions[0]"),
        ([{"text": "A?", "type": "text"}], "questions[0]"),
        (["not a mapping"], "questions[0]"),
        ([], "questions"),
        ("q1", "questions"),
        ({"id": "q1"}, "questions"),
    ],
)
def test_a_bad_definition_is_invalid_input_naming_the_question(
    definitions: object, field: str
) -> None:
    """Duplicate ids, choice without choices, unknown types and other faults name the question."""
    with pytest.raises(LeadCoreError) as caught:
        parse_questions(definitions)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert field in caught.value.context["fields"]


def test_every_bad_question_is_named_at_once() -> None:
    """Two faulty questions give one error naming both."""
    with pytest.raises(LeadCoreError) as caught:
        parse_questions(
            [
                {"id": "a", "text": "A?", "type": "choice"},
                {"id": "b", "text": "B?", "type": "colour"},
                {"id": "c", "text": "C?", "type": "text"},
            ]
        )
    assert set(caught.value.context["fields"]) == {"a", "b"}


def test_definitions_are_cleaned_and_typed() -> None:
    """Types may be given in any case; text and choices are stripped; required defaults off."""
    (parsed,) = parse_questions(
        [{"id": "q", "text": " Which? ", "type": "CHOICE", "choices": [" a ", "b"]}]
    )
    assert parsed == Question("q", "Which?", QuestionType.CHOICE, False, ("a", "b"))
    assert parse_questions([parsed]) == (parsed,)
