"""SQL questionnaires, assessments (answers as rows) and document metadata.

The memory store's semantics, kept by constraints: unique questionnaire versions, unique
(lead, revision), compare-and-set on versions and on ``deleted_at IS NULL``. A write of
several statements runs inside ``uow.atomic()``, so it is all-or-nothing whatever the
unit's intent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from leadcore.adapters.sql.rows import to_json
from leadcore.domain import errors
from leadcore.domain.assessments import Answer, Assessment
from leadcore.domain.audit import AuditEntry
from leadcore.domain.documents import Document
from leadcore.domain.questionnaires import Questionnaire

if TYPE_CHECKING:
    from leadcore.adapters.sql.unit_of_work import SqlUnitOfWork

QUESTIONNAIRE_CURRENT = (
    "SELECT version, questions, published_by, published_at FROM questionnaires "
    "ORDER BY version DESC LIMIT 1"
)
QUESTIONNAIRE_GET = (
    "SELECT version, questions, published_by, published_at FROM questionnaires "
    "WHERE version = :version"
)
QUESTIONNAIRE_INSERT = (
    "INSERT INTO questionnaires (version, questions, published_by, published_at) "
    "VALUES (:version, :questions, :published_by, :published_at)"
)
# The columns rows.assessment and rows.document read, in their order.
ASSESSMENT_COLUMNS = (
    "id, lead_id, assessor_id, revision, questionnaire_version, status, version, "
    "created_at, updated_at, submitted_at, decided_by, decided_at, note, reason"
)
DOCUMENT_COLUMNS = (
    "id, lead_id, filename, content_type, size, sha256, uploaded_by, uploaded_at, deleted_at"
)
ASSESSMENT_GET = f"SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE id = :id"  # noqa: S608  # fixed column names
ASSESSMENTS_OF_LEAD = (
    f"SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE lead_id = :lead_id ORDER BY revision"  # noqa: S608  # fixed column names
)
LATEST_ASSESSMENT = (
    f"SELECT {ASSESSMENT_COLUMNS} FROM assessments "  # noqa: S608  # fixed column names
    "WHERE lead_id = :lead_id ORDER BY revision DESC LIMIT 1"
)
ANSWERS_OF = (
    "SELECT assessment_id, lead_id, question_id, value FROM answers "
    "WHERE assessment_id = :assessment_id"
)
ANSWERS_OF_LEAD = (
    "SELECT assessment_id, lead_id, question_id, value FROM answers WHERE lead_id = :lead_id"
)
ASSESSMENT_INSERT = (
    "INSERT INTO assessments (id, lead_id, assessor_id, revision, questionnaire_version, "
    "status, version, created_at, updated_at, submitted_at, decided_by, decided_at, note, "
    "reason) VALUES (:id, :lead_id, :assessor_id, :revision, :questionnaire_version, "
    ":status, :version, :created_at, :updated_at, :submitted_at, :decided_by, :decided_at, "
    ":note, :reason)"
)
ASSESSMENT_COMPARE_AND_SET = (
    "UPDATE assessments SET assessor_id = :assessor_id, status = :status, "
    "version = :version, updated_at = :updated_at, submitted_at = :submitted_at, "
    "decided_by = :decided_by, decided_at = :decided_at, note = :note, reason = :reason "
    "WHERE id = :id AND version = :expected_version"
)
ANSWER_INSERT = (
    "INSERT INTO answers (assessment_id, lead_id, question_id, value) "
    "VALUES (:assessment_id, :lead_id, :question_id, :value)"
)
ANSWERS_DELETE = "DELETE FROM answers WHERE assessment_id = :assessment_id"
# Holds the lead row (a no-op compare-and-set) until commit: a concurrent change of the
# lead waits for this transaction, or wins first and this one sees no row.
LEAD_HOLD = "UPDATE leads SET version = version WHERE id = :lead_id AND version = :lead_version"
LEAD_VERSION = "SELECT version FROM leads WHERE id = :lead_id"
# The latest revision is the one no later revision of the same lead exists for (an
# anti-join: PostgreSQL hashes it or probes uq_assessments_lead_id_revision, instead of
# a max() subquery per answer row); an answer's lead_id is its assessment's. The answers
# are found through ix_answers_question_id_lead_id (tests/assessments/test_answers_plan.py).
ANSWERS_FOR_QUESTION = (
    "SELECT a.assessment_id, a.lead_id, a.question_id, a.value "
    "FROM answers AS a JOIN assessments AS s ON s.id = a.assessment_id "
    "WHERE a.question_id = :question_id "
    "AND NOT EXISTS (SELECT 1 FROM assessments AS t "
    "WHERE t.lead_id = a.lead_id AND t.revision > s.revision) "
    "ORDER BY a.lead_id"
)
ANSWERS_FOR_QUESTION_OF_ASSESSOR = (
    "SELECT a.assessment_id, a.lead_id, a.question_id, a.value "
    "FROM answers AS a JOIN assessments AS s ON s.id = a.assessment_id "
    "JOIN leads AS l ON l.id = s.lead_id "
    "WHERE a.question_id = :question_id AND l.assessor_id = :assessor_id "
    "AND NOT EXISTS (SELECT 1 FROM assessments AS t "
    "WHERE t.lead_id = a.lead_id AND t.revision > s.revision) "
    "ORDER BY a.lead_id"
)
DOCUMENT_INSERT = (
    "INSERT INTO documents (id, lead_id, filename, content_type, size, sha256, uploaded_by, "
    "uploaded_at, deleted_at) VALUES (:id, :lead_id, :filename, :content_type, :size, "
    ":sha256, :uploaded_by, :uploaded_at, :deleted_at)"
)
DOCUMENT_GET = f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = :id"  # noqa: S608  # fixed column names
DOCUMENTS_OF_LEAD = (
    f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE lead_id = :lead_id "  # noqa: S608  # fixed column names
    "AND deleted_at IS NULL ORDER BY uploaded_at, id"
)
DOCUMENT_DELETE = (
    "UPDATE documents SET deleted_at = :deleted_at WHERE id = :id AND deleted_at IS NULL"
)


class SqlQuestionnaires:
    """Published questionnaire versions; the version is the primary key."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def current(self) -> Questionnaire | None:
        """Return the highest published version, or None before the first publication."""
        uow = self._uow
        row = uow.execute(uow.sql.text(QUESTIONNAIRE_CURRENT), {}).fetchone()
        return None if row is None else uow.rows.questionnaire(row)

    def get(self, version: int) -> Questionnaire | None:
        """Return the questionnaire of this version, or None."""
        uow = self._uow
        row = uow.execute(uow.sql.text(QUESTIONNAIRE_GET), {"version": version}).fetchone()
        return None if row is None else uow.rows.questionnaire(row)

    def publish(self, questionnaire: Questionnaire, audit: AuditEntry) -> None:
        """Insert a new version with its entry; DUPLICATE_RESOURCE if the version exists."""
        uow = self._uow
        uow.claim_write()
        params = {
            "version": questionnaire.version,
            "questions": to_json([q.to_dict() for q in questionnaire.questions]),
            "published_by": questionnaire.published_by,
            "published_at": uow.rows.timestamp(questionnaire.published_at),
        }
        with uow.atomic():
            uow.execute(uow.sql.text(QUESTIONNAIRE_INSERT), params, write=True)
            uow.audit.chain(audit)


