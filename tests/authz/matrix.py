"""The authorisation matrix: every command, the permission it needs, and the actors to try.

The expected outcome of each (command, actor) pair is computed from the permission table
in ``leadcore.domain.users`` (never copied here): an unknown actor is UNAUTHORIZED, an
inactive one USER_INACTIVE, a role without the row's permission INSUFFICIENT_PERMISSIONS,
and anyone else succeeds. Adding a command means adding one Row.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from functools import cached_property
from typing import Any

import attrs

from leadcore import (
    Assessment,
    Document,
    ErrorCode,
    Lead,
    LeadCore,
    LeadCoreError,
    LeadStatus,
    Role,
    User,
)
from leadcore.domain.imports import ImportReport
from leadcore.domain.users import PERMISSIONS, Permission
from tests.assessments.helpers import COMPLETE, QUESTIONS
from tests.conftest import lead_data

# An id no user has.
GHOST_ID = "0190a1b2-c3d4-7e5f-8a9b-00000000dead"
PDF = b"%PDF-1.7"


# Numbers for e-mails, CINs and legacy ids, unique in this process, so that any number of
# stages can share one store.
_NUMBERS = itertools.count(1)


class Stage:
    """A reviewer and an assessor of its own, and what the rows act on, made on first use.

    ``assessor`` is the assessor of every lead here. Stages may share a store (and its
    admin). A stage that several tests share is ``prepare()``d first, so that no test's
    arguments are made between its snapshots.
    """

    def __init__(self, core: LeadCore, admin: User) -> None:
        self.core = core
        self.admin = admin
        self._numbers = _NUMBERS
        self.reviewer = self._user(Role.REVIEWER)
        self.assessor = self._user(Role.ASSESSOR)

    @classmethod
    def bootstrap(cls, core: LeadCore) -> Stage:
        """Return a stage on an empty ``core``, whose first admin it creates."""
        return cls(core, core.users.bootstrap_admin(email="admin@example.in", name="Asha"))

    def _user(self, role: Role, *, active: bool = True) -> User:
        email = f"{role.lower()}{next(self._numbers)}@example.in"
        user = self.core.users.create(self.admin.id, {"email": email, "name": "U", "role": role})
        return user if active else self.core.users.deactivate(self.admin.id, user.id)

    def new_user_data(self) -> dict[str, Any]:
        """Return input for a user no one has created yet."""
        return {"email": f"new{next(self._numbers)}@example.in", "name": "New", "role": "REVIEWER"}

    def new_lead_data(self) -> dict[str, object]:
        """Return input for a lead with a CIN no lead has yet."""
        return lead_data(next(self._numbers))

    def legacy_row(self) -> dict[str, object]:
        """Return an import row that carries its own (legacy) lead id."""
        n = next(self._numbers)
        return {**lead_data(n), "id": f"LEAD-2019-{n:04d}"}

    def new_questions(self) -> list[dict[str, Any]]:
        """Return the questionnaire with one more question, so publishing makes a version."""
        n = next(self._numbers)
        extra = {"id": f"extra{n}", "text": "Anything to add?", "type": "text"}
        return [*QUESTIONS, extra]

    def inactive(self, role: Role) -> User:
        """Return a deactivated user of ``role`` (one per role and stage)."""
        return self._inactive[role]

    @cached_property
    def _inactive(self) -> dict[Role, User]:
        return {role: self._user(role, active=False) for role in Role}

    @cached_property
    def colleague(self) -> User:
        """An active reviewer whom the rows read or deactivate."""
        return self._user(Role.REVIEWER)

    @cached_property
    def former_colleague(self) -> User:
        """A deactivated reviewer whom the rows reactivate."""
        return self._user(Role.REVIEWER, active=False)

    @cached_property
    def spare_assessor(self) -> User:
        """An active assessor to assign leads to."""
        return self._user(Role.ASSESSOR)

    @cached_property
    def questionnaire_published(self) -> bool:
        """Publish the questionnaire once; say that it is."""
        self.core.assessments.set_questionnaire(self.admin.id, QUESTIONS)
        return True

    def _assigned(self) -> Lead:
        assert self.questionnaire_published
        lead = self.core.leads.create(self.reviewer.id, self.new_lead_data())
        return self.core.leads.assign_assessor(
            self.reviewer.id, lead.id, self.assessor.id, expected_version=lead.version
        )

    @cached_property
    def lead(self) -> Lead:
        """A lead ASSIGNED to the assessor, no assessment started."""
        return self._assigned()

    @cached_property
    def draft(self) -> Assessment:
        """A DRAFT assessment, no answers yet, on a lead of its own."""
        return self.core.assessments.start(self.assessor.id, self._assigned().id)

    @cached_property
    def answered(self) -> Assessment:
        """A DRAFT assessment with every required answer, on a lead of its own."""
        draft = self.core.assessments.start(self.assessor.id, self._assigned().id)
        return self.core.assessments.save_answers(
            self.assessor.id, draft.id, COMPLETE, expected_version=draft.version
        )

    @cached_property
    def submitted(self) -> Assessment:
        """A SUBMITTED assessment, on a lead of its own."""
        draft = self.core.assessments.start(self.assessor.id, self._assigned().id)
        answered = self.core.assessments.save_answers(
            self.assessor.id, draft.id, COMPLETE, expected_version=draft.version
        )
        return self.core.assessments.submit(
            self.assessor.id, answered.id, expected_version=answered.version
        )

    @cached_property
    def document(self) -> Document:
        """A document the assessor uploaded to their lead."""
        return self.upload(self.assessor)

    @cached_property
    def reviewers_document(self) -> Document:
        """A document the reviewer uploaded to the assessor's lead."""
        return self.upload(self.reviewer)

    def upload(self, by: User) -> Document:
        """Upload a small PDF to ``lead`` as ``by``."""
        return self.core.documents.upload(by.id, self.lead.id, "r.pdf", PDF, "application/pdf")

    def prepare(self) -> Stage:
        """Make everything a row may use now; return the stage."""
        for role in Role:
            self.inactive(role)
        for name in dir(type(self)):
            if isinstance(getattr(type(self), name), cached_property):
                getattr(self, name)
        return self


