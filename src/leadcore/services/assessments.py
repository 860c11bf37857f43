"""Assessment commands: publish the questionnaire, start, answer, submit, approve, reject.

Every command that moves the lead writes the lead first (compare-and-set) and then the
assessment (compare-and-set), with both audit entries, in one unit of work: the same
lock order everywhere, and a race between two of them has exactly one winner.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from leadcore.domain import errors
from leadcore.domain.assessments import Answer, Assessment, AssessmentEvent, AssessmentStatus
from leadcore.domain.audit import (
    AuditAction,
    AuditEntry,
    EntityType,
    lead_entry,
    lead_part_entry,
    questionnaire_entry,
)
from leadcore.domain.leads import Lead, LeadEvent, LeadStatus
from leadcore.domain.questionnaires import (
    LONG_TEXT_RULES,
    QUESTION_ID_PATTERN,
    Questionnaire,
    parse_questions,
)
from leadcore.domain.users import Permission, User
from leadcore.domain.validation import check_version, plausible_id, text_problem
from leadcore.ports.rate_limits import ActionClass, RateLimiter
from leadcore.ports.system import Clock, IdGenerator
from leadcore.ports.unit_of_work import Intent, UnitOfWork, UnitOfWorkFactory
from leadcore.services.access import (
    can_see,
    guard_for,
    load_actor,
    load_actor_and_lead,
    visible,
)
from leadcore.services.commands import command

log = logging.getLogger("leadcore.services.assessments")

# The gapless counter that numbers questionnaire versions.
QUESTIONNAIRE_COUNTER = "questionnaire"


class AssessmentService:
    """A lead's assessment from the first draft to the reviewer's decision, with history."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, limiter: RateLimiter
    ) -> None:
        self.units = uow
        self._clock = clock
        self._ids = ids
        self.limiter = limiter

    @command(log, ActionClass.WRITE)
    def set_questionnaire(self, actor_id: object, questions: object) -> Questionnaire:
        """Publish a new questionnaire version (ADMIN); the same questions again change nothing.

        Assessments keep the version they started with, so publishing never breaks one
        in flight.
        """
        with self.units(Intent.WRITE) as uow:
            actor = load_actor(uow, actor_id, Permission.PUBLISH_QUESTIONNAIRE)
            parsed = parse_questions(questions)
            current = uow.questionnaires.current()
            if current is not None and current.questions == parsed:
                return current
            now = self._clock.now()
            questionnaire = Questionnaire(
                uow.sequences.next(QUESTIONNAIRE_COUNTER), parsed, actor.id, now
            )
            entry = questionnaire_entry(
                self._ids.new_id(),
                now,
                actor.id,
                questionnaire.version,
                {"version": questionnaire.version, "questions": [q.to_dict() for q in parsed]},
            )
            uow.questionnaires.publish(questionnaire, entry)
            uow.commit()
        return questionnaire

    @command(log, ActionClass.READ)
    def questionnaire(self, actor_id: object, version: object = None) -> Questionnaire | None:
        """Return a questionnaire version (the current one by default; None before the first)."""
        with self.units(Intent.READ) as uow:
            load_actor(uow, actor_id, Permission.READ_ASSIGNED_LEADS)
            if version is None:
                return uow.questionnaires.current()
            found = uow.questionnaires.get(check_version(version, "version"))
            if found is None:
                raise errors.invalid_field("version", "is not a published questionnaire version")
            return found

    @command(log, ActionClass.WRITE)
    def start(self, actor_id: object, lead_id: object) -> Assessment:
        """Open the lead's assessment (its assigned assessor only).

        An ASSIGNED lead gets revision 1 and moves to IN_PROGRESS. After a rejection the
        next revision opens on the current questionnaire, pre-filled with the rejected
        answers it still accepts; the lead stays IN_PROGRESS. An open DRAFT is returned
        as it is.
        """
        with self.units(Intent.WRITE) as uow:
            actor, lead = load_actor_and_lead(uow, actor_id, lead_id, Permission.WORK_ASSESSMENTS)
            if lead is None:
                raise errors.lead_not_found(lead_id)
            if lead.assessor_id != actor.id:
                raise errors.assessor_not_assigned(lead.id, actor.id)
            latest = uow.assessments.latest_for_lead(lead.id)
            if (
                latest is not None
                and latest.status is AssessmentStatus.DRAFT
                and lead.status is LeadStatus.IN_PROGRESS
            ):
                if latest.assessor_id != actor.id:
                    raise errors.assessor_not_assigned(lead.id, actor.id)
                return latest
            now = self._clock.now()
            rework = (
                latest is not None
                and latest.status is AssessmentStatus.REJECTED
                and lead.status is LeadStatus.IN_PROGRESS
            )
            moved = None if rework else lead.moved(LeadEvent.START, LeadStatus.IN_PROGRESS, now)
            questionnaire = uow.questionnaires.current()
            if questionnaire is None:
                raise errors.invalid_field("questionnaire", "no questionnaire is published yet")
            carried = {} if latest is None else questionnaire.still_valid(latest.answer_values())
            assessment = Assessment.started(
                self._ids.new_id(),
                lead.id,
                actor.id,
                1 if latest is None else latest.revision + 1,
                questionnaire.version,
                now,
                carried,
            )
            if moved is not None:
                self._save_lead(uow, actor, lead, moved, Permission.WORK_ASSESSMENTS)
            new = assessment.audit_values(
                "revision", "questionnaire_version", "status", "assessor_id"
            )
            if carried:
                new["answers"] = dict(carried)
            entry = self._entry(actor, AuditAction.ASSESSMENT_CREATED, assessment, {}, new)
            lead_version = lead.version if moved is None else moved.version
            uow.assessments.add(assessment, entry, lead_version)
            uow.commit()
        return assessment

    @command(log, ActionClass.WRITE)
    def save_answers(
        self, actor_id: object, assessment_id: object, answers: object, expected_version: object
    ) -> Assessment:
        """Merge answers into a DRAFT (given keys set, others kept, None clears).

        Each answer is checked against the questionnaire version the assessment is pinned
        to; unknown question ids and ill-typed values are INVALID_INPUT naming each one.
        Saving values that are already there writes nothing.
        """
        with self.units(Intent.WRITE) as uow:
            actor = load_actor(uow, actor_id, Permission.WORK_ASSESSMENTS)
            own, _lead = self._own_assessment(uow, actor, assessment_id)
            assessment = _current(own, expected_version)
            assessment.check(AssessmentEvent.ANSWER)  # a submitted one is refused before the input
            if not isinstance(answers, Mapping):
                raise errors.invalid_field("answers", "must map question ids to values")
            values = _pinned(uow, assessment).check_answers(answers)
            old, new = assessment.answer_changes(values)
            if not new:
                return assessment
            changed = assessment.with_answers(values, self._clock.now())
            entry = self._entry(
                actor,
                AuditAction.ASSESSMENT_UPDATED,
                changed,
                {"answers": old},
                {"answers": new},
            )
            uow.assessments.save(changed, assessment.version, entry)
            uow.commit()
        return changed

    @command(log, ActionClass.WRITE)
    def submit(
        self, actor_id: object, assessment_id: object, expected_version: object
    ) -> Assessment:
        """Submit a DRAFT whose required questions are all answered; the lead -> SUBMITTED."""
        with self.units(Intent.WRITE) as uow:
            actor = load_actor(uow, actor_id, Permission.WORK_ASSESSMENTS)
            own, lead = self._own_assessment(uow, actor, assessment_id)
            assessment = _current(own, expected_version)
            now = self._clock.now()
            submitted = assessment.submitted(now)
            missing = _pinned(uow, assessment).missing(a.question_id for a in assessment.answers)
            if missing:
                raise errors.invalid_input(dict.fromkeys(missing, "is required"))
            moved = lead.moved(LeadEvent.SUBMIT, LeadStatus.SUBMITTED, now)
            self._save_lead(uow, actor, lead, moved, Permission.WORK_ASSESSMENTS)
            entry = self._entry(
                actor,
                AuditAction.ASSESSMENT_SUBMITTED,
                submitted,
                assessment.audit_values("status"),
                submitted.audit_values("status", "submitted_at"),
            )
            uow.assessments.save(submitted, assessment.version, entry)
            uow.commit()
        return submitted

    @command(log, ActionClass.WRITE)
    def approve(
        self,
        actor_id: object,
        assessment_id: object,
        expected_version: object,
        note: object = None,
    ) -> Assessment:
        """Approve a submitted assessment (ADMIN, REVIEWER); the lead -> COMPLETED."""
        with self.units(Intent.WRITE) as uow:
            actor = load_actor(uow, actor_id, Permission.DECIDE_ASSESSMENTS)
            assessment = _current(_assessment(uow, assessment_id), expected_version)
            text = _decision_text("note", note, required=False)
            now = self._clock.now()
            approved = assessment.approved(actor.id, now, text)
            return self._decide(
                uow, actor, assessment, approved, LeadEvent.APPROVE, LeadStatus.COMPLETED
            )

    @command(log, ActionClass.WRITE)
    def reject(
        self, actor_id: object, assessment_id: object, expected_version: object, reason: object
    ) -> Assessment:
        """Reject a submitted assessment with a reason (ADMIN, REVIEWER); the lead goes back
        to IN_PROGRESS and the assessor's next ``start`` opens a new revision."""
        with self.units(Intent.WRITE) as uow:
            actor = load_actor(uow, actor_id, Permission.DECIDE_ASSESSMENTS)
            assessment = _current(_assessment(uow, assessment_id), expected_version)
            text = _decision_text("reason", reason, required=True)
            now = self._clock.now()
            rejected = assessment.rejected(actor.id, now, str(text))
            return self._decide(
                uow, actor, assessment, rejected, LeadEvent.REJECT, LeadStatus.IN_PROGRESS
            )

    @command(log, ActionClass.READ)
    def get(self, actor_id: object, assessment_id: object) -> Assessment:
        """Return an assessment of a lead the actor may see; ASSESSMENT_NOT_FOUND otherwise."""
        with self.units(Intent.READ) as uow:
            actor = load_actor(uow, actor_id, Permission.READ_ASSIGNED_LEADS)
            assessment = _assessment(uow, assessment_id)
            lead = uow.leads.get(assessment.lead_id)
            if lead is None or not can_see(actor, lead):
                raise errors.assessment_not_found(assessment_id)
            return assessment

    @command(log, ActionClass.READ)
    def for_lead(self, actor_id: object, lead_id: object) -> list[Assessment]:
        """Return every revision of a visible lead's assessment, oldest first."""
        with self.units(Intent.READ) as uow:
            actor, lead = load_actor_and_lead(
                uow, actor_id, lead_id, Permission.READ_ASSIGNED_LEADS
            )
            return list(uow.assessments.for_lead(visible(actor, lead, lead_id).id))

    @command(log, ActionClass.READ)
    def answers_for_question(self, actor_id: object, question_id: object) -> list[Answer]:
        """Return each lead's latest answer to a question, by lead id (drafts included).

        ADMIN and REVIEWER see every lead's; an assessor only those of leads assigned to them.
        """
        with self.units(Intent.READ) as uow:
            actor = load_actor(uow, actor_id, Permission.READ_ASSIGNED_LEADS)
            if not isinstance(question_id, str) or not QUESTION_ID_PATTERN.fullmatch(question_id):
                raise errors.invalid_field("question_id", "must be a question id")
            only = None if actor.may(Permission.READ_ALL_LEADS) else actor.id
            return list(uow.assessments.answers_for_question(question_id, only))

    def _own_assessment(
        self, uow: UnitOfWork, actor: User, assessment_id: object
    ) -> tuple[Assessment, Lead]:
        """Return the assessment and its lead if ``actor`` is the assessor of both."""
        assessment = _assessment(uow, assessment_id)
        lead = uow.leads.get(assessment.lead_id)
        if assessment.assessor_id != actor.id or lead is None or lead.assessor_id != actor.id:
            raise errors.assessor_not_assigned(assessment.lead_id, actor.id)
        return assessment, lead

    def _decide(
        self,
        uow: UnitOfWork,
        actor: User,
        assessment: Assessment,
        decided: Assessment,
        event: LeadEvent,
        target: LeadStatus,
    ) -> Assessment:
        """Write a decision and the lead's move, both compare-and-set, then commit."""
        lead = _lead_of(uow, assessment)
        if lead.status is not LeadStatus.SUBMITTED:
            # A colleague's decision committed between our two reads: our copy is stale,
            # which the caller should hear as such, not as a refused status move.
            current = uow.assessments.get(assessment.id)
            if current is not None and current.version != assessment.version:
                raise errors.stale_data(
                    "assessment", assessment.id, assessment.version, current.version
                )
        moved = lead.moved(event, target, decided.updated_at)
        self._save_lead(uow, actor, lead, moved, Permission.DECIDE_ASSESSMENTS)
        action = (
            AuditAction.ASSESSMENT_APPROVED
            if decided.status is AssessmentStatus.APPROVED
            else AuditAction.ASSESSMENT_REJECTED
        )
        said = ("reason",) if decided.reason is not None else ("note",) if decided.note else ()
        new = decided.audit_values("status", "decided_by", "decided_at", *said)
        entry = self._entry(actor, action, decided, assessment.audit_values("status"), new)
        uow.assessments.save(decided, assessment.version, entry)
        uow.commit()
        return decided

    def _save_lead(
        self, uow: UnitOfWork, actor: User, lead: Lead, moved: Lead, permission: Permission
    ) -> None:
        """Write the lead's status move (compare-and-set) with its LEAD_STATUS_UPDATED entry."""
        entry = lead_entry(
            self._ids.new_id(),
            moved.updated_at,
            actor.id,
            AuditAction.LEAD_STATUS_UPDATED,
            lead.id,
            {"status": lead.status.value},
            {"status": moved.status.value},
        )
        uow.leads.save(moved, lead.version, entry, guard_for(actor.id, permission))

    def _entry(
        self,
        actor: User,
        action: AuditAction,
        assessment: Assessment,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
    ) -> AuditEntry:
        return lead_part_entry(
            self._ids.new_id(),
            assessment.updated_at,
            actor.id,
            action,
            assessment.lead_id,
            (EntityType.ASSESSMENT, assessment.id),
            old,
            new,
        )