class SqlAssessments:
    """Assessment revisions, each with one answer row per answered question."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def get(self, assessment_id: str) -> Assessment | None:
        """Return the assessment with this id, with its answers, or None."""
        uow = self._uow
        row = uow.execute(uow.sql.text(ASSESSMENT_GET), {"id": assessment_id}).fetchone()
        if row is None:
            return None
        answers = uow.execute(uow.sql.text(ANSWERS_OF), {"assessment_id": assessment_id})
        return uow.rows.assessment(row, [uow.rows.answer(a) for a in answers.fetchall()])

    def for_lead(self, lead_id: str) -> Sequence[Assessment]:
        """Return every revision of a lead's assessment, oldest (revision 1) first."""
        uow = self._uow
        rows = uow.execute(uow.sql.text(ASSESSMENTS_OF_LEAD), {"lead_id": lead_id}).fetchall()
        if not rows:
            return []
        answers: dict[str, list[Answer]] = {}
        found = uow.execute(uow.sql.text(ANSWERS_OF_LEAD), {"lead_id": lead_id}).fetchall()
        for row in found:
            answer = uow.rows.answer(row)
            answers.setdefault(answer.assessment_id, []).append(answer)
        return [uow.rows.assessment(row, answers.get(row[0], [])) for row in rows]

    def latest_for_lead(self, lead_id: str) -> Assessment | None:
        """Return the lead's highest revision, or None if it was never started."""
        uow = self._uow
        row = uow.execute(uow.sql.text(LATEST_ASSESSMENT), {"lead_id": lead_id}).fetchone()
        if row is None:
            return None
        answers = uow.execute(uow.sql.text(ANSWERS_OF), {"assessment_id": row[0]})
        return uow.rows.assessment(row, [uow.rows.answer(a) for a in answers.fetchall()])

    def add(self, assessment: Assessment, audit: AuditEntry, lead_version: int) -> None:
        """Insert a new revision, its answers and its entry while the lead is unchanged."""
        uow = self._uow
        uow.claim_write()
        lead = {"lead_id": assessment.lead_id, "lead_version": lead_version}
        with uow.atomic():
            if uow.execute(uow.sql.text(LEAD_HOLD), lead, write=True).rowcount != 1:
                row = uow.execute(uow.sql.text(LEAD_VERSION), lead).fetchone()
                if row is None:
                    raise errors.lead_not_found(assessment.lead_id)
                raise errors.stale_data("lead", assessment.lead_id, lead_version, int(row[0]))
            params = self._params(assessment)
            params["revision"] = assessment.revision
            params["lead_id"] = assessment.lead_id
            params["questionnaire_version"] = assessment.questionnaire_version
            params["created_at"] = uow.rows.timestamp(assessment.created_at)
            uow.execute(uow.sql.text(ASSESSMENT_INSERT), params, write=True)
            self._insert_answers(assessment)
            uow.audit.chain(audit)

    def save(self, assessment: Assessment, expected_version: int, audit: AuditEntry) -> None:
        """Write ``assessment`` and its answers, with its entry, if still at the version."""
        uow = self._uow
        uow.claim_write()
        params = self._params(assessment)
        params["expected_version"] = expected_version
        with uow.atomic():
            uow.audit.chain(audit)  # the lead's row first: see SqlAudit.chain
            sql = uow.sql.text(ASSESSMENT_COMPARE_AND_SET)
            if uow.execute(sql, params, write=True).rowcount != 1:
                stored = self.get(assessment.id)
                if stored is None:
                    raise errors.assessment_not_found(assessment.id)
                raise errors.stale_data(
                    "assessment", assessment.id, expected_version, stored.version
                )
            delete = uow.sql.text(ANSWERS_DELETE)
            uow.execute(delete, {"assessment_id": assessment.id}, write=True)
            self._insert_answers(assessment)

    def answers_for_question(
        self, question_id: str, assessor_id: str | None = None
    ) -> Sequence[Answer]:
        """Return each lead's answer to ``question_id`` in its highest revision, drafts included."""
        uow = self._uow
        if assessor_id is None:
            sql = uow.sql.text(ANSWERS_FOR_QUESTION)
        else:
            sql = uow.sql.text(ANSWERS_FOR_QUESTION_OF_ASSESSOR)
        params = {"question_id": question_id, "assessor_id": assessor_id}
        return [uow.rows.answer(row) for row in uow.execute(sql, params).fetchall()]

    def _params(self, assessment: Assessment) -> dict[str, Any]:
        timestamp = self._uow.rows.timestamp
        return {
            "id": assessment.id,
            "assessor_id": assessment.assessor_id,
            "status": assessment.status.value,
            "version": assessment.version,
            "updated_at": timestamp(assessment.updated_at),
            "submitted_at": _nullable(timestamp, assessment.submitted_at),
            "decided_by": assessment.decided_by,
            "decided_at": _nullable(timestamp, assessment.decided_at),
            "note": assessment.note,
            "reason": assessment.reason,
        }

    def _insert_answers(self, assessment: Assessment) -> None:
        uow = self._uow
        sql = uow.sql.text(ANSWER_INSERT)
        for answer in assessment.answers:
            params = {
                "assessment_id": answer.assessment_id,
                "lead_id": answer.lead_id,
                "question_id": answer.question_id,
                "value": json.dumps(answer.value),
            }
            uow.execute(sql, params, write=True)


