"""Each assessment command commits the assessment, the lead and their entries together."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from leadcore import Assessment, ErrorCode, Lead, LeadCore
from leadcore.services.assessments import AssessmentService
from tests.assessments.doubles import make_commits_fail
from tests.assessments.helpers import COMPLETE, lead_history, refused, submitted_assessment
from tests.conftest import People

Step = Callable[[AssessmentService, People, Assessment], object]

STEPS: dict[str, Step] = {
    "save_answers": lambda s, p, a: s.save_answers(p.assessor.id, a.id, {"remarks": "x"}, 2),
    "submit": lambda s, p, a: s.submit(p.assessor.id, a.id, 2),
}
DECISIONS: dict[str, Step] = {
    "approve": lambda s, p, a: s.approve(p.reviewer.id, a.id, 3),
    "reject": lambda s, p, a: s.reject(p.reviewer.id, a.id, 3, reason="no"),
}


def state(core: LeadCore, people: People, lead: Lead) -> tuple[object, ...]:
    """Return the lead, its assessments and its history, as the admin sees them."""
    return (
        core.leads.get(people.admin.id, lead.id),
        core.assessments.for_lead(people.admin.id, lead.id),
        lead_history(core, people, lead.id),
    )


def test_a_failed_commit_of_start_leaves_the_lead_assigned(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """If start cannot commit, there is no assessment and the lead is still ASSIGNED."""
    before = state(core, people, lead)
    make_commits_fail(core)
    refused(
        ErrorCode.DATABASE_ERROR,
        lambda: core.container.assessments().start(people.assessor.id, lead.id),
    )
    assert state(core, people, lead) == before


@pytest.mark.parametrize("name", sorted(STEPS))
def test_a_failed_commit_of_assessor_work_changes_nothing(
    core: LeadCore, people: People, lead: Lead, draft: Assessment, name: str
) -> None:
    """save_answers and submit that cannot commit leave lead, assessment and history as before."""
    core.assessments.save_answers(people.assessor.id, draft.id, COMPLETE, 1)
    before = state(core, people, lead)
    make_commits_fail(core)
    refused(
        ErrorCode.DATABASE_ERROR, lambda: STEPS[name](core.container.assessments(), people, draft)
    )
    assert state(core, people, lead) == before


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_a_failed_commit_of_a_decision_changes_nothing(
    core: LeadCore, people: People, lead: Lead, name: str
) -> None:
    """approve and reject that cannot commit leave the lead SUBMITTED and no entries behind."""
    submitted = submitted_assessment(core, people.assessor, lead)
    before = state(core, people, lead)
    make_commits_fail(core)
    refused(
        ErrorCode.DATABASE_ERROR,
        lambda: DECISIONS[name](core.container.assessments(), people, submitted),
    )
    assert state(core, people, lead) == before


def test_a_failed_publication_leaves_no_version(core: LeadCore, people: People) -> None:
    """A questionnaire that cannot commit is not published and its version is not used up."""
    make_commits_fail(core)
    refused(
        ErrorCode.DATABASE_ERROR,
        lambda: core.container.assessments().set_questionnaire(
            people.admin.id, [{"id": "q", "text": "Q?", "type": "text"}]
        ),
    )
    assert core.assessments.questionnaire(people.admin.id) is None
    published = core.assessments.set_questionnaire(
        people.admin.id, [{"id": "q", "text": "Q?", "type": "text"}]
    )
    assert published.version == 1
