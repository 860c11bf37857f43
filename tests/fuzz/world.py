"""The world the fuzz runs in: users of every kind, leads at several stages, a document."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from leadcore import LeadCore, Role, User
from tests.assessments.helpers import COMPLETE, QUESTIONS, assigned_lead
from tests.conftest import People, lead_data
from tests.strategies import Ref

# An id no user has.
GHOST_ID = "0190a1b2-c3d4-7e5f-8a9b-00000000dead"
# A lead id in the right format that no lead has.
NO_SUCH_LEAD = "LEAD-2026-9999"


@attrs.frozen
class FuzzWorld:
    """One core with a user of each kind, and leads new, in progress and submitted.

    ``lead`` is assigned to the assessor, with a DRAFT assessment and a document;
    ``other_lead`` is NEW; ``done_lead`` holds a SUBMITTED assessment.
    """

    core: LeadCore
    admin: User
    reviewer: User
    assessor: User
    inactive: User
    lead: str
    other_lead: str
    draft: str
    submitted: str
    document: str

    def resolve(self, value: object) -> object:
        """Return the world's value a Ref stands for; any other value as it is."""
        if not isinstance(value, Ref):
            return value
        return self._values()[value.name]()

    def _values(self) -> dict[str, Callable[[], object]]:
        """How to find each value a Ref may name (versions and cursors are read afresh)."""
        core, admin = self.core, self.admin.id
        return {
            "admin": lambda: admin,
            "reviewer": lambda: self.reviewer.id,
            "assessor": lambda: self.assessor.id,
            "inactive": lambda: self.inactive.id,
            "ghost": lambda: GHOST_ID,
            "lead": lambda: self.lead,
            "other_lead": lambda: self.other_lead,
            "no_such_lead": lambda: NO_SUCH_LEAD,
            "lead_version": lambda: core.leads.get(admin, self.lead).version,
            "draft": lambda: self.draft,
            "draft_version": lambda: core.assessments.get(admin, self.draft).version,
            "submitted": lambda: self.submitted,
            "submitted_version": lambda: core.assessments.get(admin, self.submitted).version,
            "document": lambda: self.document,
            "leads_cursor": lambda: core.leads.list(admin, limit=1).next_cursor,
            "users_cursor": lambda: core.users.list(admin, limit=1).next_cursor,
            "audit_cursor": lambda: core.audit.list(admin, limit=1).next_cursor,
        }


def build_world(core: LeadCore, people: People) -> FuzzWorld:
    """Populate ``core`` (which holds ``people``) with the fuzz's world and return it."""
    admin, reviewer, assessor = people.admin, people.reviewer, people.assessor
    inactive = core.users.create(
        admin.id, {"email": "gone@example.in", "name": "Gone", "role": Role.REVIEWER}
    )
    inactive = core.users.deactivate(admin.id, inactive.id)
    core.assessments.set_questionnaire(admin.id, QUESTIONS)
    lead = assigned_lead(core, people, 1)
    draft = core.assessments.start(assessor.id, lead.id)
    document = core.documents.upload(
        assessor.id, lead.id, "report.pdf", b"%PDF-1.7", "application/pdf"
    )
    other_lead = core.leads.create(reviewer.id, lead_data(2))
    done_lead = assigned_lead(core, people, 3)
    started = core.assessments.start(assessor.id, done_lead.id)
    answered = core.assessments.save_answers(assessor.id, started.id, COMPLETE, expected_version=1)
    submitted = core.assessments.submit(assessor.id, answered.id, expected_version=2)
    return FuzzWorld(
        core=core,
        admin=admin,
        reviewer=reviewer,
        assessor=assessor,
        inactive=inactive,
        lead=lead.id,
        other_lead=other_lead.id,
        draft=draft.id,
        submitted=submitted.id,
        document=document.id,
    )
