"""An assessor never sees a lead that is not assigned to them, through any read path.

Another assessor's lead, a lead assigned to nobody, and a lead taken away from them (with
the draft and the document they made on it) must look exactly like a lead that does not
exist: same refusal, same context but for the id. Lists and answers leave them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

import leadcore
from leadcore import ErrorCode, LeadCore, Role, User
from tests.assessments.helpers import COMPLETE, QUESTIONS, refused
from tests.authz.matrix import PDF
from tests.conftest import FakeClock, connect_for_tests, lead_data

# Ids in the right shapes that nothing has.
NOWHERE_LEAD = "LEAD-2026-9999"
NOWHERE_ID = "0190a1b2-c3d4-7e5f-8a9b-0000000f0f0f"


@attrs.frozen
class Target:
    """A lead, one of its assessments and one of its documents (ids)."""

    lead_id: str
    assessment_id: str
    document_id: str

    def ids(self) -> set[str]:
        """Return the ids this target names."""
        return {self.lead_id, self.assessment_id, self.document_id}


@attrs.frozen
class World:
    """Two assessors; ``mine`` is the first one's lead, the others are not theirs."""

    core: LeadCore
    assessor: User
    other_assessor: User
    mine: Target
    foreign: dict[str, Target]


def worked_lead(core: LeadCore, reviewer: User, assessor: User, n: int) -> Target:
    """Return a lead assigned to ``assessor``, who answered it and uploaded a document."""
    lead = core.leads.create(reviewer.id, lead_data(n))
    lead = core.leads.assign_assessor(reviewer.id, lead.id, assessor.id, expected_version=1)
    draft = core.assessments.start(assessor.id, lead.id)
    answers = {**COMPLETE, "remarks": f"lead {n}"}
    core.assessments.save_answers(assessor.id, draft.id, answers, expected_version=1)
    document = core.documents.upload(assessor.id, lead.id, "r.pdf", PDF, "application/pdf")
    return Target(lead.id, draft.id, document.id)


def build_world(core: LeadCore) -> World:
    """Populate an empty ``core`` with the two assessors and their leads."""
    admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
    people = {
        role: core.users.create(
            admin.id, {"email": f"{role.lower()}@example.in", "name": role, "role": role}
        )
        for role in (Role.REVIEWER, Role.ASSESSOR)
    }
    reviewer, assessor = people[Role.REVIEWER], people[Role.ASSESSOR]
    other = core.users.create(
        admin.id, {"email": "other@example.in", "name": "Other", "role": Role.ASSESSOR}
    )
    core.assessments.set_questionnaire(admin.id, QUESTIONS)
    mine = worked_lead(core, reviewer, assessor, 1)
    theirs = worked_lead(core, reviewer, other, 2)
    taken_away = worked_lead(core, reviewer, assessor, 3)
    lead = core.leads.get(admin.id, taken_away.lead_id)
    core.leads.assign_assessor(reviewer.id, lead.id, other.id, expected_version=lead.version)
    unassigned = core.leads.create(reviewer.id, lead_data(4))
    document = core.documents.upload(reviewer.id, unassigned.id, "r.pdf", PDF, "application/pdf")
    return World(
        core,
        assessor,
        other,
        mine,
        {
            "another assessor's lead": theirs,
            "a lead taken away from them": taken_away,
            "an unassigned lead": Target(unassigned.id, NOWHERE_ID, document.id),
        },
    )


@pytest.fixture(scope="module")
def world(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The two assessors' world, once per store: the tests here only read."""
    with connect_for_tests(store, tmp_path_factory, FakeClock(), lasting=True) as core:
        yield build_world(core)


NOWHERE = Target(NOWHERE_LEAD, NOWHERE_ID, NOWHERE_ID)

# Every read that names one lead (or its assessment or document), as the assessor.
READ_PATHS: dict[str, Callable[[LeadCore, str, Target], object]] = {
    "leads.get": lambda c, a, t: c.leads.get(a, t.lead_id),
    "audit.for_lead": lambda c, a, t: c.audit.for_lead(a, t.lead_id),
    "documents.list": lambda c, a, t: c.documents.list(a, t.lead_id),
    "documents.get": lambda c, a, t: c.documents.get(a, t.document_id),
    "documents.read": lambda c, a, t: c.documents.read(a, t.document_id),
    "assessments.get": lambda c, a, t: c.assessments.get(a, t.assessment_id),
    "assessments.for_lead": lambda c, a, t: c.assessments.for_lead(a, t.lead_id),
}
FOREIGN = ["another assessor's lead", "a lead taken away from them", "an unassigned lead"]


def learned(world: World, path: str, target: Target) -> dict[str, Any]:
    """Return what the assessor learns from ``path`` on ``target``, its ids masked."""
    read = READ_PATHS[path]
    envelope = leadcore.run_action(read, world.core, world.assessor.id, target)
    context = envelope.get("context", {})
    masked = {k: "<id>" if v in target.ids() else v for k, v in context.items()}
    return {**envelope, "context": masked}


@pytest.mark.parametrize("target", FOREIGN)
@pytest.mark.parametrize("path", list(READ_PATHS))
def test_a_lead_not_assigned_to_them_looks_like_no_lead(
    world: World, path: str, target: str
) -> None:
    """The assessor's answer about a foreign lead equals their answer about a missing one."""
    answer = learned(world, path, world.foreign[target])
    assert not answer["success"]
    assert answer == learned(world, path, NOWHERE)


@pytest.mark.parametrize("path", list(READ_PATHS))
def test_the_assessor_reads_their_own_lead_on_every_path(world: World, path: str) -> None:
    """The same paths answer about the assessor's own lead (the refusals above are earned)."""
    assert learned(world, path, world.mine)["success"]


@pytest.mark.parametrize(
    "filters",
    [{}, {"status": "IN_PROGRESS"}, {"assessor_id": "other"}, {"assessor_id": None}],
    ids=["no filter", "by status", "asking for the other assessor's", "assessor_id None"],
)
def test_the_lead_list_holds_only_their_lead(world: World, filters: dict[str, object]) -> None:
    """leads.list gives the assessor their own lead and nothing else, whatever the filter."""
    if filters.get("assessor_id") == "other":
        filters = {"assessor_id": world.other_assessor.id}
    page = world.core.leads.list(world.assessor.id, limit=1000, **filters)
    assert [lead.id for lead in page.items] == [world.mine.lead_id]


@pytest.mark.parametrize("question", [q["id"] for q in QUESTIONS])
def test_answers_for_a_question_come_only_from_their_lead(world: World, question: str) -> None:
    """answers_for_question leaves out the answers on every lead not assigned to them."""
    answers = world.core.assessments.answers_for_question(world.assessor.id, question)
    assert {answer.lead_id for answer in answers} <= {world.mine.lead_id}


def test_answers_on_their_own_lead_are_there(world: World) -> None:
    """The assessor does get the answer on their own lead (the filter is not empty-handed)."""
    answers = world.core.assessments.answers_for_question(world.assessor.id, "remarks")
    assert [(a.lead_id, a.value) for a in answers] == [(world.mine.lead_id, "lead 1")]


@pytest.mark.parametrize("target", FOREIGN)
def test_the_audit_log_is_closed_to_them_even_for_one_lead(world: World, target: str) -> None:
    """audit.list is INSUFFICIENT_PERMISSIONS for an assessor, filtered by lead or not."""
    lead_id = world.foreign[target].lead_id
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: world.core.audit.list(world.assessor.id, lead_id=lead_id),
    )
