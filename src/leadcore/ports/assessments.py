"""Assessment and questionnaire ports. Repositories never commit: their unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from leadcore.domain.assessments import Answer, Assessment
from leadcore.domain.audit import AuditEntry
from leadcore.domain.questionnaires import Questionnaire


class QuestionnaireRepository(Protocol):
    """Published questionnaire versions, unique by version; never changed once published."""

    def current(self) -> Questionnaire | None:
        """Return the highest published version, or None before the first publication."""
        ...

    def get(self, version: int) -> Questionnaire | None:
        """Return the questionnaire of this version, or None."""
        ...

    def publish(self, questionnaire: Questionnaire, audit: AuditEntry) -> None:
        """Insert a new version with its entry; DUPLICATE_RESOURCE if the version exists.

        The caller numbers versions from the ``questionnaire`` sequence, so two admins
        publishing at once get consecutive versions; the unique version is the backstop.
        """
        ...


class AssessmentRepository(Protocol):
    """Assessment revisions of leads, each with its answers as rows (one per question).

    Answers come back in question-id order (the Assessment constructor sorts them), and
    an Assessment read back equals the one last written, on every store.
    """

    def get(self, assessment_id: str) -> Assessment | None:
        """Return the assessment with this id, with its answers, or None."""
        ...

    def for_lead(self, lead_id: str) -> Sequence[Assessment]:
        """Return every revision of a lead's assessment, oldest (revision 1) first."""
        ...

    def latest_for_lead(self, lead_id: str) -> Assessment | None:
        """Return the lead's highest revision, or None if it was never started."""
        ...

    def add(self, assessment: Assessment, audit: AuditEntry, lead_version: int) -> None:
        """Insert a new revision, its answers and its entry while the lead is at ``lead_version``.

        STALE_DATA (entity "lead") if the lead moved on, LEAD_NOT_FOUND if it is gone;
        DUPLICATE_RESOURCE if the id or the (lead_id, revision) pair is taken. The lead
        check must hold until commit (SQL: a no-op compare-and-set UPDATE of the lead
        row), so a concurrent reassignment either waits and then sees this revision, or
        wins and this insert fails.
        """
        ...

    def save(self, assessment: Assessment, expected_version: int, audit: AuditEntry) -> None:
        """Write ``assessment`` and its answers, with its entry, if still at ``expected_version``.

        The stored answers become exactly ``assessment.answers``. Compare-and-set:
        STALE_DATA (entity "assessment") if the version moved, ASSESSMENT_NOT_FOUND if
        the assessment is gone.
        """
        ...

    def answers_for_question(
        self, question_id: str, assessor_id: str | None = None
    ) -> Sequence[Answer]:
        """Return each lead's answer to ``question_id`` in its highest revision, drafts included.

        Ordered by lead id in code-point order (as Python compares strings). A lead whose
        highest revision did not answer the question has no row here, even if an earlier
        revision did. With ``assessor_id``, only leads currently assigned to that assessor.
        """
        ...
