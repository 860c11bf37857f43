"""The lead workflow as a Hypothesis state machine, on every store.

Five simulated users (an admin, two reviewers, two assessors) and a ghost (an id no user
has) create, read, list, update with fresh and stale versions, assign, cancel, deactivate
and reactivate at random. A model predicts each outcome; after every step the invariants
compare the store with it:

- lead ids are unique and gapless per year;
- every lead is exactly what its last accepted write returned, so an accepted write bumped
  the version by exactly one and a refused (stale) write changed nothing;
- the audit trail holds exactly one entry per accepted change, with the right actor, and
  nothing else (so an inactive or unknown user never got a change through).

The assessment workflow runs on the same leads: publishing the questionnaire, start (by
the assigned assessor only), saving answers with fresh and stale versions, submit (refused
while required answers are missing), approve and reject (a reason required). After every
step the lead's status agrees with its latest assessment's (a CANCELLED lead may have
any), each stored assessment is what its last accepted write returned, and its audit
holds one entry per accepted change (its version).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from leadcore import (
    Assessment,
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    ErrorCode,
    Lead,
    LeadCore,
    LeadCoreError,
    LeadStatus,
    Role,
)
from tests import strategies
from tests.assessments.helpers import QUESTIONS
from tests.conftest import FakeClock, connect_for_tests

T = TypeVar("T")

GHOST_ID = "0190a1b2-c3d4-7e5f-8a9b-00000000dead"
READ, WRITE, MANAGE = "read", "write", "manage"
# An IN_PROGRESS lead may be reassigned too; its DRAFT goes to the new assessor (issue 4).
OPEN_FOR_ASSIGNMENT = frozenset({LeadStatus.NEW, LeadStatus.ASSIGNED, LeadStatus.IN_PROGRESS})
# The lead's status that goes with its latest assessment's (unless the lead is CANCELLED).
LEAD_STATUS_OF = {
    AssessmentStatus.DRAFT: LeadStatus.IN_PROGRESS,
    AssessmentStatus.SUBMITTED: LeadStatus.SUBMITTED,
    AssessmentStatus.APPROVED: LeadStatus.COMPLETED,
    AssessmentStatus.REJECTED: LeadStatus.IN_PROGRESS,
}
# Two questionnaire versions to publish; both ask the required "employees" and "sector".
QUESTIONNAIRES = [
    QUESTIONS,
    [*QUESTIONS, {"id": "turnover", "text": "Turnover in crore?", "type": "number"}],
]
REQUIRED = ("employees", "sector")
# Valid partial saves (None clears an answer); the first answers every required question.
ANSWER_SETS: list[dict[str, Any]] = [
    {"employees": 120, "sector": "IT"},
    {"employees": 9, "sector": "Manufacturing", "exporter": False},
    {"employees": 7},
    {"sector": "Manufacturing"},
    {"exporter": True},
    {"employees": None},
    {"remarks": "Family-run"},
]
# The assessment rules' actor: "assigned" stands for the lead's assessor, if it has one.
work_actors = st.sampled_from(["assigned"] * 4 + list(strategies.SIM_ACTORS))
# Version offsets of the assessment rules: mostly fresh, so that the workflow moves on.
assessment_offsets = st.sampled_from([0, 0, 0, -1, 1])
questionnaire_choices = st.sampled_from(range(len(QUESTIONNAIRES)))
answer_sets = st.sampled_from(ANSWER_SETS)
reasons = st.sampled_from([None, "  ", "Numbers do not add up"])
TERMINAL = frozenset({LeadStatus.COMPLETED, LeadStatus.CANCELLED})

# Memory is fast enough for a thorough search; the SQL stores pay for a database per example.
MEMORY_RUN = settings(
    max_examples=75,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SQL_RUN = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def normalised(field: str, value: str | None) -> str | None:
    """Return what the store keeps for ``value``: stripped, CINs upper-cased, blank as None."""
    if value is None or not value.strip():
        return None
    return value.strip().upper() if field == "cin" else value.strip()


class LeadWorkflow(RuleBasedStateMachine):
    """Simulated users working on one fresh core; subclasses say which store to connect."""

    leads = Bundle("leads")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.core = self.connect(self.clock)
        admin = self.core.users.bootstrap_admin(email="admin@example.in", name="Admin")
        self.ids: dict[str, str] = {"admin": admin.id, "ghost": GHOST_ID}
        self.roles: dict[str, Role] = {"admin": Role.ADMIN}
        self.active: dict[str, bool] = {"admin": True}
        # The audit trail the store must hold: (action, actor id, entity id), oldest first.
        self.expected_audit: list[tuple[AuditAction, str, str]] = [
            (AuditAction.USER_CREATED, admin.id, admin.id)
        ]
        for name in strategies.SIM_USERS[1:]:
            role = Role.REVIEWER if name.startswith("reviewer") else Role.ASSESSOR
            user = self.core.users.create(
                admin.id, {"email": f"{name}@example.in", "name": name, "role": role}
            )
            self.ids[name], self.roles[name], self.active[name] = user.id, role, True
            self.expected_audit.append((AuditAction.USER_CREATED, admin.id, user.id))
        # Each lead as its last accepted write returned it, and who holds which CIN.
        self.model: dict[str, Lead] = {}
        self.cins: dict[str, str] = {}
        # The published questionnaire (index into QUESTIONNAIRES) and its version; each
        # lead's latest assessment as its last accepted write returned it.
        self.questionnaire: tuple[int, int] | None = None
        self.assessments: dict[str, Assessment] = {}
        # The lead of each audited entity that is not a lead (assessments), by entity id.
        self.lead_of: dict[str, str] = {}

    def connect(self, clock: FakeClock) -> LeadCore:
        """Return a connected core on a fresh, empty database."""
        raise NotImplementedError

    def teardown(self) -> None:
        """Close the core of this example."""
        self.core.close()

    # --- predicting outcomes -------------------------------------------------------------

    def refusal_for(self, actor: str, permission: str) -> ErrorCode | None:
        """Return the code the actor check gives ``actor`` for ``permission``, or None."""
        if actor == "ghost":
            return ErrorCode.UNAUTHORIZED
        if not self.active[actor]:
            return ErrorCode.USER_INACTIVE
        role = self.roles[actor]
        if permission == WRITE and role is Role.ASSESSOR:
            return ErrorCode.INSUFFICIENT_PERMISSIONS
        if permission == MANAGE and role is not Role.ADMIN:
            return ErrorCode.INSUFFICIENT_PERMISSIONS
        return None

    def stale(self, lead: Lead, expected_version: int) -> ErrorCode | None:
        """Return CONCURRENT_MODIFICATION if ``expected_version`` is not the lead's."""
        return None if expected_version == lead.version else ErrorCode.CONCURRENT_MODIFICATION

    def attempt(self, expected: ErrorCode | None, call: Callable[[], T]) -> T | None:
        """Run ``call``; it must be refused with ``expected``, or succeed if that is None."""
        if expected is None:
            return call()
        with pytest.raises(LeadCoreError) as caught:
            call()
        assert caught.value.code is expected, caught.value
        return None

    def check_stale_refusal(
        self, lead: Lead, expected_version: int, call: Callable[[], object]
    ) -> None:
        """A stale write is CONCURRENT_MODIFICATION naming the lead and both versions."""
        with pytest.raises(LeadCoreError) as caught:
            call()
        assert caught.value.code is ErrorCode.CONCURRENT_MODIFICATION, caught.value
        assert caught.value.context == {
            "lead_id": lead.id,
            "expected_version": expected_version,
            "actual_version": lead.version,
        }

    def accept(self, before: Lead, after: Lead, actor: str, action: AuditAction) -> None:
        """Record an accepted change of ``before``: one version later, one audit entry."""
        assert after.version == before.version + 1
        assert before.updated_at < after.updated_at
        self.model[after.id] = after
        self.expected_audit.append((action, self.ids[actor], after.id))

    def visible_to(self, actor: str, lead: Lead) -> bool:
        """Say whether ``actor`` may see ``lead`` (assessors: only leads assigned to them)."""
        return self.roles[actor] is not Role.ASSESSOR or lead.assessor_id == self.ids[actor]

    def worker(self, actor: str, lead: Lead) -> str:
        """Return the simulated user ``actor`` stands for ("assigned": the lead's assessor)."""
        if actor != "assigned":
            return actor
        names = [name for name, user_id in self.ids.items() if user_id == lead.assessor_id]
        return names[0] if names else "ghost"

    def work_refusal(self, actor: str) -> ErrorCode | None:
        """Return the code the actor check gives ``actor`` for assessment work, or None."""
        if actor == "ghost":
            return ErrorCode.UNAUTHORIZED
        if not self.active[actor]:
            return ErrorCode.USER_INACTIVE
        return None if self.roles[actor] is Role.ASSESSOR else ErrorCode.INSUFFICIENT_PERMISSIONS

    def decide_refusal(self, actor: str) -> ErrorCode | None:
        """Return the code the actor check gives ``actor`` for a decision, or None."""
        if actor == "ghost":
            return ErrorCode.UNAUTHORIZED
        if not self.active[actor]:
            return ErrorCode.USER_INACTIVE
        return ErrorCode.INSUFFICIENT_PERMISSIONS if self.roles[actor] is Role.ASSESSOR else None

    def own_refusal(self, actor: str, lead: Lead, assessment: Assessment) -> ErrorCode | None:
        """ASSESSOR_NOT_ASSIGNED unless ``actor`` is the assessment's and the lead's assessor."""
        mine = self.ids[actor] == assessment.assessor_id == lead.assessor_id
        return None if mine else ErrorCode.ASSESSOR_NOT_ASSIGNED

    def moved_lead(self, lead: Lead, status: LeadStatus, actor: str) -> None:
        """Record the lead's status move an accepted assessment command made."""
        stored = self.core.leads.get(self.ids["admin"], lead.id)
        assert stored == attrs.evolve(
            lead, status=status, version=lead.version + 1, updated_at=stored.updated_at
        )
        self.accept(lead, stored, actor, AuditAction.LEAD_STATUS_UPDATED)

    def changed_assessment(
        self, before: Assessment, after: Assessment, actor: str, action: AuditAction
    ) -> None:
        """Record an accepted change of an assessment: one version later, one audit entry."""
        assert (after.id, after.version) == (before.id, before.version + 1)
        self.assessments[after.lead_id] = after
        self.expected_audit.append((action, self.ids[actor], after.id))

    # --- rules -----------------------------------------------------------------------

    @initialize(target=leads, cin=strategies.pool_cin_spellings, name=strategies.company_names)
    def first_lead(self, cin: str, name: str) -> str | MultipleResults[str]:
        """Start every run with one lead, created by a reviewer, so lead rules apply at once."""
        return self.create("reviewer1", cin, name)

    @rule(
        target=leads,
        actor=strategies.sim_actors,
        cin=strategies.pool_cin_spellings,
        name=strategies.company_names,
    )
    def create(self, actor: str, cin: str, name: str) -> str | MultipleResults[str]:
        """Create a lead; it takes the next number of the current year."""
        cin_key = normalised("cin", cin)
        assert cin_key is not None
        expected = self.refusal_for(actor, WRITE) or (
            ErrorCode.DUPLICATE_CIN if cin_key in self.cins else None
        )
        year = self.clock.current.year
        lead = self.attempt(
            expected,
            lambda: self.core.leads.create(self.ids[actor], {"company_name": name, "cin": cin}),
        )
        if lead is None:
            return multiple()
        number = 1 + sum(1 for lead_id in self.model if lead_id.startswith(f"LEAD-{year}-"))
        assert lead.id == f"LEAD-{year}-{number:04d}"
        assert (lead.version, lead.status, lead.assessor_id) == (1, LeadStatus.NEW, None)
        assert (lead.cin, lead.company_name, lead.created_by) == (cin_key, name, self.ids[actor])
        self.model[lead.id] = lead
        self.cins[cin_key] = lead.id
        self.expected_audit.append((AuditAction.LEAD_CREATED, self.ids[actor], lead.id))
        return lead.id

    @rule(actor=strategies.sim_actors, lead_id=leads)
    def read(self, actor: str, lead_id: str) -> None:
        """Read a lead: equal to the last accepted write, or hidden from other assessors."""
        lead = self.model[lead_id]
        expected = self.refusal_for(actor, READ) or (
            None if self.visible_to(actor, lead) else ErrorCode.LEAD_NOT_FOUND
        )
        got = self.attempt(expected, lambda: self.core.leads.get(self.ids[actor], lead_id))
        if got is not None:
            assert got == lead

    @rule(actor=strategies.sim_actors, lead_id=leads)
    def read_audit(self, actor: str, lead_id: str) -> None:
        """Read a lead's audit: one entry per accepted change, oldest first, right actors."""
        lead = self.model[lead_id]
        expected = self.refusal_for(actor, READ) or (
            None if self.visible_to(actor, lead) else ErrorCode.LEAD_NOT_FOUND
        )
        entries = self.attempt(expected, lambda: self.core.audit.for_lead(self.ids[actor], lead_id))
        if entries is not None:
            assert [(e.action, e.actor_id, e.entity_id) for e in entries] == [
                row for row in self.expected_audit if self.lead_of.get(row[2], row[2]) == lead_id
            ]

    @rule(actor=strategies.sim_actors, page_size=strategies.page_sizes)
    def list_leads(self, actor: str, page_size: int) -> None:
        """Page through the leads an actor may see, in creation order, none twice."""
        expected = self.refusal_for(actor, READ)
        if expected is not None:
            self.attempt(expected, lambda: self.core.leads.list(self.ids[actor]))
            return
        seen: list[Lead] = []
        after: str | None = None
        while True:
            page = self.core.leads.list(self.ids[actor], limit=page_size, after=after)
            assert len(page.items) <= page_size
            seen.extend(page.items)
            if page.next_cursor is None:
                break
            after = page.next_cursor
        visible = [lead for lead in self.model.values() if self.visible_to(actor, lead)]
        assert seen == sorted(visible, key=lambda lead: (lead.created_at, lead.id))

    @rule(
        actor=strategies.sim_actors,
        lead_id=leads,
        offset=strategies.version_offsets,
        changes=strategies.lead_changes,
    )
    def update(self, actor: str, lead_id: str, offset: int, changes: dict[str, str | None]) -> None:
        """Update with a fresh or stale version; a no-op keeps the version and writes nothing."""
        lead = self.model[lead_id]
        version = max(1, lead.version + offset)
        wanted = {field: normalised(field, value) for field, value in changes.items()}
        changed: dict[str, Any] = {f: v for f, v in wanted.items() if getattr(lead, f) != v}
        expected = (
            self.refusal_for(actor, WRITE)
            or self.stale(lead, version)
            or (ErrorCode.DUPLICATE_CIN if changed.get("cin") in self.cins else None)
        )

        def call() -> Lead:
            return self.core.leads.update(
                self.ids[actor], lead_id, changes, expected_version=version
            )

        if expected is ErrorCode.CONCURRENT_MODIFICATION:
            self.check_stale_refusal(lead, version, call)
            return
        result = self.attempt(expected, call)
        if result is None:
            return
        if not changed:
            assert result == lead
            return
        assert result == attrs.evolve(
            lead, **changed, version=lead.version + 1, updated_at=result.updated_at
        )
        if "cin" in changed:
            del self.cins[lead.cin]
            self.cins[result.cin] = lead_id
        self.accept(lead, result, actor, AuditAction.LEAD_UPDATED)

    @rule(
        actor=strategies.sim_actors,
        lead_id=leads,
        offset=strategies.version_offsets,
        assessor=strategies.sim_assignees,
    )
    def assign(self, actor: str, lead_id: str, offset: int, assessor: str) -> None:
        """Assign to anyone; only an active ASSESSOR on a NEW or ASSIGNED lead is accepted."""
        lead = self.model[lead_id]
        version = max(1, lead.version + offset)
        expected = self.refusal_for(actor, WRITE) or self.stale(lead, version)
        if expected is None and assessor == "ghost":
            expected = ErrorCode.USER_NOT_FOUND
        elif expected is None and (
            self.roles[assessor] is not Role.ASSESSOR or not self.active[assessor]
        ):
            expected = ErrorCode.INVALID_INPUT
        no_op = expected is None and lead.assessor_id == self.ids[assessor]
        if expected is None and not no_op and lead.status not in OPEN_FOR_ASSIGNMENT:
            expected = ErrorCode.INVALID_STATUS_TRANSITION

        def call() -> Lead:
            return self.core.leads.assign_assessor(
                self.ids[actor], lead_id, self.ids[assessor], expected_version=version
            )

        if expected is ErrorCode.CONCURRENT_MODIFICATION:
            self.check_stale_refusal(lead, version, call)
            return
        result = self.attempt(expected, call)
        if result is None:
            return
        if no_op:
            assert result == lead
            return
        assert result == attrs.evolve(
            lead,
            assessor_id=self.ids[assessor],
            status=(
                LeadStatus.IN_PROGRESS
                if lead.status is LeadStatus.IN_PROGRESS
                else LeadStatus.ASSIGNED
            ),
            version=lead.version + 1,
            updated_at=result.updated_at,
        )
        self.accept(lead, result, actor, AuditAction.LEAD_ASSIGNED)
        draft = self.assessments.get(lead_id)
        if (
            lead.status is LeadStatus.IN_PROGRESS
            and draft is not None
            and draft.status is AssessmentStatus.DRAFT
        ):
            handed = self.core.assessments.get(self.ids["admin"], draft.id)
            assert handed == attrs.evolve(
                draft,
                assessor_id=self.ids[assessor],
                version=draft.version + 1,
                updated_at=handed.updated_at,
            )
            self.changed_assessment(draft, handed, actor, AuditAction.ASSESSMENT_UPDATED)

    @rule(
        actor=strategies.sim_actors,
        lead_id=leads,
        offset=strategies.version_offsets,
        status=strategies.statuses,
    )
    def change_status(self, actor: str, lead_id: str, offset: int, status: LeadStatus) -> None:
        """Move to any status; only cancelling an open lead is accepted."""
        lead = self.model[lead_id]
        version = max(1, lead.version + offset)
        expected = (
            self.refusal_for(actor, WRITE)
            or self.stale(lead, version)
            or (
                ErrorCode.INVALID_STATUS_TRANSITION
                if status is not LeadStatus.CANCELLED or lead.status in TERMINAL
                else None
            )
        )

        def call() -> Lead:
            return self.core.leads.change_status(
                self.ids[actor], lead_id, status, expected_version=version
            )

        if expected is ErrorCode.CONCURRENT_MODIFICATION:
            self.check_stale_refusal(lead, version, call)
            return
        result = self.attempt(expected, call)
        if result is not None:
            assert result == attrs.evolve(
                lead,
                status=LeadStatus.CANCELLED,
                version=lead.version + 1,
                updated_at=result.updated_at,
            )
            self.accept(lead, result, actor, AuditAction.LEAD_STATUS_UPDATED)

    @rule(actor=strategies.sim_actors, user=strategies.sim_targets, active=strategies.activity)
    def set_active(self, actor: str, user: str, active: bool) -> None:
        """Deactivate or reactivate someone: only an active admin may, never themself off."""
        expected = self.refusal_for(actor, MANAGE)
        if expected is None and user == "ghost":
            expected = ErrorCode.USER_NOT_FOUND
        elif expected is None and user == actor and not active:
            expected = ErrorCode.INVALID_INPUT
        command = self.core.users.reactivate if active else self.core.users.deactivate
        result = self.attempt(expected, lambda: command(self.ids[actor], self.ids[user]))
        if result is None:
            return
        assert (result.id, result.is_active) == (self.ids[user], active)
        if self.active[user] is not active:
            self.active[user] = active
            action = AuditAction.USER_REACTIVATED if active else AuditAction.USER_DEACTIVATED
            self.expected_audit.append((action, self.ids[actor], self.ids[user]))

    @precondition(lambda self: self.clock.current.year < 2029)
    @rule()
    def new_year(self) -> None:
        """Move the clock to the morning of 1 January of the next year."""
        self.clock.set(datetime(self.clock.current.year + 1, 1, 1, 9, 0, tzinfo=UTC))

    @precondition(
        lambda self: self.clock.current < datetime(self.clock.current.year, 12, 31, 23, tzinfo=UTC)
    )
    @rule()
    def new_years_eve(self) -> None:
        """Move the clock to a tenth of a second before the year ends."""
        year = self.clock.current.year
        self.clock.set(datetime(year, 12, 31, 23, 59, 59, 900_000, tzinfo=UTC))

    # --- the assessment workflow ---------------------------------------------------------

    @initialize(publish=st.sampled_from([True, True, True, False]))
    def maybe_publish_first(self, publish: bool) -> None:
        """Most runs start with a published questionnaire, so that assessments can start."""
        if publish:
            self.publish("admin", 0)

    @rule(actor=strategies.sim_actors, choice=questionnaire_choices)
    def publish(self, actor: str, choice: int) -> None:
        """Publish a questionnaire (ADMIN); the current questions again publish nothing."""
        result = self.attempt(
            self.refusal_for(actor, MANAGE),
            lambda: self.core.assessments.set_questionnaire(
                self.ids[actor], QUESTIONNAIRES[choice]
            ),
        )
        if result is None:
            return
        if self.questionnaire is not None and self.questionnaire[0] == choice:
            assert result.version == self.questionnaire[1]
            return
        version = 1 if self.questionnaire is None else self.questionnaire[1] + 1
        assert result.version == version
        self.questionnaire = (choice, version)
        self.expected_audit.append(
            (AuditAction.QUESTIONNAIRE_PUBLISHED, self.ids[actor], str(version))
        )

    @rule(lead_id=leads, assessor=st.sampled_from(["assessor1", "assessor2"]))
    def hand_to_assessor(self, lead_id: str, assessor: str) -> None:
        """Assign a lead to an assessor with a fresh version (so that assessments happen)."""
        self.assign("reviewer1", lead_id, 0, assessor)

    @precondition(lambda self: any(lead.assessor_id for lead in self.model.values()))
    @rule(actor=work_actors, data=st.data())
    def start(self, actor: str, data: st.DataObject) -> None:
        """Start: only the lead's assessor, on an ASSIGNED lead or after a rejection."""
        self.try_start(actor, data.draw(st.sampled_from(self.assigned_leads())))

    def assigned_leads(self) -> list[str]:
        """Return the ids of the leads that have an assessor."""
        return sorted(lead_id for lead_id, lead in self.model.items() if lead.assessor_id)

    def try_start(self, actor: str, lead_id: str) -> None:
        """Start the lead's assessment as ``actor``; check the predicted outcome."""
        lead = self.model[lead_id]
        actor = self.worker(actor, lead)
        latest = self.assessments.get(lead_id)
        expected = self.work_refusal(actor) or (
            None if lead.assessor_id == self.ids[actor] else ErrorCode.ASSESSOR_NOT_ASSIGNED
        )
        open_draft = (
            latest is not None
            and latest.status is AssessmentStatus.DRAFT
            and lead.status is LeadStatus.IN_PROGRESS
        )
        rework = (
            latest is not None
            and latest.status is AssessmentStatus.REJECTED
            and lead.status is LeadStatus.IN_PROGRESS
        )
        if expected is None and not open_draft:
            if not rework and lead.status is not LeadStatus.ASSIGNED:
                expected = ErrorCode.INVALID_STATUS_TRANSITION
            elif self.questionnaire is None:
                expected = ErrorCode.INVALID_INPUT
        result = self.attempt(
            expected, lambda: self.core.assessments.start(self.ids[actor], lead_id)
        )
        if result is None:
            return
        if open_draft:
            assert result == latest
            return
        assert self.questionnaire is not None
        assert (result.lead_id, result.assessor_id, result.status, result.version) == (
            lead_id,
            self.ids[actor],
            AssessmentStatus.DRAFT,
            1,
        )
        assert result.revision == (1 if latest is None else latest.revision + 1)
        assert result.questionnaire_version == self.questionnaire[1]
        if not rework:
            self.moved_lead(lead, LeadStatus.IN_PROGRESS, actor)
        self.assessments[lead_id] = result
        self.lead_of[result.id] = lead_id
        self.expected_audit.append((AuditAction.ASSESSMENT_CREATED, self.ids[actor], result.id))

    @precondition(lambda self: self.assessments)
    @rule(actor=work_actors, data=st.data(), offset=assessment_offsets, answers=answer_sets)
    def save_answers(
        self, actor: str, data: st.DataObject, offset: int, answers: dict[str, Any]
    ) -> None:
        """Save answers with a fresh or stale version; saving what is there writes nothing."""
        self.try_save(actor, data.draw(st.sampled_from(sorted(self.assessments))), offset, answers)

    def try_save(self, actor: str, lead_id: str, offset: int, answers: dict[str, Any]) -> None:
        """Save answers to the lead's latest assessment; check the predicted outcome."""
        lead, assessment = self.model[lead_id], self.assessments[lead_id]
        actor = self.worker(actor, lead)
        version = max(1, assessment.version + offset)
        expected = (
            self.work_refusal(actor)
            or self.own_refusal(actor, lead, assessment)
            or (None if version == assessment.version else ErrorCode.CONCURRENT_MODIFICATION)
            or (
                None
                if assessment.status is AssessmentStatus.DRAFT
                else ErrorCode.ASSESSMENT_ALREADY_SUBMITTED
            )
        )
        result = self.attempt(
            expected,
            lambda: self.core.assessments.save_answers(
                self.ids[actor], assessment.id, answers, expected_version=version
            ),
        )
        if result is None:
            return
        merged = {**assessment.answer_values(), **answers}
        merged = {question: value for question, value in merged.items() if value is not None}
        assert result.answer_values() == merged
        if merged == assessment.answer_values():
            assert result == assessment
            return
        self.changed_assessment(assessment, result, actor, AuditAction.ASSESSMENT_UPDATED)

    @precondition(lambda self: self.assessments)
    @rule(actor=work_actors, data=st.data(), offset=assessment_offsets)
    def submit(self, actor: str, data: st.DataObject, offset: int) -> None:
        """Submit: refused while a required answer is missing; the lead -> SUBMITTED."""
        self.try_submit(actor, data.draw(st.sampled_from(sorted(self.assessments))), offset)

    def try_submit(self, actor: str, lead_id: str, offset: int) -> None:
        """Submit the lead's latest assessment; check the predicted outcome."""
        lead, assessment = self.model[lead_id], self.assessments[lead_id]
        actor = self.worker(actor, lead)
        version = max(1, assessment.version + offset)
        answered = assessment.answer_values()
        expected = (
            self.work_refusal(actor)
            or self.own_refusal(actor, lead, assessment)
            or (None if version == assessment.version else ErrorCode.CONCURRENT_MODIFICATION)
            or (
                None
                if assessment.status is AssessmentStatus.DRAFT
                else ErrorCode.ASSESSMENT_ALREADY_SUBMITTED
            )
            or (None if all(q in answered for q in REQUIRED) else ErrorCode.INVALID_INPUT)
            or (
                None
                if lead.status is LeadStatus.IN_PROGRESS
                else ErrorCode.INVALID_STATUS_TRANSITION
            )
        )
        result = self.attempt(
            expected,
            lambda: self.core.assessments.submit(
                self.ids[actor], assessment.id, expected_version=version
            ),
        )
        if result is None:
            return
        assert result.status is AssessmentStatus.SUBMITTED
        self.moved_lead(lead, LeadStatus.SUBMITTED, actor)
        self.changed_assessment(assessment, result, actor, AuditAction.ASSESSMENT_SUBMITTED)

    @precondition(lambda self: self.assessments)
    @rule(
        actor=strategies.sim_actors,
        data=st.data(),
        offset=assessment_offsets,
        approve=st.booleans(),
        reason=reasons,
    )
    def decide(
        self, actor: str, data: st.DataObject, offset: int, approve: bool, reason: str | None
    ) -> None:
        """Approve or reject (a reason required); the lead -> COMPLETED or IN_PROGRESS."""
        lead_id = data.draw(st.sampled_from(sorted(self.assessments)))
        self.try_decide(actor, lead_id, offset, approve, reason)

    def try_decide(
        self, actor: str, lead_id: str, offset: int, approve: bool, reason: str | None
    ) -> None:
        """Decide on the lead's latest assessment; check the predicted outcome."""
        lead, assessment = self.model[lead_id], self.assessments[lead_id]
        version = max(1, assessment.version + offset)
        expected = (
            self.decide_refusal(actor)
            or (None if version == assessment.version else ErrorCode.CONCURRENT_MODIFICATION)
            or (
                ErrorCode.INVALID_INPUT
                if not approve and (reason is None or not reason.strip())
                else None
            )
            or (
                None
                if assessment.status is AssessmentStatus.SUBMITTED
                and lead.status is LeadStatus.SUBMITTED
                else ErrorCode.INVALID_STATUS_TRANSITION
            )
        )

        def call() -> Assessment:
            if approve:
                return self.core.assessments.approve(self.ids[actor], assessment.id, version)
            return self.core.assessments.reject(
                self.ids[actor], assessment.id, version, reason=reason
            )

        result = self.attempt(expected, call)
        if result is None:
            return
        status, action, lead_status = (
            (AssessmentStatus.APPROVED, AuditAction.ASSESSMENT_APPROVED, LeadStatus.COMPLETED)
            if approve
            else (
                AssessmentStatus.REJECTED,
                AuditAction.ASSESSMENT_REJECTED,
                LeadStatus.IN_PROGRESS,
            )
        )
        assert (result.status, result.decided_by) == (status, self.ids[actor])
        self.moved_lead(lead, lead_status, actor)
        self.changed_assessment(assessment, result, actor, action)

    @precondition(lambda self: self.questionnaire is not None and self.assigned_leads())
    @rule(data=st.data(), approve=st.sampled_from([True, False]))
    def advance(self, data: st.DataObject, approve: bool) -> None:
        """Take a lead's assessment one step along the happy path, so that runs get far."""
        lead_id = data.draw(st.sampled_from(self.assigned_leads()))
        latest = self.assessments.get(lead_id)
        if latest is None or latest.status is AssessmentStatus.REJECTED:
            self.try_start("assigned", lead_id)
        elif latest.status is AssessmentStatus.DRAFT:
            if all(question in latest.answer_values() for question in REQUIRED):
                self.try_submit(self.worker("assigned", self.model[lead_id]), lead_id, 0)
            else:
                self.try_save("assigned", lead_id, 0, ANSWER_SETS[0])
        elif latest.status is AssessmentStatus.SUBMITTED:
            self.try_decide("reviewer2", lead_id, 0, approve, "Numbers do not add up")

    # --- invariants --------------------------------------------------------------------

    def stored_leads(self) -> list[Lead]:
        """Return every stored lead, read by the admin (who is always active)."""
        found: list[Lead] = []
        after: str | None = None
        while True:
            page = self.core.leads.list(self.ids["admin"], limit=1000, after=after)
            found.extend(page.items)
            if page.next_cursor is None:
                return found
            after = page.next_cursor

    def stored_audit(self) -> list[AuditEntry]:
        """Return the whole audit trail, oldest first."""
        found: list[AuditEntry] = []
        after: str | None = None
        while True:
            page = self.core.audit.list(self.ids["admin"], limit=1000, after=after)
            found.extend(page.items)
            if page.next_cursor is None:
                return found
            after = page.next_cursor

    @invariant()
    def ids_are_unique_and_gapless_per_year(self) -> None:
        """Each year's leads are numbered 1..n, once each."""
        ids = [lead.id for lead in self.stored_leads()]
        assert len(ids) == len(set(ids))
        numbers: dict[str, list[int]] = {}
        for lead_id in ids:
            prefix, year, number = lead_id.split("-")
            assert (prefix, number) == ("LEAD", number.zfill(4))
            numbers.setdefault(year, []).append(int(number))
        for taken in numbers.values():
            assert sorted(taken) == list(range(1, len(taken) + 1))

    @invariant()
    def every_lead_is_what_its_last_accepted_write_returned(self) -> None:
        """Accepted writes show, refused ones left no trace: the store equals the model."""
        assert {lead.id: lead for lead in self.stored_leads()} == self.model

    @invariant()
    def the_audit_holds_one_entry_per_accepted_change(self) -> None:
        """The trail is exactly the accepted changes with their actors; versions agree."""
        entries = self.stored_audit()
        assert [(e.action, e.actor_id, e.entity_id) for e in entries] == self.expected_audit
        per_lead = Counter(e.lead_id for e in entries if e.entity_id == e.lead_id)
        assert per_lead == {lead_id: lead.version for lead_id, lead in self.model.items()}
        assert GHOST_ID not in {e.actor_id for e in entries}

    @invariant()
    def every_latest_assessment_is_its_last_accepted_write_audited_once_per_change(
        self,
    ) -> None:
        """Each lead's latest assessment equals the model; its entries number its version."""
        admin = self.ids["admin"]
        per_assessment = Counter(e.entity_id for e in self.stored_audit())
        for lead_id, assessment in self.assessments.items():
            assert self.core.assessments.for_lead(admin, lead_id)[-1] == assessment
            assert per_assessment[assessment.id] == assessment.version

    @invariant()
    def the_lead_status_agrees_with_its_latest_assessment(self) -> None:
        """DRAFT: IN_PROGRESS, SUBMITTED: SUBMITTED, APPROVED: COMPLETED, REJECTED: IN_PROGRESS."""
        for lead in self.stored_leads():
            latest = self.assessments.get(lead.id)
            if latest is not None and lead.status is not LeadStatus.CANCELLED:
                assert lead.status is LEAD_STATUS_OF[latest.status], (lead, latest)


def test_the_lead_workflow_keeps_its_invariants(
    store: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Random commands by five users and a ghost never break the invariants of the store."""

    class Workflow(LeadWorkflow):
        def connect(self, clock: FakeClock) -> LeadCore:
            return connect_for_tests(store, tmp_path_factory, clock)

    run_state_machine_as_test(Workflow, settings=MEMORY_RUN if store == "memory" else SQL_RUN)
