"""Memory questionnaires and assessments: the same invariants and errors as the SQL ones."""

from __future__ import annotations

from collections.abc import Sequence

from leadcore.adapters.memory.store import MemoryStore, UndoLog
from leadcore.domain import errors
from leadcore.domain.assessments import Answer, Assessment
from leadcore.domain.audit import AuditEntry
from leadcore.domain.questionnaires import Questionnaire
from leadcore.ports.repositories import AuditRepository


class MemoryQuestionnaires:
    """Published questionnaire versions in a MemoryStore."""

    def __init__(self, store: MemoryStore, undo: UndoLog, audit: AuditRepository) -> None:
        self._store = store
        self._undo = undo
        self._audit = audit

    def current(self) -> Questionnaire | None:
        """Return the highest published version, or None before the first publication."""
        versions = self._store.questionnaires
        return versions[max(versions)] if versions else None

    def get(self, version: int) -> Questionnaire | None:
        """Return the questionnaire of this version, or None."""
        return self._store.questionnaires.get(version)

    def publish(self, questionnaire: Questionnaire, audit: AuditEntry) -> None:
        """Insert a new version with its entry; DUPLICATE_RESOURCE if the version exists."""
        if questionnaire.version in self._store.questionnaires:
            raise errors.duplicate_resource(questionnaire_version=questionnaire.version)
        self._undo.put(self._store.questionnaires, questionnaire.version, questionnaire)
        self._audit.append(audit)


class MemoryAssessments:
    """Assessment revisions in a MemoryStore, written with their audit entries."""

    def __init__(self, store: MemoryStore, undo: UndoLog, audit: AuditRepository) -> None:
        self._store = store
        self._undo = undo
        self._audit = audit

    def get(self, assessment_id: str) -> Assessment | None:
        """Return the assessment with this id, with its answers, or None."""
        return self._store.assessments.get(assessment_id)

    def for_lead(self, lead_id: str) -> Sequence[Assessment]:
        """Return every revision of a lead's assessment, oldest (revision 1) first."""
        assessments = self._store.assessments
        return [assessments[i] for i in self._store.assessment_ids_by_lead.get(lead_id, ())]

    def latest_for_lead(self, lead_id: str) -> Assessment | None:
        """Return the lead's highest revision, or None if it was never started."""
        ids = self._store.assessment_ids_by_lead.get(lead_id, ())
        return self._store.assessments[ids[-1]] if ids else None

    def add(self, assessment: Assessment, audit: AuditEntry, lead_version: int) -> None:
        """Insert a new revision, its answers and its entry while the lead is unchanged."""
        lead = self._store.leads.get(assessment.lead_id)
        if lead is None:
            raise errors.lead_not_found(assessment.lead_id)
        if lead.version != lead_version:
            raise errors.stale_data("lead", lead.id, lead_version, lead.version)
        if assessment.id in self._store.assessments:
            raise errors.duplicate_resource(assessment_id=assessment.id)
        revisions = self.for_lead(lead.id)
        if any(a.revision == assessment.revision for a in revisions):
            raise errors.duplicate_resource(lead_id=lead.id, revision=assessment.revision)
        ordered = sorted([*revisions, assessment], key=lambda a: a.revision)
        self._undo.put(self._store.assessments, assessment.id, assessment)
        self._undo.put(self._store.assessment_ids_by_lead, lead.id, tuple(a.id for a in ordered))
        self._audit.append(audit)

    def save(self, assessment: Assessment, expected_version: int, audit: AuditEntry) -> None:
        """Write ``assessment``, its answers and its entry if still at ``expected_version``."""
        stored = self._store.assessments.get(assessment.id)
        if stored is None:
            raise errors.assessment_not_found(assessment.id)
        if stored.version != expected_version:
            raise errors.stale_data("assessment", assessment.id, expected_version, stored.version)
        self._undo.put(self._store.assessments, assessment.id, assessment)
        self._audit.append(audit)

    def answers_for_question(
        self, question_id: str, assessor_id: str | None = None
    ) -> Sequence[Answer]:
        """Return each lead's answer to ``question_id`` in its highest revision, drafts included."""
        found: list[Answer] = []
        for lead_id, ids in sorted(self._store.assessment_ids_by_lead.items()):
            if assessor_id is not None:
                lead = self._store.leads.get(lead_id)
                if lead is None or lead.assessor_id != assessor_id:
                    continue
            latest = self._store.assessments[ids[-1]]
            found.extend(a for a in latest.answers if a.question_id == question_id)
        return found
