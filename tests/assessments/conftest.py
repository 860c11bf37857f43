"""Fixtures of the assessment tests: a published questionnaire, an assigned lead, a draft."""

from __future__ import annotations

import pytest

from leadcore import Assessment, Lead, LeadCore, Questionnaire, Role, User
from tests.assessments.helpers import QUESTIONS, assigned_lead
from tests.conftest import People


@pytest.fixture
def questionnaire(core: LeadCore, people: People) -> Questionnaire:
    """Version 1 of the questionnaire, published by the admin."""
    return core.assessments.set_questionnaire(people.admin.id, QUESTIONS)


@pytest.fixture
def lead(core: LeadCore, people: People, questionnaire: Questionnaire) -> Lead:
    """A lead assigned to people.assessor (ASSIGNED, version 2), questionnaire published."""
    return assigned_lead(core, people)


@pytest.fixture
def draft(core: LeadCore, people: People, lead: Lead) -> Assessment:
    """The lead's assessment, just started by its assessor (DRAFT, version 1)."""
    return core.assessments.start(people.assessor.id, lead.id)


@pytest.fixture
def assessor2(core: LeadCore, people: People) -> User:
    """A second active assessor."""
    return core.users.create(
        people.admin.id, {"email": "assessor2@example.in", "name": "Meena", "role": Role.ASSESSOR}
    )