def hand_over_draft(
    uow: UnitOfWork, ids: IdGenerator, actor_id: str, lead: Lead, at: datetime
) -> Assessment | None:
    """Hand the lead's DRAFT assessment, if it has one, to the lead's assessor.

    Runs inside the caller's unit of work, after the lead's own compare-and-set, and
    records ASSESSMENT_UPDATED with the old and new ``assessor_id``.
    """
    latest = uow.assessments.latest_for_lead(lead.id)
    if (
        latest is None
        or latest.status is not AssessmentStatus.DRAFT
        or lead.assessor_id is None
        or latest.assessor_id == lead.assessor_id
    ):
        return None
    handed = latest.handed_to(lead.assessor_id, at)
    entry = lead_part_entry(
        ids.new_id(),
        at,
        actor_id,
        AuditAction.ASSESSMENT_UPDATED,
        lead.id,
        (EntityType.ASSESSMENT, latest.id),
        {"assessor_id": latest.assessor_id},
        {"assessor_id": handed.assessor_id},
    )
    uow.assessments.save(handed, latest.version, entry)
    return handed


def _assessment(uow: UnitOfWork, assessment_id: object) -> Assessment:
    checked = plausible_id(assessment_id)
    found = None if checked is None else uow.assessments.get(checked)
    if found is None:
        raise errors.assessment_not_found(assessment_id)
    return found