def accepted_only(report: ImportReport) -> ImportReport:
    """Return ``report`` if every row was imported; raise the first rejected row's code."""
    if report.rejected:
        first = report.rejected[0]
        raise LeadCoreError(first.code, "an import row was refused", {"fields": first.fields})
    return report


Call = Callable[[LeadCore, object, Stage], object]


@attrs.frozen
class Row:
    """A command as the matrix calls it, and the permission the table says it needs.

    ``call(core, actor_id, stage)`` must succeed for an active actor whose role holds
    ``permission``.
    """

    name: str
    call: Call
    permission: Permission

    @property
    def command(self) -> str:
        """The ``service.method`` this row calls."""
        return self.name.split(" ", 1)[0]


ROWS: tuple[Row, ...] = (
    Row(
        "users.create",
        lambda c, a, s: c.users.create(a, s.new_user_data()),
        Permission.MANAGE_USERS,
    ),
    Row(
        "users.get (themselves)", lambda c, a, s: c.users.get(a, a), Permission.READ_ASSIGNED_LEADS
    ),
    Row(
        "users.get (someone else)",
        lambda c, a, s: c.users.get(a, s.colleague.id),
        Permission.READ_USERS,
    ),
    Row(
        "users.deactivate",
        lambda c, a, s: c.users.deactivate(a, s.colleague.id),
        Permission.MANAGE_USERS,
    ),
    Row(
        "users.reactivate",
        lambda c, a, s: c.users.reactivate(a, s.former_colleague.id),
        Permission.MANAGE_USERS,
    ),
    Row(
        "users.active_assessors",
        lambda c, a, s: c.users.active_assessors(a),
        Permission.READ_USERS,
    ),
    Row("users.list", lambda c, a, s: c.users.list(a), Permission.READ_USERS),
    Row(
        "leads.create",
        lambda c, a, s: c.leads.create(a, s.new_lead_data()),
        Permission.WRITE_LEADS,
    ),
    Row("leads.get", lambda c, a, s: c.leads.get(a, s.lead.id), Permission.READ_ASSIGNED_LEADS),
    Row("leads.list", lambda c, a, s: c.leads.list(a), Permission.READ_ASSIGNED_LEADS),
    Row(
        "leads.update",
        lambda c, a, s: c.leads.update(a, s.lead.id, {"city": "Pune"}, s.lead.version),
        Permission.WRITE_LEADS,
    ),
    Row(
        "leads.assign_assessor",
        lambda c, a, s: c.leads.assign_assessor(a, s.lead.id, s.spare_assessor.id, s.lead.version),
        Permission.WRITE_LEADS,
    ),
    Row(
        "leads.change_status",
        lambda c, a, s: c.leads.change_status(a, s.lead.id, LeadStatus.CANCELLED, s.lead.version),
        Permission.WRITE_LEADS,
    ),
    Row(
        "leads.import_rows",
        lambda c, a, s: accepted_only(c.leads.import_rows(a, [s.new_lead_data()])),
        Permission.WRITE_LEADS,
    ),
    Row(
        "leads.import_rows (a legacy id)",
        lambda c, a, s: accepted_only(c.leads.import_rows(a, [s.legacy_row()])),
        Permission.IMPORT_LEGACY_IDS,
    ),
    Row(
        "leads.rebuild_counters",
        lambda c, a, s: c.leads.rebuild_counters(a),
        Permission.REBUILD_COUNTERS,
    ),
    Row(
        "audit.for_lead",
        lambda c, a, s: c.audit.for_lead(a, s.lead.id),
        Permission.READ_ASSIGNED_LEADS,
    ),
    Row("audit.list", lambda c, a, s: c.audit.list(a), Permission.READ_AUDIT_LOG),
    Row("audit.export", lambda c, a, s: list(c.audit.export(a)), Permission.READ_AUDIT_LOG),
    Row("audit.verify", lambda c, a, s: c.audit.verify(a), Permission.VERIFY_AUDIT),
    Row(
        "assessments.set_questionnaire",
        lambda c, a, s: c.assessments.set_questionnaire(a, s.new_questions()),
        Permission.PUBLISH_QUESTIONNAIRE,
    ),
    Row(
        "assessments.questionnaire",
        lambda c, a, s: c.assessments.questionnaire(a),
        Permission.READ_ASSIGNED_LEADS,
    ),
    Row(
        "assessments.start",
        lambda c, a, s: c.assessments.start(a, s.lead.id),
        Permission.WORK_ASSESSMENTS,
    ),
    Row(
        "assessments.save_answers",
        lambda c, a, s: c.assessments.save_answers(a, s.draft.id, COMPLETE, s.draft.version),
        Permission.WORK_ASSESSMENTS,
    ),
    Row(
        "assessments.submit",
        lambda c, a, s: c.assessments.submit(a, s.answered.id, s.answered.version),
        Permission.WORK_ASSESSMENTS,
    ),
    Row(
        "assessments.approve",
        lambda c, a, s: c.assessments.approve(a, s.submitted.id, s.submitted.version),
        Permission.DECIDE_ASSESSMENTS,
    ),
    Row(
        "assessments.reject",
        lambda c, a, s: c.assessments.reject(a, s.submitted.id, s.submitted.version, "Redo"),
        Permission.DECIDE_ASSESSMENTS,
    ),
    Row(
        "assessments.get",
        lambda c, a, s: c.assessments.get(a, s.draft.id),
        Permission.READ_ASSIGNED_LEADS,
    ),
    Row(
        "assessments.for_lead",
        lambda c, a, s: c.assessments.for_lead(a, s.draft.lead_id),
        Permission.READ_ASSIGNED_LEADS,
    ),
    Row(
        "assessments.answers_for_question",
        lambda c, a, s: c.assessments.answers_for_question(a, "employees"),
        Permission.READ_ASSIGNED_LEADS,
    ),
    Row(
        "documents.upload",
        lambda c, a, s: c.documents.upload(a, s.lead.id, "r.pdf", PDF, "application/pdf"),
        Permission.WRITE_ASSIGNED_DOCUMENTS,
    ),
    Row(
        "documents.list",
        lambda c, a, s: c.documents.list(a, s.lead.id),
        Permission.READ_ASSIGNED_LEADS,
    ),
    Row(
        "documents.get",
        lambda c, a, s: c.documents.get(a, s.document.id),
        Permission.READ_ASSIGNED_LEADS,
    ),
    Row(
        "documents.read",
        lambda c, a, s: c.documents.read(a, s.document.id),
        Permission.READ_ASSIGNED_LEADS,
    ),
    Row(
        "documents.delete",
        lambda c, a, s: c.documents.delete(a, s.document.id),
        Permission.WRITE_ASSIGNED_DOCUMENTS,
    ),
    Row(
        "documents.delete (a reviewer's upload)",
        lambda c, a, s: c.documents.delete(a, s.reviewers_document.id),
        Permission.WRITE_ALL_DOCUMENTS,
    ),
)
# Commands without an actor, outside the matrix: bootstrap_admin acts before any user
# exists (tests/contract/test_users.py covers who may call it, and when).
WITHOUT_ACTOR: frozenset[str] = frozenset({"users.bootstrap_admin"})


