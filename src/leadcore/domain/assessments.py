"""The Assessment aggregate, its answers as rows, and its status machine (a table as data)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from leadcore.domain import errors
from leadcore.domain.leads import LeadEvent, LeadStatus
from leadcore.domain.questionnaires import AnswerValue


class AssessmentStatus(enum.StrEnum):
    """Where one revision of a lead's assessment stands."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class AssessmentEvent(enum.StrEnum):
    """The commands that act on an assessment."""

    ANSWER = "answer"
    HAND_OVER = "hand over"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"


# (current status, event) -> next status. Every pair absent here is refused.
ASSESSMENT_TRANSITIONS: Mapping[tuple[AssessmentStatus, AssessmentEvent], AssessmentStatus] = {
    (AssessmentStatus.DRAFT, AssessmentEvent.ANSWER): AssessmentStatus.DRAFT,
    (AssessmentStatus.DRAFT, AssessmentEvent.HAND_OVER): AssessmentStatus.DRAFT,
    (AssessmentStatus.DRAFT, AssessmentEvent.SUBMIT): AssessmentStatus.SUBMITTED,
    (AssessmentStatus.SUBMITTED, AssessmentEvent.APPROVE): AssessmentStatus.APPROVED,
    (AssessmentStatus.SUBMITTED, AssessmentEvent.REJECT): AssessmentStatus.REJECTED,
}

# The assessor's own events: refused after submission with ASSESSMENT_ALREADY_SUBMITTED.
ASSESSOR_EVENTS: frozenset[AssessmentEvent] = frozenset(
    {AssessmentEvent.ANSWER, AssessmentEvent.SUBMIT}
)

# The lead event that accompanies each assessment event that moves the lead.
LEAD_EVENTS: Mapping[AssessmentEvent, LeadEvent] = {
    AssessmentEvent.SUBMIT: LeadEvent.SUBMIT,
    AssessmentEvent.APPROVE: LeadEvent.APPROVE,
    AssessmentEvent.REJECT: LeadEvent.REJECT,
}

# The lead status that agrees with its latest assessment's status (a CANCELLED lead
# agrees with any): the invariant every assessment command keeps.
LEAD_STATUS_FOR: Mapping[AssessmentStatus, LeadStatus] = {
    AssessmentStatus.DRAFT: LeadStatus.IN_PROGRESS,
    AssessmentStatus.SUBMITTED: LeadStatus.SUBMITTED,
    AssessmentStatus.APPROVED: LeadStatus.COMPLETED,
    AssessmentStatus.REJECTED: LeadStatus.IN_PROGRESS,
}


def next_assessment_status(
    assessment_id: str, current: AssessmentStatus, event: AssessmentEvent
) -> AssessmentStatus:
    """Return the status ``event`` leads to, refusing pairs that are not in the table."""
    reached = ASSESSMENT_TRANSITIONS.get((current, event))
    if reached is not None:
        return reached
    if event in ASSESSOR_EVENTS and current is not AssessmentStatus.DRAFT:
        raise errors.assessment_already_submitted(assessment_id, current.value)
    target = _EVENT_TARGETS.get(event, current)
    raise errors.invalid_transition(current.value, target.value)


_EVENT_TARGETS: Mapping[AssessmentEvent, AssessmentStatus] = {
    event: target for (_current, event), target in ASSESSMENT_TRANSITIONS.items()
}


@attrs.frozen
class Answer:
    """One answer, stored as one row: assessment x question, with a typed value."""

    assessment_id: str
    lead_id: str
    question_id: str
    value: AnswerValue

    def to_dict(self) -> dict[str, Any]:
        """Return the answer as JSON-ready data."""
        return {
            "assessment_id": self.assessment_id,
            "lead_id": self.lead_id,
            "question_id": self.question_id,
            "value": self.value,
        }


def _by_question(answers: Iterable[Answer]) -> tuple[Answer, ...]:
    """Answers in one canonical order (question id), so equal assessments compare equal."""
    return tuple(sorted(answers, key=lambda a: a.question_id))