class SqlDocuments:
    """Document metadata; deletion sets ``deleted_at`` once (a compare-and-set)."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, document: Document, audit: AuditEntry) -> None:
        """Insert a document's metadata with its entry; DUPLICATE_RESOURCE if the id is taken."""
        uow = self._uow
        uow.claim_write()
        timestamp = uow.rows.timestamp
        params = {
            "id": document.id,
            "lead_id": document.lead_id,
            "filename": document.filename,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
            "uploaded_by": document.uploaded_by,
            "uploaded_at": timestamp(document.uploaded_at),
            "deleted_at": _nullable(timestamp, document.deleted_at),
        }
        with uow.atomic():
            uow.execute(uow.sql.text(DOCUMENT_INSERT), params, write=True)
            uow.audit.chain(audit)

    def get(self, document_id: str) -> Document | None:
        """Return the document with this id, deleted or not, or None."""
        uow = self._uow
        row = uow.execute(uow.sql.text(DOCUMENT_GET), {"id": document_id}).fetchone()
        return None if row is None else uow.rows.document(row)

    def list_for_lead(self, lead_id: str) -> Sequence[Document]:
        """Return the lead's documents that are not deleted, in (uploaded_at, id) order."""
        uow = self._uow
        cursor = uow.execute(uow.sql.text(DOCUMENTS_OF_LEAD), {"lead_id": lead_id})
        return [uow.rows.document(row) for row in cursor.fetchall()]

    def mark_deleted(self, document: Document, audit: AuditEntry) -> None:
        """Store ``document.deleted_at`` with its entry, if the stored one is not deleted yet."""
        if document.deleted_at is None:
            raise errors.invalid_field("deleted_at", "must be set to delete a document")
        uow = self._uow
        uow.claim_write()
        params = {"id": document.id, "deleted_at": uow.rows.timestamp(document.deleted_at)}
        with uow.atomic():
            uow.audit.chain(audit)  # the lead's row first: see SqlAudit.chain
            if uow.execute(uow.sql.text(DOCUMENT_DELETE), params, write=True).rowcount != 1:
                raise errors.document_not_found(document.id)


def _nullable(convert: Any, value: Any) -> Any:
    return None if value is None else convert(value)
