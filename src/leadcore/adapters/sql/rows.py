"""Between domain objects and one dialect's column values, in both directions.

PostgreSQL's driver already speaks Python (``timestamptz`` arrives time-zone aware in UTC,
because every connection sets ``TimeZone`` to UTC; ``jsonb`` arrives as a dict), so its
rows map straight onto the attrs classes. SQLite stores time stamps as fixed-width
ISO-8601 text in UTC, booleans as 0/1 and JSON as text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from leadcore.domain.assessments import Answer, Assessment, AssessmentStatus
from leadcore.domain.audit import AuditAction, AuditEntry, EntityType
from leadcore.domain.documents import Document
from leadcore.domain.leads import Lead, LeadStatus
from leadcore.domain.questionnaires import Question, Questionnaire, QuestionType
from leadcore.domain.users import Role, User

Row = Sequence[Any]


# One encoder for every call: json.dumps with options builds a new one each time, and a
# bulk import encodes two documents per lead.
_compact = json.JSONEncoder(separators=(",", ":")).encode


def to_json(values: Mapping[str, Any] | Sequence[Any]) -> str:
    """Return ``values`` as compact JSON text."""
    return _compact(values)


class PostgresRows:
    """Row conversions for PostgreSQL through psycopg."""

    def timestamp(self, at: datetime) -> object:
        """Return ``at`` as a parameter value."""
        return at

    def user(self, row: Row, start: int = 0) -> User:
        """Return the User in ``row`` from column ``start`` (columns as USER_COLUMNS)."""
        user_id, email, name, role, is_active, created_at, updated_at = row[start : start + 7]
        return User(user_id, email, name, Role(role), is_active, created_at, updated_at)

    def lead(self, row: Row, start: int = 0) -> Lead:
        """Return the Lead in ``row`` from column ``start`` (columns as LEAD_COLUMNS)."""
        (lead_id, cin, company, c_name, c_email, c_phone, city, state, notes) = row[
            start : start + 9
        ]
        status, assessor_id, created_by, created_at, updated_at, version = row[
            start + 9 : start + 15
        ]
        return Lead(
            lead_id,
            cin,
            company,
            c_name,
            c_email,
            c_phone,
            city,
            state,
            notes,
            LeadStatus(status),
            assessor_id,
            created_by,
            created_at,
            updated_at,
            version,
        )

    def audit(self, row: Row, start: int = 0) -> AuditEntry:
        """Return the AuditEntry in ``row`` from column ``start`` (columns as AUDIT_COLUMNS)."""
        entry_id, at, actor_id, action, lead_id, entity_type, entity_id, old, new = row[
            start : start + 9
        ]
        return AuditEntry(
            entry_id,
            at,
            actor_id,
            AuditAction(action),
            lead_id,
            EntityType(entity_type),
            entity_id,
            old,
            new,
        )

    def moment(self, value: Any) -> datetime | None:
        """Return a nullable time stamp column as a datetime or None."""
        return value  # type: ignore[no-any-return]  # psycopg gives datetime or None

    def json(self, value: Any) -> Any:
        """Return a JSON document column as Python data."""
        return value

    def questionnaire(self, row: Row) -> Questionnaire:
        """Return the Questionnaire in ``row`` (version, questions, published_by, published_at)."""
        version, questions, published_by, published_at = row
        parsed = tuple(
            Question(
                q["id"], q["text"], QuestionType(q["type"]), q["required"], tuple(q["choices"])
            )
            for q in self.json(questions)
        )
        return Questionnaire(version, parsed, published_by, self.moment(published_at))  # type: ignore[arg-type]  # not null

    def answer(self, row: Row) -> Answer:
        """Return the Answer in ``row`` (assessment_id, lead_id, question_id, JSON value)."""
        assessment_id, lead_id, question_id, value = row
        return Answer(assessment_id, lead_id, question_id, json.loads(value))

    def assessment(self, row: Row, answers: Sequence[Answer]) -> Assessment:
        """Return the Assessment in ``row`` (assessments.ASSESSMENT_COLUMNS) with ``answers``."""
        (aid, lead_id, assessor_id, revision, q_version, status, version) = row[:7]
        created_at, updated_at, submitted_at, decided_by, decided_at, note, reason = row[7:14]
        moment = self.moment
        return Assessment(
            id=aid,
            lead_id=lead_id,
            assessor_id=assessor_id,
            revision=revision,
            questionnaire_version=q_version,
            status=AssessmentStatus(status),
            answers=tuple(answers),
            version=version,
            created_at=moment(created_at),  # type: ignore[arg-type]  # not null
            updated_at=moment(updated_at),  # type: ignore[arg-type]  # not null
            submitted_at=moment(submitted_at),
            decided_by=decided_by,
            decided_at=moment(decided_at),
            note=note,
            reason=reason,
        )

    def document(self, row: Row) -> Document:
        """Return the Document in ``row`` (assessments.DOCUMENT_COLUMNS)."""
        doc_id, lead_id, filename, content_type, size, sha256, by, at, deleted_at = row
        moment = self.moment
        return Document(
            doc_id,
            lead_id,
            filename,
            content_type,
            size,
            sha256,
            by,
            moment(at),  # type: ignore[arg-type]  # not null
            moment(deleted_at),
        )


class SqliteRows(PostgresRows):
    """Row conversions for SQLite: text time stamps, 0/1 booleans, JSON as text."""

    def timestamp(self, at: datetime) -> object:
        """Return ``at`` as fixed-width ISO-8601 text in UTC, microseconds included."""
        return at.astimezone(UTC).isoformat(timespec="microseconds")

    def moment(self, value: Any) -> datetime | None:
        """Return a nullable time stamp column as a datetime or None."""
        return None if value is None else datetime.fromisoformat(value)

    def json(self, value: Any) -> Any:
        """Return a JSON document column as Python data."""
        return json.loads(value)

    def user(self, row: Row, start: int = 0) -> User:
        """Return the User in ``row`` from column ``start``."""
        user_id, email, name, role, is_active, created_at, updated_at = row[start : start + 7]
        return User(
            user_id,
            email,
            name,
            Role(role),
            bool(is_active),
            datetime.fromisoformat(created_at),
            datetime.fromisoformat(updated_at),
        )

    def lead(self, row: Row, start: int = 0) -> Lead:
        """Return the Lead in ``row`` from column ``start``."""
        values = list(row[start : start + 15])
        values[12] = datetime.fromisoformat(values[12])
        values[13] = datetime.fromisoformat(values[13])
        return super().lead(values)

    def audit(self, row: Row, start: int = 0) -> AuditEntry:
        """Return the AuditEntry in ``row`` from column ``start``."""
        values = list(row[start : start + 9])
        values[1] = datetime.fromisoformat(values[1])
        values[7] = json.loads(values[7])
        values[8] = json.loads(values[8])
        return super().audit(values)