@attrs.frozen
class Assessment:
    """One revision of a lead's assessment. Frozen: every change returns a new instance."""

    id: str
    lead_id: str
    assessor_id: str
    revision: int
    questionnaire_version: int
    status: AssessmentStatus
    answers: tuple[Answer, ...] = attrs.field(converter=_by_question)
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None
    reason: str | None = None

    @classmethod
    def started(
        cls,
        assessment_id: str,
        lead_id: str,
        assessor_id: str,
        revision: int,
        questionnaire_version: int,
        at: datetime,
        answers: Mapping[str, AnswerValue] | None = None,
    ) -> Assessment:
        """Return a new DRAFT at version 1, optionally pre-filled with ``answers``."""
        return cls(
            id=assessment_id,
            lead_id=lead_id,
            assessor_id=assessor_id,
            revision=revision,
            questionnaire_version=questionnaire_version,
            status=AssessmentStatus.DRAFT,
            answers=_rows(assessment_id, lead_id, answers or {}),
            version=1,
            created_at=at,
            updated_at=at,
        )

    def answer_values(self) -> dict[str, AnswerValue]:
        """Return the answers as ``{question_id: value}``."""
        return {answer.question_id: answer.value for answer in self.answers}

    def answer_changes(
        self, values: Mapping[str, AnswerValue | None]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return (old, new) for the entries of ``values`` that differ (None = no answer)."""
        current = self.answer_values()
        old: dict[str, Any] = {}
        new: dict[str, Any] = {}
        for question_id, value in values.items():
            before = current.get(question_id)
            if before != value or type(before) is not type(value):
                old[question_id] = before
                new[question_id] = value
        return old, new

    def with_answers(self, values: Mapping[str, AnswerValue | None], at: datetime) -> Assessment:
        """Return this DRAFT with ``values`` merged in (None clears), one version later."""
        self.check(AssessmentEvent.ANSWER)
        merged: dict[str, AnswerValue] = self.answer_values()
        for question_id, value in values.items():
            if value is None:
                merged.pop(question_id, None)
            else:
                merged[question_id] = value
        return self._changed(at, answers=_rows(self.id, self.lead_id, merged))

    def handed_to(self, assessor_id: str, at: datetime) -> Assessment:
        """Return this DRAFT handed to another assessor, one version later."""
        self.check(AssessmentEvent.HAND_OVER)
        return self._changed(at, assessor_id=assessor_id)

    def submitted(self, at: datetime) -> Assessment:
        """Return this DRAFT submitted for review."""
        status = self.check(AssessmentEvent.SUBMIT)
        return self._changed(at, status=status, submitted_at=at)

    def approved(self, by: str, at: datetime, note: str | None) -> Assessment:
        """Return this submitted assessment approved by ``by``."""
        status = self.check(AssessmentEvent.APPROVE)
        return self._changed(at, status=status, decided_by=by, decided_at=at, note=note)

    def rejected(self, by: str, at: datetime, reason: str) -> Assessment:
        """Return this submitted assessment rejected by ``by`` for ``reason``."""
        status = self.check(AssessmentEvent.REJECT)
        return self._changed(at, status=status, decided_by=by, decided_at=at, reason=reason)

    def audit_values(self, *names: str) -> dict[str, Any]:
        """Return the named fields as JSON-ready values, for an audit entry."""
        values: dict[str, Any] = {}
        for name in names:
            value = getattr(self, name)
            if isinstance(value, enum.Enum):
                value = value.value
            elif isinstance(value, datetime):
                value = value.isoformat()
            values[name] = value
        return values

    def to_dict(self) -> dict[str, Any]:
        """Return the assessment as JSON-ready data."""
        return {
            "id": self.id,
            "lead_id": self.lead_id,
            "assessor_id": self.assessor_id,
            "revision": self.revision,
            "questionnaire_version": self.questionnaire_version,
            "status": self.status.value,
            "answers": [answer.to_dict() for answer in self.answers],
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "submitted_at": _iso(self.submitted_at),
            "decided_by": self.decided_by,
            "decided_at": _iso(self.decided_at),
            "note": self.note,
            "reason": self.reason,
        }

    def check(self, event: AssessmentEvent) -> AssessmentStatus:
        """Return the status ``event`` leads to from here; refuse it where the table says so."""
        return next_assessment_status(self.id, self.status, event)

    def _changed(self, at: datetime, **values: Any) -> Assessment:
        return attrs.evolve(self, **values, updated_at=at, version=self.version + 1)


def _rows(
    assessment_id: str, lead_id: str, values: Mapping[str, AnswerValue]
) -> tuple[Answer, ...]:
    return tuple(Answer(assessment_id, lead_id, qid, value) for qid, value in values.items())


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
