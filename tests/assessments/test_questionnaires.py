"""Publishing and reading questionnaire versions."""

from __future__ import annotations

import pytest

from leadcore import AuditAction, EntityType, ErrorCode, LeadCore, Questionnaire
from tests.assessments.helpers import QUESTIONS, codes, refused, run_together
from tests.conftest import People

V2 = [*QUESTIONS, {"id": "turnover", "text": "Turnover (INR)?", "type": "number"}]


def test_the_first_publication_is_version_1(core: LeadCore, people: People) -> None:
    """set_questionnaire returns version 1 with the parsed questions and its publisher."""
    published = core.assessments.set_questionnaire(people.admin.id, QUESTIONS)
    assert (published.version, published.published_by) == (1, people.admin.id)
    assert [q.id for q in published.questions] == ["employees", "sector", "exporter", "remarks"]


def test_each_new_publication_is_the_next_version(
    core: LeadCore, people: People, questionnaire: Questionnaire
) -> None:
    """A changed list becomes version 2 and the current one; version 1 stays readable."""
    v2 = core.assessments.set_questionnaire(people.admin.id, V2)
    assert v2.version == 2
    assert core.assessments.questionnaire(people.reviewer.id) == v2
    assert core.assessments.questionnaire(people.assessor.id, version=1) == questionnaire


def test_publishing_the_same_questions_again_changes_nothing(
    core: LeadCore, people: People, questionnaire: Questionnaire
) -> None:
    """Re-publishing identical questions returns the current version, with no new entry."""
    again = core.assessments.set_questionnaire(people.admin.id, QUESTIONS)
    entries = core.audit.list(people.admin.id, action="QUESTIONNAIRE_PUBLISHED").items
    assert again == questionnaire
    assert len(entries) == 1


def test_a_publication_is_audited_with_its_questions(
    core: LeadCore, people: People, questionnaire: Questionnaire
) -> None:
    """QUESTIONNAIRE_PUBLISHED records the version and the questions, by the admin."""
    (entry,) = core.audit.list(people.admin.id, action=AuditAction.QUESTIONNAIRE_PUBLISHED).items
    assert (entry.actor_id, entry.entity_type, entry.entity_id, entry.lead_id) == (
        people.admin.id,
        EntityType.QUESTIONNAIRE,
        "1",
        None,
    )
    assert entry.new["questions"] == [q.to_dict() for q in questionnaire.questions]


def test_question_objects_are_accepted_as_input(core: LeadCore, people: People) -> None:
    """set_questionnaire takes Question instances as well as mappings."""
    question = core.assessments.set_questionnaire(people.admin.id, QUESTIONS).questions[0]
    published = core.assessments.set_questionnaire(people.admin.id, [question])
    assert published.questions == (question,)


@pytest.mark.parametrize("role", ["reviewer", "assessor"])
def test_only_an_admin_may_publish(core: LeadCore, people: People, role: str) -> None:
    """Reviewers and assessors are INSUFFICIENT_PERMISSIONS and nothing is published."""
    actor = getattr(people, role)
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: core.assessments.set_questionnaire(actor.id, QUESTIONS),
    )
    assert core.assessments.questionnaire(people.admin.id) is None


def test_an_unknown_publisher_is_unauthorized(core: LeadCore, people: People) -> None:
    """An id that names no user is UNAUTHORIZED before the input is looked at."""
    refused(ErrorCode.UNAUTHORIZED, lambda: core.assessments.set_questionnaire("ghost", "junk"))


def test_a_bad_definition_publishes_nothing(core: LeadCore, people: People) -> None:
    """A choice question without choices is INVALID_INPUT naming it; no version appears."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.set_questionnaire(
            people.admin.id, [{"id": "sector", "text": "Sector?", "type": "choice"}]
        ),
    )
    assert list(error.context["fields"]) == ["sector"]
    assert core.assessments.questionnaire(people.admin.id) is None


def test_an_unknown_version_is_invalid_input(
    core: LeadCore, people: People, questionnaire: Questionnaire
) -> None:
    """Asking for a version never published names ``version``."""
    error = refused(
        ErrorCode.INVALID_INPUT, lambda: core.assessments.questionnaire(people.admin.id, 7)
    )
    assert list(error.context["fields"]) == ["version"]


def test_two_admins_publishing_at_once_get_distinct_versions(
    core: LeadCore, people: People
) -> None:
    """Concurrent publications of different lists become versions 1 and 2, never one twice."""
    admin2 = core.users.create(
        people.admin.id, {"email": "admin2@example.in", "name": "Anil", "role": "ADMIN"}
    )
    outcomes = run_together(
        lambda: core.assessments.set_questionnaire(people.admin.id, QUESTIONS),
        lambda: core.assessments.set_questionnaire(admin2.id, V2),
    )
    assert codes(outcomes) == []
    versions = sorted(o.version for o in outcomes if isinstance(o, Questionnaire))
    assert versions == [1, 2]