class State(enum.Enum):
    """What the acting user's id stands for."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    UNKNOWN = "unknown"


@attrs.frozen
class Actor:
    """Who calls a row: a role in a state, or an id no user has (no role)."""

    state: State
    role: Role | None = None

    def __str__(self) -> str:
        return self.state.value if self.role is None else f"{self.state.value} {self.role.value}"

    def id_on(self, stage: Stage) -> str:
        """Return this actor's user id on ``stage``."""
        if self.state is State.UNKNOWN or self.role is None:
            return GHOST_ID
        if self.state is State.INACTIVE:
            return stage.inactive(self.role).id
        return {
            Role.ADMIN: stage.admin,
            Role.REVIEWER: stage.reviewer,
            Role.ASSESSOR: stage.assessor,
        }[self.role].id

    def expected(self, row: Row) -> ErrorCode | None:
        """Return the code the permission table predicts for ``row``, or None for success."""
        if self.state is State.UNKNOWN or self.role is None:
            return ErrorCode.UNAUTHORIZED
        if self.state is State.INACTIVE:
            return ErrorCode.USER_INACTIVE
        if row.permission not in PERMISSIONS[self.role]:
            return ErrorCode.INSUFFICIENT_PERMISSIONS
        return None


ACTORS: tuple[Actor, ...] = (
    *(Actor(State.ACTIVE, role) for role in Role),
    *(Actor(State.INACTIVE, role) for role in Role),
    Actor(State.UNKNOWN),
)