def _current(assessment: Assessment, expected_version: object) -> Assessment:
    """Return the assessment if it is at ``expected_version``; refuse a stale copy."""
    version = check_version(expected_version)
    if assessment.version != version:
        raise errors.concurrent_modification(
            "assessment", assessment.id, version, assessment.version
        )
    return assessment


def _lead_of(uow: UnitOfWork, assessment: Assessment) -> Lead:
    lead = uow.leads.get(assessment.lead_id)
    if lead is None:  # pragma: no cover  # leads are never deleted
        raise errors.lead_not_found(assessment.lead_id)
    return lead


def _pinned(uow: UnitOfWork, assessment: Assessment) -> Questionnaire:
    """Return the questionnaire version the assessment started on."""
    questionnaire = uow.questionnaires.get(assessment.questionnaire_version)
    if questionnaire is None:  # pragma: no cover  # published versions are never removed
        raise errors.database_error(
            "the assessment's questionnaire version is missing",
            retryable=False,
            questionnaire_version=assessment.questionnaire_version,
        )
    return questionnaire


def _decision_text(field: str, value: object, *, required: bool) -> str | None:
    """Return a decision's note or reason, stripped; INVALID_INPUT if it is not acceptable."""
    reason = text_problem(LONG_TEXT_RULES, value, required=required)
    if reason is not None:
        raise errors.invalid_field(field, reason)
    return None if value is None else (str(value).strip() or None)
